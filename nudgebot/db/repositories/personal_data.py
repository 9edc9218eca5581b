"""Every row about one subscriber: read whole for an export, or deleted whole on request."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from nudgebot.db.models import Answer, Delivery, Note, Subscriber, TopicStats


@dataclass(frozen=True)
class PersonalRows:
    """Everything stored about one subscriber, each table in the order it happened."""

    subscriber: Subscriber
    deliveries: Sequence[Delivery]
    answers: Sequence[Answer]
    notes: Sequence[Note]
    topic_stats: Sequence[TopicStats]


class PersonalDataRepository:
    """A subscriber's rows across every table that holds data about them."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def subscriber(self, chat_id: int, *, lock: bool = False) -> Subscriber | None:
        """The subscriber of a chat; with `lock`, their row is locked until the transaction ends.

        The lock (PostgreSQL; SQLite's single writer needs none) makes the dispatcher, which
        skips locked subscribers, leave someone alone while their data is being deleted.
        """
        query = select(Subscriber).where(Subscriber.chat_id == chat_id)
        if lock:
            query = query.with_for_update()
        return await self._session.scalar(query)

    async def rows(self, subscriber: Subscriber) -> PersonalRows:
        """Every row about `subscriber`, oldest first."""
        subscriber_id = subscriber.id
        session = self._session
        deliveries = await session.scalars(
            select(Delivery)
            .where(Delivery.subscriber_id == subscriber_id)
            .order_by(Delivery.due_at, Delivery.id)
        )
        answers = await session.scalars(
            select(Answer)
            .where(Answer.subscriber_id == subscriber_id)
            .order_by(Answer.answered_at, Answer.id)
        )
        notes = await session.scalars(
            select(Note)
            .where(Note.subscriber_id == subscriber_id)
            .order_by(Note.created_at, Note.id)
        )
        topic_stats = await session.scalars(
            select(TopicStats)
            .where(TopicStats.subscriber_id == subscriber_id)
            .order_by(TopicStats.topic)
        )
        return PersonalRows(
            subscriber, deliveries.all(), answers.all(), notes.all(), topic_stats.all()
        )

    async def delete_all(self, subscriber: Subscriber) -> None:
        """Delete every row about `subscriber`, children first.

        The foreign keys cascade too, but deleting each table by name does not rely on the
        database enforcing them (SQLite only does with its pragma on).
        """
        subscriber_id = subscriber.id
        own_deliveries = select(Delivery.id).where(Delivery.subscriber_id == subscriber_id)
        statements = (
            delete(Answer).where(
                or_(
                    Answer.subscriber_id == subscriber_id,
                    Answer.delivery_id.in_(own_deliveries),
                )
            ),
            delete(Note).where(Note.subscriber_id == subscriber_id),
            # Nobody else's note should point at these deliveries; if one did, it stays theirs.
            update(Note).where(Note.delivery_id.in_(own_deliveries)).values(delivery_id=None),
            delete(TopicStats).where(TopicStats.subscriber_id == subscriber_id),
            delete(Delivery).where(Delivery.subscriber_id == subscriber_id),
            delete(Subscriber).where(Subscriber.id == subscriber_id),
        )
        for statement in statements:
            await self._session.execute(
                statement, execution_options={"synchronize_session": False}
            )
        # The loaded object describes a row that no longer exists.
        self._session.expunge(subscriber)
