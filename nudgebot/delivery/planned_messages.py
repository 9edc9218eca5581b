"""What planning queues: the nudge a due subscriber is served, and the message for it (a tip
with its evidence, the evening check-in or summary), from the tips still in use."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime

from nudgebot.adaptation.learner import TipChoice
from nudgebot.content.library import ContentLibrary
from nudgebot.db.models import DeliveryKind
from nudgebot.db.repositories import Planned, TopicChange
from nudgebot.delivery.learning import planned_evidence
from nudgebot.scheduling import (
    SUMMARY_WEEKDAY,
    NudgeSchedule,
    NudgeSlot,
    current_slot,
    next_slot,
    subscriber_day,
)

RESUME_SLOT = "resume"
DORMANT_SLOT = "dormant"
SUMMARY_SLOT = "summary"
RESTART_SLOT = "restart"


def serving_slot(now: datetime, schedule: NudgeSchedule) -> NudgeSlot:
    """The nudge a subscriber who is due at `now` gets.

    Normally the one whose time has come. Someone due before today's first nudge (they just
    subscribed or came back) gets today's first nudge early rather than yesterday's late one.
    A nudge that quiet hours moved into today (23:00 with quiet hours from 21:30, sent at
    08:00) is not late: it is served, or every other day's would be skipped.
    """
    slot = current_slot(now, schedule)
    today = subscriber_day(now, schedule)
    if slot.day < today and subscriber_day(slot.at, schedule) < today:
        upcoming = next_slot(now, schedule)
        if upcoming.day == today:
            return upcoming
    return slot


def evening_message(subscriber_id: int, slot: NudgeSlot, due_at: datetime) -> Planned:
    """The wellbeing check-in, or on the summary weekday the week's summary in its place.

    The summary takes the check-in's place so that it fits the daily budget (a tip and one
    more message) instead of adding a third message that day.
    """
    if slot.day.weekday() == SUMMARY_WEEKDAY:
        return Planned(
            subscriber_id, slot.day, SUMMARY_SLOT, DeliveryKind.WEEKLY_SUMMARY, None, due_at
        )
    return Planned(subscriber_id, slot.day, slot.key, DeliveryKind.WELLBEING, None, due_at)


def usable_library(library: ContentLibrary, broken: set[str]) -> ContentLibrary:
    """The library without the tips Telegram refused."""
    if not broken:
        return library
    return replace(library, tips={k: v for k, v in library.tips.items() if k not in broken})


def tip_message(
    subscriber_id: int, day: date, key: str, choice: TipChoice, due_at: datetime
) -> Planned:
    """A chosen tip, queued with the policy that chose it and the choice's propensity."""
    return Planned(
        subscriber_id,
        day,
        key,
        DeliveryKind.TIP,
        choice.tip_id,
        due_at,
        choice.policy,
        choice.propensity,
    )


def tip_evidence(
    tips: ContentLibrary, planned: Sequence[Planned], inserted: set[tuple[int, date, str]]
) -> list[TopicChange]:
    """The kept-state changes of the tips really queued: a key that existed already (a day
    served before a time zone change, say) planned nothing."""
    changes = []
    for message in planned:
        if message.tip_id is not None and (
            (message.subscriber_id, message.local_date, message.slot) in inserted
        ):
            change = planned_evidence(
                tips, message.subscriber_id, message.tip_id, message.local_date
            )
            if change is not None:
                changes.append(change)
    return changes
