"""A clock the tests move by hand, so nothing waits for real time to pass."""

from __future__ import annotations

from datetime import datetime, timedelta


class ManualClock:
    """Returns the same instant until a test advances or sets it."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by `delta` and return the new now."""
        self.now += delta
        return self.now
