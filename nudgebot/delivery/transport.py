"""What the outbox needs from Telegram: sending a tip, or a short notice.

The implementation lives with the rest of the python-telegram-bot code (keyboards and the
callback-data format belong to the bot); it raises `telegram.error` exceptions unchanged, and
`errors.classify` decides what each one means for the delivery.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Protocol

from nudgebot.content.rendering import RenderedNotice, RenderedTip, RenderedWellbeing


class OutboxSender(Protocol):
    """Sends outbox messages and returns Telegram's message id.

    Buttons answer the delivery they came with (`delivery_id`), whatever the message is.
    """

    async def send_tip(self, chat_id: int, delivery_id: int, tip: RenderedTip) -> int:
        """Send `tip` to `chat_id` with its check-in buttons."""
        ...

    async def send_wellbeing(
        self, chat_id: int, delivery_id: int, checkin: RenderedWellbeing
    ) -> int:
        """Send the wellbeing check-in (its first question and score buttons)."""
        ...

    async def send_notice(self, chat_id: int, delivery_id: int, notice: RenderedNotice) -> int:
        """Send a notice from the bot (Telegram HTML, buttons if it has any)."""
        ...


class BrokenTipAlert(Protocol):
    """Tells the admins a tip was refused by Telegram and taken out of rotation."""

    async def __call__(self, tip_id: str, reason: str) -> None:
        """Report the broken tip."""
        ...


class WeeklySummaries(Protocol):
    """Writes subscribers' weekly summaries (Telegram HTML); None when there is nothing to say."""

    async def weekly_summaries_html(
        self, subscriber_ids: Sequence[int], now: datetime
    ) -> Mapping[int, str | None]:
        """The summary of the week up to `now` of each subscriber, in their language."""
        ...
