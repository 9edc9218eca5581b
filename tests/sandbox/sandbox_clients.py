"""Thin HTTP clients for the sandbox's two faces, as a bot and a test script would use them."""

from __future__ import annotations

import json
from typing import Any

import httpx

TOKEN = "123:abc"


class BotApiClient:
    """Raw Bot API calls, encoded the ways real bots encode them."""

    def __init__(self, http: httpx.AsyncClient, token: str = TOKEN) -> None:
        self.http = http
        self.token = token

    async def call(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        encoding: str = "json",
        files: dict[str, tuple[str, bytes, str]] | None = None,
        token: str | None = None,
    ) -> httpx.Response:
        """Send one request; `encoding` is json, form (PTB's style), query or multipart."""
        url = f"/bot{token or self.token}/{method}"
        params = params or {}
        if encoding == "json":
            return await self.http.post(url, json=params)
        as_strings = {k: v if isinstance(v, str) else json.dumps(v) for k, v in params.items()}
        if encoding == "query":
            return await self.http.get(url, params=as_strings)
        if encoding == "multipart":
            return await self.http.post(url, data=as_strings, files=files or {})
        return await self.http.post(url, data=as_strings)

    async def result(self, method: str, **params: Any) -> Any:
        """The `result` of a call that must succeed."""
        response = await self.call(method, params)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["ok"] is True
        return body["result"]

    async def refusal(self, method: str, **params: Any) -> tuple[int, str]:
        """The status and description of a call that must be refused."""
        response = await self.call(method, params)
        body = response.json()
        assert body["ok"] is False, body
        assert body["error_code"] == response.status_code
        return response.status_code, body["description"]


class ControlClient:
    """The control API, as tests and scripts drive it."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def say(self, user_id: int, text: str, **extra: Any) -> dict[str, Any]:
        """A subscriber writes to the bot."""
        payload = {"user_id": user_id, "text": text, **extra}
        response = await self.http.post("/sandbox/updates/message", json=payload)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    async def press(self, user_id: int, message_id: int, data: str) -> httpx.Response:
        """A subscriber presses a button."""
        payload = {"user_id": user_id, "message_id": message_id, "data": data}
        return await self.http.post("/sandbox/updates/callback", json=payload)

    async def messages(self, chat_id: int) -> list[dict[str, Any]]:
        """The bot's messages in a chat as they stand now."""
        response = await self.http.get(f"/sandbox/chats/{chat_id}/messages")
        assert response.status_code == 200, response.text
        result: list[dict[str, Any]] = response.json()
        return result

    async def calls(self, since: int = 0) -> list[dict[str, Any]]:
        """Bot API calls answered after `since`."""
        response = await self.http.get("/sandbox/calls", params={"since": since})
        assert response.status_code == 200, response.text
        result: list[dict[str, Any]] = response.json()
        return result

    async def configure(self, **changes: Any) -> dict[str, Any]:
        """Change flood limits or faults."""
        response = await self.http.post("/sandbox/config", json=changes)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result
