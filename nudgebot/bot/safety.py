"""The safety screen: every private text is read for crisis language and gut red flags first.

A sure match is answered at once; a weaker one gets a question with two buttons, and the press
on "I need help now" (or "new or getting worse") is answered as a sure match would have been.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType, ParseMode
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
from nudgebot.content.safety import AlertReason
from nudgebot.content.screening import SafetyKind
from nudgebot.services.safety import SafetyMessage, SafetyResult, SafetyService

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]
# Before every other handler (they are in group 0 and up), so no command, conversation or note
# handler sees a message the screen has answered.
SAFETY_GROUP = -1
# Alerts about one chat closer together than this are one alert.
ALERT_QUIET = timedelta(minutes=10)


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
        # When each chat's admins were last alerted. In memory on purpose: after a restart one
        # more alert is no harm, and it only keeps repeated presses from flooding the admins.
        self._alerted: dict[tuple[int, AlertReason], datetime] = {}

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

    async def screen(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
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
        # Which rule decided, never what was written: how admins trace a wrong answer.
        logger.info(
            "safety: chat %s got a %s %s answer (%s)",
            chat.id,
            result.level,
            result.kind,
            result.rule,
        )
        await self._send(context.bot, chat.id, result)
        raise ApplicationHandlerStop

    async def answer(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A press on a safety question's button: the sure reply, or a kind word. Only in a
        private chat, where the bot asked: button data can be forged, and a group is no place
        for crisis lines."""
        query = update.callback_query
        chat = update.effective_chat
        pressed = decode_safety(query.data if query else None)
        if query is None or chat is None or pressed is None:
            return
        try:
            await query.answer()
        except TelegramError:
            logger.warning("could not answer a safety button in chat %s", chat.id, exc_info=True)
        # The question's message may be too old for Telegram to show (an inaccessible
        # message): the chat is enough to answer in, and help asked for late is still asked for.
        if chat.type != ChatType.PRIVATE:
            raise ApplicationHandlerStop
        result = await self._safety.answer(
            chat.id,
            SafetyKind(pressed.kind),
            pressed.needs_help,
            self._clock(),
            update_language(update, self._content.library),
        )
        await self._send(context.bot, chat.id, result)
        raise ApplicationHandlerStop

    async def _send(self, bot: Bot, chat_id: int, result: SafetyResult) -> None:
        """Each reply and question in order; then the admins' alert, which goes out even when
        Telegram refused the reply. One alert per chat and reason in ALERT_QUIET ("I need help
        now" pressed again and again is one person asking, not many); one that reached no admin
        does not count, so the next is tried."""
        for safety_message in result.messages:
            try:
                await bot.send_message(
                    chat_id,
                    safety_message.text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=_buttons(safety_message),
                )
            except TelegramError:
                logger.warning("could not send a safety reply to chat %s", chat_id, exc_info=True)
        if result.alert is None:
            return
        now = self._clock()
        last = self._alerted.get((chat_id, result.alert))
        if last is not None and now - last < ALERT_QUIET:
            return
        if await self._alerts.crisis(chat_id, result.alert):
            self._alerted[(chat_id, result.alert)] = now


def _buttons(message: SafetyMessage) -> InlineKeyboardMarkup | None:
    """The help and fine buttons of a question, one per row; none for a plain reply."""
    if message.asks is None or message.help_button is None or message.fine_button is None:
        return None
    kind = message.asks.value
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(message.help_button, callback_data=encode_safety(kind, True))],
            [InlineKeyboardButton(message.fine_button, callback_data=encode_safety(kind, False))],
        ]
    )
