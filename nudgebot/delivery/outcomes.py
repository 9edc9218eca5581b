"""Recording send outcomes with group commit.

Every send waits until its outcome is committed, as if it had its own transaction; but outcomes
that finish while a commit is under way are written together in the next one. At a thousand
sends a second that is a few dozen transactions instead of a thousand, and nothing changes for
the delivery guarantee: a crash before the commit leaves the rows `sending`, so they become
`unknown` when the lease ends and are never sent twice.
"""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nudgebot.db.repositories import Finished, LeaseRepository


class OutcomeRecorder:
    """Collects finished sends of one worker and commits them in groups."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], owner: str) -> None:
        self._sessions = sessions
        self._owner = owner
        self._waiting: list[tuple[Finished, asyncio.Future[None]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def record(self, finished: Finished) -> None:
        """Return once `finished` is committed (raising what the commit raised, if it failed)."""
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiting.append((finished, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._write_while_waiting())
        await future

    async def _write_while_waiting(self) -> None:
        while self._waiting:
            group, self._waiting = self._waiting, []
            try:
                async with self._sessions.begin() as session:
                    await LeaseRepository(session).finish_many(
                        [finished for finished, _ in group], self._owner
                    )
            except Exception as error:  # handed to every waiting sender, who decides
                for _, future in group:
                    if not future.done():
                        future.set_exception(error)
            else:
                for _, future in group:
                    if not future.done():
                        future.set_result(None)
