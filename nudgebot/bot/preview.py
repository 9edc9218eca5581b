"""/preview for admins: any tip exactly as a subscriber would see it, in any language."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, filters

from nudgebot.bot.callback_data import PREVIEW_DATA
from nudgebot.bot.keyboards import preview_keyboard
from nudgebot.bot.languages import update_language
from nudgebot.content import ContentStore, UiKey, language_of, render_tip


class PreviewHandlers:
    """Admins preview tips in their chat (in the sandbox, the chat user is an admin)."""

    def __init__(self, content: ContentStore, admin_ids: Sequence[int]) -> None:
        self._content = content
        self._admins = filters.User(user_id=list(admin_ids))

    def register(self, application: Application) -> None:  # type: ignore[type-arg]
        """Add the handlers; non-admins fall through to the unknown-command answer."""
        application.add_handler(
            CommandHandler(
                "preview",
                self.preview,
                # Not edits of the command: only the safety screen reads edited messages.
                filters=self._admins & filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE,
            )
        )
        application.add_handler(CallbackQueryHandler(self.pressed, pattern=f"^{PREVIEW_DATA}$"))

    async def preview(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """`/preview TIP_ID [LANGUAGE]`."""
        message = update.effective_message
        assert message is not None
        library = self._content.library
        language = update_language(update, library)
        arguments = context.args or []
        if len(arguments) >= 2:
            language = language_of(arguments[1], library.default_language)
        if not arguments:
            example = next(iter(library.tips))
            text = library.ui_text(UiKey.PREVIEW_USAGE, language, example=example)
            await message.reply_text(text, parse_mode=ParseMode.HTML)
            return
        tip = library.tips.get(arguments[0])
        if tip is None:
            text = library.ui_text(UiKey.PREVIEW_UNKNOWN_TIP, language, tip_id=arguments[0])
            await message.reply_text(text, parse_mode=ParseMode.HTML)
            return
        rendered = render_tip(library, tip, language)
        await message.reply_text(
            rendered.html,
            parse_mode=ParseMode.HTML,
            reply_markup=preview_keyboard(rendered.buttons),
        )

    async def pressed(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        """A button of a preview: say nothing was recorded."""
        query = update.callback_query
        assert query is not None
        library = self._content.library
        language = update_language(update, library)
        await query.answer(library.ui_text(UiKey.PREVIEW_BUTTON, language))
