"""The safety screen: every private text is read for crisis language and gut red flags first."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationHandlerStop, ContextTypes, MessageHandler, filters

from nudgebot.bot.admin_alerts import AdminAlerts
from nudgebot.bot.languages import update_language
from nudgebot.content import ContentStore
from nudgebot.content.safety import SafetyKind
from nudgebot.services.safety import SafetyService

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]
# Before every other handler (they are in group 0 and up), so no command, conversation or note
# handler sees a message the screen has answered.
SAFETY_GROUP = -1


class SafetyHandlers:
    """Answers crisis language and red flags at once, and keeps the message from anything else."""

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
        """Screen private texts and captions, commands included ("/note I want to die")."""
        # Edited messages too: crisis words added by an edit deserve the same answer.
        private = filters.ChatType.PRIVATE & (
            filters.UpdateType.MESSAGE | filters.UpdateType.EDITED_MESSAGE
        )
        application.add_handler(
            MessageHandler(private & (filters.TEXT | filters.CAPTION), self.screen),
            group=SAFETY_GROUP,
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
        if result.kind is None or result.reply is None:
            return
        try:
            await message.reply_text(result.reply, parse_mode=ParseMode.HTML)
        except TelegramError:
            # The admins still hear about a crisis, and nothing else answers in the reply's place.
            logger.warning("could not send the safety reply to chat %s", chat.id, exc_info=True)
        if result.kind is SafetyKind.CRISIS:
            await self._alerts.crisis(chat.id, result.kind)
        raise ApplicationHandlerStop
