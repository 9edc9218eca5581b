"""Private chats and the messages in them, as they stand now."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nudgebot.sandbox.formatted_text import FormattedText
from nudgebot.sandbox.keyboards import inline_keyboard


@dataclass
class StoredMessage:
    """A message in a chat, by the bot or by the subscriber."""

    chat_id: int
    message_id: int
    date: int
    sender: dict[str, Any]
    by_bot: bool
    text: FormattedText | None = None
    caption: FormattedText | None = None
    reply_markup: dict[str, Any] | None = None
    photo: list[dict[str, Any]] | None = None
    document: dict[str, Any] | None = None
    sticker: dict[str, Any] | None = None
    edit_date: int | None = None
    reply_to: StoredMessage | None = None

    def to_telegram(self, chat: dict[str, Any], *, with_reply: bool = True) -> dict[str, Any]:
        """The `Message` object Telegram would return or embed."""
        message: dict[str, Any] = {
            "message_id": self.message_id,
            "from": self.sender,
            "chat": chat,
            "date": self.date,
        }
        if self.edit_date is not None:
            message["edit_date"] = self.edit_date
        if self.reply_to is not None and with_reply:
            # Telegram embeds the original one level deep: its own reply is left out.
            message["reply_to_message"] = self.reply_to.to_telegram(chat, with_reply=False)
        if self.text is not None:
            message["text"] = self.text.text
            if self.text.entities:
                message["entities"] = self.text.entities
        if self.photo is not None:
            message["photo"] = self.photo
        if self.document is not None:
            message["document"] = self.document
        if self.sticker is not None:
            message["sticker"] = self.sticker
        if self.caption is not None and self.caption.text:
            message["caption"] = self.caption.text
            if self.caption.entities:
                message["caption_entities"] = self.caption.entities
        markup = inline_keyboard(self.reply_markup)
        if markup is not None:
            message["reply_markup"] = markup
        return message

    def to_listing(self) -> dict[str, Any]:
        """The message as `GET /sandbox/chats/{id}/messages` shows it."""
        body = self.text or self.caption
        return {
            "message_id": self.message_id,
            "date": self.date,
            "text": self.text.text if self.text else None,
            "caption": self.caption.text if self.caption and self.caption.text else None,
            "parse_mode": body.parse_mode if body else None,
            "entities": body.entities if body else [],
            "reply_markup": self.reply_markup,
            "photo": self.photo,
            "document": self.document,
            "edited": self.edit_date is not None,
            "edit_date": self.edit_date,
        }


@dataclass
class _Chat:
    messages: dict[int, StoredMessage] = field(default_factory=dict)
    last_message_id: int = 0


class ChatStore:
    """Messages by chat; each chat numbers its messages 1, 2, 3..."""

    def __init__(self) -> None:
        self._chats: dict[int, _Chat] = {}

    def next_message_id(self, chat_id: int) -> int:
        """Take the next message id in that chat."""
        chat = self._chats.setdefault(chat_id, _Chat())
        chat.last_message_id += 1
        return chat.last_message_id

    def add(self, message: StoredMessage) -> None:
        """Store a message under the id it was given."""
        self._chats.setdefault(message.chat_id, _Chat()).messages[message.message_id] = message

    def find(self, chat_id: int, message_id: int) -> StoredMessage | None:
        """A message still in the chat, or None."""
        chat = self._chats.get(chat_id)
        return chat.messages.get(message_id) if chat else None

    def delete(self, chat_id: int, message_id: int) -> bool:
        """Remove a message; False if it was not there."""
        chat = self._chats.get(chat_id)
        return chat is not None and chat.messages.pop(message_id, None) is not None

    def bot_messages(self, chat_id: int) -> list[StoredMessage]:
        """The bot's messages in that chat, oldest first."""
        chat = self._chats.get(chat_id)
        if chat is None:
            return []
        return [m for _, m in sorted(chat.messages.items()) if m.by_bot]

    def clear(self) -> None:
        """Forget every chat."""
        self._chats.clear()
