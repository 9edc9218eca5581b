"""What a subscriber can do in the sandbox: write, send stickers and photos, edit, press."""

from __future__ import annotations

import re
from typing import Any

from nudgebot.sandbox.chats import StoredMessage
from nudgebot.sandbox.formatted_text import FormattedText
from nudgebot.sandbox.state import SandboxState
from nudgebot.telegram_format.utf16 import utf16_len

# Telegram marks a leading /command (optionally /command@botname) with a bot_command
# entity; PTB's CommandHandler only reacts to messages that carry one.
_COMMAND = re.compile(r"/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{1,64})?(?![A-Za-z0-9_@])")


# A sticker's size as Telegram reports it for regular (static) stickers.
_STICKER_SIDE = 512
# The sizes Telegram keeps of a photo a subscriber sends, smallest first.
_PHOTO_SIZES = ((90, 68), (320, 240), (1280, 960))


class MessageNotFound(LookupError):
    """The message an action points at is not in that chat (answered with 404)."""


class ActionRefused(ValueError):
    """An action a subscriber's client would not let them take (answered with 400)."""


class SubscriberActions:
    """Turns a subscriber's actions into the updates Telegram would queue for the bot."""

    def __init__(self, state: SandboxState) -> None:
        self._state = state

    def send_text(
        self,
        user_id: int,
        text: str,
        *,
        now: float,
        first_name: str | None = None,
        language_code: str | None = None,
        reply_to: int | None = None,
    ) -> dict[str, int]:
        """Queue a `message` update; writing to a bot you blocked unblocks it, as in Telegram."""
        return self._send(
            user_id,
            now=now,
            first_name=first_name,
            language_code=language_code,
            reply_to=reply_to,
            text=_with_command(text),
        )

    def send_sticker(
        self,
        user_id: int,
        emoji: str,
        *,
        now: float,
        first_name: str | None = None,
        language_code: str | None = None,
        reply_to: int | None = None,
    ) -> dict[str, int]:
        """Queue a `message` update carrying a regular sticker for `emoji`."""
        # One sticker per emoji, so sending the same emoji again sends the same file.
        code = "-".join(f"{ord(char):x}" for char in emoji)
        sticker = {
            "file_id": f"sticker-{code}",
            "file_unique_id": f"s{code}",
            "type": "regular",
            "width": _STICKER_SIDE,
            "height": _STICKER_SIDE,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
        }
        return self._send(
            user_id,
            now=now,
            first_name=first_name,
            language_code=language_code,
            reply_to=reply_to,
            sticker=sticker,
        )

    def send_photo(
        self,
        user_id: int,
        caption: str | None,
        *,
        now: float,
        first_name: str | None = None,
        language_code: str | None = None,
        reply_to: int | None = None,
    ) -> dict[str, int]:
        """Queue a `message` update carrying a photo in several sizes and an optional caption."""
        photo = []
        for width, height in _PHOTO_SIZES:
            file_id, file_unique_id = self._state.files.new_ids("photo")
            photo.append(
                {
                    "file_id": file_id,
                    "file_unique_id": file_unique_id,
                    "width": width,
                    "height": height,
                    # Roughly what a JPEG of that size weighs.
                    "file_size": width * height // 8,
                }
            )
        return self._send(
            user_id,
            now=now,
            first_name=first_name,
            language_code=language_code,
            reply_to=reply_to,
            photo=photo,
            caption=_with_command(caption) if caption else None,
        )

    def edit_text(self, user_id: int, message_id: int, text: str, *, now: float) -> dict[str, int]:
        """Change the text of the subscriber's own message and queue an `edited_message`."""
        state = self._state
        message = state.chats.find(user_id, message_id)
        if message is None or message.by_bot:
            raise MessageNotFound(f"no message {message_id} from user {user_id}")
        if message.text is None:
            raise ActionRefused(f"message {message_id} has no text to edit")
        if message.text.text == text:
            # A client sends no edit when nothing changed, so Telegram has nothing to report.
            raise ActionRefused(f"message {message_id} already has that text")
        message.text = _with_command(text)
        message.edit_date = max(int(now), message.date)
        chat = state.users.get(user_id).to_chat()
        update_id = state.updates.push("edited_message", message.to_telegram(chat))
        return {"update_id": update_id, "message_id": message_id}

    def _send(
        self,
        user_id: int,
        *,
        now: float,
        first_name: str | None,
        language_code: str | None,
        reply_to: int | None,
        **content: Any,
    ) -> dict[str, int]:
        state = self._state
        original = None
        if reply_to is not None:
            original = state.chats.find(user_id, reply_to)
            if original is None:
                raise MessageNotFound(f"no message {reply_to} in the chat with {user_id}")
        subscriber = state.users.introduce(user_id, first_name, language_code)
        state.users.unblock(user_id)
        message = StoredMessage(
            chat_id=user_id,
            message_id=state.chats.next_message_id(user_id),
            date=int(now),
            sender=subscriber.to_telegram(),
            by_bot=False,
            reply_to=original,
            **content,
        )
        state.chats.add(message)
        update_id = state.updates.push("message", message.to_telegram(subscriber.to_chat()))
        return {"update_id": update_id, "message_id": message.message_id}

    def press_button(self, user_id: int, message_id: int, data: str) -> dict[str, Any] | None:
        """Queue a `callback_query` update; None if the bot has no such message in that chat."""
        state = self._state
        message = state.chats.find(user_id, message_id)
        if message is None or not message.by_bot:
            return None
        subscriber = state.users.get(user_id)
        query = state.callback_queries.open(user_id, message_id, data)
        payload = {
            "id": query.query_id,
            "from": subscriber.to_telegram(),
            "message": message.to_telegram(subscriber.to_chat()),
            "chat_instance": f"{user_id}",
            "data": data,
        }
        update_id = state.updates.push("callback_query", payload)
        return {"update_id": update_id, "callback_query_id": query.query_id}


def _with_command(text: str) -> FormattedText:
    """Text as a client sends it: a leading /command is marked with a bot_command entity."""
    command = _COMMAND.match(text)
    entities = (
        [{"type": "bot_command", "offset": 0, "length": utf16_len(command.group())}]
        if command
        else []
    )
    return FormattedText(text, entities, None)
