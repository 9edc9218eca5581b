"""What the outbox needs from Telegram: sending a tip, or a short notice.

The implementation lives with the rest of the python-telegram-bot code (keyboards and the
callback-data format belong to the bot); it raises `telegram.error` exceptions unchanged, and
`errors.classify` decides what each one means for the delivery.
"""

from __future__ import annotations

from typing import Protocol

from nudgebot.content.rendering import RenderedTip


class OutboxSender(Protocol):
    """Sends outbox messages and returns Telegram's message id."""

    async def send_tip(self, chat_id: int, delivery_id: int, tip: RenderedTip) -> int:
        """Send `tip` to `chat_id`, its buttons answering delivery `delivery_id`."""
        ...

    async def send_notice(self, chat_id: int, html: str) -> int:
        """Send a plain notice (Telegram HTML, no buttons)."""
        ...


class BrokenTipAlert(Protocol):
    """Tells the admins a tip was refused by Telegram and taken out of rotation."""

    async def __call__(self, tip_id: str, reason: str) -> None:
        """Report the broken tip."""
        ...
