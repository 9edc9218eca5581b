"""Pure time arithmetic for nudges: no I/O, no clock of its own (callers pass `now`)."""

from nudgebot.scheduling.local_time import local_date, next_nudge_at, wall_clock_to_utc

__all__ = ["local_date", "next_nudge_at", "wall_clock_to_utc"]
