"""End to end: python-telegram-bot 22 talks to the sandbox as it would to Telegram."""

from __future__ import annotations

import asyncio

import pytest
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.error import BadRequest, Forbidden, RetryAfter

from nudgebot.sandbox import SandboxServer
from tests.sandbox.png_images import png_bytes
from tests.sandbox.sandbox_clients import ControlClient


async def test_python_telegram_bot_works_against_the_sandbox(
    server: SandboxServer, control: ControlClient
) -> None:
    """A real PTB Bot can send, edit, upload, set commands and receive a button press."""
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Did it", callback_data="did"),
                InlineKeyboardButton("Later", callback_data="later"),
            ]
        ]
    )
    chart = png_bytes(64, 48)

    async with Bot(token="123:abc", base_url=server.bot_api_url) as bot:
        me = await bot.get_me()
        sent = await bot.send_message(5, "<b>hi</b> 🌱", parse_mode="HTML", reply_markup=keyboard)
        edited = await bot.edit_message_text(
            "<i>hi again</i>",
            chat_id=5,
            message_id=sent.message_id,
            parse_mode="HTML",
            reply_markup=keyboard,
        )
        photo = await bot.send_photo(5, chart, caption="Your week")
        commands_set = await bot.set_my_commands([BotCommand("start", "Start the nudges")])
        commands = await bot.get_my_commands()
        await control.press(5, sent.message_id, "did")
        async with asyncio.timeout(5):
            updates = await bot.get_updates(timeout=5)

    assert me.id == 123
    assert me.is_bot
    assert sent.text == "hi 🌱"
    assert sent.entities[0].type == "bold"
    assert sent.reply_markup == keyboard
    assert isinstance(edited, Message)
    assert edited.text == "hi again"
    assert edited.edit_date is not None
    assert (photo.photo[-1].width, photo.photo[-1].height) == (64, 48)
    assert photo.caption == "Your week"
    assert commands_set is True
    assert [c.command for c in commands] == ["start"]
    (update,) = updates
    assert isinstance(update, Update)
    assert update.callback_query is not None
    assert update.callback_query.data == "did"
    assert update.callback_query.message is not None
    assert update.callback_query.message.message_id == sent.message_id


async def test_refusals_map_to_python_telegram_bot_errors(
    server: SandboxServer, control: ControlClient
) -> None:
    """The sandbox's error envelopes raise PTB's BadRequest, Forbidden and RetryAfter."""
    await control.configure(limits=True)
    await control.http.post("/sandbox/users/6/block")

    async with Bot(token="123:abc", base_url=server.bot_api_url) as bot:
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
            await bot.send_message(5, "<b>open", parse_mode="HTML")
        with pytest.raises(Forbidden, match="blocked"):
            await bot.send_message(6, "hello?")
        for _ in range(3):
            await bot.send_message(5, "within the burst")
        with pytest.raises(RetryAfter):
            await bot.send_message(5, "one too many")
