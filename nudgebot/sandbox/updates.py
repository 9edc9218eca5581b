"""The bot's update queue and getUpdates long polling, one poller per token."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass, field
from typing import Any

from nudgebot.sandbox.errors import BotApiError

MAX_LIMIT = 100
# Telegram leaves these out unless a bot asks for them by name.
_OPT_IN_TYPES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_CONFLICT = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)


@dataclass
class _Poll:
    token: str
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    superseded: bool = False


class UpdateQueue:
    """Pending updates until the bot confirms them with a higher `offset`.

    Like Telegram, a new getUpdates for a token ends the one already waiting for that
    token with 409 Conflict, and `allowed_updates` is remembered between calls.
    """

    def __init__(self) -> None:
        self._pending: list[dict[str, Any]] = []
        self._ids = itertools.count(1)
        self._allowed: frozenset[str] | None = None
        self._polls: dict[str, _Poll] = {}
        self._closed = False

    def push(self, kind: str, payload: dict[str, Any]) -> int:
        """Queue an update of type `kind`; returns its update_id."""
        update_id = next(self._ids)
        if self._wanted(kind):
            self._pending.append({"update_id": update_id, kind: payload})
            for poll in self._polls.values():
                poll.wake.set()
        return update_id

    def is_polling(self, token: str) -> bool:
        """Whether a getUpdates for `token` is waiting right now."""
        return token in self._polls

    @property
    def pending_count(self) -> int:
        """Updates not yet confirmed."""
        return len(self._pending)

    async def poll(
        self,
        token: str,
        *,
        offset: int | None,
        limit: int | None,
        wait_seconds: int | None,
        allowed_updates: list[str] | None,
        gone: asyncio.Event | None = None,
    ) -> list[dict[str, Any]]:
        """Answer one getUpdates: at once if updates are pending, else when one arrives."""
        earlier = self._polls.get(token)
        if earlier is not None:
            earlier.superseded = True
            earlier.wake.set()
        poll = _Poll(token)
        self._polls[token] = poll
        try:
            self._confirm(offset)
            if allowed_updates is not None:
                self._allowed = frozenset(allowed_updates) or None
            count = min(max(limit or MAX_LIMIT, 1), MAX_LIMIT)
            loop = asyncio.get_running_loop()
            deadline = loop.time() + max(wait_seconds or 0, 0)
            while True:
                if poll.superseded:
                    raise BotApiError(409, _CONFLICT)
                batch = self._deliverable()[:count]
                remaining = deadline - loop.time()
                if batch or remaining <= 0 or self._closed or (gone and gone.is_set()):
                    return batch
                poll.wake.clear()
                await _wait(poll.wake, gone, remaining)
        finally:
            if self._polls.get(token) is poll:
                del self._polls[token]

    def drop_pending(self) -> None:
        """Forget every pending update (deleteWebhook's drop_pending_updates)."""
        self._pending.clear()

    def clear(self) -> None:
        """Forget pending updates and the remembered filter; ids keep increasing."""
        self._pending.clear()
        self._allowed = None

    def close(self) -> None:
        """End every waiting poll with what it has (the server is stopping)."""
        self._closed = True
        for poll in self._polls.values():
            poll.wake.set()

    def _confirm(self, offset: int | None) -> None:
        if offset is None or offset == 0:
            return
        if offset < 0:
            self._pending = self._pending[offset:]
        else:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]

    def _deliverable(self) -> list[dict[str, Any]]:
        # Updates of types the bot no longer wants are forgotten, as Telegram never keeps them.
        self._pending = [u for u in self._pending if self._wanted(_kind_of(u))]
        return list(self._pending)

    def _wanted(self, kind: str) -> bool:
        if self._allowed is None:
            return kind not in _OPT_IN_TYPES
        return kind in self._allowed


def _kind_of(update: dict[str, Any]) -> str:
    return next(key for key in update if key != "update_id")


async def _wait(wake: asyncio.Event, gone: asyncio.Event | None, seconds: float) -> None:
    waiters = [asyncio.ensure_future(wake.wait())]
    if gone is not None:
        waiters.append(asyncio.ensure_future(gone.wait()))
    try:
        await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()
