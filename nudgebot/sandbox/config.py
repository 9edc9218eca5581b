"""The sandbox's runtime settings: Telegram's flood limits and injected faults."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any


@dataclass
class SandboxConfig:
    """What the control API can change at runtime (`POST /sandbox/config`)."""

    limits: bool = False
    global_per_second: float = 30.0
    per_chat_per_second: float = 1.0
    error_rate: float = 0.0
    timeout_rate: float = 0.0
    drop_rate: float = 0.0
    seed: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The config as the control API shows it."""
        return dataclasses.asdict(self)

    def with_changes(self, changes: dict[str, Any]) -> SandboxConfig:
        """A copy with `changes` applied; ValueError or TypeError names the first bad field."""
        fields = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(changes) - fields)
        if unknown:
            raise ValueError(f"unknown config field(s): {', '.join(unknown)}")
        updated = dataclasses.replace(self)
        for name, value in changes.items():
            setattr(updated, name, _checked(name, value))
        rates = updated.error_rate + updated.timeout_rate + updated.drop_rate
        if rates > 1.0:
            raise ValueError("error_rate + timeout_rate + drop_rate must not exceed 1")
        return updated


def _checked(name: str, value: Any) -> Any:
    if name == "limits":
        if not isinstance(value, bool):
            raise TypeError("limits must be a boolean")
        return value
    if name == "seed":
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise TypeError("seed must be an integer or null")
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"{name} must be a number")
    number = float(value)
    if name.endswith("_rate") and not 0.0 <= number <= 1.0:
        raise ValueError(f"{name} must be between 0 and 1")
    if name.endswith("_per_second") and number <= 0:
        raise ValueError(f"{name} must be positive")
    return number
