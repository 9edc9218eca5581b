"""Subscribing and unsubscribing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from enum import Enum, auto

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nudgebot.db.models import Subscriber, SubscriberStatus
from nudgebot.db.repositories import DeliveryRepository, SubscriberRepository


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
        self, sessions: async_sessionmaker[AsyncSession], defaults: SubscriptionDefaults
    ) -> None:
        self._sessions = sessions
        self._defaults = defaults

    async def subscribe(self, chat_id: int, language: str, now: datetime) -> Joined:
        """Subscribe `chat_id` (or bring it back); a new or returning one is due right away.

        Being due now is what makes the first tip arrive at once, through the same outbox path
        as every later tip. An active subscriber keeps their schedule and history untouched.
        """
        async with self._sessions.begin() as session:
            subscribers = SubscriberRepository(session)
            subscriber = await subscribers.by_chat_id(chat_id)
            if subscriber is None:
                subscribers.add(
                    Subscriber(
                        chat_id=chat_id,
                        language=language,
                        timezone=self._defaults.timezone,
                        nudge_time=self._defaults.nudge_time,
                        status=SubscriberStatus.ACTIVE,
                        next_due_at=now,
                        created_at=now,
                        updated_at=now,
                    )
                )
                return Joined(JoinKind.NEW, language)
            if subscriber.status is SubscriberStatus.ACTIVE:
                return Joined(JoinKind.ALREADY_ACTIVE, subscriber.language)
            subscriber.status = SubscriberStatus.ACTIVE
            subscriber.next_due_at = now
            subscriber.updated_at = now
            return Joined(JoinKind.RETURNING, subscriber.language)

    async def unsubscribe(self, chat_id: int, now: datetime) -> bool:
        """Stop everything for `chat_id`; False if it was not subscribed."""
        async with self._sessions.begin() as session:
            subscriber = await SubscriberRepository(session).by_chat_id(chat_id)
            if subscriber is None or subscriber.status is not SubscriberStatus.ACTIVE:
                return False
            subscriber.status = SubscriberStatus.STOPPED
            subscriber.next_due_at = None
            subscriber.updated_at = now
            await DeliveryRepository(session).skip_planned(subscriber.id, "unsubscribed")
            return True

    async def language_of(self, chat_id: int) -> str | None:
        """The language stored for `chat_id`, if it ever subscribed."""
        async with self._sessions() as session:
            subscriber = await SubscriberRepository(session).by_chat_id(chat_id)
            return subscriber.language if subscriber else None
