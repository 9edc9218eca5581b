"""What the outbox needs from Telegram: sending one rendered tip.

The implementation lives with the rest of the python-telegram-bot code (keyboards and the
callback-data format belong to the bot); it raises `telegram.error` exceptions unchanged, and
`errors.classify` decides what each one means for the delivery.
"""

from __future__ import annotations

from typing import Protocol

from nudgebot.content.rendering import RenderedTip


class TipSender(Protocol):
    """Sends a tip message with its check-in buttons and returns Telegram's message id."""

    async def send_tip(self, chat_id: int, delivery_id: int, tip: RenderedTip) -> int:
        """Send `tip` to `chat_id`, its buttons answering delivery `delivery_id`."""
        ...
