"""Turning a subscriber's local wall-clock nudge time into UTC instants, across DST changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo


def local_date(instant: datetime, zone: ZoneInfo) -> date:
    """The calendar date in `zone` at an aware `instant`."""
    return instant.astimezone(zone).date()


def wall_clock_to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant when clocks in `zone` show `at` on `day`.

    Two DST cases need a rule, because a wall-clock time can be missing or doubled:
    - in a spring-forward gap (02:30 when clocks jump from 02:00 to 03:00) the time does not exist;
      the nudge goes out as long after the jump as it was meant to be after the gap's start
      (03:30), so the subscriber still gets that day's nudge, shortly after the usual moment;
    - in a fall-back overlap (01:30 happens twice) the first occurrence wins, so the nudge goes
      out once, at the earlier of the two.
    `fold=0` gives both: zoneinfo resolves a missing or doubled time with the offset in force
    before the transition.
    """
    return datetime.combine(day, at).replace(tzinfo=zone, fold=0).astimezone(UTC)
