"""What a subscriber can do in the sandbox: write to the bot, press its buttons."""

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
    ) -> dict[str, int]:
        """Queue a `message` update; writing to a bot you blocked unblocks it, as in Telegram."""
        state = self._state
        subscriber = state.users.introduce(user_id, first_name, language_code)
        state.users.unblock(user_id)
        command = _COMMAND.match(text)
        entities = (
            [{"type": "bot_command", "offset": 0, "length": utf16_len(command.group())}]
            if command
            else []
        )
        message = StoredMessage(
            chat_id=user_id,
            message_id=state.chats.next_message_id(user_id),
            date=int(now),
            sender=subscriber.to_telegram(),
            by_bot=False,
            text=FormattedText(text, entities, None),
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
