"""Subscribing and unsubscribing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from enum import Enum, auto

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nudgebot.content.store import ContentStore
from nudgebot.db.models import Subscriber, SubscriberStatus
from nudgebot.db.repositories import DeliveryRepository, SubscriberRepository
from nudgebot.delivery.learning import TipChooser, take_back_unsent
from nudgebot.delivery.planner import Planner
from nudgebot.delivery.policy import DeliveryPolicy


class JoinKind(Enum):
    """What /start meant for this chat."""

    NEW = auto()
    RETURNING = auto()  # had stopped (or blocked the bot) and came back
    ALREADY_ACTIVE = auto()


@dataclass(frozen=True)
class Joined:
    """The outcome of a /start."""

    kind: JoinKind
    language: str


@dataclass(frozen=True)
class SubscriptionDefaults:
    """Where a new subscriber starts until they choose otherwise."""

    timezone: str
    nudge_time: time


class SubscriptionService:
    """Subscribe and unsubscribe chats; each call is one transaction."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        defaults: SubscriptionDefaults,
        content: ContentStore,
        policy: DeliveryPolicy,
        chooser: TipChooser,
    ) -> None:
        self._sessions = sessions
        self._defaults = defaults
        self._content = content
        self._planner = Planner(policy, chooser)

    async def subscribe(self, chat_id: int, language: str, now: datetime) -> Joined:
        """Subscribe `chat_id` (or bring it back) at once and queue their first tip, due now.

        No questions: the deployment's defaults, or the answers so far of someone half-way
        through onboarding (the bot's /start asks first: see OnboardingService; this is the
        direct way in, for the simulation). The tip goes through the outbox like every later
        one; the dispatcher sends it. An active (or paused) subscriber keeps their schedule and
        history untouched.
        """
        library = self._content.library
        async with self._sessions.begin() as session:
            subscribers = SubscriberRepository(session)
            subscriber = await subscribers.by_chat_id(chat_id)
            if subscriber is None:
                subscriber = Subscriber(
                    chat_id=chat_id,
                    language=language,
                    timezone=self._defaults.timezone,
                    nudge_times=[self._defaults.nudge_time.strftime("%H:%M")],
                    day_start=time(0, 0),
                    status=SubscriberStatus.ACTIVE,
                    created_at=now,
                    updated_at=now,
                )
                subscribers.add(subscriber)
                await session.flush()  # the tip's delivery row needs the subscriber's id
                kind = JoinKind.NEW
            elif subscriber.status in {SubscriberStatus.ACTIVE, SubscriberStatus.PAUSED}:
                subscriber.last_reply_at = now
                # A paused subscriber keeps their pause: /resume ends it.
                return Joined(JoinKind.ALREADY_ACTIVE, subscriber.language)
            else:
                onboarding = subscriber.status is SubscriberStatus.ONBOARDING
                subscriber.status = SubscriberStatus.ACTIVE
                subscriber.onboarding_step = None
                subscriber.updated_at = now
                subscriber.last_reply_at = now
                kind = JoinKind.NEW if onboarding else JoinKind.RETURNING
            await self._planner.plan_first_tip(session, library, subscriber, now)
            return Joined(kind, subscriber.language)

    async def unsubscribe(self, chat_id: int, now: datetime) -> bool:
        """Stop everything for `chat_id` (onboarding too); False if it was not subscribed."""
        async with self._sessions.begin() as session:
            subscriber = await SubscriberRepository(session).by_chat_id(chat_id)
            if subscriber is None or subscriber.status not in {
                SubscriberStatus.ONBOARDING,
                SubscriberStatus.ACTIVE,
                SubscriberStatus.PAUSED,
                SubscriberStatus.DORMANT,
            }:
                return False
            subscriber.status = SubscriberStatus.STOPPED
            subscriber.onboarding_step = None
            subscriber.paused_until = None
            subscriber.next_due_at = None
            subscriber.updated_at = now
            skipped = await DeliveryRepository(session).skip_planned(subscriber.id, "unsubscribed")
            await take_back_unsent(session, self._content.library, skipped)
            return True

    async def language_of(self, chat_id: int) -> str | None:
        """The language stored for `chat_id`, if it ever subscribed."""
        async with self._sessions() as session:
            subscriber = await SubscriberRepository(session).by_chat_id(chat_id)
            return subscriber.language if subscriber else None
