"""The people in the sandbox: the bot itself and the subscribers who talk to it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Subscriber:
    """A Telegram user as the sandbox knows them."""

    user_id: int
    first_name: str
    language_code: str | None = None

    def to_telegram(self) -> dict[str, Any]:
        """The `User` object Telegram puts in updates from this person."""
        user: dict[str, Any] = {"id": self.user_id, "is_bot": False, "first_name": self.first_name}
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    def to_chat(self) -> dict[str, Any]:
        """The private `Chat` with this person (its id is the user id)."""
        return {"id": self.user_id, "type": "private", "first_name": self.first_name}


def bot_user(bot_id: int, *, full: bool = False) -> dict[str, Any]:
    """The bot's `User`: the short form messages carry, or getMe's `full` form."""
    user: dict[str, Any] = {
        "id": bot_id,
        "is_bot": True,
        "first_name": "Sandbox Bot",
        "username": f"sandbox{bot_id}_bot",
    }
    if full:
        user |= {
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
    return user


class UserDirectory:
    """Subscribers by id, and who has blocked the bot."""

    def __init__(self) -> None:
        self._subscribers: dict[int, Subscriber] = {}
        self._blocked: set[int] = set()

    def get(self, user_id: int) -> Subscriber:
        """The subscriber with that id; any positive id exists, with a default name."""
        if user_id not in self._subscribers:
            self._subscribers[user_id] = Subscriber(user_id, f"User {user_id}")
        return self._subscribers[user_id]

    def introduce(
        self, user_id: int, first_name: str | None, language_code: str | None
    ) -> Subscriber:
        """Record the name and language a subscriber's client reports, keeping what is unsaid."""
        subscriber = self.get(user_id)
        if first_name:
            subscriber.first_name = first_name
        if language_code:
            subscriber.language_code = language_code
        return subscriber

    def block(self, user_id: int) -> None:
        """The subscriber blocks the bot."""
        self._blocked.add(user_id)

    def unblock(self, user_id: int) -> None:
        """The subscriber unblocks the bot."""
        self._blocked.discard(user_id)

    def has_blocked(self, user_id: int) -> bool:
        """Whether this subscriber has blocked the bot."""
        return user_id in self._blocked

    def clear(self) -> None:
        """Forget everyone."""
        self._subscribers.clear()
        self._blocked.clear()
