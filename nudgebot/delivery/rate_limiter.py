"""python-telegram-bot's rate limiter, backed by the shared send clock.

Every request that puts a message in a chat (sends and edits) waits for a slot of the
deployment-wide clock, so replies from the updates worker and nudges from any number of sender
workers share one budget. Slots are reserved a few at a time (about a tenth of a second's
worth) to keep the database out of the hot path at high rates.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from nudgebot.delivery.send_rate import Reservation, SendClock

logger = logging.getLogger(__name__)

# Methods that count against Telegram's message limits.
LIMITED_METHODS = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendDocument",
        "editMessageText",
        "editMessageReplyMarkup",
        "editMessageCaption",
        "copyMessage",
        "forwardMessage",
    }
)
RESERVATION_SECONDS = 0.1
# How late a slot may still be used: enough for a busy event loop's ordinary lag, too little
# to squeeze an extra message into any second (a whole interval of lateness at 29/s made
# Telegram's 30th message in a second a 429).
MAX_LATENESS_SECONDS = 0.005
# A chat may take a short burst (a reply, then the first tip) before the per-chat rate applies.
CHAT_BURST = 3


class _ChatBucket:
    """A token bucket for one chat: `burst` tokens, refilled at `rate` per second."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate = rate
        self.tokens = float(burst)
        self.burst = burst
        self.updated = time.monotonic()

    def wait_time(self) -> float:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        wait = (1 - self.tokens) / self.rate
        self.tokens -= 1  # taken now, paid for by the wait
        return wait


class SharedRateLimiter(BaseRateLimiter[None]):
    """Global rate from the database clock, per-chat rate in this process, 429s obeyed."""

    def __init__(
        self,
        clock: SendClock,
        rate: float,
        per_chat_rate: float,
        *,
        max_retries: int = 2,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._clock = clock
        self._block = max(1, int(rate * RESERVATION_SECONDS))
        self._per_chat_rate = per_chat_rate
        self._max_retries = max_retries
        self._now = wall_clock
        self._reservation: Reservation | None = None
        self._next_index = 0
        self._lock = asyncio.Lock()
        self._chats: dict[int | str, _ChatBucket] = {}

    async def initialize(self) -> None:
        """Nothing to open: the clock lives in the database."""

    async def shutdown(self) -> None:
        """Nothing to close."""

    async def _global_slot(self) -> float:
        """The time of this worker's next send slot.

        A slot whose time passed more than MAX_LATENESS_SECONDS ago is dropped rather than used
        late: a worker that fell behind (busy CPU, a slow database) must not catch up in a
        burst on top of the other workers' current slots. Dropped slots are capacity lost,
        never a message lost.
        """
        async with self._lock:
            while True:
                reservation = self._reservation
                now = self._now()
                if reservation is None or self._next_index >= reservation.count:
                    reservation = await self._clock.reserve(self._block, now)
                    self._reservation, self._next_index = reservation, 0
                slot = reservation.slot(self._next_index)
                self._next_index += 1
                if slot >= now - MAX_LATENESS_SECONDS:
                    return slot

    async def _wait_for_global_turn(self) -> None:
        """Sleep until this worker's next slot; if the wake-up came too late, take another."""
        while True:
            slot = await self._global_slot()
            delay = slot - self._now()
            if delay > 0:
                await asyncio.sleep(delay)
            if self._now() - slot <= MAX_LATENESS_SECONDS:
                return

    async def _wait_for_chat(self, chat_id: int | str) -> None:
        bucket = self._chats.get(chat_id)
        if bucket is None:
            bucket = self._chats[chat_id] = _ChatBucket(self._per_chat_rate, CHAT_BURST)
        wait = bucket.wait_time()
        if wait > 0:
            await asyncio.sleep(wait)

    async def process_request(  # noqa: PLR0917 - the signature is PTB's
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,  # noqa: ARG002 - part of PTB's interface, unused here
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        """Wait for the chat's and the deployment's turn, send, and obey any 429."""
        limited = endpoint in LIMITED_METHODS
        chat_id = data.get("chat_id")
        attempt = 0
        while True:
            if limited:
                if chat_id is not None:
                    await self._wait_for_chat(chat_id)
                await self._wait_for_global_turn()
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as error:
                wait = error._retry_after  # the public property warns in PTB 22
                seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
                logger.warning("Telegram asked to wait %.1f s; every worker pauses", seconds)
                await self._clock.pause_until(self._now() + seconds)
                async with self._lock:
                    self._reservation = None  # slots reserved before the 429 are void
                if attempt >= self._max_retries:
                    raise
                attempt += 1
