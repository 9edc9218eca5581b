"""Next-due computation: local nudge times to UTC, across DST and odd offsets."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from nudgebot.scheduling import (
    NudgeSchedule,
    QuietHours,
    local_date,
    next_slot,
    wall_clock_to_utc,
)

NO_QUIET_HOURS = QuietHours(time(0, 0), time(0, 0))


def next_nudge_at(after: datetime, zone: ZoneInfo, at: time) -> datetime:
    """The dispatcher's next due time for a subscriber with one nudge time and no quiet hours."""
    return next_slot(after, NudgeSchedule(zone, (at,), NO_QUIET_HOURS)).at


CASES = [
    # zone, previous nudge (UTC), nudge time, expected next nudge (UTC)
    pytest.param(
        "Europe/Berlin",
        datetime(2026, 6, 1, 7, 0, tzinfo=UTC),
        time(9, 0),
        datetime(2026, 6, 2, 7, 0, tzinfo=UTC),
        id="plain-summer-day",
    ),
    pytest.param(
        "America/New_York",
        datetime(2026, 3, 7, 7, 30, tzinfo=UTC),  # 02:30 EST on the Saturday
        time(2, 30),
        datetime(2026, 3, 8, 7, 30, tzinfo=UTC),  # 02:30 does not exist: sent at 03:30 EDT
        id="spring-forward-0230-missing",
    ),
    pytest.param(
        "America/New_York",
        datetime(2026, 3, 8, 7, 30, tzinfo=UTC),
        time(2, 30),
        datetime(2026, 3, 9, 6, 30, tzinfo=UTC),  # back to 02:30, now EDT
        id="day-after-spring-forward",
    ),
    pytest.param(
        "America/New_York",
        datetime(2026, 10, 31, 5, 30, tzinfo=UTC),  # 01:30 EDT on the Saturday
        time(1, 30),
        datetime(2026, 11, 1, 5, 30, tzinfo=UTC),  # 01:30 happens twice: the first (EDT)
        id="fall-back-0130-doubled",
    ),
    pytest.param(
        "America/New_York",
        datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
        time(1, 30),
        datetime(2026, 11, 2, 6, 30, tzinfo=UTC),  # once only: next is Monday 01:30 EST
        id="day-after-fall-back",
    ),
    pytest.param(
        "Europe/London",
        datetime(2026, 3, 28, 1, 30, tzinfo=UTC),
        time(1, 30),
        datetime(2026, 3, 29, 1, 30, tzinfo=UTC),  # 01:30 GMT missing: 02:30 BST
        id="london-spring-forward",
    ),
    pytest.param(
        "Asia/Kolkata",
        datetime(2026, 6, 1, 3, 30, tzinfo=UTC),
        time(9, 0),
        datetime(2026, 6, 2, 3, 30, tzinfo=UTC),  # UTC+05:30
        id="kolkata-half-hour-offset",
    ),
    pytest.param(
        "Pacific/Chatham",
        datetime(2026, 6, 1, 20, 15, tzinfo=UTC),  # 09:00 on 2 June at UTC+12:45
        time(9, 0),
        datetime(2026, 6, 2, 20, 15, tzinfo=UTC),
        id="chatham-quarter-hour-offset",
    ),
    pytest.param(
        "Pacific/Chatham",
        datetime(2026, 9, 25, 14, 5, tzinfo=UTC),  # 02:50 on the 26th at +12:45
        time(2, 50),
        datetime(2026, 9, 26, 14, 5, tzinfo=UTC),  # 02:50 missing (02:45 -> 03:45): 03:50
        id="chatham-spring-forward",
    ),
    pytest.param(
        "Pacific/Chatham",
        datetime(2026, 4, 3, 13, 5, tzinfo=UTC),  # 02:50 on the 4th at +13:45
        time(2, 50),
        datetime(2026, 4, 4, 13, 5, tzinfo=UTC),  # 02:50 twice on the 5th: the first
        id="chatham-fall-back",
    ),
    pytest.param(
        "Pacific/Kiritimati",
        datetime(2026, 1, 1, 19, 0, tzinfo=UTC),  # 09:00 on 2 January at UTC+14
        time(9, 0),
        datetime(2026, 1, 2, 19, 0, tzinfo=UTC),
        id="plus-fourteen-date-line",
    ),
]


@pytest.mark.parametrize(("zone", "previous", "at", "expected"), CASES)
def test_next_nudge_is_next_local_day_at_nudge_time(
    zone: str, previous: datetime, at: time, expected: datetime
) -> None:
    """The nudge after one sent at `previous` is the next local day at the nudge time."""
    result = next_nudge_at(previous, ZoneInfo(zone), at)

    assert result == expected


@pytest.mark.parametrize(
    "zone", ["America/New_York", "Europe/London", "Pacific/Chatham", "Asia/Kolkata"]
)
def test_a_year_of_nudges_is_one_per_local_day(zone: str) -> None:
    """Chained over a year with DST changes, every local day gets exactly one nudge."""
    tz = ZoneInfo(zone)
    at = time(2, 30)
    instant = wall_clock_to_utc(date(2026, 1, 1), at, tz)
    days = []

    for _ in range(365):
        days.append(local_date(instant, tz))
        instant = next_nudge_at(instant, tz, at)

    assert days == [date.fromordinal(date(2026, 1, 1).toordinal() + n) for n in range(365)]


def test_late_tick_does_not_plan_two_nudges_for_one_day() -> None:
    """A tick running late in the evening still plans the next nudge for tomorrow, not today."""
    tz = ZoneInfo("Europe/Berlin")
    late = datetime(2026, 6, 1, 20, 0, tzinfo=UTC)  # 22:00 local, due since 09:00

    result = next_nudge_at(late, tz, time(9, 0))

    assert result == datetime(2026, 6, 2, 7, 0, tzinfo=UTC)
