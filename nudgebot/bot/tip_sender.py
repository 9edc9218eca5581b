"""Sending a rendered tip with python-telegram-bot (the outbox's TipSender)."""

from __future__ import annotations

from telegram import Bot
from telegram.constants import ParseMode

from nudgebot.bot.keyboards import checkin_keyboard
from nudgebot.content import RenderedTip


class TelegramTipSender:
    """Sends tips as HTML messages with their check-in keyboard; errors propagate unchanged."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    async def send_tip(self, chat_id: int, delivery_id: int, tip: RenderedTip) -> int:
        """Send `tip` and return its Telegram message id."""
        message = await self._bot.send_message(
            chat_id,
            tip.html,
            parse_mode=ParseMode.HTML,
            reply_markup=checkin_keyboard(delivery_id, tip.buttons),
        )
        return message.message_id
