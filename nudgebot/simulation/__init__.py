"""Offline evaluation of tip policies: the real bot, a simulated clock and a synthetic cohort."""

from nudgebot.simulation.cohort import COHORT_FORMAT, Cohort, CohortError, load_cohort
from nudgebot.simulation.days import Deployment
from nudgebot.simulation.policies import POLICY_NAMES
from nudgebot.simulation.progress import DayProgress
from nudgebot.simulation.report import format_table, write_chart, write_summary
from nudgebot.simulation.run import (
    PEOPLE_PER_SHARD,
    DeploymentFactory,
    SimulationResult,
    run_simulation,
)
from nudgebot.simulation.telegram import SimulatedTelegram

__all__ = [
    "COHORT_FORMAT",
    "PEOPLE_PER_SHARD",
    "POLICY_NAMES",
    "Cohort",
    "CohortError",
    "DayProgress",
    "Deployment",
    "DeploymentFactory",
    "SimulatedTelegram",
    "SimulationResult",
    "format_table",
    "load_cohort",
    "run_simulation",
    "write_chart",
    "write_summary",
]
