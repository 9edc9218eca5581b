"""Tips put off with "Later": queued again after the delay, within the subscriber's rules, and
called off if the tip is answered otherwise before it comes back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, time
from typing import NamedTuple

from sqlalchemy.ext.asyncio import AsyncSession

from nudgebot.adaptation.evidence import UNANSWERED_FAILURE
from nudgebot.content.library import ContentLibrary
from nudgebot.db.models import Delivery, DeliveryKind, Subscriber, SubscriberStatus
from nudgebot.db.repositories import DeliveryRepository, Planned, TopicChange
from nudgebot.delivery.policy import DeliveryPolicy
from nudgebot.scheduling import earliest_send
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

        Returns the local time each comes back, by delivery (none: the day's budget is spent),
        and the kept-state change of each re-send planned (a tip waiting for an answer).
        """
        if not put_off:
            return {}, []
        deliveries = DeliveryRepository(session)
        ids = {item.subscriber.id for item in put_off}
        used = await deliveries.day_counts(
            ids, since=min(item.delivery.local_date for item in put_off)
        )
        pending = await deliveries.latest_pending(ids)
        planned: list[Planned] = []
        pending_evidence: list[tuple[TopicChange, tuple[int, date, str]]] = []
        back_at: dict[int, time] = {}
        for press, subscriber, delivery in put_off:
            day_key = (subscriber.id, delivery.local_date)
            if (
                subscriber.status is not SubscriberStatus.ACTIVE
                or delivery.tip_id is None
                or used.get(day_key, 0) >= self._policy.budget_of(subscriber)
            ):
                continue
            schedule = self._policy.schedule_of(subscriber)
            latest = (subscriber.last_message_at, pending.get(subscriber.id))
            last = max((t for t in latest if t), default=None)
            due_at = earliest_send(
                press.at + self._policy.later_delay,
                schedule,
                last,
                self._policy.gap_of(subscriber),
            )
            slot = resend_slot(delivery.id)
            planned.append(
                Planned(
                    subscriber.id,
                    delivery.local_date,
                    slot,
                    DeliveryKind.TIP,
                    delivery.tip_id,
                    due_at,
                )
            )
            used[day_key] = used.get(day_key, 0) + 1
            # The re-send is a tip waiting for an answer like any other.
            tip = library.tips.get(delivery.tip_id)
            if tip is not None:
                pending_evidence.append(
                    (
                        TopicChange(subscriber.id, tip.topic, failures=UNANSWERED_FAILURE),
                        (subscriber.id, delivery.local_date, slot),
                    )
                )
            pending[subscriber.id] = max(due_at, pending.get(subscriber.id, due_at))
            back_at[delivery.id] = due_at.astimezone(schedule.zone).time()
        inserted = await deliveries.plan_many(planned, put_off[-1].press.at)
        key_of = {item.delivery.id: item.delivery for item in put_off}
        return (
            {
                delivery_id: at
                for delivery_id, at in back_at.items()
                if (
                    key_of[delivery_id].subscriber_id,
                    key_of[delivery_id].local_date,
                    resend_slot(delivery_id),
                )
                in inserted
            },
            [change for change, key in pending_evidence if key in inserted],
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
        return [
            TopicChange(subscriber_id, tip.topic, failures=-UNANSWERED_FAILURE)
            for subscriber_id, tip_id in skipped
            if (tip := library.tips.get(tip_id)) is not None
        ]
