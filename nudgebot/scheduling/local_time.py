"""Turning a subscriber's local wall-clock nudge time into UTC instants, across DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def local_date(instant: datetime, zone: ZoneInfo) -> date:
    """The calendar date in `zone` at an aware `instant`."""
    return instant.astimezone(zone).date()


def day_at(instant: datetime, zone: ZoneInfo, day_start: time) -> date:
    """The day a person in `zone` whose days begin at `day_start` is living at `instant`: the
    local date, shifted back by the day start (01:30 is still yesterday if days start at 04:00)."""
    local = instant.astimezone(zone).replace(tzinfo=None)
    return (local - timedelta(hours=day_start.hour, minutes=day_start.minute)).date()


def wall_clock_to_utc(day: date, at: time, zone: ZoneInfo, *, fold: int = 0) -> datetime:
    """The UTC instant when clocks in `zone` show `at` on `day`.

    Two DST cases need a rule, because a wall-clock time can be missing or doubled:
    - in a spring-forward gap (02:30 when clocks jump from 02:00 to 03:00) the time does not exist;
      the nudge goes out as long after the jump as it was meant to be after the gap's start
      (03:30), so the subscriber still gets that day's nudge, shortly after the usual moment;
    - in a fall-back overlap (01:30 happens twice) the first occurrence wins, so the nudge goes
      out once, at the earlier of the two.
    `fold=0` gives both: zoneinfo resolves a missing or doubled time with the offset in force
    before the transition. `fold=1` asks for the second occurrence of a doubled time instead.
    """
    return datetime.combine(day, at).replace(tzinfo=zone, fold=fold).astimezone(UTC)
