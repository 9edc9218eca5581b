"""/start's guided setup and /settings, through the real bot over HTTP against the sandbox."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from nudgebot.app import NudgeBot, build_bot
from nudgebot.config import Settings
from nudgebot.content import ContentLibrary
from nudgebot.db import Delivery, DeliveryState, Subscriber, SubscriberStatus
from nudgebot.sandbox import SandboxServer
from tests.clock import ManualClock
from tests.e2e.conftest import TOKEN
from tests.e2e.onboarding_steps import (
    ACCEPT,
    DECLINE,
    SKIP,
    STEPS,
    accept_note,
    choose,
    data_for,
    step_of,
    subscribe,
    wait_for_step,
)
from tests.e2e.sandbox_client import SandboxClient, button_data, button_labels, wait_until

ADA = 2001
BEN = 2002
Messages = list[dict[str, Any]]


async def rows(sessions: async_sessionmaker[AsyncSession], model: type[Any]) -> list[Any]:
    """Every row of `model`, read straight from the database."""
    async with sessions() as session:
        return list((await session.scalars(select(model).order_by(model.id))).all())


async def subscriber(sessions: async_sessionmaker[AsyncSession], chat_id: int = ADA) -> Subscriber:
    """The stored subscriber of a chat."""
    async with sessions() as session:
        found = await session.scalar(select(Subscriber).where(Subscriber.chat_id == chat_id))
    assert found is not None
    return found


async def answers(client: SandboxClient, count: int) -> list[str]:
    """The texts of the first `count` callback answers, once there are that many."""
    calls = await wait_until(
        client.calls,
        lambda calls: [c["method"] for c in calls].count("answerCallbackQuery") >= count,
    )
    return [c["params"].get("text", "") for c in calls if c["method"] == "answerCallbackQuery"]


async def tap(
    client: SandboxClient, message: dict[str, Any], data: str, until: Callable[[Messages], bool]
) -> Messages:
    """Press a button under `message` and wait until the chat shows the effect."""
    await client.press(ADA, message["message_id"], data)
    return await wait_until(lambda: client.messages(ADA), until)


async def test_start_shows_the_note_first_and_stores_nothing_before_it_is_accepted(
    bot: NudgeBot, client: SandboxClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """/start greets by name with the not-medical-advice note and two buttons; no row yet."""
    await client.say(ADA, "/start", first_name="Ada", language_code="en")

    [note] = await client.wait_for_messages(ADA, 1)

    assert note["text"].startswith("Hi Ada!")
    assert "not medical advice" in note["text"]
    assert button_labels(note) == ["✅ I understand", "Not now"]
    assert await rows(sessions, Subscriber) == []


async def test_not_now_means_nothing_is_sent_afterwards(
    bot: NudgeBot,
    client: SandboxClient,
    clock: ManualClock,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Declining the note leaves a kind word, no buttons, no row, and silence on later days."""
    await client.say(ADA, "/start", first_name="Ada", language_code="en")
    [note] = await client.wait_for_messages(ADA, 1)

    [declined] = await tap(client, note, DECLINE, lambda m: not m[0]["reply_markup"])
    for _ in range(2):
        clock.advance(timedelta(days=1))
        await bot.tick()

    sends = [c for c in await client.calls() if c["method"] == "sendMessage"]
    assert declined["text"].startswith("No problem: I won't send you anything.")
    assert len(sends) == 1
    assert len(await client.messages(ADA)) == 1
    assert await rows(sessions, Subscriber) == []


async def test_skipping_every_question_keeps_the_defaults_and_the_first_tip_arrives(
    bot: NudgeBot, client: SandboxClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Skip at each step: the defaults are stored, one message shows the steps, then the tip."""
    tip = await subscribe(client, ADA)

    setup = (await client.messages(ADA))[0]
    calls = await client.calls()
    stored = await subscriber(sessions)
    [delivery] = await rows(sessions, Delivery)
    edits = {c["params"]["message_id"] for c in calls if c["method"] == "editMessageText"}
    assert setup["text"].startswith("🎉 All set!")
    assert "Time zone: Berlin" in setup["text"]
    assert "Daily tip: 09:00" in setup["text"]
    assert not setup["reply_markup"]
    assert edits == {setup["message_id"]}
    assert [c["method"] for c in calls].count("sendMessage") == 2
    assert button_labels(tip) == ["Did it", "Later", "Not for me"]
    assert (stored.timezone, stored.nudge_times, stored.topics) == (
        "Europe/Berlin",
        ["09:00"],
        None,
    )
    assert (stored.wellbeing_enabled, stored.wellbeing_time) == (True, None)
    assert (stored.language, stored.status) == ("en", SubscriberStatus.ACTIVE)
    assert delivery.state is DeliveryState.SENT


async def test_custom_answers_are_stored_and_the_first_tip_follows_them(
    bot: NudgeBot,
    client: SandboxClient,
    sessions: async_sessionmaker[AsyncSession],
    library: ContentLibrary,
) -> None:
    """A typed city and time, two topics, no check-in and Spanish: all kept, the tip agrees."""
    await accept_note(client, ADA)

    await client.say(ADA, "são paulo")
    await wait_for_step(client, ADA, "tm")
    await client.say(ADA, "18:15")
    await choose(client, ADA, "tp", "sleep")
    await choose(client, ADA, "tp", "breathing")
    await wait_until(
        lambda: client.messages(ADA), lambda m: "✅ 🌬️ Breathing" in button_labels(m[-1])
    )
    await choose(client, ADA, "tp", SKIP)
    await choose(client, ADA, "wb", "off")
    await choose(client, ADA, "ln", "es")
    first_question, second_question, setup, tip = await client.wait_for_messages(ADA, 4)

    stored = await subscriber(sessions)
    [delivery] = await rows(sessions, Delivery)
    assert not first_question["reply_markup"]  # answered by typing: its buttons went away
    assert not second_question["reply_markup"]
    assert setup["text"].startswith("🎉 ¡Todo listo!")
    assert "Temas: Sueño, Respiración" in setup["text"]
    assert (stored.timezone, stored.nudge_times) == ("America/Sao_Paulo", ["18:15"])
    assert (stored.topics, stored.wellbeing_enabled, stored.language) == (
        ["breathing", "sleep"],
        False,
        "es",
    )
    assert "Hoy:" in tip["text"]
    assert button_labels(tip) == ["Hecho", "Luego", "No es para mí"]
    assert library.tips[delivery.tip_id].topic in {"sleep", "breathing"}


async def test_repeating_start_half_way_carries_on_with_the_answers_kept(
    bot: NudgeBot, client: SandboxClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """A second /start asks the current question again; the older message goes quiet."""
    first = await accept_note(client, ADA)
    await choose(client, ADA, "tz", "Europe/London")
    old = await wait_for_step(client, ADA, "tm")

    await client.say(ADA, "/start", first_name="Ada", language_code="en")
    messages = await wait_until(
        lambda: client.messages(ADA), lambda m: len(m) == 2 and not m[0]["reply_markup"]
    )
    await client.press(ADA, first["message_id"], data_for(old, "1000"))
    refusal = await answers(client, 3)

    assert messages[1]["text"].startswith("Let's carry on where we left off.")
    assert step_of(messages[1]) == "tm"
    assert (
        refusal[-1] == "That question is already answered: my latest message has the current one."
    )
    stored = await subscriber(sessions)
    assert (stored.timezone, stored.nudge_times) == ("Europe/London", ["09:00"])
    assert stored.status is SubscriberStatus.ONBOARDING


async def test_repeating_start_once_subscribed_keeps_everything(
    bot: NudgeBot, client: SandboxClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """/start from a subscriber shows their settings and changes, resets and sends nothing."""
    await subscribe(client, ADA)
    await client.say(ADA, "/timezone Lisbon")
    await client.wait_for_messages(ADA, 3)
    before = await subscriber(sessions)

    await client.say(ADA, "/start", first_name="Ada", language_code="en")
    reply = (await client.wait_for_messages(ADA, 4))[3]

    after = await subscriber(sessions)
    assert reply["text"].startswith("You're all set already, and nothing has changed.")
    assert "Time zone: Lisbon" in reply["text"]
    assert (after.timezone, after.nudge_times, after.status) == (
        before.timezone,
        before.nudge_times,
        before.status,
    )
    assert len(await rows(sessions, Delivery)) == 1


async def test_a_restart_half_way_loses_nothing(
    bot: NudgeBot,
    client: SandboxClient,
    settings: Settings,
    engine: AsyncEngine,
    sandbox: SandboxServer,
    clock: ManualClock,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """The bot stopped and started again mid-way takes the next answer where it was."""
    await accept_note(client, ADA)
    await choose(client, ADA, "tz", "America/Chicago")
    await wait_for_step(client, ADA, "tm")
    await bot.stop()

    restarted = build_bot(
        settings, engine, token=TOKEN, bot_api_url=sandbox.bot_api_url, clock=clock
    )
    await restarted.start()
    try:
        await choose(client, ADA, "tm", "1000")
        for step in STEPS[2:]:
            await choose(client, ADA, step, SKIP)
        _setup, tip = await client.wait_for_messages(ADA, 2)
    finally:
        await restarted.stop()

    stored = await subscriber(sessions)
    assert (stored.timezone, stored.nudge_times) == ("America/Chicago", ["10:00"])
    assert button_labels(tip) == ["Did it", "Later", "Not for me"]


async def test_settings_menu_changes_each_setting(
    bot: NudgeBot, client: SandboxClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Each setting opens its choices from the menu; a choice is saved and the menu shows it."""
    await subscribe(client, ADA)
    await client.say(ADA, "/settings")
    menu = (await client.wait_for_messages(ADA, 3))[2]
    me = button_data(menu)[0].rsplit(":", 1)[0]  # "s:<subscriber>"

    def shows(text: str) -> Callable[[Messages], bool]:
        return lambda m: text in m[2]["text"]

    def offers(data: str) -> Callable[[Messages], bool]:
        return lambda m: data in button_data(m[2])

    for setting, value, shown in [
        ("tz", "America/New_York", "New York"),
        ("tm", "1800", "Daily tip: 18:00"),
        ("wb", "off", "Evening check-in: off"),
    ]:
        await tap(client, menu, f"{me}:{setting}", offers(f"{me}:{setting}:{value}"))
        await tap(client, menu, f"{me}:{setting}:{value}", shows(shown))
    await tap(client, menu, f"{me}:tp", offers(f"{me}:tp:sleep"))
    await tap(client, menu, f"{me}:tp:sleep", lambda m: "✅ 😴 Sleep" in button_labels(m[2]))
    await tap(client, menu, f"{me}:m", shows("Topics: Sleep"))
    await tap(client, menu, f"{me}:ln", offers(f"{me}:ln:es"))
    await tap(client, menu, f"{me}:ln:es", shows("Tus ajustes"))
    closed = await tap(client, menu, f"{me}:x", lambda m: not m[2]["reply_markup"])

    stored = await subscriber(sessions)
    assert (stored.timezone, stored.nudge_times, stored.topics) == (
        "America/New_York",
        ["18:00"],
        ["sleep"],
    )
    assert (stored.wellbeing_enabled, stored.language) == (False, "es")
    assert "Envía /settings cuando quieras cambiar algo." in closed[2]["text"]
    assert "✅ Saved." in await answers(client, 1)


async def test_shortcuts_set_a_setting_or_open_its_choices(
    bot: NudgeBot, client: SandboxClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """/time 08:30 sets it; /timezone opens the zones and takes a typed city; /topics opens topics."""
    await subscribe(client, ADA)

    await client.say(ADA, "/time 08:30")
    timed = (await client.wait_for_messages(ADA, 3))[2]
    await client.say(ADA, "/timezone")
    zones = (await client.wait_for_messages(ADA, 4))[3]
    await client.say(ADA, "Tokyo")
    messages = await client.wait_for_messages(ADA, 5)
    await client.say(ADA, "/topics")
    topics = (await client.wait_for_messages(ADA, 6))[5]
    await client.say(ADA, "/language")
    languages = (await client.wait_for_messages(ADA, 7))[6]

    stored = await subscriber(sessions)
    assert timed["text"].startswith("✅ Saved.")
    assert "Daily tip: 08:30" in timed["text"]
    assert zones["text"].startswith("🌍 Where are you?")
    assert "London · " in " ".join(button_labels(zones))
    assert messages[4]["text"].startswith("✅ Saved.")
    assert "Tokyo" in messages[4]["text"]
    assert button_labels(topics)[0] == "✅ 🌈 All topics"
    assert button_labels(languages)[:2] == ["✅ English", "Español"]
    assert (stored.timezone, stored.nudge_times) == ("Asia/Tokyo", ["08:30"])


async def test_bad_input_at_each_question_gets_a_helpful_answer_and_changes_nothing(
    bot: NudgeBot, client: SandboxClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Unknown places, impossible or night-time hours, typed topics and forged or old buttons."""
    note = await accept_note(client, ADA)
    await client.say(ADA, "Atlantis")
    await client.press(ADA, note["message_id"], "o:zz")
    await choose(client, ADA, "tz", "Europe/London")
    await wait_for_step(client, ADA, "tm")
    await client.press(ADA, note["message_id"], data_for(note, "Europe/London"))
    await client.say(ADA, "25:99")
    await client.say(ADA, "03:00")
    await choose(client, ADA, "tm", SKIP)
    await wait_for_step(client, ADA, "tp")
    await client.say(ADA, "sleep please")
    await client.press(ADA, note["message_id"], note_data(note, "tp", "astrology"))
    await client.press(ADA, note["message_id"], ACCEPT)
    await client.press(ADA, note["message_id"], DECLINE)
    replies = [m["text"] for m in (await client.wait_for_messages(ADA, 5))[1:]]
    pressed = await answers(client, 8)

    assert replies == [
        "I couldn't find a time zone for “Atlantis”. Try a big city near you (Lisbon, Chicago) or an offset (+2, UTC-5, GMT+5:30), or tap one of the buttons.",
        "“25:99” isn't a time I can use. Type it like 07:30 or 19:45, or tap one of the buttons.",
        "Between 21:30 and 08:00 I keep quiet so I never wake you. Please pick a time outside those hours.",
        "Please answer with the buttons of my last question.",
    ]
    stale = "That question is already answered: my latest message has the current one."
    assert [p for p in pressed if p] == [
        "Sorry, I don't recognise that button.",
        stale,
        "Sorry, I don't recognise that button.",
        stale,
        stale,
    ]
    stored = await subscriber(sessions)
    assert (stored.timezone, stored.nudge_times, stored.topics) == (
        "Europe/London",
        ["09:00"],
        None,
    )
    assert stored.status is SubscriberStatus.ONBOARDING
    assert await rows(sessions, Delivery) == []


def note_data(message: dict[str, Any], setting: str, value: str) -> str:
    """Button data for `setting` and `value` carrying the same subscriber as `message`'s buttons."""
    subscriber_part = next(d for d in button_data(message) if d.count(":") == 3).split(":")[1]
    return f"o:{subscriber_part}:{setting}:{value}"


async def test_a_button_of_another_person_is_refused(
    bot: NudgeBot, client: SandboxClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Ben pressing a button that names Ada's setup is told so; neither setup changes."""
    adas = await accept_note(client, ADA)
    bens = await accept_note(client, BEN, first_name="Ben")

    await client.press(BEN, bens["message_id"], data_for(adas, "Europe/London"))
    [answer] = [a for a in await answers(client, 3) if a]

    assert answer == "That button belongs to someone else's message."
    assert [(await subscriber(sessions, chat)).timezone for chat in (ADA, BEN)] == [
        "Europe/Berlin",
        "Europe/Berlin",
    ]


async def test_settings_need_a_subscription_and_onboarding_comes_first(
    bot: NudgeBot, client: SandboxClient
) -> None:
    """/settings from a stranger points to /start; half-way through setup it asks the question."""
    await client.say(ADA, "/settings")
    [stranger] = await client.wait_for_messages(ADA, 1)
    await accept_note(client, BEN, first_name="Ben")
    await client.say(BEN, "/settings")
    continued = (await client.wait_for_messages(BEN, 2))[1]

    assert stranger["text"] == "You're not subscribed right now. Send /start to begin."
    assert continued["text"].startswith("Let's carry on where we left off.")
    assert step_of(continued) == "tz"


async def test_command_menu_lists_every_command_in_each_language(
    bot: NudgeBot, client: SandboxClient
) -> None:
    """At start the bot registers the whole command list in English and in Spanish."""
    calls = [c for c in await client.calls() if c["method"] == "setMyCommands"]

    menus = {c["params"].get("language_code"): c["params"]["commands"] for c in calls}
    assert list(menus) == [None, "es"]
    assert [command["command"] for command in menus[None]] == [
        "start",
        "settings",
        "time",
        "timezone",
        "topics",
        "language",
        "progress",
        "note",
        "pause",
        "resume",
        "export",
        "delete_me",
        "help",
        "stop",
    ]
    spanish = {command["command"]: command["description"] for command in menus["es"]}
    assert spanish["settings"] == "Ver y cambiar tus ajustes"
