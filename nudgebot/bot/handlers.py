"""Update handlers: parse the update, call one service, reply. No SQL and no YAML here."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from telegram import CallbackQuery, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from nudgebot.bot.callback_data import decode_checkin
from nudgebot.bot.keyboards import checkin_keyboard
from nudgebot.bot.languages import update_language
from nudgebot.content import ContentStore, UiKey
from nudgebot.content.rendering import RenderedTip, RenderedWellbeing
from nudgebot.services import (
    CheckinService,
    CheckinStatus,
    PauseOutcome,
    PauseService,
    SubscriptionService,
)
from nudgebot.services.pauses import MAX_PAUSE_DAYS

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]
# Text that answers a question the bot asked (onboarding, settings): True if it was that.
TypedAnswers = Callable[[Update], Awaitable[bool]]

# Presses answered with a line and nothing else.
_ANSWER_ONLY = {
    CheckinStatus.UNKNOWN_DELIVERY: UiKey.BUTTON_GONE,
    CheckinStatus.NOT_YOURS: UiKey.BUTTON_NOT_YOURS,
    CheckinStatus.UNKNOWN_OPTION: UiKey.BUTTON_INVALID,
    CheckinStatus.NOT_PAUSED: UiKey.NOT_PAUSED,
    CheckinStatus.NOT_SUBSCRIBED: UiKey.NOT_SUBSCRIBED,
}


class BotHandlers:
    """The bot's conversation surface, wired to the services it calls."""

    def __init__(
        self,
        *,
        content: ContentStore,
        subscriptions: SubscriptionService,
        checkins: CheckinService,
        pauses: PauseService,
        default_pause_days: int,
        clock: Clock,
        wake_dispatcher: Callable[[], None],
        answer_typed: TypedAnswers | None = None,
    ) -> None:
        self._content = content
        self._answer_typed = answer_typed
        self._subscriptions = subscriptions
        self._checkins = checkins
        self._pauses = pauses
        self._default_pause_days = default_pause_days
        self._clock = clock
        self._wake_dispatcher = wake_dispatcher

    def register(self, application: Application) -> None:  # type: ignore[type-arg]
        """Add every handler; order matters, the catch-alls come last."""
        private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
        application.add_handler(CommandHandler("stop", self.stop, filters=private))
        application.add_handler(CommandHandler("help", self.help, filters=private))
        application.add_handler(CommandHandler("pause", self.pause, filters=private))
        application.add_handler(CommandHandler("resume", self.resume, filters=private))
        application.add_handler(CommandHandler("note", self.note, filters=private))
        application.add_handler(CallbackQueryHandler(self.button))
        application.add_handler(MessageHandler(private & filters.COMMAND, self.unknown_command))
        application.add_handler(MessageHandler(private & filters.TEXT, self.text))
        # Stickers, photos, voice and the like: say what the bot understands.
        application.add_handler(MessageHandler(private, self.unsupported))
        application.add_error_handler(self.on_error)

    async def _reply(self, update: Update, key: UiKey, language: str, **values: object) -> None:
        if update.effective_message is None:
            return
        text = self._content.library.ui_text(key, language, **values)
        await update.effective_message.reply_text(text, parse_mode=ParseMode.HTML)

    async def stop(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """/stop: unsubscribe; nothing more is sent."""
        assert update.effective_chat is not None
        language = await self._stored_language(update)
        stopped = await self._subscriptions.unsubscribe(update.effective_chat.id, self._clock())
        await self._reply(update, UiKey.STOPPED if stopped else UiKey.NOT_SUBSCRIBED, language)

    async def pause(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/pause [days]: a break from every message; it ends by itself with a welcome back."""
        assert update.effective_chat is not None
        language = await self._stored_language(update)
        arguments = context.args or []
        days = self._default_pause_days
        if arguments:
            try:
                days = int(arguments[0])
            except ValueError:
                days = 0
            if len(arguments) > 1 or not 1 <= days <= MAX_PAUSE_DAYS:
                await self._reply(update, UiKey.PAUSE_USAGE, language, most=MAX_PAUSE_DAYS)
                return
        result = await self._pauses.pause(update.effective_chat.id, days, self._clock())
        if result.outcome is PauseOutcome.PAUSED:
            assert result.until is not None
            await self._reply(update, UiKey.PAUSED, language, date=result.until.isoformat())
        else:
            await self._reply(update, UiKey.NOT_SUBSCRIBED, language)

    async def resume(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """/resume: end a pause now."""
        assert update.effective_chat is not None
        language = await self._stored_language(update)
        result = await self._pauses.resume(update.effective_chat.id, self._clock())
        keys = {
            PauseOutcome.RESUMED: UiKey.RESUMED,
            PauseOutcome.NOT_PAUSED: UiKey.NOT_PAUSED,
        }
        await self._reply(update, keys.get(result.outcome, UiKey.NOT_SUBSCRIBED), language)

    async def help(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """/help: the list of commands."""
        await self._reply(update, UiKey.HELP, await self._stored_language(update))

    async def unknown_command(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """A command the bot does not have."""
        await self._reply(update, UiKey.UNKNOWN_COMMAND, await self._stored_language(update))

    async def note(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """/note TEXT: keep a note about today."""
        assert update.effective_chat is not None
        text = " ".join(context.args or []).strip()
        if not text:
            await self._reply(update, UiKey.NOTE_USAGE, await self._stored_language(update))
            return
        result = await self._checkins.note(update.effective_chat.id, text, self._clock())
        language = result.language or update_language(update, self._content.library)
        await self._reply(
            update, UiKey.NOTE_SAVED if result.noted else UiKey.NOT_SUBSCRIBED, language
        )

    async def text(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """Free text: an answer to the bot's question, a note, or else a pointer to /help.

        A typed time zone or time answers an open onboarding or settings question. Otherwise,
        text after (or in reply to) a check-in is a note, and any text ends a silence pause,
        with a welcome back.
        """
        if self._answer_typed is not None and await self._answer_typed(update):
            return
        message = update.effective_message
        assert update.effective_chat is not None
        assert message is not None
        replied = message.reply_to_message.message_id if message.reply_to_message else None
        result = await self._checkins.message(
            update.effective_chat.id, message.text or "", self._clock(), replied
        )
        language = result.language or update_language(update, self._content.library)
        if result.woke_up:
            await self._reply(update, UiKey.RESUMED, language)
            self._wake_dispatcher()
        elif result.noted:
            await self._reply(update, UiKey.NOTE_SAVED, language)
        else:
            await self._reply(update, UiKey.UNKNOWN_TEXT, language)

    async def unsupported(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """Anything that is not text."""
        await self._reply(update, UiKey.UNSUPPORTED_MESSAGE, await self._stored_language(update))

    async def _stored_language(self, update: Update) -> str:
        chat = update.effective_chat
        stored = await self._subscriptions.language_of(chat.id) if chat else None
        return stored or update_language(update, self._content.library)

    async def button(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """A check-in button: record the answer, always answer the query, show the choice."""
        query = update.callback_query
        assert query is not None
        library = self._content.library
        press = decode_checkin(query.data)
        message = query.message
        if press is None or message is None:
            await query.answer(
                library.ui_text(UiKey.BUTTON_INVALID, update_language(update, library))
            )
            return
        result = await self._checkins.answer(
            message.chat.id, press.delivery_id, press.option_id, self._clock()
        )
        language = result.language or update_language(update, library)
        if result.status in _ANSWER_ONLY:
            await query.answer(library.ui_text(_ANSWER_ONLY[result.status], language))
            return
        if result.status is CheckinStatus.RESUMED:
            await query.answer(library.ui_text(UiKey.RESUMED, language))
            await self._show(query, press.delivery_id, None)
            self._wake_dispatcher()
            return
        if result.status is CheckinStatus.UNCHANGED:
            await query.answer(
                library.ui_text(UiKey.CHECKIN_UNCHANGED, language, choice=result.choice)
            )
            return
        if result.again_at is not None:
            again = result.again_at.strftime("%H:%M")
            text = library.ui_text(UiKey.CHECKIN_LATER, language, choice=result.choice, time=again)
        else:
            text = library.ui_text(UiKey.CHECKIN_CHANGED, language, choice=result.choice)
        await query.answer(text)
        await self._show(query, press.delivery_id, result.message)

    async def _show(
        self,
        query: CallbackQuery,
        delivery_id: int,
        message: RenderedTip | RenderedWellbeing | None,
    ) -> None:
        """Edit the pressed message to show the answer (None: just take its buttons away)."""
        try:
            if message is None:
                await query.edit_message_reply_markup(reply_markup=None)
            else:
                # A finished wellbeing check-in has no buttons left: no keyboard at all, since
                # Telegram refuses an empty one.
                keyboard = (
                    checkin_keyboard(delivery_id, message.buttons) if message.buttons else None
                )
                await query.edit_message_text(
                    message.html, parse_mode=ParseMode.HTML, reply_markup=keyboard
                )
        except BadRequest as error:
            # The answer is stored; a message that vanished or is unchanged needs no retry.
            logger.info("could not show the check-in choice: %s", error)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Last resort: log, and tell the person something went wrong instead of going silent."""
        logger.error("error while handling an update", exc_info=context.error)
        if not isinstance(update, Update):
            return
        text = self._content.library.ui_text(
            UiKey.TEMPORARY_ERROR, update_language(update, self._content.library)
        )
        try:
            if update.callback_query is not None:
                await update.callback_query.answer(text)
            elif update.effective_message is not None:
                await update.effective_message.reply_text(text)
        except TelegramError:
            logger.warning("could not tell the user about the error", exc_info=True)
