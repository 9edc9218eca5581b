"""Injected failures for Bot API requests, reproducible from a seed."""

from __future__ import annotations

import enum
import random

from nudgebot.sandbox.config import SandboxConfig


class Fault(enum.Enum):
    """What happens to one Bot API request."""

    NONE = "none"
    ERROR_500 = "error_500"
    ERROR_502 = "error_502"
    TIMEOUT = "timeout"
    DROP = "drop"


class FaultInjector:
    """Draws one number per Bot API request, so a seed fixes the whole sequence of faults."""

    def __init__(self, seed: int | None = None) -> None:
        self._random = random.Random(seed)

    def reseed(self, seed: int | None) -> None:
        """Start the sequence again from `seed` (None: unpredictable)."""
        self._random = random.Random(seed)

    def draw(self, config: SandboxConfig) -> Fault:
        """The fault for the next request under `config`'s rates."""
        roll = self._random.random()
        if roll < config.error_rate:
            return Fault.ERROR_500 if roll < config.error_rate / 2 else Fault.ERROR_502
        roll -= config.error_rate
        if roll < config.timeout_rate:
            return Fault.TIMEOUT
        roll -= config.timeout_rate
        if roll < config.drop_rate:
            return Fault.DROP
        return Fault.NONE
