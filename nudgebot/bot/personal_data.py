"""/export and /delete_me: a copy of everything stored about a subscriber, or deleting it all.

/delete_me asks first, with two buttons whose data is `d:<delete|keep>:<chat id>:<asked at>`
(chat id and Unix seconds in base 36), e.g. `d:delete:lfls:tbm1j4`: its own `d:` prefix, so it
never meets the check-in format `c:...`. Button data is untrusted input; a press deletes only
if it carries the pressing chat's own id, is one of the buttons of the message it was pressed
under (Telegram sends that message, so made-up data does not match it), and the service still
finds the question fresh.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, filters

from nudgebot.bot.languages import update_language
from nudgebot.content import ContentStore, UiKey
from nudgebot.services.personal_data import (
    CONFIRMATION_WINDOW,
    DeletionOutcome,
    PersonalDataService,
)

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]
JSON_FILENAME = "nudgebot-export.json"
CSV_FILENAME = "nudgebot-export.csv"
_PATTERN = re.compile(r"^d:(delete|keep):(-?[0-9a-z]{1,13}):([0-9a-z]{1,7})$")
_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


class DeletionChoice(StrEnum):
    """The two buttons under the deletion question."""

    DELETE = "delete"
    KEEP = "keep"


@dataclass(frozen=True)
class DeletionAnswer:
    """A parsed press under the deletion question."""

    choice: DeletionChoice
    chat_id: int
    asked_at: datetime


def encode_deletion_answer(choice: DeletionChoice, chat_id: int, asked_at: datetime) -> str:
    """The callback data of one button under the question asked to `chat_id` at `asked_at`."""
    return f"d:{choice.value}:{_base36(chat_id)}:{_base36(int(asked_at.timestamp()))}"


def decode_deletion_answer(data: str | None) -> DeletionAnswer | None:
    """The press encoded in `data`, or None for anything that is not exactly our format."""
    match = _PATTERN.match(data or "")
    if match is None:
        return None
    choice, chat, asked = match.groups()
    asked_at = datetime.fromtimestamp(int(asked, 36), UTC)
    return DeletionAnswer(DeletionChoice(choice), int(chat, 36), asked_at)


def _base36(number: int) -> str:
    sign, number = ("-", -number) if number < 0 else ("", number)
    text = ""
    while True:
        number, remainder = divmod(number, 36)
        text = _DIGITS[remainder] + text
        if number == 0:
            return sign + text


def _offers(message: Message, data: str) -> bool:
    """Whether `data` belongs to one of the message's own buttons."""
    markup = message.reply_markup
    return markup is not None and any(
        button.callback_data == data for row in markup.inline_keyboard for button in row
    )


class PersonalDataHandlers:
    """The commands and buttons about a subscriber's own data."""

    def __init__(
        self, content: ContentStore, personal_data: PersonalDataService, clock: Clock
    ) -> None:
        self._content = content
        self._data = personal_data
        self._clock = clock

    def register(self, application: Application) -> None:  # type: ignore[type-arg]
        """Add the handlers; the pattern leaves every other button to its own handler."""
        private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
        application.add_handler(CommandHandler("export", self.export, filters=private))
        application.add_handler(CommandHandler("delete_me", self.delete_me, filters=private))
        application.add_handler(CallbackQueryHandler(self.pressed, pattern=r"^d:"))

    async def _language(self, update: Update, chat_id: int) -> str:
        """The subscriber's stored language, else their Telegram one."""
        return await self._data.stored_language(chat_id) or update_language(
            update, self._content.library
        )

    async def export(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """/export: two files, JSON for programs and CSV for spreadsheets."""
        chat, message = update.effective_chat, update.effective_message
        assert chat is not None
        assert message is not None
        library = self._content.library
        export = await self._data.export(chat.id, self._clock())
        if export is None:
            text = library.ui_text(UiKey.DATA_NOTHING_STORED, update_language(update, library))
            await message.reply_text(text, parse_mode=ParseMode.HTML)
            return
        for content, filename, caption in (
            (export.json_bytes(), JSON_FILENAME, UiKey.EXPORT_JSON_CAPTION),
            (export.csv_bytes(), CSV_FILENAME, UiKey.EXPORT_CSV_CAPTION),
        ):
            await message.reply_document(
                content,
                filename=filename,
                caption=library.ui_text(caption, export.language),
                parse_mode=ParseMode.HTML,
            )

    async def delete_me(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """/delete_me: ask, with a button to delete everything and one to keep it."""
        chat, message = update.effective_chat, update.effective_message
        assert chat is not None
        assert message is not None
        library = self._content.library
        request = await self._data.request_deletion(chat.id, self._clock())
        if request is None:
            text = library.ui_text(UiKey.DATA_NOTHING_STORED, update_language(update, library))
            await message.reply_text(text, parse_mode=ParseMode.HTML)
            return
        language = request.language
        buttons = [
            InlineKeyboardButton(
                library.ui_text(label, language),
                callback_data=encode_deletion_answer(choice, chat.id, request.requested_at),
            )
            for choice, label in (
                (DeletionChoice.DELETE, UiKey.BUTTON_DELETE_EVERYTHING),
                (DeletionChoice.KEEP, UiKey.BUTTON_KEEP_DATA),
            )
        ]
        minutes = int(CONFIRMATION_WINDOW.total_seconds() // 60)
        await message.reply_text(
            library.ui_text(UiKey.DELETE_CONFIRM, language, minutes=minutes),
            parse_mode=ParseMode.HTML,
            reply_markup=InlineKeyboardMarkup([[button] for button in buttons]),
        )

    async def pressed(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """A button under the deletion question; every press is answered."""
        query = update.callback_query
        assert query is not None
        library = self._content.library
        answer = decode_deletion_answer(query.data)
        message = query.message
        if answer is None or message is None:
            text = library.ui_text(UiKey.BUTTON_INVALID, update_language(update, library))
            await query.answer(text)
            return
        chat_id = message.chat.id
        if answer.chat_id != chat_id:
            language = await self._language(update, chat_id)
            await query.answer(library.ui_text(UiKey.BUTTON_NOT_YOURS, language))
            return
        if not isinstance(message, Message):
            # Telegram no longer shows us a message this old: certainly past its time.
            language = await self._language(update, chat_id)
            await query.answer(library.ui_text(UiKey.DELETE_EXPIRED, language))
            return
        if not _offers(message, query.data or ""):
            language = await self._language(update, chat_id)
            await query.answer(library.ui_text(UiKey.BUTTON_INVALID, language))
            return
        if answer.choice is DeletionChoice.KEEP:
            await query.answer()
            language = await self._language(update, chat_id)
            await self._close(query, library.ui_text(UiKey.DELETE_KEPT, language))
            return
        result = await self._data.confirm_deletion(chat_id, answer.asked_at, self._clock())
        language = result.language or update_language(update, library)
        if result.outcome is DeletionOutcome.DELETED:
            await query.answer()
            await self._close(query, library.ui_text(UiKey.DELETE_DONE, language))
            return
        key = (
            UiKey.DELETE_EXPIRED
            if result.outcome is DeletionOutcome.EXPIRED
            else UiKey.DATA_NOTHING_STORED
        )
        await query.answer(library.ui_text(key, language))
        await self._close(query, None)

    async def _close(self, query: CallbackQuery, text: str | None) -> None:
        """Take the question's buttons away, replacing its text with `text` if given.

        If the question cannot be edited, `text` comes as a new message: a goodbye must arrive.
        """
        try:
            if text is None:
                await query.edit_message_reply_markup(reply_markup=None)
            else:
                await query.edit_message_text(text, parse_mode=ParseMode.HTML)
        except BadRequest as error:
            logger.info("could not close the deletion question: %s", error)
            if text is not None and query.message is not None:
                await query.get_bot().send_message(
                    query.message.chat.id, text, parse_mode=ParseMode.HTML
                )
