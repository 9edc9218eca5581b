"""Injected faults: errors, hangs and dropped connections, reproducible from a seed."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from nudgebot.sandbox import SandboxServer
from tests.sandbox.sandbox_clients import BotApiClient, ControlClient
from tests.sandbox.sync_points import wait_until


async def _statuses(bot: BotApiClient, count: int) -> list[int]:
    return [(await bot.call("getMe")).status_code for _ in range(count)]


async def test_same_seed_gives_the_same_faults(bot: BotApiClient, control: ControlClient) -> None:
    """Setting the same seed again replays the same sequence of answers."""
    await control.configure(error_rate=0.4, seed=7)
    first = await _statuses(bot, 30)

    await control.configure(seed=7)
    second = await _statuses(bot, 30)

    assert first == second
    assert {200} < set(first) <= {200, 500, 502}


async def test_other_seed_gives_other_faults(bot: BotApiClient, control: ControlClient) -> None:
    """A different seed gives a different sequence."""
    await control.configure(error_rate=0.4, seed=7)
    first = await _statuses(bot, 30)

    await control.configure(seed=8)
    second = await _statuses(bot, 30)

    assert first != second


async def test_injected_error_is_a_json_5xx_and_sends_nothing(
    bot: BotApiClient, control: ControlClient
) -> None:
    """An injected error answers 500 or 502 in Telegram's envelope without running the method."""
    await control.configure(error_rate=1.0, seed=1)

    response = await bot.call("sendMessage", {"chat_id": 5, "text": "lost"})

    assert response.status_code in {500, 502}
    assert response.json()["error_code"] == response.status_code
    await control.configure(error_rate=0.0)
    assert await control.messages(5) == []


async def test_control_api_is_never_faulted(control: ControlClient) -> None:
    """Faults apply to Bot API requests only."""
    await control.configure(error_rate=1.0, seed=1)

    for _ in range(5):
        await control.say(5, "still works")


async def test_dropped_connection_gets_no_answer(
    bot: BotApiClient, control: ControlClient
) -> None:
    """A dropped request sees its connection closed; the call log shows no status."""
    await control.configure(drop_rate=1.0, seed=1)

    with pytest.raises(httpx.RemoteProtocolError):
        await bot.call("sendMessage", {"chat_id": 5, "text": "maybe"})

    await control.configure(drop_rate=0.0)
    (call,) = await control.calls()
    assert call["status"] is None
    assert "dropped" in call["description"]


async def test_hung_request_is_never_answered_until_the_server_stops(
    server: SandboxServer, bot: BotApiClient, control: ControlClient
) -> None:
    """A request hit by timeout_rate hangs without an answer; stopping the server cuts it."""
    await control.configure(timeout_rate=1.0, seed=1)
    hanging = asyncio.create_task(bot.call("sendMessage", {"chat_id": 5, "text": "limbo"}))
    await wait_until(lambda: bool(server.state.calls.since(0)))

    assert not hanging.done()
    async with asyncio.timeout(5):
        await server.stop()
        with pytest.raises(httpx.RemoteProtocolError):
            await hanging


async def test_bad_config_values_are_refused(http: httpx.AsyncClient) -> None:
    """Rates outside 0-1, wrong types and unknown fields get a 400 naming the field."""
    for change, field in [
        ({"error_rate": 1.5}, "error_rate"),
        ({"limits": "yes"}, "limits"),
        ({"seed": "x"}, "seed"),
        ({"per_chat_per_second": 0}, "per_chat_per_second"),
        ({"speed": 1}, "speed"),
        ({"error_rate": 0.6, "drop_rate": 0.6}, "drop_rate"),
    ]:
        response = await http.post("/sandbox/config", json=change)
        assert response.status_code == 400, change
        assert field in response.json()["error"]


async def test_config_reads_back_in_full(http: httpx.AsyncClient) -> None:
    """POST /sandbox/config returns the whole config; GET reads the same."""
    posted = (await http.post("/sandbox/config", json={"limits": True, "seed": 3})).json()

    read = (await http.get("/sandbox/config")).json()

    assert posted == read
    assert read == {
        "limits": True,
        "global_per_second": 30.0,
        "per_chat_per_second": 1.0,
        "error_rate": 0.0,
        "timeout_rate": 0.0,
        "drop_rate": 0.0,
        "seed": 3,
    }
