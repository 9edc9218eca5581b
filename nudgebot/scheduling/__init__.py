"""Pure time arithmetic for nudges: no I/O, no clock of its own (callers pass `now`)."""

from nudgebot.scheduling.local_time import day_at, local_date, wall_clock_to_utc
from nudgebot.scheduling.quiet_hours import QuietHours
from nudgebot.scheduling.schedule import (
    SUMMARY_WEEKDAY,
    NudgeSchedule,
    NudgeSlot,
    current_slot,
    earliest_send,
    next_slot,
    slots_of_day,
    subscriber_day,
)

__all__ = [
    "SUMMARY_WEEKDAY",
    "NudgeSchedule",
    "NudgeSlot",
    "QuietHours",
    "current_slot",
    "day_at",
    "earliest_send",
    "local_date",
    "next_slot",
    "slots_of_day",
    "subscriber_day",
    "wall_clock_to_utc",
]
