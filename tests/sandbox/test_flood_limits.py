"""Telegram's flood limits: a per-chat burst then 1/s, a global ceiling, 429 with retry_after."""

from __future__ import annotations

import pytest

from nudgebot.sandbox.errors import BotApiError
from nudgebot.sandbox.flood_limits import CHAT_BURST, FloodLimiter
from tests.sandbox.sandbox_clients import BotApiClient, ControlClient


def _admit(limiter: FloodLimiter, chat_id: int, now: float, *, paid: bool = False) -> None:
    limiter.admit(chat_id, now=now, global_per_second=30, per_chat_per_second=1, paid=paid)


def test_a_chat_gets_a_burst_of_three_then_waits() -> None:
    """Three sends to one chat pass at once; the fourth is refused with retry_after 1."""
    limiter = FloodLimiter()
    for _ in range(CHAT_BURST):
        _admit(limiter, 5, now=100.0)

    with pytest.raises(BotApiError) as refused:
        _admit(limiter, 5, now=100.0)

    assert refused.value.status == 429
    assert refused.value.retry_after == 1
    assert refused.value.description == "Too Many Requests: retry after 1"


def test_a_chat_regains_one_send_per_second() -> None:
    """After a burst, the chat may send again once a second has passed."""
    limiter = FloodLimiter()
    for _ in range(CHAT_BURST):
        _admit(limiter, 5, now=100.0)

    _admit(limiter, 5, now=101.0)

    with pytest.raises(BotApiError):
        _admit(limiter, 5, now=101.5)


def test_retry_after_rounds_the_wait_up_to_whole_seconds() -> None:
    """With a slow per-chat rate, retry_after is the wait for the next send, rounded up."""
    limiter = FloodLimiter()
    for _ in range(CHAT_BURST):
        limiter.admit(5, now=0.0, global_per_second=30, per_chat_per_second=0.25)

    with pytest.raises(BotApiError) as refused:
        limiter.admit(5, now=0.5, global_per_second=30, per_chat_per_second=0.25)

    assert refused.value.retry_after == 4


def test_refused_sends_use_up_nothing() -> None:
    """A refused request does not count against the chat."""
    limiter = FloodLimiter()
    for _ in range(CHAT_BURST):
        _admit(limiter, 5, now=0.0)
    for _ in range(10):
        with pytest.raises(BotApiError):
            _admit(limiter, 5, now=0.1)

    _admit(limiter, 5, now=1.0)


def test_global_ceiling_counts_all_chats_in_a_rolling_second() -> None:
    """At most global_per_second sends pass in any second, across chats."""
    limiter = FloodLimiter()
    for chat_id in range(1, 31):
        _admit(limiter, chat_id, now=10.0)

    with pytest.raises(BotApiError) as refused:
        _admit(limiter, 31, now=10.5)
    _admit(limiter, 31, now=11.0)

    assert refused.value.retry_after == 1


def test_paid_broadcast_raises_the_global_ceiling() -> None:
    """allow_paid_broadcast lifts the global ceiling to 1000 per second."""
    limiter = FloodLimiter()
    for chat_id in range(1, 31):
        _admit(limiter, chat_id, now=10.0)

    _admit(limiter, 31, now=10.0, paid=True)


async def test_sends_over_the_chat_limit_get_429_with_retry_after(
    bot: BotApiClient, control: ControlClient
) -> None:
    """With limits on, the fourth quick send to one chat is a 429 carrying retry_after."""
    await control.configure(limits=True)
    for number in range(CHAT_BURST):
        await bot.result("sendMessage", chat_id=5, text=f"tip {number}")

    response = await bot.call("sendMessage", {"chat_id": 5, "text": "one too many"})

    assert response.status_code == 429
    body = response.json()
    assert body["description"] == "Too Many Requests: retry after 1"
    assert body["parameters"] == {"retry_after": 1}
    assert len(await control.messages(5)) == CHAT_BURST


async def test_sends_under_the_limits_all_pass(bot: BotApiClient, control: ControlClient) -> None:
    """With limits on, a burst per chat across many chats stays within the limits."""
    await control.configure(limits=True)

    statuses = [
        (await bot.call("sendMessage", {"chat_id": chat_id, "text": "hi"})).status_code
        for chat_id in range(1, 10)
        for _ in range(CHAT_BURST)
    ]

    assert set(statuses) == {200}


async def test_edits_count_but_other_methods_do_not(
    bot: BotApiClient, control: ControlClient
) -> None:
    """Editing counts toward a chat's limit; chat actions and reads do not."""
    await control.configure(limits=True)
    sent = await bot.result("sendMessage", chat_id=5, text="v0")
    for _ in range(5):
        await bot.result("sendChatAction", chat_id=5, action="typing")
        await bot.result("getMe")
    await bot.result("editMessageText", chat_id=5, message_id=sent["message_id"], text="v1")
    await bot.result("editMessageText", chat_id=5, message_id=sent["message_id"], text="v2")

    status, _ = await bot.refusal(
        "editMessageText", chat_id=5, message_id=sent["message_id"], text="v3"
    )

    assert status == 429


async def test_global_limit_over_http_and_paid_broadcast(
    bot: BotApiClient, control: ControlClient
) -> None:
    """A low global ceiling refuses the next chat's send unless it is a paid broadcast."""
    await control.configure(limits=True, global_per_second=3, per_chat_per_second=100)
    for chat_id in (1, 2, 3):
        await bot.result("sendMessage", chat_id=chat_id, text="hi")

    refused = await bot.call("sendMessage", {"chat_id": 4, "text": "hi"})
    paid = await bot.call(
        "sendMessage", {"chat_id": 4, "text": "hi", "allow_paid_broadcast": True}
    )

    assert refused.status_code == 429
    assert paid.status_code == 200


async def test_limits_are_off_by_default(bot: BotApiClient) -> None:
    """Without limits, any number of quick sends to one chat pass."""
    statuses = {
        (await bot.call("sendMessage", {"chat_id": 5, "text": "hi"})).status_code
        for _ in range(10)
    }

    assert statuses == {200}
