"""The deployment's send clock: one database row that spaces every message of every worker.

It is a virtual schedule (the "generic cell rate algorithm"): the row holds the time of the next
free send slot. A worker reserves a block of n slots in one short transaction, moving the clock
n / rate seconds on, then sends them at their times. However many processes reserve, their
blocks never overlap, so the total never passes the rate. A 429 from Telegram moves the clock
to the end of the wait for everyone.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nudgebot.db.models import SendRate

GLOBAL_CLOCK = "global"


@dataclass(frozen=True)
class Reservation:
    """`count` send slots, the first at `first` (Unix seconds), `interval` apart."""

    first: float
    interval: float
    count: int

    def slot(self, index: int) -> float:
        """The time of slot `index` (0-based)."""
        return self.first + index * self.interval


class SendClock:
    """Reserves send slots at `rate` per second from the shared row `name`."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        rate: float,
        name: str = GLOBAL_CLOCK,
    ) -> None:
        if rate <= 0:
            raise ValueError("the send rate must be positive")
        self._sessions = sessions
        self._interval = 1.0 / rate
        self._name = name

    async def reserve(self, count: int, now: float) -> Reservation:
        """Take the next `count` free slots, none earlier than `now`."""
        async with self._sessions.begin() as session:
            row = await self._locked_row(session, now)
            first = max(row.next_slot_at, row.paused_until, now)
            row.next_slot_at = first + count * self._interval
        return Reservation(first, self._interval, count)

    async def pause_until(self, until: float) -> None:
        """Telegram asked to wait: no slot is handed out before `until`, to any worker."""
        async with self._sessions.begin() as session:
            row = await self._locked_row(session, until)
            row.paused_until = max(row.paused_until, until)
            row.next_slot_at = max(row.next_slot_at, until)

    async def _locked_row(self, session: AsyncSession, now: float) -> SendRate:
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        await session.execute(
            insert(SendRate)
            .values(name=self._name, next_slot_at=now, paused_until=0.0)
            .on_conflict_do_nothing(index_elements=["name"])
        )
        # FOR UPDATE queues concurrent reservers on PostgreSQL; SQLite's BEGIN IMMEDIATE
        # already made this transaction the only writer.
        row = await session.scalar(
            select(SendRate).where(SendRate.name == self._name).with_for_update()
        )
        assert row is not None
        return row
