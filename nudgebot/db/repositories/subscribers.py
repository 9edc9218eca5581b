"""Queries on subscribers."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from nudgebot.db.models import Subscriber, SubscriberStatus


class SubscriberRepository:
    """Subscribers by chat, and the ones due for a nudge."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, subscriber_id: int) -> Subscriber | None:
        """A subscriber by id."""
        return await self._session.get(Subscriber, subscriber_id)

    async def many(self, subscriber_ids: Iterable[int]) -> list[Subscriber]:
        """Subscribers by id, for the ids that exist, in id order."""
        query = select(Subscriber).where(Subscriber.id.in_(list(subscriber_ids)))
        return list(await self._session.scalars(query.order_by(Subscriber.id)))

    async def by_chat_ids(self, chat_ids: Iterable[int]) -> dict[int, Subscriber]:
        """Subscribers by chat id, for the chats that have one."""
        query = select(Subscriber).where(Subscriber.chat_id.in_(list(chat_ids)))
        return {s.chat_id: s for s in await self._session.scalars(query)}

    async def by_chat_id(self, chat_id: int) -> Subscriber | None:
        """The subscriber for a Telegram chat, if any."""
        return await self._session.scalar(select(Subscriber).where(Subscriber.chat_id == chat_id))

    def add(self, subscriber: Subscriber) -> None:
        """Stage a new subscriber for insertion."""
        self._session.add(subscriber)

    async def due(self, now: datetime, limit: int) -> Sequence[Subscriber]:
        """Subscribers due for a nudge (or, if paused, to resume), oldest first, locked.

        Served by the index on `next_due_at`, which is NULL for everyone else, so the cost
        follows the number due rather than the number subscribed. On PostgreSQL rows another
        worker is planning are skipped; SQLite's single writer makes the lock unnecessary.
        """
        query = (
            select(Subscriber)
            .where(Subscriber.next_due_at <= now)
            .order_by(Subscriber.next_due_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return (await self._session.scalars(query)).all()

    async def mark_blocked(self, subscriber_id: int, now: datetime) -> None:
        """The subscriber blocked the bot (or is gone): stop scheduling them."""
        await self._session.execute(
            update(Subscriber)
            .where(Subscriber.id == subscriber_id)
            .values(status=SubscriberStatus.BLOCKED, next_due_at=None, updated_at=now)
        )

    async def move_chat(self, subscriber_id: int, new_chat_id: int, now: datetime) -> None:
        """Telegram moved the chat (a group became a supergroup): follow it."""
        await self._session.execute(
            update(Subscriber)
            .where(Subscriber.id == subscriber_id)
            .values(chat_id=new_chat_id, updated_at=now)
        )
