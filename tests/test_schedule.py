"""A subscriber's schedule: several nudge times, quiet hours, a late day start, gaps, zones."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from nudgebot.delivery.planned_messages import serving_slot
from nudgebot.scheduling import (
    NudgeSchedule,
    QuietHours,
    current_slot,
    earliest_send,
    next_slot,
    slots_of_day,
    subscriber_day,
)

BERLIN = ZoneInfo("Europe/Berlin")
NIGHT = QuietHours(time(21, 30), time(8, 0))


def schedule(*times: time, day_start: time = time(0, 0), zone: ZoneInfo = BERLIN) -> NudgeSchedule:
    """A schedule with the default quiet hours."""
    return NudgeSchedule(zone, times, NIGHT, day_start)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A UTC instant."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("local", "quiet"),
    [
        pytest.param(time(21, 29), False, id="just-before-start"),
        pytest.param(time(21, 30), True, id="at-start"),
        pytest.param(time(2, 0), True, id="middle-of-night"),
        pytest.param(time(7, 59), True, id="just-before-end"),
        pytest.param(time(8, 0), False, id="at-end"),
        pytest.param(time(12, 0), False, id="midday"),
    ],
)
def test_quiet_window_across_midnight(local: time, quiet: bool) -> None:
    """21:30-08:00 covers the night on both sides of midnight, start included, end excluded."""
    instant = datetime.combine(date(2026, 6, 1), local, tzinfo=BERLIN)

    assert NIGHT.contains(instant, BERLIN) is quiet


@pytest.mark.parametrize(
    ("local", "released"),
    [
        pytest.param(
            datetime(2026, 6, 1, 23, 0, tzinfo=BERLIN),
            datetime(2026, 6, 2, 8, 0, tzinfo=BERLIN),
            id="evening",
        ),
        pytest.param(
            datetime(2026, 6, 2, 3, 0, tzinfo=BERLIN),
            datetime(2026, 6, 2, 8, 0, tzinfo=BERLIN),
            id="small-hours",
        ),
        pytest.param(
            datetime(2026, 6, 2, 9, 0, tzinfo=BERLIN),
            datetime(2026, 6, 2, 9, 0, tzinfo=BERLIN),
            id="not-quiet",
        ),
    ],
)
def test_quiet_hours_release_at_their_end(local: datetime, released: datetime) -> None:
    """A message falling in quiet hours waits until they end."""
    assert NIGHT.release(local, BERLIN) == released


@pytest.mark.parametrize(
    ("instant", "released"),
    [
        # 2026-10-25: Berlin's clocks go from 03:00 CEST back to 02:00 CET (01:00 UTC).
        pytest.param(utc(2026, 10, 25, 0, 10), utc(2026, 10, 25, 0, 30), id="first-pass"),
        pytest.param(utc(2026, 10, 25, 1, 10), utc(2026, 10, 25, 1, 30), id="second-pass"),
    ],
)
def test_quiet_hours_ending_in_the_repeated_hour_end_after_the_instant(
    instant: datetime, released: datetime
) -> None:
    """Quiet until 02:30 on the night 02:00-03:00 happens twice: at 02:10 the first time, the
    window ends at the first 02:30; at 02:10 the second time, at the second 02:30, never
    before the message was due."""
    quiet = QuietHours(time(21, 30), time(2, 30))

    assert quiet.release(instant, BERLIN) == released


def test_equal_start_and_end_means_no_quiet_hours() -> None:
    """A window of zero length never holds anything back."""
    always = QuietHours(time(0, 0), time(0, 0))

    assert not always.contains(utc(2026, 6, 1, 1, 0), BERLIN)


def test_several_nudge_times_come_in_order() -> None:
    """With 09:00 and 18:00, the day's nudges follow each other, then the next day's."""
    plan = schedule(time(18, 0), time(9, 0))
    instant = utc(2026, 6, 1, 5, 0)  # 07:00 in Berlin
    seen = []

    for _ in range(4):
        slot = next_slot(instant, plan)
        seen.append((slot.day, slot.key, slot.at.astimezone(BERLIN).time()))
        instant = slot.at

    assert seen == [
        (date(2026, 6, 1), "tip0", time(9, 0)),
        (date(2026, 6, 1), "tip1", time(18, 0)),
        (date(2026, 6, 2), "tip0", time(9, 0)),
        (date(2026, 6, 2), "tip1", time(18, 0)),
    ]


def test_night_owl_day_start_keeps_a_late_nudge_on_the_same_day() -> None:
    """With the day starting at 04:00, a 01:00 nudge belongs to the evening before."""
    plan = NudgeSchedule(BERLIN, (time(1, 0),), QuietHours(time(5, 0), time(11, 0)), time(4, 0))

    slot = next_slot(utc(2026, 6, 1, 12, 0), plan)  # 14:00 on 1 June

    assert slot.day == date(2026, 6, 1)
    assert slot.at.astimezone(BERLIN) == datetime(2026, 6, 2, 1, 0, tzinfo=BERLIN)
    assert subscriber_day(slot.at, plan) == date(2026, 6, 1)


def test_nudge_time_inside_quiet_hours_waits_for_morning() -> None:
    """A 23:00 nudge with quiet hours from 21:30 goes out when they end at 08:00."""
    plan = schedule(time(23, 0))

    slot = next_slot(utc(2026, 6, 1, 12, 0), plan)

    assert slot.at.astimezone(BERLIN) == datetime(2026, 6, 2, 8, 0, tzinfo=BERLIN)
    assert slot.day == date(2026, 6, 1)


def test_after_downtime_only_the_latest_nudge_is_due() -> None:
    """A bot back after hours of downtime serves the latest nudge, not a backlog."""
    plan = schedule(time(9, 0), time(13, 0), time(18, 0))

    slot = current_slot(utc(2026, 6, 1, 14, 0), plan)  # 16:00 in Berlin

    assert (slot.day, slot.key) == (date(2026, 6, 1), "tip1")


def test_a_nudge_time_inside_quiet_hours_is_served_every_day() -> None:
    """Nudges at 23:00 under quiet hours from 21:30 go out each morning at 08:00, one a day:
    the nudge moved into the morning is the one due then, not yesterday's late one."""
    late = schedule(time(23, 0))
    due = next_slot(utc(2026, 6, 1, 12), late).at
    served = []
    for _ in range(4):
        slot = serving_slot(due, late)
        served.append((slot.day, due))
        due = next_slot(max(due, slot.at), late).at

    assert served == [
        (date(2026, 6, day), datetime(2026, 6, day + 1, 8, 0, tzinfo=BERLIN))
        for day in range(1, 5)
    ]


def test_someone_due_before_the_days_first_nudge_gets_it_early() -> None:
    """Subscribing at 07:00 with nudges at 09:00 brings today's nudge now, not yesterday's."""
    nine = schedule(time(9, 0))

    slot = serving_slot(datetime(2026, 6, 2, 7, 0, tzinfo=BERLIN), nine)

    assert (slot.day, slot.at) == (date(2026, 6, 2), datetime(2026, 6, 2, 9, 0, tzinfo=BERLIN))


def test_minimum_gap_and_quiet_hours_both_hold() -> None:
    """A message due right after another waits the gap, and then for quiet hours to end."""
    plan = schedule(time(9, 0))
    last = datetime(2026, 6, 1, 21, 0, tzinfo=BERLIN)

    soon = earliest_send(last + timedelta(minutes=5), plan, last, timedelta(minutes=20))
    late = earliest_send(last + timedelta(minutes=5), plan, last, timedelta(hours=1))

    assert soon == datetime(2026, 6, 1, 21, 20, tzinfo=BERLIN)
    assert late == datetime(2026, 6, 2, 8, 0, tzinfo=BERLIN)


@pytest.mark.parametrize(
    ("old_zone", "new_zone", "moved_at"),
    [
        pytest.param("America/New_York", "Asia/Tokyo", utc(2026, 6, 1, 15, 0), id="fly-east"),
        pytest.param("Asia/Tokyo", "America/New_York", utc(2026, 6, 2, 1, 0), id="fly-west"),
        pytest.param("Europe/London", "Pacific/Chatham", utc(2026, 6, 1, 10, 0), id="far-east"),
        pytest.param(
            "Pacific/Kiritimati", "Pacific/Pago_Pago", utc(2026, 6, 1, 0, 0), id="date-line"
        ),
    ],
)
def test_moving_zones_gives_neither_a_double_nor_a_skipped_day(
    old_zone: str, new_zone: str, moved_at: datetime
) -> None:
    """Whichever way a subscriber travels, each of their days gets one nudge, none twice.

    The outbox key (subscriber, day, slot) refuses a second nudge for a day already served,
    so following the next slot of whatever zone is current serves every day once.
    """
    at = time(9, 0)
    before = NudgeSchedule(ZoneInfo(old_zone), (at,), NIGHT)
    after = NudgeSchedule(ZoneInfo(new_zone), (at,), NIGHT)
    served: list[date] = []
    instant = moved_at - timedelta(days=3)

    for _ in range(8):
        plan = before if instant < moved_at else after
        slot = next_slot(instant, plan)
        if slot.day not in served:  # the outbox's unique key
            served.append(slot.day)
        instant = slot.at

    assert served == sorted(served)
    assert len(served) == len(set(served))
    assert served == [served[0] + timedelta(days=n) for n in range(len(served))]


def test_evening_slot_carries_the_check_in_and_on_sundays_only_when_it_is_off() -> None:
    """With the check-in on, every day has an evening slot; with it off, only Sunday (summary)."""
    on = replace(schedule(time(9, 0)), checkin_time=time(19, 30))
    off = replace(on, summary_only=True)
    monday, sunday = date(2026, 6, 1), date(2026, 6, 7)

    def evenings(rules: NudgeSchedule, day: date) -> list[str]:
        return [slot.key for slot in slots_of_day(day, rules)]

    assert evenings(on, monday) == ["tip0", "wellbeing"]
    assert evenings(off, monday) == ["tip0"]
    assert evenings(off, sunday) == ["tip0", "wellbeing"]
