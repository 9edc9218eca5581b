"""Quiet hours: a nightly window in local time when nothing is sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from nudgebot.scheduling.local_time import wall_clock_to_utc


@dataclass(frozen=True)
class QuietHours:
    """From `start` to `end` local time; a window that crosses midnight (21:30-08:00) is fine.

    Equal start and end mean no quiet hours at all.
    """

    start: time
    end: time

    def contains(self, instant: datetime, zone: ZoneInfo) -> bool:
        """Whether clocks in `zone` show a quiet time at `instant`."""
        if self.start == self.end:
            return False
        wall = instant.astimezone(zone).time().replace(tzinfo=None)
        if self.start < self.end:
            return self.start <= wall < self.end
        return wall >= self.start or wall < self.end

    def release(self, instant: datetime, zone: ZoneInfo) -> datetime:
        """`instant` itself if it is not quiet, otherwise the moment the quiet window ends."""
        if not self.contains(instant, zone):
            return instant
        local = instant.astimezone(zone)
        end_day = local.date()
        if local.time().replace(tzinfo=None) >= self.end:
            end_day += timedelta(days=1)  # evening part of the window: it ends tomorrow
        end = wall_clock_to_utc(end_day, self.end, zone)
        if end <= instant:
            # The hour repeated when clocks go back: its first pass is over, and the window
            # ends when the clocks show its end the second time.
            end = wall_clock_to_utc(end_day, self.end, zone, fold=1)
        return end
