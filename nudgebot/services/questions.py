"""The question the bot is waiting on, kept in the subscriber's row so a restart loses nothing.

While onboarding, it is the step they are at (and the message showing it); once settled, a
settings question that can be answered by typing (a city, a time), for a few minutes. Stored in
`subscribers.onboarding_step` (32 characters) as `o:<setting>[:<message>]` or
`s:<setting>:[<message>]:<until>`, numbers in base 36 (`until` in minutes since the epoch).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Setting(StrEnum):
    """The settings a subscriber chooses; the values are short, for button data."""

    TIMEZONE = "tz"
    TIME = "tm"
    TOPICS = "tp"
    WELLBEING = "wb"
    LANGUAGE = "ln"


@dataclass(frozen=True)
class Question:
    """What the bot asked: which setting, in which message, and until when (settings only)."""

    setting: Setting
    onboarding: bool
    message_id: int | None = None
    until: datetime | None = None

    def is_open(self, now: datetime) -> bool:
        """Whether a typed answer still counts as an answer to it."""
        return self.until is None or now < self.until

    def encode(self) -> str:
        """The stored form."""
        message = to_base36(self.message_id) if self.message_id is not None else ""
        if self.onboarding:
            return f"o:{self.setting}:{message}" if message else f"o:{self.setting}"
        assert self.until is not None, "a settings question has an end"
        minutes = math.ceil((self.until - _EPOCH) / timedelta(minutes=1))
        return f"s:{self.setting}:{message}:{to_base36(minutes)}"

    @classmethod
    def decode(cls, stored: str | None) -> Question | None:
        """The stored question, or None for nothing (or anything unreadable)."""
        parts = (stored or "").split(":")
        try:
            if parts[0] == "o" and len(parts) in {2, 3}:
                message = from_base36(parts[2]) if len(parts) == 3 else None
                return cls(Setting(parts[1]), onboarding=True, message_id=message)
            if parts[0] == "s" and len(parts) == 4:
                until = _EPOCH + timedelta(minutes=from_base36(parts[3]))
                message = from_base36(parts[2]) if parts[2] else None
                return cls(Setting(parts[1]), onboarding=False, message_id=message, until=until)
        except ValueError:
            return None
        return None


def to_base36(number: int) -> str:
    """A non-negative integer in base 36, lower case."""
    if number < 0:
        raise ValueError("only non-negative numbers")
    text = ""
    while True:
        number, remainder = divmod(number, 36)
        text = _DIGITS[remainder] + text
        if number == 0:
            return text


def from_base36(text: str) -> int:
    """The integer a lower-case base-36 text stands for; ValueError for anything else."""
    if not text or len(text) > 13 or any(c not in _DIGITS for c in text):
        raise ValueError(f"not a base-36 number: {text!r}")
    return int(text, 36)
