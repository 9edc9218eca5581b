"""Planning: turning due subscribers into outbox rows, within their schedule's rules."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from nudgebot.adaptation.crowd import CrowdModel
from nudgebot.adaptation.learner import LearnerView, TipChoice
from nudgebot.content.library import ContentLibrary
from nudgebot.content.schema import TimeOfDay
from nudgebot.db.models import DeliveryKind, Subscriber, SubscriberStatus
from nudgebot.db.repositories import (
    BrokenTipRepository,
    DeliveryRepository,
    Planned,
    SubscriberRepository,
    TopicStatsRepository,
)
from nudgebot.delivery.learning import Silence, TipChooser, time_of_day
from nudgebot.delivery.planned_messages import (
    DORMANT_SLOT,
    RESTART_SLOT,
    RESUME_SLOT,
    evening_message,
    serving_slot,
    tip_evidence,
    tip_message,
    usable_library,
)
from nudgebot.delivery.policy import DeliveryPolicy
from nudgebot.scheduling import (
    NudgeSchedule,
    NudgeSlot,
    next_slot,
    slots_of_day,
    subscriber_day,
)

logger = logging.getLogger(__name__)


def _goes_dormant(silence: Silence) -> bool:
    # Silence counts only while messages go unanswered: after a pause, nothing was sent.
    return (
        silence.silent_for >= DORMANT_AFTER
        and silence.unanswered_streak >= GENTLE_AFTER_UNANSWERED
    )


def _part_of_day(slot: NudgeSlot, schedule: NudgeSchedule) -> TimeOfDay:
    return time_of_day(slot.at.astimezone(schedule.zone).hour)


def _had_tip_on(view: LearnerView, day: date) -> bool:
    return any(record.last_sent == day for record in view.tips.values())


@dataclass(frozen=True)
class _Batch:
    """What planning a batch of due subscribers reads before deciding; dicts by subscriber id."""

    # The library without the tips Telegram refused.
    tips: ContentLibrary
    schedules: dict[int, NudgeSchedule]
    # The nudge each is due for now.
    slots: dict[int, NudgeSlot]
    silences: dict[int, Silence]
    # When their last queued message goes out.
    pending: dict[int, datetime]
    # Messages per (subscriber, local day), for the daily budget.
    used: dict[tuple[int, date], int]
    crowd: CrowdModel
    # Only for those who may get a tip now.
    views: dict[int, LearnerView]


# Silence: after this many unanswered messages in a row, tips get gentler and come every other
# day; after a week without any reply, the bot stops until the subscriber comes back.
GENTLE_AFTER_UNANSWERED = 3
DORMANT_AFTER = timedelta(days=7)


class Planner:
    """Plans one batch of due subscribers inside the caller's transaction."""

    def __init__(self, policy: DeliveryPolicy, chooser: TipChooser) -> None:
        self._policy = policy
        self._chooser = chooser

    async def plan_batch(
        self, session: AsyncSession, library: ContentLibrary, now: datetime, limit: int
    ) -> int:
        """Plan what is due for up to `limit` subscribers; return how many were due.

        Raises `CrowdStale`, having written nothing, when a tip is to be chosen and the crowd's
        profiles need refitting first (`refit_crowd`).
        """
        subscribers = await SubscriberRepository(session).due(now, limit)
        if not subscribers:
            return 0
        batch = await self._read_batch(session, library, subscribers, now)
        deliveries = DeliveryRepository(session)
        planned: list[Planned] = []
        for subscriber in subscribers:
            schedule = batch.schedules[subscriber.id]
            due_at = self._policy.send_time(
                subscriber, schedule, now, batch.pending.get(subscriber.id)
            )
            if subscriber.status is SubscriberStatus.PAUSED:
                await self._resume(deliveries, subscriber, schedule, due_at, now)
            elif message := self._next_message(subscriber, batch, due_at, now):
                planned.append(message)
        inserted = await deliveries.plan_many(planned, now)
        await TopicStatsRepository(session).change_topics(
            tip_evidence(batch.tips, planned, inserted)
        )
        return len(subscribers)

    async def _read_batch(
        self,
        session: AsyncSession,
        library: ContentLibrary,
        subscribers: Sequence[Subscriber],
        now: datetime,
    ) -> _Batch:
        """Everything the batch's decisions need, read before any of them is made."""
        deliveries = DeliveryRepository(session)
        ids = [s.id for s in subscribers]
        schedules = {s.id: self._policy.schedule_of(s, library) for s in subscribers}
        slots = {s.id: serving_slot(now, schedules[s.id]) for s in subscribers}
        silences = await self._chooser.silences(
            session, subscribers, {i: slot.day for i, slot in slots.items()}, now
        )
        choosing = [
            s
            for s in subscribers
            if s.status is SubscriberStatus.ACTIVE
            and not slots[s.id].wellbeing
            and not _goes_dormant(silences[s.id])
        ]
        return _Batch(
            tips=usable_library(library, await BrokenTipRepository(session).ids()),
            schedules=schedules,
            slots=slots,
            silences=silences,
            pending=await deliveries.latest_pending(ids),
            used=await deliveries.day_counts(ids, since=(now - timedelta(days=2)).date()),
            # Before any write: a stale crowd ends the batch here, to be planned again after
            # the refit.
            crowd=self._chooser.planning_crowd(now) if choosing else CrowdModel.uninformed(),
            views=await self._chooser.views(
                session,
                library,
                choosing,
                {
                    s.id: (slots[s.id].day, _part_of_day(slots[s.id], schedules[s.id]))
                    for s in choosing
                },
                {s.id: silences[s.id].unanswered_streak for s in choosing},
            ),
        )

    def _next_message(
        self, subscriber: Subscriber, batch: _Batch, due_at: datetime, now: datetime
    ) -> Planned | None:
        """The message a due, not paused subscriber gets at `due_at`, if any; moves their next
        due time on (or sends them dormant)."""
        slot = batch.slots[subscriber.id]
        silence = batch.silences[subscriber.id]
        subscriber.updated_at = now
        if _goes_dormant(silence):
            return self._go_dormant(subscriber, slot, due_at)
        schedule = batch.schedules[subscriber.id]
        subscriber.next_due_at = next_slot(max(now, slot.at), schedule).at
        gentle = silence.unanswered_streak >= GENTLE_AFTER_UNANSWERED
        if batch.used.get((subscriber.id, slot.day), 0) >= self._policy.budget_of(subscriber):
            logger.info("subscriber %s: daily budget used, %s skipped", subscriber.id, slot)
        elif slot.wellbeing:
            # Someone who has stopped answering is not asked for more answers, and a day that is
            # over (the bot was down at check-in time) is not asked about.
            if not gentle and slot.day == subscriber_day(now, schedule):
                return evening_message(subscriber.id, slot, due_at)
        elif gentle and _had_tip_on(batch.views[subscriber.id], slot.day - timedelta(days=1)):
            logger.info("subscriber %s: quiet, every other day: %s skipped", subscriber.id, slot)
        elif choice := self._chooser.choose(batch.tips, batch.views[subscriber.id], batch.crowd):
            return tip_message(subscriber.id, slot.day, slot.key, choice, due_at)
        return None

    def _go_dormant(self, subscriber: Subscriber, slot: NudgeSlot, due_at: datetime) -> Planned:
        """A week of silence: one kind message, then nothing until they write or tap again."""
        subscriber.status = SubscriberStatus.DORMANT
        subscriber.next_due_at = None
        logger.info("subscriber %s: silent for a week, pausing", subscriber.id)
        return Planned(
            subscriber.id, slot.day, DORMANT_SLOT, DeliveryKind.DORMANT_NOTICE, None, due_at
        )

    async def refit_crowd(
        self, session: AsyncSession, library: ContentLibrary, now: datetime
    ) -> None:
        """Refit the crowd's profiles on the tips in use (Telegram's refused ones left out)."""
        tips = usable_library(library, await BrokenTipRepository(session).ids())
        await self._chooser.refit_crowd(session, tips, now)

    async def plan_first_tip(
        self, session: AsyncSession, library: ContentLibrary, subscriber: Subscriber, now: datetime
    ) -> None:
        """The tip a (re)subscribing person asked for with /start: due now.

        It was asked for, so quiet hours and the gap do not hold it back; it counts as today's
        nudge, and the schedule continues from the next nudge time.
        """
        schedule = self._policy.schedule_of(subscriber, library)
        slot = serving_slot(now, schedule)
        if slot.wellbeing:
            # The first message is a tip, never a questionnaire: take the day's first tip slot.
            slot = next(s for s in slots_of_day(slot.day, schedule) if not s.wellbeing)
        tips = usable_library(library, await BrokenTipRepository(session).ids())
        choice = await self._chooser.choose_for(
            session, tips, subscriber, (slot.day, _part_of_day(slot, schedule)), now
        )
        if choice is not None:
            deliveries = DeliveryRepository(session)
            # Someone who stops and comes back on a day they already had a tip still gets the
            # one they asked for: under a key of its own when the day's slot is taken.
            for key in (slot.key, RESTART_SLOT):
                planned = [tip_message(subscriber.id, slot.day, key, choice, now)]
                if inserted := await deliveries.plan_many(planned, now):
                    await TopicStatsRepository(session).change_topics(
                        tip_evidence(tips, planned, inserted)
                    )
                    break
        subscriber.next_due_at = next_slot(max(now, slot.at), schedule).at

    async def choose_replacement(
        self, session: AsyncSession, library: ContentLibrary, subscriber_id: int, now: datetime
    ) -> TipChoice | None:
        """Another tip for a delivery whose tip Telegram refused (already marked broken)."""
        subscriber = await SubscriberRepository(session).get(subscriber_id)
        if subscriber is None:
            return None
        schedule = self._policy.schedule_of(subscriber)
        part = time_of_day(now.astimezone(schedule.zone).hour)
        tips = usable_library(library, await BrokenTipRepository(session).ids())
        return await self._chooser.choose_for(
            session, tips, subscriber, (subscriber_day(now, schedule), part), now
        )

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
