"""A subscriber's nudge schedule: their days, their nudge times, and when a message may go."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from nudgebot.scheduling.local_time import day_at, wall_clock_to_utc
from nudgebot.scheduling.quiet_hours import QuietHours

# Sunday evening: the week is over, and the next one starts tomorrow.
SUMMARY_WEEKDAY = 6


@dataclass(frozen=True)
class NudgeSchedule:
    """When one subscriber wants nudges, in their own zone.

    `day_start` lets a night owl's day run, say, from 04:00 to 04:00: a nudge at 01:00 then
    belongs to the day before, and so does the daily budget.
    """

    zone: ZoneInfo
    nudge_times: tuple[time, ...]
    quiet: QuietHours
    day_start: time = time(0, 0)
    # The evening message: its local time (None: none at all), every how many days the
    # wellbeing check-in comes, and whether it comes at all or only the weekly summary does.
    checkin_time: time | None = None
    checkin_every_days: int = 1
    summary_only: bool = False

    def __post_init__(self) -> None:
        if not self.nudge_times:
            raise ValueError("a schedule needs at least one nudge time")


@dataclass(frozen=True)
class NudgeSlot:
    """One nudge of one subscriber-day: which one (`index`) and when it may go out (UTC)."""

    day: date
    index: int
    at: datetime
    # The wellbeing check-in rather than a tip.
    wellbeing: bool = False

    @property
    def key(self) -> str:
        """The outbox slot name: one delivery per (subscriber, day, key)."""
        return "wellbeing" if self.wellbeing else f"tip{self.index}"


def subscriber_day(instant: datetime, schedule: NudgeSchedule) -> date:
    """The subscriber's day at `instant`: their local date, shifted by their day start."""
    return day_at(instant, schedule.zone, schedule.day_start)


# Planning asks for the same few days of the same schedules over and over (most subscribers
# share a schedule), and working out a day's slots means time zone arithmetic.
@lru_cache(maxsize=16_384)
def slots_of_day(day: date, schedule: NudgeSchedule) -> tuple[NudgeSlot, ...]:
    """The nudges of one subscriber-day, each moved out of quiet hours, in time order."""
    slots = []
    ordered = sorted(schedule.nudge_times, key=lambda t: (t < schedule.day_start, t))
    for index, at in enumerate(ordered):
        slots.append(NudgeSlot(day, index, _released(day, at, schedule)))
    checkin = schedule.checkin_time
    # The summary weekday always has its evening slot: the week's summary takes it.
    asks = not schedule.summary_only and day.toordinal() % schedule.checkin_every_days == 0
    if checkin is not None and (asks or day.weekday() == SUMMARY_WEEKDAY):
        released = _released(day, checkin, schedule)
        slots.append(NudgeSlot(day, len(ordered), released, wellbeing=True))
    return tuple(sorted(slots, key=lambda slot: slot.at))


def _released(day: date, at: time, schedule: NudgeSchedule) -> datetime:
    # A time before the day start falls on the next calendar date (01:00 after a 04:00 start).
    calendar_day = day + timedelta(days=1) if at < schedule.day_start else day
    instant = wall_clock_to_utc(calendar_day, at, schedule.zone)
    return schedule.quiet.release(instant, schedule.zone)


def _slots_around(instant: datetime, schedule: NudgeSchedule) -> list[NudgeSlot]:
    # Quiet hours can push a slot past the next day's start, so look a day either side.
    today = subscriber_day(instant, schedule)
    days = (today - timedelta(days=1), today, today + timedelta(days=1), today + timedelta(days=2))
    return sorted((s for d in days for s in slots_of_day(d, schedule)), key=lambda s: s.at)


def next_slot(after: datetime, schedule: NudgeSchedule) -> NudgeSlot:
    """The first nudge strictly after `after`."""
    return next(slot for slot in _slots_around(after, schedule) if slot.at > after)


def current_slot(now: datetime, schedule: NudgeSchedule) -> NudgeSlot:
    """The latest nudge due at or before `now`: the one to send when a subscriber is due.

    Only the latest: after downtime, a subscriber gets the nudge that is due now, not a
    backlog of every one they missed.
    """
    due = [slot for slot in _slots_around(now, schedule) if slot.at <= now]
    return due[-1] if due else next_slot(now, schedule)


def earliest_send(
    due: datetime, schedule: NudgeSchedule, last_message_at: datetime | None, gap: timedelta
) -> datetime:
    """When a message due at `due` may go: after the minimum gap, outside quiet hours."""
    at = due if last_message_at is None else max(due, last_message_at + gap)
    return schedule.quiet.release(at, schedule.zone)
