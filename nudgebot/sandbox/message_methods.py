"""The Bot API methods that send, edit, delete and acknowledge messages."""

from __future__ import annotations

import mimetypes
from typing import Any

from nudgebot.sandbox.api_call import ApiCall
from nudgebot.sandbox.chats import StoredMessage
from nudgebot.sandbox.errors import bad_request, forbidden
from nudgebot.sandbox.files import StoredFile
from nudgebot.sandbox.formatted_text import FormattedText, caption_text, message_text
from nudgebot.sandbox.images import image_size
from nudgebot.sandbox.keyboards import check_reply_markup
from nudgebot.sandbox.parameters import Params
from nudgebot.sandbox.state import SandboxState
from nudgebot.sandbox.users import bot_user

_NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


class MessageMethods:
    """sendMessage, sendPhoto, sendDocument, the edits, deleteMessage and answerCallbackQuery."""

    def __init__(self, state: SandboxState) -> None:
        self._state = state

    async def send_message(self, call: ApiCall) -> Any:
        """Post a text message to a private chat."""
        params = call.params
        chat_id = self._writable_chat(params)
        text = message_text(
            params.string("text") or "", params.string("parse_mode"), params.array("entities")
        )
        markup = self._markup(params, inline_only=False)
        self._admit(call, chat_id)
        return self._store(call, chat_id, text=text, reply_markup=markup)

    async def send_photo(self, call: ApiCall) -> Any:
        """Post a photo (PNG, JPEG or GIF upload, or a known file_id) with an optional caption."""
        params = call.params
        chat_id = self._writable_chat(params)
        caption = self._caption(params)
        markup = self._markup(params, inline_only=False)
        upload = params.upload("photo")
        if upload is None:
            stored = self._known_file(params.string("photo"), "photo")
            size = (stored.width, stored.height)
        else:
            sniffed = image_size(upload.body)
            if sniffed is None:
                raise bad_request("IMAGE_PROCESS_FAILED")
            size = sniffed
        self._admit(call, chat_id)
        if upload is not None:
            mime = upload.content_type or "image/png"
            stored = self._state.files.add("photo", upload.filename, mime, upload.body, size)
        photo = [
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "width": size[0],
                "height": size[1],
                "file_size": stored.size,
            }
        ]
        return self._store(call, chat_id, caption=caption, reply_markup=markup, photo=photo)

    async def send_document(self, call: ApiCall) -> Any:
        """Post a file (an upload or a known file_id) with an optional caption."""
        params = call.params
        chat_id = self._writable_chat(params)
        caption = self._caption(params)
        markup = self._markup(params, inline_only=False)
        upload = params.upload("document")
        if upload is None:
            stored = self._known_file(params.string("document"), "document")
        self._admit(call, chat_id)
        if upload is not None:
            guessed, _ = mimetypes.guess_type(upload.filename)
            mime = upload.content_type or guessed or "application/octet-stream"
            stored = self._state.files.add("document", upload.filename, mime, upload.body)
        document = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": stored.filename,
            "mime_type": stored.mime_type,
            "file_size": stored.size,
        }
        return self._store(call, chat_id, caption=caption, reply_markup=markup, document=document)

    async def edit_message_text(self, call: ApiCall) -> Any:
        """Replace a bot message's text; a missing reply_markup removes the keyboard."""
        params = call.params
        message = self._message_to_edit(params)
        if message.text is None:
            raise bad_request("there is no text in the message to edit")
        text = message_text(
            params.string("text") or "", params.string("parse_mode"), params.array("entities")
        )
        markup = self._markup(params, inline_only=True)
        unchanged = (text.text, text.entities, markup) == (
            message.text.text,
            message.text.entities,
            message.reply_markup,
        )
        if unchanged:
            raise bad_request(_NOT_MODIFIED)
        self._admit(call, message.chat_id)
        message.text = text
        message.reply_markup = markup
        message.edit_date = int(call.now)
        return message.to_telegram(self._chat(message.chat_id))

    async def edit_message_reply_markup(self, call: ApiCall) -> Any:
        """Replace (or, with none given, remove) a bot message's inline keyboard."""
        params = call.params
        message = self._message_to_edit(params)
        markup = self._markup(params, inline_only=True)
        if markup == message.reply_markup:
            raise bad_request(_NOT_MODIFIED)
        self._admit(call, message.chat_id)
        message.reply_markup = markup
        message.edit_date = int(call.now)
        return message.to_telegram(self._chat(message.chat_id))

    async def delete_message(self, call: ApiCall) -> Any:
        """Delete a message from a private chat."""
        params = call.params
        chat_id = self._chat_id(params)
        if not self._state.chats.delete(chat_id, params.integer("message_id") or 0):
            raise bad_request("message to delete not found")
        return True

    async def answer_callback_query(self, call: ApiCall) -> Any:
        """Acknowledge a button press, once."""
        params = call.params
        self._state.callback_queries.answer(
            params.string("callback_query_id") or "", params.string("text")
        )
        return True

    def _chat_id(self, params: Params) -> int:
        chat_id = params.raw("chat_id")
        # Only private chats exist here; usernames and negative (group) ids match nothing.
        if not isinstance(chat_id, int) or chat_id <= 0:
            raise bad_request("chat not found")
        return chat_id

    def _writable_chat(self, params: Params) -> int:
        chat_id = self._chat_id(params)
        if self._state.users.has_blocked(chat_id):
            raise forbidden("bot was blocked by the user")
        return chat_id

    def _chat(self, chat_id: int) -> dict[str, Any]:
        return self._state.users.get(chat_id).to_chat()

    def _caption(self, params: Params) -> FormattedText | None:
        source = params.string("caption")
        if source is None:
            return None
        return caption_text(source, params.string("parse_mode"), params.array("caption_entities"))

    def _markup(self, params: Params, *, inline_only: bool) -> dict[str, Any] | None:
        markup = params.mapping("reply_markup")
        if markup is not None:
            check_reply_markup(markup, inline_only=inline_only)
        return markup

    def _known_file(self, file_id: str | None, kind: str) -> StoredFile:
        stored = self._state.files.get(file_id or "")
        if stored is None:
            # The sandbox has no network: URLs and foreign file ids cannot be resolved.
            raise bad_request("wrong file identifier/HTTP URL specified")
        if stored.kind != kind:
            raise bad_request(f"can't use file of type {stored.kind.title()} as {kind.title()}")
        return stored

    def _message_to_edit(self, params: Params) -> StoredMessage:
        if "chat_id" not in params:
            raise bad_request("chat_id is empty")
        chat_id = self._chat_id(params)
        message_id = params.integer("message_id")
        if message_id is None:
            raise bad_request("message identifier is not specified")
        message = self._state.chats.find(chat_id, message_id)
        if message is None or not message.by_bot:
            raise bad_request("message to edit not found")
        return message

    def _admit(self, call: ApiCall, chat_id: int) -> None:
        config = self._state.config
        if config.limits:
            self._state.limiter.admit(
                chat_id,
                now=call.now,
                global_per_second=config.global_per_second,
                per_chat_per_second=config.per_chat_per_second,
                paid=call.params.boolean("allow_paid_broadcast"),
            )

    def _store(self, call: ApiCall, chat_id: int, **content: Any) -> dict[str, Any]:
        message = StoredMessage(
            chat_id=chat_id,
            message_id=self._state.chats.next_message_id(chat_id),
            date=int(call.now),
            sender=bot_user(call.bot_id),
            by_bot=True,
            **content,
        )
        self._state.chats.add(message)
        return message.to_telegram(self._chat(chat_id))
