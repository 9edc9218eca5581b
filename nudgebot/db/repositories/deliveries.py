"""Queries on the deliveries outbox and ledger: planning rows, reading what was sent and
answered, and skipping what should no longer go (claiming and sending: `leases`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from nudgebot.db.models import Answer, Delivery, DeliveryKind, DeliveryState, table_of

# States that do not use up a day's budget; everything else was, will be or may have been sent.
_NOT_COUNTED = (DeliveryState.FAILED, DeliveryState.SKIPPED)
_PENDING = (DeliveryState.PLANNED, DeliveryState.SENDING)
# Sent, or maybe sent (`unknown`): the subscriber may well have seen it.
_SEEN = (DeliveryState.SENT, DeliveryState.UNKNOWN)


@dataclass(frozen=True)
class Planned:
    """A delivery to plan."""

    subscriber_id: int
    local_date: date
    slot: str
    kind: DeliveryKind
    tip_id: str | None
    due_at: datetime
    policy: str | None = None
    propensity: float | None = None


class DeliveryRepository:
    """The outbox rows: planned, read back, skipped (one a worker holds: `LeaseRepository`)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, delivery_id: int) -> Delivery | None:
        """A delivery by id."""
        return await self._session.get(Delivery, delivery_id)

    async def many(
        self, delivery_ids: Iterable[int], *, lock: bool = False
    ) -> dict[int, Delivery]:
        """Deliveries by id, for the ids that exist.

        With `lock`, the rows stay locked until the transaction ends (PostgreSQL; SQLite's
        writing transactions hold the whole database already), in id order so that two
        transactions locking some of the same rows cannot wait on each other.
        """
        query = select(Delivery).where(Delivery.id.in_(list(delivery_ids)))
        if lock:
            query = query.order_by(Delivery.id).with_for_update()
        return {d.id: d for d in await self._session.scalars(query)}

    async def sent_tips(
        self, subscriber_ids: Iterable[int], first: date, last: date
    ) -> dict[int, list[tuple[date, str, str | None]]]:
        """Per subscriber, (local date, tip, current outcome) of each tip sent between two days,
        in order.

        `unknown` counts as sent: the subscriber may well have seen it.
        """
        # Kind and state are checked here rather than in SQL, where SQLite would read every
        # sent row of the deployment through the (state, due_at) index (see
        # `LearningRepository.unanswered_streaks`) instead of the week's rows of these people.
        query = (
            select(
                Delivery.subscriber_id,
                Delivery.local_date,
                Delivery.tip_id,
                Delivery.outcome,
                Delivery.kind,
                Delivery.state,
            )
            .where(
                Delivery.subscriber_id.in_(list(subscriber_ids)),
                Delivery.local_date.between(first, last),
            )
            .order_by(Delivery.subscriber_id, Delivery.local_date, Delivery.id)
        )
        sent: dict[int, list[tuple[date, str, str | None]]] = defaultdict(list)
        for subscriber_id, day, tip, outcome, kind, state in await self._session.execute(query):
            if tip and kind is DeliveryKind.TIP and state in _SEEN:
                sent[subscriber_id].append((day, tip, outcome))
        return sent

    async def by_message(self, subscriber_id: int, message_id: int) -> Delivery | None:
        """The subscriber's delivery that became Telegram message `message_id`."""
        query = select(Delivery).where(
            Delivery.subscriber_id == subscriber_id, Delivery.telegram_message_id == message_id
        )
        return (await self._session.scalars(query.limit(1))).first()

    async def answered_since(self, subscriber_id: int, since: datetime) -> Delivery | None:
        """The delivery the subscriber answered last, if that answer came at `since` or later.

        By the answer's time, not the message's: an old check-in answered just now is the one
        the person has in mind, and a message whose send was never confirmed has no send time.
        """
        query = (
            select(Delivery)
            .join(Answer, Answer.delivery_id == Delivery.id)
            .where(Answer.subscriber_id == subscriber_id, Answer.answered_at >= since)
            .order_by(Answer.answered_at.desc(), Answer.id.desc())
            .limit(1)
        )
        return (await self._session.scalars(query)).first()

    async def plan(
        self,
        *,
        subscriber_id: int,
        local_date: date,
        slot: str,
        kind: DeliveryKind,
        tip_id: str | None,
        due_at: datetime,
        now: datetime,
    ) -> bool:
        """Insert a planned delivery unless that (subscriber, local date, slot) exists already."""
        planned = Planned(subscriber_id, local_date, slot, kind, tip_id, due_at)
        return len(await self.plan_many([planned], now)) == 1

    async def plan_many(
        self, planned: Sequence[Planned], now: datetime
    ) -> set[tuple[int, date, str]]:
        """Insert planned deliveries in one statement, skipping any whose key exists already.

        Returns the (subscriber, local date, slot) keys actually inserted.
        """
        if not planned:
            return set()
        rows = [
            {
                "subscriber_id": p.subscriber_id,
                "local_date": p.local_date,
                "slot": p.slot,
                "kind": p.kind,
                "state": DeliveryState.PLANNED,
                "tip_id": p.tip_id,
                "policy": p.policy,
                "propensity": p.propensity,
                "due_at": p.due_at,
                "attempts": 0,
                "created_at": now,
            }
            for p in planned
        ]
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        # One statement executed for every row (not one statement with every row in it): its
        # compiled form is cached, and the driver batches the rows into few round trips.
        table = table_of(Delivery)
        statement = (
            insert(table)
            .on_conflict_do_nothing(index_elements=["subscriber_id", "local_date", "slot"])
            .returning(table.c.subscriber_id, table.c.local_date, table.c.slot)
        )
        result = await self._session.execute(statement, rows)
        return {(sub, day, slot) for sub, day, slot in result.all()}

    async def keys_from(self, subscriber_id: int, since: date) -> set[tuple[date, str]]:
        """The (local date, slot) keys the subscriber's outbox holds from `since` on, whatever
        became of their rows: planning any of them again would plan nothing."""
        query = select(Delivery.local_date, Delivery.slot).where(
            Delivery.subscriber_id == subscriber_id, Delivery.local_date >= since
        )
        return {(day, slot) for day, slot in await self._session.execute(query)}

    async def day_counts(
        self, subscriber_ids: Iterable[int], since: date
    ) -> dict[tuple[int, date], int]:
        """Messages planned or sent per (subscriber, day) from `since` on: the budget used."""
        query = (
            select(Delivery.subscriber_id, Delivery.local_date, func.count())
            .where(
                Delivery.subscriber_id.in_(list(subscriber_ids)),
                Delivery.local_date >= since,
                # NOT IN, not IN: with IN, SQLite (no statistics) walks the state index over the
                # whole history; this way it uses the (subscriber, day, slot) key. Same set.
                Delivery.state.not_in(_NOT_COUNTED),
            )
            .group_by(Delivery.subscriber_id, Delivery.local_date)
        )
        return {(sub, day): count for sub, day, count in await self._session.execute(query)}

    async def latest_pending(self, subscriber_ids: Iterable[int]) -> dict[int, datetime]:
        """The latest due time among each subscriber's messages not yet sent."""
        query = (
            select(Delivery.subscriber_id, func.max(Delivery.due_at))
            .where(Delivery.subscriber_id.in_(list(subscriber_ids)), Delivery.state.in_(_PENDING))
            .group_by(Delivery.subscriber_id)
        )
        rows = await self._session.execute(query)
        return dict(rows.all())

    async def skip_planned_slots(
        self, slots: Sequence[tuple[int, str]], reason: str
    ) -> list[tuple[int, str]]:
        """Planned deliveries at these (subscriber, slot) keys become `skipped`.

        Returns (subscriber, tip) of each row skipped.
        """
        skipped: list[tuple[int, str]] = []
        for subscriber_id, slot in slots:
            skipped += await self._skip(
                reason, Delivery.subscriber_id == subscriber_id, Delivery.slot == slot
            )
        return skipped

    async def skip_planned_tips(
        self, subscriber_ids: Collection[int], tip_ids: Collection[str], reason: str
    ) -> list[tuple[int, str]]:
        """Planned deliveries of these tips to these subscribers become `skipped`.

        Returns (subscriber, tip) of each row skipped.
        """
        if not subscriber_ids or not tip_ids:
            return []
        return await self._skip(
            reason,
            Delivery.subscriber_id.in_(list(subscriber_ids)),
            Delivery.tip_id.in_(list(tip_ids)),
        )

    async def skip_planned(self, subscriber_id: int, reason: str) -> list[tuple[int, str]]:
        """Planned rows of a subscriber who should get nothing more become `skipped`.

        Returns (subscriber, tip) of each tip among them.
        """
        return await self._skip(reason, Delivery.subscriber_id == subscriber_id)

    async def _skip(self, reason: str, *where: ColumnElement[bool]) -> list[tuple[int, str]]:
        result = await self._session.execute(
            update(Delivery)
            .where(Delivery.state == DeliveryState.PLANNED, *where)
            .values(state=DeliveryState.SKIPPED, failure_reason=reason)
            .returning(Delivery.subscriber_id, Delivery.tip_id)
        )
        return [(subscriber_id, tip) for subscriber_id, tip in result.all() if tip is not None]
