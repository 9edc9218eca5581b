"""Deliveries while a worker holds them: claimed under a lease, then finished, given back to the
queue (to retry, or with another tip), or found with the lease run out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from nudgebot.db.models import (
    Delivery,
    DeliveryKind,
    DeliveryState,
    Subscriber,
    SubscriberStatus,
    table_of,
)


@dataclass(frozen=True)
class Finished:
    """The outcome of one send, to record."""

    delivery_id: int
    state: DeliveryState
    message_id: int | None = None
    sent_at: datetime | None = None
    reason: str | None = None


@dataclass(frozen=True)
class ClaimedDelivery:
    """What a sender needs to send one claimed delivery."""

    id: int
    subscriber_id: int
    chat_id: int
    language: str
    kind: DeliveryKind
    tip_id: str | None
    attempts: int
    # The subscriber's day it was planned for.
    local_date: date


class LeaseRepository:
    """The sending side of the outbox: a due row taken by one worker at a time, and its end."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def expire_leases(self, now: datetime) -> int:
        """Rows still `sending` after their lease ran out may have been sent: mark them unknown."""
        result = await self._session.execute(
            update(Delivery)
            .where(Delivery.state == DeliveryState.SENDING, Delivery.lease_until < now)
            .values(state=DeliveryState.UNKNOWN, failure_reason="lease expired while sending")
        )
        return int(getattr(result, "rowcount", 0))

    async def claim_due(
        self, *, now: datetime, owner: str, lease_until: datetime, limit: int
    ) -> list[ClaimedDelivery]:
        """Move due planned rows to `sending` under this owner's lease and return them."""
        due_ids = (
            await self._session.scalars(
                select(Delivery.id)
                .join(Subscriber, Subscriber.id == Delivery.subscriber_id)
                .where(
                    Delivery.state == DeliveryState.PLANNED,
                    Delivery.due_at <= now,
                    # A paused, stopped or blocked subscriber receives nothing, whatever is queued;
                    # one the bot paused for silence gets just the notice saying so.
                    or_(
                        Subscriber.status == SubscriberStatus.ACTIVE,
                        (Subscriber.status == SubscriberStatus.DORMANT)
                        & (Delivery.kind == DeliveryKind.DORMANT_NOTICE),
                    ),
                )
                .order_by(Delivery.due_at, Delivery.id)
                .limit(limit)
                .with_for_update(skip_locked=True, of=Delivery)
            )
        ).all()
        if not due_ids:
            return []
        await self._session.execute(
            update(Delivery)
            .where(Delivery.id.in_(due_ids))
            .values(
                state=DeliveryState.SENDING,
                lease_owner=owner,
                lease_until=lease_until,
                attempts=Delivery.attempts + 1,
            )
        )
        rows = await self._session.execute(
            select(
                Delivery.id,
                Delivery.subscriber_id,
                Subscriber.chat_id,
                Subscriber.language,
                Delivery.kind,
                Delivery.tip_id,
                Delivery.attempts,
                Delivery.local_date,
            )
            .join(Subscriber, Subscriber.id == Delivery.subscriber_id)
            .where(Delivery.id.in_(due_ids))
            .order_by(Delivery.due_at, Delivery.id)
        )
        return [ClaimedDelivery(*row) for row in rows]

    async def finish(
        self,
        delivery_id: int,
        owner: str,
        state: DeliveryState,
        *,
        message_id: int | None = None,
        sent_at: datetime | None = None,
        reason: str | None = None,
    ) -> None:
        """Record the outcome of one send this owner claimed (see `finish_many`)."""
        await self.finish_many(
            [Finished(delivery_id, state, message_id=message_id, sent_at=sent_at, reason=reason)],
            owner,
        )

    async def finish_many(self, finished: Sequence[Finished], owner: str) -> None:
        """Record the outcomes of sends this owner claimed, in two statements.

        A success is recorded even if the lease ran out meanwhile (the row became `unknown`):
        knowing it arrived is better than guessing. It also stamps the subscriber's last
        message time, from which the minimum gap to the next message counts.
        """
        table = table_of(Delivery)
        sent = [f for f in finished if f.state is DeliveryState.SENT]
        for group, allowed in (
            (sent, (DeliveryState.SENDING, DeliveryState.UNKNOWN)),
            ([f for f in finished if f.state is not DeliveryState.SENT], (DeliveryState.SENDING,)),
        ):
            if not group:
                continue
            await self._session.execute(
                update(table)
                .where(
                    table.c.id == bindparam("b_id"),
                    table.c.lease_owner == owner,
                    # OR, not IN: an expanding IN list cannot be used with executemany.
                    or_(*(table.c.state == state for state in allowed)),
                )
                .values(
                    state=bindparam("b_state"),
                    telegram_message_id=bindparam("b_message_id"),
                    sent_at=bindparam("b_sent_at"),
                    failure_reason=bindparam("b_reason"),
                    lease_until=None,
                ),
                [
                    {
                        "b_id": f.delivery_id,
                        "b_state": f.state,
                        "b_message_id": f.message_id,
                        "b_sent_at": f.sent_at,
                        "b_reason": f.reason,
                    }
                    for f in group
                ],
            )
        if sent:
            subscribers = table_of(Subscriber)
            owner_of = (
                select(table.c.subscriber_id)
                .where(table.c.id == bindparam("b_id"))
                .scalar_subquery()
            )
            await self._session.execute(
                update(subscribers)
                .where(subscribers.c.id == owner_of)
                .values(last_message_at=bindparam("b_sent_at")),
                [{"b_id": f.delivery_id, "b_sent_at": f.sent_at} for f in sent],
            )

    async def retry_later(
        self, delivery_id: int, owner: str, due_at: datetime, reason: str
    ) -> None:
        """Give a claimed row back to the queue, due again at `due_at`."""
        await self._give_back(delivery_id, owner, due_at, failure_reason=reason)

    async def replace_tip(
        self,
        delivery_id: int,
        owner: str,
        replacement: tuple[str, str, float],
        due_at: datetime,
    ) -> bool:
        """Put a claimed tip delivery back in the queue with another (tip, policy, propensity);
        False if the row was no longer this owner's to give back (its lease ran out)."""
        tip_id, policy, propensity = replacement
        return await self._give_back(
            delivery_id, owner, due_at, tip_id=tip_id, policy=policy, propensity=propensity
        )

    async def fail(self, delivery_id: int, owner: str, reason: str) -> bool:
        """Record that a claimed row will not be sent; False if it was no longer this owner's
        (its lease ran out and it became `unknown`, which it stays)."""
        return await self._leased(
            delivery_id,
            owner,
            state=DeliveryState.FAILED,
            failure_reason=reason,
            lease_until=None,
        )

    async def _give_back(
        self, delivery_id: int, owner: str, due_at: datetime, **changes: object
    ) -> bool:
        """The owner's claimed row planned again at `due_at`, its lease dropped, with `changes`."""
        return await self._leased(
            delivery_id,
            owner,
            state=DeliveryState.PLANNED,
            due_at=due_at,
            lease_owner=None,
            lease_until=None,
            **changes,
        )

    async def _leased(self, delivery_id: int, owner: str, **values: object) -> bool:
        """Apply `values` to the row if this owner still holds it `sending`; whether it did."""
        result = await self._session.execute(
            update(Delivery)
            .where(
                Delivery.id == delivery_id,
                Delivery.lease_owner == owner,
                Delivery.state == DeliveryState.SENDING,
            )
            .values(**values)
            .returning(Delivery.id)
        )
        return result.first() is not None
