"""The deployment's delivery rules, and each subscriber's own version of them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from nudgebot.content.library import ContentLibrary
from nudgebot.db.models import Subscriber
from nudgebot.scheduling import NudgeSchedule, QuietHours, earliest_send


@dataclass(frozen=True)
class DeliveryPolicy:
    """Defaults from the settings; a subscriber's own values, where set, win."""

    quiet: QuietHours
    min_gap: timedelta
    daily_budget: int
    later_delay: timedelta

    def schedule_of(
        self, subscriber: Subscriber, library: ContentLibrary | None = None
    ) -> NudgeSchedule:
        """The subscriber's nudge schedule in their zone.

        With the library, it includes the evening message (at their own time or the
        library's): the wellbeing check-in, unless they turned it off, and Sunday's summary.
        """
        quiet = self.quiet
        if subscriber.quiet_start is not None and subscriber.quiet_end is not None:
            quiet = QuietHours(subscriber.quiet_start, subscriber.quiet_end)
        checkin_time, every_days = None, 1
        if library is not None:
            every_days = library.wellbeing_checkin.every_days
            checkin_time = subscriber.wellbeing_time or time.fromisoformat(
                library.wellbeing_checkin.time
            )
        return NudgeSchedule(
            zone=ZoneInfo(subscriber.timezone),
            nudge_times=tuple(time.fromisoformat(text) for text in subscriber.nudge_times),
            quiet=quiet,
            day_start=subscriber.day_start,
            checkin_time=checkin_time,
            checkin_every_days=every_days,
            # With the check-in off, the evening slot still carries Sunday's weekly summary.
            summary_only=subscriber.wellbeing_enabled is False,
        )

    def send_time(
        self,
        subscriber: Subscriber,
        schedule: NudgeSchedule,
        not_before: datetime,
        pending: datetime | None,
    ) -> datetime:
        """The first time from `not_before` that `schedule` allows and that keeps the gap after
        the subscriber's last message: the last one sent, or `pending`, the last one queued."""
        last = max(
            (t for t in (subscriber.last_message_at, pending) if t is not None), default=None
        )
        return earliest_send(not_before, schedule, last, self.gap_of(subscriber))

    def gap_of(self, subscriber: Subscriber) -> timedelta:
        """The least time between two messages to this subscriber."""
        if subscriber.min_gap_minutes is None:
            return self.min_gap
        return timedelta(minutes=subscriber.min_gap_minutes)

    def budget_of(self, subscriber: Subscriber) -> int:
        """The most messages this subscriber gets in one of their days."""
        return (
            subscriber.daily_budget if subscriber.daily_budget is not None else self.daily_budget
        )
