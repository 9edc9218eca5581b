"""The safety screen: every private text is read for crisis language and gut red flags first.

A sure match is answered at once; a weaker one gets a question with two buttons, and the press
on "I need help now" (or "new or getting worse") is answered as a sure match would have been.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    ApplicationHandlerStop,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from nudgebot.bot.admin_alerts import AdminAlerts
from nudgebot.bot.callback_data import SAFETY_PATTERN, decode_safety, encode_safety
from nudgebot.bot.languages import update_language
from nudgebot.content import ContentStore
from nudgebot.content.screening import SafetyKind
from nudgebot.services.safety import SafetyResult, SafetyService

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]
# Before every other handler (they are in group 0 and up), so no command, conversation or note
# handler sees a message the screen has answered.
SAFETY_GROUP = -1


class SafetyHandlers:
    """Answers crisis language and red flags first, and keeps the message from anything else."""

    def __init__(
        self,
        content: ContentStore,
        safety_service: SafetyService,
        alerts: AdminAlerts,
        clock: Clock,
    ) -> None:
        self._content = content
        self._safety = safety_service
        self._alerts = alerts
        self._clock = clock

    def register(self, application: Application) -> None:  # type: ignore[type-arg]
        """Screen private texts and captions, commands included ("/note I want to die"), and
        take the presses on the safety questions' buttons."""
        # Edited messages too: crisis words added by an edit deserve the same answer.
        private = filters.ChatType.PRIVATE & (
            filters.UpdateType.MESSAGE | filters.UpdateType.EDITED_MESSAGE
        )
        application.add_handler(
            MessageHandler(private & (filters.TEXT | filters.CAPTION), self.screen),
            group=SAFETY_GROUP,
        )
        application.add_handler(
            CallbackQueryHandler(self.answer, pattern=SAFETY_PATTERN), group=SAFETY_GROUP
        )

    async def screen(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """Reply and stop on a match; otherwise let the update go on to the other handlers."""
        message = update.effective_message
        chat = update.effective_chat
        if message is None or chat is None:
            return
        language = update_language(update, self._content.library)
        result = await self._safety.screen(
            chat.id, message.text or message.caption or "", self._clock(), language
        )
        if result.kind is None:
            return
        await self._send(message, chat.id, result)
        raise ApplicationHandlerStop

    async def answer(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """A press on a safety question's button: the sure reply, or a kind word."""
        query = update.callback_query
        chat = update.effective_chat
        pressed = decode_safety(query.data if query else None)
        if query is None or chat is None or pressed is None:
            return
        try:
            await query.answer()
        except TelegramError:
            logger.warning("could not answer a safety button in chat %s", chat.id, exc_info=True)
        result = await self._safety.answer(
            chat.id,
            SafetyKind(pressed.kind),
            pressed.needs_help,
            self._clock(),
            update_language(update, self._content.library),
        )
        if isinstance(query.message, Message):
            await self._send(query.message, chat.id, result)
        raise ApplicationHandlerStop

    async def _send(self, message: Message, chat_id: int, result: SafetyResult) -> None:
        """The reply, then the question with its buttons; then the admins' alert, which goes
        out even when Telegram refused the reply."""
        try:
            if result.reply is not None:
                await message.reply_text(result.reply, parse_mode=ParseMode.HTML)
            if result.question is not None and result.question_kind is not None:
                kind = result.question_kind.value
                keyboard = InlineKeyboardMarkup(
                    [
                        [
                            InlineKeyboardButton(
                                result.question.help_button,
                                callback_data=encode_safety(kind, True),
                            )
                        ],
                        [
                            InlineKeyboardButton(
                                result.question.fine_button,
                                callback_data=encode_safety(kind, False),
                            )
                        ],
                    ]
                )
                await message.reply_text(
                    result.question.text, parse_mode=ParseMode.HTML, reply_markup=keyboard
                )
        except TelegramError:
            logger.warning("could not send the safety reply to chat %s", chat_id, exc_info=True)
        if result.alert is not None:
            await self._alerts.crisis(chat_id, result.alert)
