"""/start as a short guided conversation in one message, edited question by question.

The note is accepted first; then time zone, nudge time, topics, evening check-in and language,
each with buttons, a Skip and (but the first) a Back; a time zone or a time may be typed
instead. Where someone is lives in the database, so a restart mid-way loses nothing; a press on
an old question, an old message or someone else's button is answered and changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, filters

from nudgebot.bot.languages import update_language
from nudgebot.bot.setup_data import ACCEPT, BACK, DECLINE, ONBOARDING_PATTERN, SKIP, decode_step
from nudgebot.bot.setup_views import (
    disclaimer_screen,
    done_screen,
    menu_screen,
    refusal_text,
    step_screen,
)
from nudgebot.content import ContentStore, UiKey
from nudgebot.services.onboarding import OnboardingService
from nudgebot.services.onboarding_steps import (
    StartKind,
    StepAction,
    StepAnswer,
    StepResult,
    StepStatus,
)
from nudgebot.services.setting_changes import Change, InvalidChangeError, from_button

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]

_REFUSALS = {
    StepStatus.STALE: UiKey.BUTTON_STALE,
    StepStatus.NOT_YOURS: UiKey.BUTTON_NOT_YOURS,
    StepStatus.UNKNOWN: UiKey.NOT_SUBSCRIBED,
    StepStatus.INVALID: UiKey.BUTTON_INVALID,
}


class OnboardingHandlers:
    """/start, the onboarding buttons, and typed answers to the bot's questions."""

    def __init__(
        self,
        content: ContentStore,
        onboarding: OnboardingService,
        clock: Clock,
        wake_dispatcher: Callable[[], None],
    ) -> None:
        self._content = content
        self._onboarding = onboarding
        self._clock = clock
        self._wake_dispatcher = wake_dispatcher

    def register(self, application: Application) -> None:  # type: ignore[type-arg]
        """/start and the `o:` buttons; typed answers come through `answer_typed`."""
        private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
        application.add_handler(CommandHandler("start", self.start, filters=private))
        application.add_handler(CallbackQueryHandler(self.pressed, pattern=ONBOARDING_PATTERN))

    async def start(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """/start: the note to accept, the question they are at, or their settings."""
        chat, message = update.effective_chat, update.effective_message
        assert chat is not None
        assert message is not None
        library = self._content.library
        started = await self._onboarding.start(
            chat.id, update_language(update, library), self._clock()
        )
        name = update.effective_user.first_name if update.effective_user else ""
        language, view = started.language, started.view
        if started.kind in {StartKind.NEW, StartKind.RETURNING}:
            returning = started.kind is StartKind.RETURNING
            text, keyboard = disclaimer_screen(library, language, name, returning)
            await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
        elif started.kind is StartKind.CONTINUING:
            assert view is not None
            assert view.step is not None
            await self._drop_buttons(update, started.replaced_message_id)
            lead = library.ui_text(UiKey.ONBOARDING_CONTINUE, language)
            text, keyboard = step_screen(library, view, view.step, lead)
            sent = await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
            await self._onboarding.shown(chat.id, sent.message_id)
        elif started.kind is StartKind.SETTLED:
            assert view is not None
            lead = library.ui_text(UiKey.ALREADY_SUBSCRIBED, language)
            text, keyboard = menu_screen(library, view, lead)
            await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
        else:  # woken up after a silence: the tip is planned, due now
            text = library.ui_text(UiKey.WELCOME_BACK, language, name=name)
            await message.reply_text(text, parse_mode=ParseMode.HTML)
            self._wake_dispatcher()

    async def pressed(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """An onboarding button: accept or decline the note, or answer the current question."""
        query = update.callback_query
        assert query is not None
        library = self._content.library
        telegram_language = update_language(update, library)
        message = query.message
        if message is None or query.from_user.id != message.chat.id:
            # Onboarding happens in the private chat of the person pressing, nowhere else.
            await query.answer(library.ui_text(UiKey.BUTTON_NOT_YOURS, telegram_language))
            return
        chat_id, now = message.chat.id, self._clock()
        if query.data == ACCEPT:
            result = await self._onboarding.accept(
                chat_id, telegram_language, message.message_id, now
            )
        elif query.data == DECLINE:
            result = await self._onboarding.decline(chat_id, telegram_language)
        else:
            press = decode_step(query.data)
            change: Change | None = None
            action = {SKIP: StepAction.SKIP, BACK: StepAction.BACK}.get(
                press.value if press else "", StepAction.CHOOSE
            )
            try:
                if press is not None and action is StepAction.CHOOSE:
                    change = from_button(press.setting, press.value)
            except InvalidChangeError:
                press = None
            if press is None:
                await query.answer(library.ui_text(UiKey.BUTTON_INVALID, telegram_language))
                return
            answer = StepAnswer(
                press.subscriber_id, press.setting, action, change, message.message_id
            )
            result = await self._onboarding.answer(chat_id, answer, now)
        await self._show_press(query, result, telegram_language)

    async def _show_press(self, query: CallbackQuery, result: StepResult, fallback: str) -> None:
        library = self._content.library
        language = result.language or fallback
        if result.status in _REFUSALS:
            await query.answer(library.ui_text(_REFUSALS[result.status], language))
            return
        await query.answer()
        if result.status is StepStatus.DECLINED:
            await self._edit(query, library.ui_text(UiKey.ONBOARDING_DECLINED, language), None)
            return
        assert result.view is not None
        if result.status is StepStatus.FINISHED:
            await self._edit(query, done_screen(library, result.view), None)
            self._wake_dispatcher()
            return
        assert result.view.step is not None
        await self._edit(query, *step_screen(library, result.view, result.view.step))

    async def answer_typed(self, update: Update) -> bool:
        """Text answering the bot's question (a zone, a time); False if it answers nothing.

        The question's message loses its buttons and the next one comes as a new message, right
        under what they typed.
        """
        chat, message = update.effective_chat, update.effective_message
        if chat is None or message is None or not message.text:
            return False
        library = self._content.library
        result = await self._onboarding.typed(chat.id, message.text, self._clock())
        language = result.language or update_language(update, library)
        if result.status is StepStatus.NOT_ASKED:
            return False
        if result.status is StepStatus.INVALID:
            assert result.refusal is not None
            text = refusal_text(library, language, result.refusal, result.view, message.text)
            await message.reply_text(text, parse_mode=ParseMode.HTML)
            return True
        assert result.view is not None
        await self._drop_buttons(update, result.replaced_message_id)
        if result.settings:
            saved = library.ui_text(UiKey.SETTINGS_SAVED, language)
            text, keyboard = menu_screen(library, result.view, saved)
            await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
        elif result.status is StepStatus.FINISHED:
            await message.reply_text(done_screen(library, result.view), parse_mode=ParseMode.HTML)
            self._wake_dispatcher()
        else:
            assert result.view.step is not None
            text, keyboard = step_screen(library, result.view, result.view.step)
            sent = await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
            await self._onboarding.shown(chat.id, sent.message_id)
        return True

    @staticmethod
    async def _edit(
        query: CallbackQuery, text: str, keyboard: InlineKeyboardMarkup | None
    ) -> None:
        try:
            await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=keyboard)
        except BadRequest as error:
            # Saved already; a message that vanished or shows this already needs nothing more.
            logger.info("could not edit the onboarding message: %s", error)

    @staticmethod
    async def _drop_buttons(update: Update, message_id: int | None) -> None:
        """The buttons of a question that is no longer the current one go away."""
        chat = update.effective_chat
        if chat is None or message_id is None:
            return
        try:
            await update.get_bot().edit_message_reply_markup(
                chat.id, message_id, reply_markup=None
            )
        except BadRequest as error:
            logger.info("could not take the old question's buttons away: %s", error)
