"""Sending outbox messages with python-telegram-bot (the dispatcher's OutboxSender)."""

from __future__ import annotations

from telegram import Bot
from telegram.constants import ParseMode

from nudgebot.bot.keyboards import checkin_keyboard
from nudgebot.content import RenderedTip


class TelegramOutboxSender:
    """Sends tips with their check-in keyboard, and notices; errors propagate unchanged."""

    def __init__(self, bot: Bot, *, paid_broadcast: bool = False) -> None:
        self._bot = bot
        # Paid broadcasting lifts Telegram's 30/s ceiling (at a cost in Stars per message).
        self._paid = paid_broadcast or None

    async def send_tip(self, chat_id: int, delivery_id: int, tip: RenderedTip) -> int:
        """Send `tip` and return its Telegram message id."""
        message = await self._bot.send_message(
            chat_id,
            tip.html,
            parse_mode=ParseMode.HTML,
            reply_markup=checkin_keyboard(delivery_id, tip.buttons),
            allow_paid_broadcast=self._paid,
        )
        return message.message_id

    async def send_notice(self, chat_id: int, html: str) -> int:
        """Send a notice without buttons and return its Telegram message id."""
        message = await self._bot.send_message(
            chat_id, html, parse_mode=ParseMode.HTML, allow_paid_broadcast=self._paid
        )
        return message.message_id
