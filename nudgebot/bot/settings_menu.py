"""/settings as an inline menu, and the shortcuts /time, /timezone, /topics and /language.

The menu edits itself: a setting's button shows its choices, a choice saves at once and goes
back to the menu (topics stay open, to choose several). A time zone or a time may also be typed
after opening its choices, or given with the command: `/time 07:30`, `/timezone Lisbon`.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, filters

from nudgebot.bot.languages import update_language
from nudgebot.bot.setup_data import SETTINGS_PATTERN, MenuPress, decode_menu
from nudgebot.bot.setup_views import closed_screen, menu_screen, picker_screen, refusal_text
from nudgebot.content import ContentStore, UiKey
from nudgebot.services.questions import Setting
from nudgebot.services.setting_changes import InvalidChangeError, from_button
from nudgebot.services.settings import SettingsResult, SettingsService, SettingsStatus

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]
# Someone still answering /start's questions gets those instead of the menu.
ContinueOnboarding = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]

SHORTCUTS = {
    "time": Setting.TIME,
    "timezone": Setting.TIMEZONE,
    "topics": Setting.TOPICS,
    "language": Setting.LANGUAGE,
}
_REFUSALS = {
    SettingsStatus.NOT_SUBSCRIBED: UiKey.NOT_SUBSCRIBED,
    SettingsStatus.NOT_YOURS: UiKey.BUTTON_NOT_YOURS,
    SettingsStatus.ONBOARDING: UiKey.BUTTON_STALE,
}


class SettingsHandlers:
    """The settings menu and its shortcut commands."""

    def __init__(
        self,
        content: ContentStore,
        settings: SettingsService,
        clock: Clock,
        continue_onboarding: ContinueOnboarding,
    ) -> None:
        self._content = content
        self._settings = settings
        self._clock = clock
        self._continue_onboarding = continue_onboarding

    def register(self, application: Application) -> None:  # type: ignore[type-arg]
        """/settings, the shortcuts and the `s:` buttons."""
        private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
        application.add_handler(CommandHandler("settings", self.menu, filters=private))
        for command in SHORTCUTS:
            application.add_handler(CommandHandler(command, self.shortcut, filters=private))
        application.add_handler(CallbackQueryHandler(self.pressed, pattern=SETTINGS_PATTERN))

    async def menu(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/settings: every setting, with a button to change each."""
        assert update.effective_chat is not None
        result = await self._settings.show(update.effective_chat.id, self._clock())
        if await self._refused(update, context, result):
            return
        assert result.view is not None
        await self._reply(update, *menu_screen(self._content.library, result.view))

    async def shortcut(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/time, /timezone, /topics, /language: the setting's choices, or set it from the text."""
        message, chat = update.effective_message, update.effective_chat
        assert message is not None
        assert chat is not None
        library, now = self._content.library, self._clock()
        command = (message.text or "").split(maxsplit=1)[0].lstrip("/").split("@", 1)[0].lower()
        setting = SHORTCUTS[command]
        typed = " ".join(context.args or []).strip()
        if not typed or setting not in {Setting.TIME, Setting.TIMEZONE}:
            result = await self._settings.show(chat.id, now, asking=setting)
            if await self._refused(update, context, result):
                return
            assert result.view is not None
            await self._reply(update, *picker_screen(library, result.view, setting))
            return
        result = await self._settings.change(chat.id, (setting, typed), now)
        if await self._refused(update, context, result):
            return
        assert result.view is not None
        if result.status is SettingsStatus.INVALID:
            assert result.refusal is not None
            language = result.view.language
            text = refusal_text(library, language, result.refusal, result.view, typed)
            await self._reply(update, text, None)
            return
        saved = library.ui_text(UiKey.SETTINGS_SAVED, result.view.language)
        await self._reply(update, *menu_screen(library, result.view, saved))

    async def pressed(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """A settings button: open the menu or a setting, save a choice, or close."""
        query = update.callback_query
        assert query is not None
        library = self._content.library
        press = decode_menu(query.data)
        message = query.message
        fallback = update_language(update, library)
        if press is None or message is None:
            await query.answer(library.ui_text(UiKey.BUTTON_INVALID, fallback))
            return
        if query.from_user.id != message.chat.id:
            await query.answer(library.ui_text(UiKey.BUTTON_NOT_YOURS, fallback))
            return
        chat_id, now = message.chat.id, self._clock()
        if press.setting is None or press.value is None:
            result = await self._settings.show(
                chat_id,
                now,
                subscriber_id=press.subscriber_id,
                asking=press.setting,
                message_id=message.message_id,
            )
        else:
            try:
                change = from_button(press.setting, press.value)
            except InvalidChangeError:
                await query.answer(library.ui_text(UiKey.BUTTON_INVALID, fallback))
                return
            result = await self._settings.change(
                chat_id, change, now, subscriber_id=press.subscriber_id
            )
        if result.status in _REFUSALS:
            await query.answer(library.ui_text(_REFUSALS[result.status], fallback))
            return
        await self._show_press(query, press, result)

    async def _show_press(
        self, query: CallbackQuery, press: MenuPress, result: SettingsResult
    ) -> None:
        library = self._content.library
        assert result.view is not None
        view = result.view
        if result.status is SettingsStatus.INVALID:
            # Our own buttons only offer valid choices: this one was forged or is out of date.
            await query.answer(library.ui_text(UiKey.BUTTON_INVALID, view.language))
            return
        if result.status is SettingsStatus.SAVED:
            await query.answer(library.ui_text(UiKey.SETTINGS_SAVED, view.language))
        else:
            await query.answer()
        if press.close:
            await self._edit(query, closed_screen(library, view), None)
        elif press.setting is None or (
            result.status is SettingsStatus.SAVED and press.setting is not Setting.TOPICS
        ):
            # A choice saved goes back to the menu; topics stay open to choose several.
            await self._edit(query, *menu_screen(library, view))
        else:
            await self._edit(query, *picker_screen(library, view, press.setting))

    async def _refused(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, result: SettingsResult
    ) -> bool:
        """Answer a command that cannot show settings; True if it was answered so."""
        if result.status is SettingsStatus.ONBOARDING:
            await self._continue_onboarding(update, context)
            return True
        if result.status in _REFUSALS:
            language = update_language(update, self._content.library)
            await self._reply(
                update, self._content.library.ui_text(_REFUSALS[result.status], language), None
            )
            return True
        return False

    @staticmethod
    async def _reply(update: Update, text: str, keyboard: InlineKeyboardMarkup | None) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text(
            text, parse_mode=ParseMode.HTML, reply_markup=keyboard
        )

    @staticmethod
    async def _edit(
        query: CallbackQuery, text: str, keyboard: InlineKeyboardMarkup | None
    ) -> None:
        try:
            await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
        except BadRequest as error:
            logger.info("could not edit the settings message: %s", error)
