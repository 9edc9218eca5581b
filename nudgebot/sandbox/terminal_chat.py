"""A chat with the bot in the terminal, as one subscriber, through the control API."""

from __future__ import annotations

import asyncio
import contextlib
import sys
import threading
from typing import Any, TextIO

import httpx

from nudgebot.sandbox.terminal_render import Button, render_message

POLL_SECONDS = 0.2
_BANNER = """\
nudgebot sandbox chat: you are user {user_id} ("{first_name}").
Type a message or a /command and press Enter.
The bot's buttons are shown numbered, like: [1] Did it  [2] Later  [3] Not for me
Type a number alone to press that button (numbers refer to the latest listing).
/quit or end of input (Ctrl-D) ends the chat.
"""


async def run_terminal_chat(
    base_url: str,
    *,
    user_id: int = 1,
    first_name: str = "You",
    language_code: str = "en",
    input_stream: TextIO | None = None,
    output: TextIO | None = None,
) -> None:
    """Chat as subscriber `user_id` with whatever bot polls the sandbox at `base_url`."""
    source = input_stream if input_stream is not None else sys.stdin
    sink = output if output is not None else sys.stdout
    async with httpx.AsyncClient(base_url=base_url, timeout=10.0) as client:
        chat = _TerminalChat(client, sink, user_id, first_name, language_code)
        await chat.run(source)


class _TerminalChat:
    def __init__(
        self,
        client: httpx.AsyncClient,
        sink: TextIO,
        user_id: int,
        first_name: str,
        language_code: str,
    ) -> None:
        self._client = client
        self._sink = sink
        self._color = bool(getattr(sink, "isatty", lambda: False)())
        self._user_id = user_id
        self._first_name = first_name
        self._language_code = language_code
        self._seen: dict[int, tuple[Any, ...]] = {}
        self._buttons: list[Button] = []
        self._buttons_message_id: int | None = None
        self._last_call = 0
        self._unreachable = False

    async def run(self, source: TextIO) -> None:
        self._say(_BANNER.format(user_id=self._user_id, first_name=self._first_name))
        with contextlib.suppress(httpx.HTTPError):
            calls = (await self._client.get("/sandbox/calls")).json()
            self._last_call = max((call["seq"] for call in calls), default=0)
            await self._refresh()  # the chat so far, before anything is typed
        lines: asyncio.Queue[str | None] = asyncio.Queue()
        _start_reader(source, asyncio.get_running_loop(), lines)
        watcher = asyncio.create_task(self._watch())
        try:
            while (line := await lines.get()) is not None:
                entry = line.strip()
                if entry == "/quit":
                    break
                if entry:
                    await self._act(entry)
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
        with contextlib.suppress(httpx.HTTPError):
            await self._refresh()  # whatever arrived since the last look

    async def _act(self, entry: str) -> None:
        try:
            if entry.isdigit() and self._buttons:
                await self._press(int(entry))
            else:
                await self._send(entry)
        except httpx.HTTPError as error:
            self._say(f"(could not reach the sandbox: {error})")

    async def _send(self, text: str) -> None:
        payload = {
            "user_id": self._user_id,
            "text": text,
            "first_name": self._first_name,
            "language_code": self._language_code,
        }
        response = await self._client.post("/sandbox/updates/message", json=payload)
        response.raise_for_status()

    async def _press(self, number: int) -> None:
        if not 1 <= number <= len(self._buttons):
            self._say(f"(there is no button [{number}] in the latest listing)")
            return
        button = self._buttons[number - 1]
        if button.kind == "reply":
            await self._send(button.value)
        elif button.kind == "url":
            self._say(f"(that button opens {button.value})")
        elif button.kind == "callback":
            payload = {
                "user_id": self._user_id,
                "message_id": self._buttons_message_id,
                "data": button.value,
            }
            response = await self._client.post("/sandbox/updates/callback", json=payload)
            response.raise_for_status()
            self._say(f"(you pressed [{number}] {button.label})")
        else:
            self._say("(that kind of button cannot be pressed in the terminal)")

    async def _watch(self) -> None:
        while True:
            try:
                await self._refresh()
                self._unreachable = False
            except httpx.HTTPError as error:
                if not self._unreachable:
                    self._say(f"(could not reach the sandbox: {error})")
                self._unreachable = True
            await asyncio.sleep(POLL_SECONDS)

    async def _refresh(self) -> None:
        response = await self._client.get(f"/sandbox/chats/{self._user_id}/messages")
        response.raise_for_status()
        for message in response.json():
            self._show_if_new(message)
        calls = await self._client.get("/sandbox/calls", params={"since": self._last_call})
        calls.raise_for_status()
        for call in calls.json():
            self._last_call = max(self._last_call, call["seq"])
            self._show_notice(call)

    def _show_if_new(self, message: dict[str, Any]) -> None:
        message_id = message["message_id"]
        signature = (
            message.get("edit_date"),
            message.get("text"),
            message.get("caption"),
            repr(message.get("reply_markup")),
        )
        if self._seen.get(message_id) == signature:
            return
        self._seen[message_id] = signature
        rendered, buttons = render_message(message, color=self._color)
        if buttons:
            self._buttons, self._buttons_message_id = buttons, message_id
        elif message_id == self._buttons_message_id:
            self._buttons, self._buttons_message_id = [], None
        self._say(rendered)

    def _show_notice(self, call: dict[str, Any]) -> None:
        params = call.get("params") or {}
        if call.get("method") == "answerCallbackQuery" and call.get("status") == 200:
            text = params.get("text")
            if text:
                self._say(f"(bot notice: {text})")

    def _say(self, text: str) -> None:
        self._sink.write(text.rstrip("\n") + "\n")
        self._sink.flush()


def _start_reader(
    source: TextIO, loop: asyncio.AbstractEventLoop, lines: asyncio.Queue[str | None]
) -> None:
    # A daemon thread, not the loop's executor: a readline still blocked on the terminal
    # when the chat ends must not keep the process alive.
    def read() -> None:
        try:
            for line in iter(source.readline, ""):
                loop.call_soon_threadsafe(lines.put_nowait, line)
        finally:
            with contextlib.suppress(RuntimeError):  # the loop may be closed already
                loop.call_soon_threadsafe(lines.put_nowait, None)

    threading.Thread(target=read, name="sandbox-chat-input", daemon=True).start()
