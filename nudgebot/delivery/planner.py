"""Planning: turning due subscribers into outbox rows, within their schedule's rules."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from nudgebot.adaptation import choose_tip
from nudgebot.content.library import ContentLibrary
from nudgebot.db.models import DeliveryKind, Subscriber, SubscriberStatus
from nudgebot.db.repositories import (
    BrokenTipRepository,
    DeliveryRepository,
    Planned,
    SubscriberRepository,
)
from nudgebot.delivery.policy import DeliveryPolicy
from nudgebot.scheduling import (
    NudgeSchedule,
    NudgeSlot,
    current_slot,
    earliest_send,
    next_slot,
    subscriber_day,
)

logger = logging.getLogger(__name__)

RESUME_SLOT = "resume"


def serving_slot(now: datetime, schedule: NudgeSchedule) -> NudgeSlot:
    """The nudge a subscriber who is due at `now` gets.

    Normally the one whose time has come. Someone due before today's first nudge (they just
    subscribed or came back) gets today's first nudge early rather than yesterday's late one.
    """
    slot = current_slot(now, schedule)
    if slot.day < subscriber_day(now, schedule):
        upcoming = next_slot(now, schedule)
        if upcoming.day == subscriber_day(now, schedule):
            return upcoming
    return slot


def usable_library(library: ContentLibrary, broken: set[str]) -> ContentLibrary:
    """The library without the tips Telegram refused."""
    if not broken:
        return library
    return replace(library, tips={k: v for k, v in library.tips.items() if k not in broken})


class Planner:
    """Plans one batch of due subscribers inside the caller's transaction."""

    def __init__(self, policy: DeliveryPolicy) -> None:
        self._policy = policy

    async def plan_batch(
        self, session: AsyncSession, library: ContentLibrary, now: datetime, limit: int
    ) -> int:
        """Plan what is due for up to `limit` subscribers; return how many were due."""
        subscribers = await SubscriberRepository(session).due(now, limit)
        if not subscribers:
            return 0
        deliveries = DeliveryRepository(session)
        ids = [s.id for s in subscribers]
        history = await deliveries.tip_history(ids)
        pending = await deliveries.latest_pending(ids)
        counts = await deliveries.day_counts(ids, since=(now - timedelta(days=2)).date())
        tips = usable_library(library, await BrokenTipRepository(session).ids())
        planned: list[Planned] = []
        for subscriber in subscribers:
            schedule = self._policy.schedule_of(subscriber)
            last = max(
                (t for t in (subscriber.last_message_at, pending.get(subscriber.id)) if t),
                default=None,
            )
            due_at = earliest_send(now, schedule, last, self._policy.gap_of(subscriber))
            if subscriber.status is SubscriberStatus.PAUSED:
                await self._resume(deliveries, subscriber, schedule, due_at, now)
                continue
            slot = serving_slot(now, schedule)
            used = counts.get((subscriber.id, slot.day), 0)
            if used >= self._policy.budget_of(subscriber):
                logger.info("subscriber %s: daily budget used, %s skipped", subscriber.id, slot)
            elif choice := choose_tip(tips, history.get(subscriber.id, {})):
                planned.append(
                    Planned(
                        subscriber.id, slot.day, slot.key, DeliveryKind.TIP, choice.tip_id, due_at
                    )
                )
            subscriber.next_due_at = next_slot(max(now, slot.at), schedule).at
            subscriber.updated_at = now
        await deliveries.plan_many(planned, now)
        return len(subscribers)

    async def plan_first_tip(
        self, session: AsyncSession, library: ContentLibrary, subscriber: Subscriber, now: datetime
    ) -> None:
        """The tip a (re)subscribing person asked for with /start: due now.

        It was asked for, so quiet hours and the gap do not hold it back; it counts as today's
        nudge, and the schedule continues from the next nudge time.
        """
        schedule = self._policy.schedule_of(subscriber)
        slot = serving_slot(now, schedule)
        deliveries = DeliveryRepository(session)
        history = (await deliveries.tip_history([subscriber.id])).get(subscriber.id, {})
        tips = usable_library(library, await BrokenTipRepository(session).ids())
        choice = choose_tip(tips, history)
        if choice is not None:
            await deliveries.plan(
                subscriber_id=subscriber.id,
                local_date=slot.day,
                slot=slot.key,
                kind=DeliveryKind.TIP,
                tip_id=choice.tip_id,
                due_at=now,
                now=now,
            )
        subscriber.next_due_at = next_slot(max(now, slot.at), schedule).at

    async def _resume(
        self,
        deliveries: DeliveryRepository,
        subscriber: Subscriber,
        schedule: NudgeSchedule,
        due_at: datetime,
        now: datetime,
    ) -> None:
        """A pause ran out: back to active, with a welcome-back message first."""
        subscriber.status = SubscriberStatus.ACTIVE
        subscriber.paused_until = None
        subscriber.updated_at = now
        await deliveries.plan(
            subscriber_id=subscriber.id,
            local_date=subscriber_day(now, schedule),
            slot=RESUME_SLOT,
            kind=DeliveryKind.RESUME_NOTICE,
            tip_id=None,
            due_at=due_at,
            now=now,
        )
        subscriber.next_due_at = next_slot(due_at, schedule).at
