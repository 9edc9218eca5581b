"""Telegram's flood control for sending and editing methods."""

from __future__ import annotations

import math
from collections import deque

from nudgebot.sandbox.errors import too_many_requests

CHAT_BURST = 3
PAID_BROADCAST_PER_SECOND = 1000.0


class FloodLimiter:
    """Refuses sends beyond Telegram's rates with 429 and a `retry_after` in whole seconds.

    The rule, for requests that send or edit a message:
    - globally, at most `global_per_second` accepted requests in any rolling second
      (1000 when the request sets `allow_paid_broadcast`);
    - per chat, a bucket of `CHAT_BURST` (3) requests that refills at `per_chat_per_second`,
      so a short burst of 3 passes and then the chat is held to its rate.
    A refused request uses up nothing. `retry_after` is the wait until the request would
    pass, rounded up, and at least 1.
    """

    def __init__(self) -> None:
        self._recent: deque[float] = deque()
        self._buckets: dict[int, tuple[float, float]] = {}

    def admit(
        self,
        chat_id: int,
        *,
        now: float,
        global_per_second: float,
        per_chat_per_second: float,
        paid: bool = False,
    ) -> None:
        """Count one request to `chat_id` at `now` (seconds), or raise a 429 `BotApiError`."""
        while self._recent and self._recent[0] <= now - 1.0:
            self._recent.popleft()
        ceiling = PAID_BROADCAST_PER_SECOND if paid else global_per_second
        if len(self._recent) >= ceiling:
            raise too_many_requests(_whole_seconds(self._recent[0] + 1.0 - now))
        level, updated = self._buckets.get(chat_id, (float(CHAT_BURST), now))
        level = min(float(CHAT_BURST), level + (now - updated) * per_chat_per_second)
        if level < 1.0:
            raise too_many_requests(_whole_seconds((1.0 - level) / per_chat_per_second))
        self._buckets[chat_id] = (level - 1.0, now)
        self._recent.append(now)

    def reset(self) -> None:
        """Forget all past requests."""
        self._recent.clear()
        self._buckets.clear()


def _whole_seconds(seconds: float) -> int:
    return max(1, math.ceil(seconds))
