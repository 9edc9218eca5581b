"""The terminal chat: a subscriber types, sees the bot's messages, presses numbered buttons."""

from __future__ import annotations

import asyncio
import io
import os
import threading
from typing import Any

from nudgebot.sandbox import SandboxServer, run_terminal_chat
from nudgebot.sandbox.terminal_render import render_message, render_text
from tests.sandbox.sandbox_clients import BotApiClient, ControlClient


class WatchedOutput(io.StringIO):
    """A StringIO the test can await: it wakes waiters on every write."""

    def __init__(self) -> None:
        super().__init__()
        self._written = asyncio.Event()

    def write(self, text: str) -> int:
        written = super().write(text)
        self._written.set()
        return written

    async def wait_for(self, fragment: str, seconds: float = 5.0) -> None:
        """Return once `fragment` has been written."""
        async with asyncio.timeout(seconds):
            while fragment not in self.getvalue():
                self._written.clear()
                await self._written.wait()


async def _next_update(bot: BotApiClient, offset: int) -> dict[str, Any]:
    async with asyncio.timeout(5):
        (update,) = await bot.result("getUpdates", offset=offset, timeout=5)
    return dict(update)


async def test_chat_shows_bot_messages_and_presses_buttons_by_number(
    server: SandboxServer, bot: BotApiClient, control: ControlClient
) -> None:
    """Typed text reaches the bot, its buttons show numbered, and '1' presses the first."""
    read_end, write_end = os.pipe()
    typed = os.fdopen(write_end, "w")
    keyboard_input = os.fdopen(read_end, "r")
    screen = WatchedOutput()
    chat = asyncio.create_task(
        run_terminal_chat(
            server.base_url,
            user_id=7,
            first_name="Ada",
            input_stream=keyboard_input,
            output=screen,
        )
    )
    try:
        await screen.wait_for("/quit")
        typed.write("hello bot\n")
        typed.flush()
        greeting = await _next_update(bot, 0)
        keyboard = {
            "inline_keyboard": [
                [
                    {"text": "Did it", "callback_data": "did:1"},
                    {"text": "Later", "callback_data": "l"},
                ],
                [{"text": "Not for me", "callback_data": "no"}],
            ]
        }
        sent = await bot.result(
            "sendMessage",
            chat_id=7,
            text="<b>Tip</b>: drink water &amp; breathe",
            parse_mode="HTML",
            reply_markup=keyboard,
        )
        await screen.wait_for("bot: Tip: drink water")

        typed.write("1\n")
        typed.flush()
        press = await _next_update(bot, greeting["update_id"] + 1)
        query = press["callback_query"]
        await bot.result("answerCallbackQuery", callback_query_id=query["id"], text="Noted!")
        await bot.result(
            "editMessageText", chat_id=7, message_id=sent["message_id"], text="Tip: done"
        )
        await screen.wait_for("bot (edited): Tip: done")
        await screen.wait_for("(bot notice: Noted!)")
        typed.write("/quit\n")
        typed.flush()
        async with asyncio.timeout(5):
            await chat
    finally:
        typed.close()
        for thread in threading.enumerate():
            if thread.name == "sandbox-chat-input":
                thread.join(timeout=5)
        keyboard_input.close()

    assert greeting["message"]["text"] == "hello bot"
    assert greeting["message"]["from"]["first_name"] == "Ada"
    assert query["data"] == "did:1"
    assert query["message"]["message_id"] == sent["message_id"]
    shown = screen.getvalue()
    assert "bot: Tip: drink water & breathe" in shown
    assert "\n     [1] Did it  [2] Later\n     [3] Not for me\n" in shown
    assert shown.count("bot: Tip: drink water") == 1
    assert "\x1b[" not in shown


async def test_chat_ends_at_end_of_input(server: SandboxServer) -> None:
    """End of input ends the chat like /quit."""
    screen = WatchedOutput()

    async with asyncio.timeout(5):
        await run_terminal_chat(server.base_url, input_stream=io.StringIO(""), output=screen)

    assert "type a number" in screen.getvalue().lower()


async def test_typed_messages_become_updates_with_the_users_language(
    server: SandboxServer, bot: BotApiClient
) -> None:
    """Each typed line is a message update from the chat's user, with their language."""
    async with asyncio.timeout(5):
        await run_terminal_chat(
            server.base_url,
            user_id=9,
            language_code="de",
            input_stream=io.StringIO("/start\nhallo\n"),
            output=WatchedOutput(),
        )

    updates = await bot.result("getUpdates")
    assert [u["message"]["text"] for u in updates] == ["/start", "hallo"]
    assert {u["message"]["from"]["language_code"] for u in updates} == {"de"}


def test_rendering_uses_ansi_only_for_terminals() -> None:
    """Bold becomes an ANSI style when coloured and plain text otherwise; links show their URL."""
    entities = [
        {"type": "bold", "offset": 0, "length": 4},
        {"type": "text_link", "offset": 5, "length": 3, "url": "https://example.org"},
    ]

    coloured = render_text("Bold why", entities, color=True)
    plain = render_text("Bold why", entities, color=False)

    assert coloured.startswith("\x1b[1mBold\x1b[0m")
    assert plain == "Bold why (https://example.org)"


def test_media_are_shown_as_one_line_summaries() -> None:
    """Photos show their size and weight, documents their name."""
    photo = {
        "photo": [{"file_id": "p", "width": 800, "height": 600, "file_size": 12_000}],
        "caption": "Your week",
        "entities": [],
    }
    document = {"document": {"file_name": "export.csv", "file_size": 300}}

    photo_text, _ = render_message(photo, color=False)
    document_text, _ = render_message(document, color=False)

    assert photo_text == "bot: [photo 800x600, 12 KB]\n     Your week"
    assert document_text == "bot: [document export.csv, 1 KB]"
