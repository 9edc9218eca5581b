"""Tips put off with "Later": queued again after the delay, within the subscriber's rules, and
called off if the tip is answered otherwise before it comes back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time
from typing import NamedTuple

from sqlalchemy.ext.asyncio import AsyncSession

from nudgebot.adaptation.eligibility import avoided_tags
from nudgebot.adaptation.evidence import UNANSWERED_FAILURE
from nudgebot.adaptation.learner import WellbeingScore
from nudgebot.content.library import ContentLibrary
from nudgebot.content.schema import Tip
from nudgebot.db.models import Delivery, DeliveryKind, Subscriber, SubscriberStatus
from nudgebot.db.repositories import (
    DeliveryRepository,
    Planned,
    TopicChange,
)
from nudgebot.delivery.learning import held_tags, open_topics, scores_in_force, unsent_evidence
from nudgebot.delivery.policy import DeliveryPolicy
from nudgebot.scheduling import subscriber_day
from nudgebot.services.checkin_results import Press


def resend_slot(delivery_id: int) -> str:
    """The slot of the re-send of tip delivery `delivery_id`: one re-send per put-off tip."""
    return f"later-{delivery_id}"


class PutOff(NamedTuple):
    """A "Later" press, with whose it is and the tip delivery it put off."""

    press: Press
    subscriber: Subscriber
    delivery: Delivery


class Resends:
    """Plans and calls off the re-sends of put-off tips, inside the caller's transaction."""

    def __init__(self, policy: DeliveryPolicy) -> None:
        self._policy = policy

    async def plan(
        self, session: AsyncSession, library: ContentLibrary, put_off: Sequence[PutOff]
    ) -> tuple[dict[int, time], list[TopicChange]]:
        """Queue each put-off tip again after the delay, within its subscriber's rules.

        Returns the local time each comes back, by delivery (none: it does not come back; see
        `_resend`), and the kept-state change of each re-send planned (a tip waiting for an
        answer).
        """
        if not put_off:
            return {}, []
        deliveries = DeliveryRepository(session)
        ids = {item.subscriber.id for item in put_off}
        since = min(item.delivery.local_date for item in put_off)
        used = await deliveries.day_counts(ids, since=since)
        pending = await deliveries.latest_pending(ids)
        wellbeing = await scores_in_force(session, library, ids, since)
        resends: list[tuple[PutOff, Planned]] = []
        for item in put_off:
            resend = self._resend(library, item, used, pending, wellbeing)
            if resend is not None:
                resends.append((item, resend))
                # The next press of the batch sees this one's message as queued.
                day_key = (resend.subscriber_id, resend.local_date)
                used[day_key] = used.get(day_key, 0) + 1
                pending[resend.subscriber_id] = max(
                    resend.due_at, pending.get(resend.subscriber_id, resend.due_at)
                )
        inserted = await deliveries.plan_many(
            [resend for _, resend in resends], put_off[-1].press.at
        )
        back_at: dict[int, time] = {}
        changes: list[TopicChange] = []
        for item, resend in resends:
            if (resend.subscriber_id, resend.local_date, resend.slot) not in inserted:
                continue
            zone = self._policy.schedule_of(item.subscriber).zone
            back_at[item.delivery.id] = resend.due_at.astimezone(zone).time()
            # The re-send is a tip waiting for an answer like any other.
            if (tip := library.tips.get(resend.tip_id or "")) is not None:
                changes.append(
                    TopicChange(resend.subscriber_id, tip.topic, failures=UNANSWERED_FAILURE)
                )
        return back_at, changes

    def _resend(
        self,
        library: ContentLibrary,
        item: PutOff,
        used: dict[tuple[int, date], int],
        pending: dict[int, datetime],
        wellbeing: dict[int, tuple[WellbeingScore, ...]],
    ) -> Planned | None:
        """The put-off tip again, after the delay and within the subscriber's schedule and gap;
        none if they are no longer active, its day's budget is spent, or the tip is no longer
        fit to send on the day it would come back.

        The re-send belongs to the put-off tip's day, wherever quiet hours push it: the
        budget it uses is that day's, and a "did it" on it counts for that day's habit.
        """
        press, subscriber, delivery = item
        tip = library.tips.get(delivery.tip_id or "")
        if (
            subscriber.status is not SubscriberStatus.ACTIVE
            or tip is None
            or used.get((subscriber.id, delivery.local_date), 0)
            >= self._policy.budget_of(subscriber)
        ):
            return None
        schedule = self._policy.schedule_of(subscriber)
        due_at = self._policy.send_time(
            subscriber, schedule, press.at + self._policy.later_delay, pending.get(subscriber.id)
        )
        comes_back_on = subscriber_day(due_at, schedule)
        if not _still_fit(
            library, tip, subscriber, comes_back_on, wellbeing.get(subscriber.id, ())
        ):
            return None
        return Planned(
            subscriber.id,
            delivery.local_date,
            resend_slot(delivery.id),
            DeliveryKind.TIP,
            tip.id,
            due_at,
        )

    @staticmethod
    async def call_off(
        session: AsyncSession, library: ContentLibrary, answered: Sequence[Delivery]
    ) -> list[TopicChange]:
        """Skip the still-planned re-sends of these tips, now answered otherwise than "Later";
        the kept-state changes taking back each skipped re-send's "unanswered" evidence."""
        if not answered:
            return []
        slots = [(delivery.subscriber_id, resend_slot(delivery.id)) for delivery in answered]
        skipped = await DeliveryRepository(session).skip_planned_slots(slots, "answered already")
        return unsent_evidence(library, skipped)


def _still_fit(
    library: ContentLibrary,
    tip: Tip,
    subscriber: Subscriber,
    day: date,
    wellbeing: Sequence[WellbeingScore],
) -> bool:
    """Whether a tip chosen earlier may still go out on `day`: what has changed since it was
    chosen holds for its re-send as for a new choice (its topic no longer chosen, or held back
    after a red flag; its tags ruled out by a low score such as gut comfort)."""
    allowed = open_topics(library, subscriber, day)
    if allowed is not None and tip.topic not in allowed:
        return False
    ruled_out = avoided_tags(library, wellbeing, day) | held_tags(library, subscriber, day)
    return ruled_out.isdisjoint(tip.tags)
