"""A small client for the sandbox's control API, as a test (or any script) would use it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx

T = TypeVar("T")
WAIT_LIMIT_SECONDS = 15.0
POLL_EVERY_SECONDS = 0.02


class SandboxClient:
    """Talks to `/sandbox/...` routes over real HTTP."""

    def __init__(self, base_url: str) -> None:
        self._http = httpx.AsyncClient(base_url=base_url, timeout=10)

    async def close(self) -> None:
        """Close the HTTP connection pool."""
        await self._http.aclose()

    async def _post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        response = await self._http.post(path, json=body or {})
        response.raise_for_status()
        return response.json()

    async def say(
        self, user_id: int, text: str, *, reply_to: int | None = None, **extra: Any
    ) -> dict[str, Any]:
        """The subscriber sends a text or command, as a reply to message `reply_to` if given."""
        return await self._message(user_id, {"text": text, **extra}, reply_to)

    async def send_sticker(
        self, user_id: int, emoji: str, *, reply_to: int | None = None
    ) -> dict[str, Any]:
        """The subscriber sends a sticker showing `emoji`."""
        return await self._message(user_id, {"sticker": emoji}, reply_to)

    async def send_photo(
        self, user_id: int, caption: str | None = None, *, reply_to: int | None = None
    ) -> dict[str, Any]:
        """The subscriber sends a photo, with a caption if given."""
        content: dict[str, Any] = {"photo": True}
        if caption is not None:
            content["caption"] = caption
        return await self._message(user_id, content, reply_to)

    async def edit(self, user_id: int, message_id: int, text: str) -> dict[str, Any]:
        """The subscriber edits the text of one of their earlier messages."""
        result: dict[str, Any] = await self._post(
            "/sandbox/updates/edit", {"user_id": user_id, "message_id": message_id, "text": text}
        )
        return result

    async def _message(
        self, user_id: int, content: dict[str, Any], reply_to: int | None
    ) -> dict[str, Any]:
        body = {"user_id": user_id, **content}
        if reply_to is not None:
            body["reply_to_message_id"] = reply_to
        result: dict[str, Any] = await self._post("/sandbox/updates/message", body)
        return result

    async def press(self, user_id: int, message_id: int, data: str) -> dict[str, Any]:
        """The subscriber presses a button (or forges one) under a bot message."""
        result: dict[str, Any] = await self._post(
            "/sandbox/updates/callback",
            {"user_id": user_id, "message_id": message_id, "data": data},
        )
        return result

    async def messages(self, chat_id: int) -> list[dict[str, Any]]:
        """The bot's messages in a chat as they stand now."""
        response = await self._http.get(f"/sandbox/chats/{chat_id}/messages")
        response.raise_for_status()
        result: list[dict[str, Any]] = response.json()
        return result

    async def calls(self, since: int = 0) -> list[dict[str, Any]]:
        """Every Bot API call the sandbox received after `since`."""
        response = await self._http.get("/sandbox/calls", params={"since": since})
        response.raise_for_status()
        result: list[dict[str, Any]] = response.json()
        return result

    async def block(self, user_id: int) -> None:
        """The subscriber blocks the bot."""
        await self._post(f"/sandbox/users/{user_id}/block")

    async def unblock(self, user_id: int) -> None:
        """The subscriber unblocks the bot."""
        await self._post(f"/sandbox/users/{user_id}/unblock")

    async def wait_for_messages(self, chat_id: int, count: int) -> list[dict[str, Any]]:
        """Wait until the chat holds at least `count` bot messages and return them."""
        return await wait_until(
            lambda: self.messages(chat_id), lambda messages: len(messages) >= count
        )

    async def wait_for_call(
        self, method: str, predicate: Callable[[dict[str, Any]], bool] = lambda _: True
    ) -> dict[str, Any]:
        """Wait until a Bot API call of `method` matching `predicate` was received."""
        calls = await wait_until(
            self.calls,
            lambda calls: any(c["method"] == method and predicate(c) for c in calls),
        )
        return next(c for c in calls if c["method"] == method and predicate(c))


async def wait_until(
    fetch: Callable[[], Awaitable[T]],
    done: Callable[[T], bool],
    limit: float = WAIT_LIMIT_SECONDS,
) -> T:
    """Fetch until `done` holds: waiting for the bot to react, never for time to pass.

    The limit only turns a bot that never reacts into a failure instead of a hang.
    """
    deadline = asyncio.get_running_loop().time() + limit
    while True:
        value = await fetch()
        if done(value):
            return value
        if asyncio.get_running_loop().time() > deadline:
            last = repr(value)
            if len(last) > 2000:
                last = f"{last[:2000]}... ({len(last)} characters)"
            raise AssertionError(f"the sandbox never reached the expected state; last: {last}")
        await asyncio.sleep(POLL_EVERY_SECONDS)


def button_data(message: dict[str, Any]) -> list[str]:
    """The callback data of every inline button of a message, in order."""
    markup = message.get("reply_markup") or {}
    return [b["callback_data"] for row in markup.get("inline_keyboard", []) for b in row]


def button_labels(message: dict[str, Any]) -> list[str]:
    """The text of every inline button of a message, in order."""
    markup = message.get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]
