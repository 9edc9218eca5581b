"""Pausing and resuming: a break that ends by itself, or on request."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import Enum, auto

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nudgebot.content.store import ContentStore
from nudgebot.db.models import Subscriber, SubscriberStatus
from nudgebot.db.repositories import DeliveryRepository, SubscriberRepository
from nudgebot.delivery.learning import take_back_unsent
from nudgebot.delivery.policy import DeliveryPolicy
from nudgebot.scheduling import next_slot

MAX_PAUSE_DAYS = 365


class PauseOutcome(Enum):
    """What a /pause or /resume did."""

    PAUSED = auto()
    RESUMED = auto()
    NOT_PAUSED = auto()
    NOT_SUBSCRIBED = auto()


@dataclass(frozen=True)
class PauseResult:
    """The outcome, and for a pause the subscriber's local date it ends."""

    outcome: PauseOutcome
    until: date | None = None


class PauseService:
    """Breaks from nudges; each call is one transaction."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        content: ContentStore,
        policy: DeliveryPolicy,
    ) -> None:
        self._sessions = sessions
        self._content = content
        self._policy = policy

    async def pause(self, chat_id: int, days: int, now: datetime) -> PauseResult:
        """Stop everything for `days` (1-365); the dispatcher resumes them with a welcome back.

        Planned messages, follow-ups and re-sends included, are skipped at once.
        """
        if not 1 <= days <= MAX_PAUSE_DAYS:
            raise ValueError(f"a pause lasts 1 to {MAX_PAUSE_DAYS} days")
        async with self._sessions.begin() as session:
            subscriber = await SubscriberRepository(session).by_chat_id(chat_id)
            if subscriber is None or subscriber.status not in {
                SubscriberStatus.ACTIVE,
                SubscriberStatus.PAUSED,
                SubscriberStatus.DORMANT,
            }:
                return PauseResult(PauseOutcome.NOT_SUBSCRIBED)
            subscriber.last_reply_at = now
            until = now + timedelta(days=days)
            subscriber.status = SubscriberStatus.PAUSED
            subscriber.paused_until = until
            # Being due at the end of the pause is what brings the welcome back.
            subscriber.next_due_at = until
            subscriber.updated_at = now
            skipped = await DeliveryRepository(session).skip_planned(subscriber.id, "paused")
            await take_back_unsent(session, self._content.library, skipped)
            zone = self._policy.schedule_of(subscriber).zone
            return PauseResult(PauseOutcome.PAUSED, until.astimezone(zone).date())

    async def resume(self, chat_id: int, now: datetime) -> PauseResult:
        """End a pause now; the next nudge comes at the next nudge time."""
        async with self._sessions.begin() as session:
            subscriber = await SubscriberRepository(session).by_chat_id(chat_id)
            if subscriber is None or subscriber.status in {
                SubscriberStatus.STOPPED,
                SubscriberStatus.BLOCKED,
            }:
                return PauseResult(PauseOutcome.NOT_SUBSCRIBED)
            subscriber.last_reply_at = now
            if subscriber.status not in {SubscriberStatus.PAUSED, SubscriberStatus.DORMANT}:
                return PauseResult(PauseOutcome.NOT_PAUSED)
            end_pause(subscriber, self._policy, now)
            return PauseResult(PauseOutcome.RESUMED)


def end_pause(subscriber: Subscriber, policy: DeliveryPolicy, now: datetime) -> None:
    """A paused or dormant subscriber is active again, due at their next nudge."""
    subscriber.status = SubscriberStatus.ACTIVE
    subscriber.paused_until = None
    subscriber.next_due_at = next_slot(now, policy.schedule_of(subscriber)).at
    subscriber.updated_at = now
