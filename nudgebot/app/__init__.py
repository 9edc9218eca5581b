"""The composition root: builds the whole bot from Settings and runs its lifecycle
(`lifecycle`: the running bot; `wiring`: building it; `simulated`: the bot `nudgebot simulate`
drives)."""

from nudgebot.app.lifecycle import Clock, NudgeBot, Role
from nudgebot.app.simulated import SimulatedDeployment, simulated_deployment
from nudgebot.app.wiring import (
    Wiring,
    build_bot,
    delivery_policy,
    open_database,
    register_handlers,
    tip_chooser,
    utc_now,
    worker_identity,
)

__all__ = [
    "Clock",
    "NudgeBot",
    "Role",
    "SimulatedDeployment",
    "Wiring",
    "build_bot",
    "delivery_policy",
    "open_database",
    "register_handlers",
    "simulated_deployment",
    "tip_chooser",
    "utc_now",
    "worker_identity",
]
