"""/progress through the real bot, over HTTP, against the sandbox."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from nudgebot.app import NudgeBot
from nudgebot.sandbox import SandboxServer
from nudgebot.sandbox.images import image_size
from tests.clock import ManualClock
from tests.e2e.onboarding_steps import subscribe as onboard
from tests.e2e.sandbox_client import SandboxClient, button_data, wait_until

ADA = 1001
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
EVENING = datetime(2026, 6, 1, 17, 30, tzinfo=UTC)  # 19:30 in Berlin: the wellbeing check-in


async def subscribe(client: SandboxClient, language: str = "en") -> dict[str, Any]:
    """/start and the setup questions, each skipped; returns the first tip once it arrived."""
    return await onboard(client, ADA, language_code=language)


async def press_and_wait(client: SandboxClient, message: dict[str, Any], button: int) -> None:
    """Press a button under `message` and wait until the bot has edited it to show the choice."""
    await client.press(ADA, message["message_id"], button_data(message)[button])
    await wait_until(
        lambda: client.messages(ADA),
        lambda m: any(x["message_id"] == message["message_id"] and x["edited"] for x in m),
    )


async def answer_the_day(
    bot: NudgeBot, client: SandboxClient, clock: ManualClock, tip: dict[str, Any]
) -> None:
    """Press "Did it" under the tip, then give a mood of 4 in the evening check-in."""
    await press_and_wait(client, tip, 0)
    before = len(await client.messages(ADA))
    clock.now = EVENING
    await bot.tick()
    checkin = (await client.wait_for_messages(ADA, before + 1))[before]
    await press_and_wait(client, checkin, 3)


async def reply_to(client: SandboxClient, text: str) -> dict[str, Any]:
    """Send `text` and return the bot's next message."""
    before = len(await client.messages(ADA))
    await client.say(ADA, text)
    return (await client.wait_for_messages(ADA, before + 1))[before]


async def photo_bytes(sandbox: SandboxServer, message: dict[str, Any]) -> bytes:
    """The uploaded image of a photo message, as the sandbox stored it."""
    [photo] = message["photo"]
    async with httpx.AsyncClient(base_url=sandbox.base_url) as http:
        response = await http.get(f"/sandbox/files/{photo['file_id']}")
    response.raise_for_status()
    return response.content


async def test_progress_before_any_answer_is_a_friendly_not_yet(
    bot: NudgeBot, client: SandboxClient
) -> None:
    """With nothing answered there is no chart, just a kind word on how it will fill in."""
    await subscribe(client)

    reply = await reply_to(client, "/progress")

    assert reply["photo"] is None
    assert reply["text"].startswith("🌱 Nothing to chart yet.")


async def test_progress_after_an_answered_day_sends_the_chart_with_a_summary(
    bot: NudgeBot, client: SandboxClient, clock: ManualClock, sandbox: SandboxServer
) -> None:
    """After a tip done and a check-in, /progress sends a real PNG with a short caption."""
    tip = await subscribe(client)
    await answer_the_day(bot, client, clock, tip)

    chart = await reply_to(client, "/progress")

    png = await photo_bytes(sandbox, chart)
    assert png.startswith(PNG_SIGNATURE)
    assert image_size(png) == (800, 900)
    assert len(png) < 200_000
    assert chart["parse_mode"] == "HTML"
    assert chart["caption"].startswith("Your last 28 days\n✅ Days with a “Did it”: 1\n")
    assert "🔥 Streak: 1 (best: 1)" in chart["caption"]
    assert "Strongest habit:" in chart["caption"]


async def test_progress_takes_a_number_of_weeks(
    bot: NudgeBot, client: SandboxClient, clock: ManualClock
) -> None:
    """/progress 12 charts twelve weeks."""
    tip = await subscribe(client)
    await answer_the_day(bot, client, clock, tip)

    chart = await reply_to(client, "/progress 12")

    assert chart["photo"]
    assert chart["caption"].startswith("Your last 84 days\n")


async def test_progress_with_a_bad_number_of_weeks_explains_the_usage(
    bot: NudgeBot, client: SandboxClient
) -> None:
    """Anything but one number from 1 to 52 gets the usage, never a chart."""
    await subscribe(client)

    replies = [await reply_to(client, text) for text in ("/progress banana", "/progress 53")]

    for reply in replies:
        assert reply["photo"] is None
        assert reply["text"].startswith("Send /progress to see your last 4 weeks")
        assert "from 1 to 52" in reply["text"]


async def test_progress_speaks_spanish_to_a_spanish_subscriber(
    bot: NudgeBot, client: SandboxClient, clock: ManualClock
) -> None:
    """The "not yet" text and the caption come in the subscriber's language."""
    tip = await subscribe(client, language="es")

    not_yet = await reply_to(client, "/progress")
    await answer_the_day(bot, client, clock, tip)
    chart = await reply_to(client, "/progress")

    assert not_yet["text"].startswith("🌱 Todavía no hay nada que mostrar.")
    assert chart["caption"].startswith("Tus últimos 28 días\n")


async def test_progress_before_subscribing_says_how_to_start(
    bot: NudgeBot, client: SandboxClient
) -> None:
    """Someone who never subscribed is told how to begin."""
    reply = await reply_to(client, "/progress")

    assert reply["text"] == "You're not subscribed right now. Send /start to begin."
