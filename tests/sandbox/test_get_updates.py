"""getUpdates: long polling, offsets, limits, filters and the one-poller rule."""

from __future__ import annotations

import asyncio
import contextlib

import httpx

from nudgebot.sandbox import SandboxServer
from tests.sandbox.sandbox_clients import TOKEN, BotApiClient, ControlClient
from tests.sandbox.sync_points import wait_until


async def test_pending_updates_are_returned_at_once(
    bot: BotApiClient, control: ControlClient
) -> None:
    """With updates waiting, getUpdates answers immediately even with a long timeout."""
    await control.say(5, "hello")

    async with asyncio.timeout(5):
        updates = await bot.result("getUpdates", timeout=30)

    assert [u["message"]["text"] for u in updates] == ["hello"]


async def test_long_poll_returns_as_soon_as_an_update_arrives(
    server: SandboxServer, bot: BotApiClient, control: ControlClient
) -> None:
    """A waiting getUpdates is answered when a subscriber writes, not at its timeout."""
    poll = asyncio.create_task(bot.result("getUpdates", timeout=30))
    await wait_until(lambda: server.state.updates.is_polling(TOKEN))

    await control.say(5, "are you there?")

    async with asyncio.timeout(5):
        updates = await poll
    assert [u["message"]["text"] for u in updates] == ["are you there?"]


async def test_empty_long_poll_returns_nothing_after_its_timeout(bot: BotApiClient) -> None:
    """With nothing to deliver, getUpdates answers an empty list once its timeout ends."""
    async with asyncio.timeout(5):
        updates = await bot.result("getUpdates", timeout=1)

    assert updates == []


async def test_offset_confirms_earlier_updates(bot: BotApiClient, control: ControlClient) -> None:
    """Updates stay until getUpdates is called with an offset above their id."""
    first = await control.say(5, "one")
    await control.say(5, "two")

    again = await bot.result("getUpdates")
    after_confirming = await bot.result("getUpdates", offset=first["update_id"] + 1)

    assert [u["message"]["text"] for u in again] == ["one", "two"]
    assert [u["message"]["text"] for u in after_confirming] == ["two"]
    assert [u["message"]["text"] for u in await bot.result("getUpdates")] == ["two"]


async def test_negative_offset_keeps_only_the_latest_updates(
    bot: BotApiClient, control: ControlClient
) -> None:
    """offset=-N keeps the last N updates and forgets the earlier ones."""
    for text in ("a", "b", "c"):
        await control.say(5, text)

    latest = await bot.result("getUpdates", offset=-1)

    assert [u["message"]["text"] for u in latest] == ["c"]
    assert [u["message"]["text"] for u in await bot.result("getUpdates")] == ["c"]


async def test_limit_caps_the_batch(bot: BotApiClient, control: ControlClient) -> None:
    """limit returns at most that many updates, oldest first."""
    for text in ("a", "b", "c"):
        await control.say(5, text)

    batch = await bot.result("getUpdates", limit=2)

    assert [u["message"]["text"] for u in batch] == ["a", "b"]


async def test_allowed_updates_filters_and_is_remembered(
    bot: BotApiClient, control: ControlClient
) -> None:
    """allowed_updates limits the update types, and later calls without it keep the filter."""
    sent = await bot.result("sendMessage", chat_id=5, text="Tip")
    await control.say(5, "a message")
    await control.press(5, sent["message_id"], "did")

    filtered = await bot.result("getUpdates", allowed_updates=["callback_query"])
    await control.say(5, "another message")
    later = await bot.result("getUpdates")

    assert [set(u) - {"update_id"} for u in filtered] == [{"callback_query"}]
    assert [set(u) - {"update_id"} for u in later] == [{"callback_query"}]


async def test_a_second_poller_ends_the_first_with_conflict(
    server: SandboxServer, bot: BotApiClient, control: ControlClient
) -> None:
    """A new getUpdates for the same token ends the waiting one with 409 Conflict."""
    first = asyncio.create_task(bot.call("getUpdates", {"timeout": 30}))
    await wait_until(lambda: server.state.updates.is_polling(TOKEN))

    second = asyncio.create_task(bot.call("getUpdates", {"timeout": 30}))
    async with asyncio.timeout(5):
        ended = await first
    await wait_until(lambda: server.state.updates.is_polling(TOKEN))
    await control.say(5, "for the newer poller")
    async with asyncio.timeout(5):
        answered = await second

    assert ended.status_code == 409
    assert ended.json()["description"] == (
        "Conflict: terminated by other getUpdates request; "
        "make sure that only one bot instance is running"
    )
    assert answered.status_code == 200
    assert [u["message"]["text"] for u in answered.json()["result"]] == ["for the newer poller"]


async def test_stopping_the_server_ends_a_waiting_poll(
    server: SandboxServer, bot: BotApiClient
) -> None:
    """stop() wakes a pending long poll instead of waiting out its timeout."""
    poll = asyncio.create_task(bot.call("getUpdates", {"timeout": 30}))
    await wait_until(lambda: server.state.updates.is_polling(TOKEN))

    async with asyncio.timeout(5):
        await server.stop()
        response = await poll

    assert response.status_code == 200
    assert response.json()["result"] == []


async def test_command_messages_carry_a_bot_command_entity(
    bot: BotApiClient, control: ControlClient
) -> None:
    """Text starting with /command gets a bot_command entity covering the command."""
    await control.say(5, "/start@sandbox123_bot welcome", first_name="Ada", language_code="de")

    (update,) = await bot.result("getUpdates")

    message = update["message"]
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 21}]
    assert message["from"] == {
        "id": 5,
        "is_bot": False,
        "first_name": "Ada",
        "language_code": "de",
    }
    assert message["chat"] == {"id": 5, "type": "private", "first_name": "Ada"}
    assert isinstance(message["date"], int)


async def test_plain_text_has_no_entities(bot: BotApiClient, control: ControlClient) -> None:
    """A message that does not start with a command carries no entities."""
    await control.say(5, "just saying /start")

    (update,) = await bot.result("getUpdates")

    assert "entities" not in update["message"]


async def test_update_ids_increase_and_message_ids_count_per_chat(
    bot: BotApiClient, control: ControlClient
) -> None:
    """Update ids increase globally; message ids count up within each chat."""
    a = await control.say(5, "a")
    b = await control.say(6, "b")
    c = await control.say(5, "c")

    assert a["update_id"] < b["update_id"] < c["update_id"]
    assert (a["message_id"], b["message_id"], c["message_id"]) == (1, 1, 2)


async def test_a_poll_whose_client_hangs_up_is_released(server: SandboxServer) -> None:
    """When the poller disconnects, its getUpdates stops waiting and frees the token."""
    async with httpx.AsyncClient(base_url=server.base_url) as http:
        poll = asyncio.create_task(http.post(f"/bot{TOKEN}/getUpdates", data={"timeout": "30"}))
        await wait_until(lambda: server.state.updates.is_polling(TOKEN))
        poll.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await poll

    await wait_until(lambda: not server.state.updates.is_polling(TOKEN))
