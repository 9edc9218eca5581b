"""A subscriber's path through the real bot, over HTTP, against the sandbox."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nudgebot.app import NudgeBot
from nudgebot.db import Answer, Delivery, DeliveryState, Subscriber, SubscriberStatus
from nudgebot.db.models import Note
from tests.clock import ManualClock
from tests.e2e import onboarding_steps
from tests.e2e.sandbox_client import SandboxClient, button_data, button_labels, wait_until

ADA = 1001
BEN = 1002


async def subscribe(client: SandboxClient, user_id: int = ADA) -> dict[str, Any]:
    """Send /start, skip /start's questions, and return the first tip once it has arrived."""
    return await onboarding_steps.subscribe(client, user_id, first_name="Ada", language_code="en")


async def last_call(client: SandboxClient) -> int:
    """The sequence number of the latest Bot API call: what came before (the setup) is done."""
    return int((await client.calls())[-1]["seq"])


async def rows(sessions: async_sessionmaker[AsyncSession], model: type[Any]) -> list[Any]:
    """Every row of `model`, read straight from the database."""
    async with sessions() as session:
        return list((await session.scalars(select(model))).all())


async def test_start_greets_with_disclaimer_then_sends_first_tip(
    bot: NudgeBot, client: SandboxClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """/start greets by name with the not-medical-advice note; after the setup, the first tip."""
    await client.say(ADA, "/start", first_name="Ada", language_code="en")
    [greeting] = await client.wait_for_messages(ADA, 1)

    await client.press(ADA, greeting["message_id"], onboarding_steps.ACCEPT)
    tip = await onboarding_steps.skip_questions(client, ADA)

    assert greeting["text"].startswith("Hi Ada!")
    assert "not medical advice" in greeting["text"]
    assert tip["parse_mode"] == "HTML"
    assert "Today:" in tip["text"]
    assert button_labels(tip) == ["Did it", "Later", "Not for me"]
    [delivery] = await rows(sessions, Delivery)
    assert delivery.state is DeliveryState.SENT
    assert delivery.telegram_message_id == tip["message_id"]


async def test_pressing_a_button_records_it_and_shows_the_choice(
    bot: NudgeBot, client: SandboxClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """A press is stored, answered, and the tip is edited to show the choice."""
    tip = await subscribe(client)
    did_it = button_data(tip)[0]
    since = await last_call(client)

    await client.press(ADA, tip["message_id"], did_it)

    answered = await client.wait_for_call("answerCallbackQuery", lambda c: c["seq"] > since)
    messages = await wait_until(lambda: client.messages(ADA), lambda m: m[1]["edited"])
    edited = messages[1]
    assert answered["params"]["text"] == "Saved: Did it"
    assert button_labels(edited) == ["✅ Did it", "Later", "Not for me"]
    assert "Your answer: Did it." in edited["text"]
    [answer] = await rows(sessions, Answer)
    assert (answer.option_id, answer.outcome) == ("done", "done")


async def test_pressing_again_changes_the_answer_and_keeps_history(
    bot: NudgeBot, client: SandboxClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """A second, different press changes the answer; the same press again changes nothing."""
    tip = await subscribe(client)
    did_it, later, _ = button_data(tip)
    since = await last_call(client)

    await client.press(ADA, tip["message_id"], did_it)
    await client.wait_for_call("editMessageText", lambda c: c["seq"] > since)
    await client.press(ADA, tip["message_id"], later)
    await client.wait_for_call(
        "editMessageText", lambda c: "Your answer: Later" in c["params"]["text"]
    )
    await client.press(ADA, tip["message_id"], later)
    repeat = await client.wait_for_call(
        "answerCallbackQuery", lambda c: c["params"].get("text", "").startswith("Already")
    )

    calls = await client.calls(since)
    assert repeat["params"]["text"] == "Already saved: Later"
    assert [c["method"] for c in calls].count("editMessageText") == 2
    assert [a.option_id for a in await rows(sessions, Answer)] == ["done", "later"]
    [message] = (await client.messages(ADA))[1:]
    assert button_labels(message) == ["Did it", "✅ Later", "Not for me"]


async def test_forged_and_foreign_buttons_are_refused_politely(
    bot: NudgeBot, client: SandboxClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Garbage, a missing delivery or another person's delivery: answered kindly, not stored."""
    ada_tip = await subscribe(client, ADA)
    ben_tip = await subscribe(client, BEN)
    ada_delivery = button_data(ada_tip)[0]
    since = await last_call(client)

    for data in ["garbage", "c:zzzz:done", ada_delivery]:
        await client.press(BEN, ben_tip["message_id"], data)

    answers = await wait_until(
        lambda: client.calls(since),
        lambda calls: [c["method"] for c in calls].count("answerCallbackQuery") == 3,
    )
    texts = [c["params"].get("text") for c in answers if c["method"] == "answerCallbackQuery"]
    assert texts == [
        "Sorry, I don't recognise that button.",
        "That tip is no longer available.",
        "That button belongs to someone else's message.",
    ]
    assert await rows(sessions, Answer) == []
    assert not any(c["method"] == "editMessageText" for c in answers)


async def test_next_tip_arrives_on_the_next_local_day_at_nudge_time(
    bot: NudgeBot, client: SandboxClient, clock: ManualClock
) -> None:
    """After the first tip and the evening check-in, the next tip comes at 09:00 the next day."""
    first = await subscribe(client)

    clock.now = datetime(2026, 6, 1, 17, 30, tzinfo=UTC)  # 19:30 in Berlin
    await bot.tick()
    evening = await client.messages(ADA)
    clock.now = datetime(2026, 6, 2, 6, 59, 59, tzinfo=UTC)  # 08:59:59 in Berlin
    await bot.tick()
    before = await client.messages(ADA)
    clock.now = datetime(2026, 6, 2, 7, 0, tzinfo=UTC)  # 09:00 in Berlin
    await bot.tick()
    after = await client.messages(ADA)

    assert evening[2]["text"].startswith("🌿 Quick check-in")
    assert button_labels(evening[2]) == ["1 Very low", "2 Low", "3 Okay", "4 Good", "5 Great"]
    assert len(before) == 3
    assert len(after) == 4
    assert after[3]["text"] != first["text"]
    assert button_labels(after[3]) == ["Did it", "Later", "Not for me"]


async def test_stop_means_nothing_more_is_sent(
    bot: NudgeBot,
    client: SandboxClient,
    clock: ManualClock,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """After /stop the subscriber gets a goodbye and then no tip on any later day."""
    await subscribe(client)
    await client.say(ADA, "/stop")
    goodbye = (await client.wait_for_messages(ADA, 3))[2]

    for _ in range(3):
        clock.advance(timedelta(days=1))
        await bot.tick()

    assert "won't send you anything more" in goodbye["text"]
    assert len(await client.messages(ADA)) == 3
    [subscriber] = await rows(sessions, Subscriber)
    assert subscriber.status is SubscriberStatus.STOPPED


async def test_help_unknown_commands_and_free_text_get_helpful_answers(
    bot: NudgeBot, client: SandboxClient
) -> None:
    """/help lists the commands; anything else is answered with a pointer to /help."""
    for text in ["/help", "/dance", "what should I eat?", "/stop"]:
        await client.say(ADA, text)

    replies = [m["text"] for m in await client.wait_for_messages(ADA, 4)]

    assert "/start" in replies[0]
    assert "/stop" in replies[0]
    assert replies[1] == "I don't know that command. Send /help to see what I can do."
    assert replies[2].startswith("Thanks for writing!")
    assert replies[3] == "You're not subscribed right now. Send /start to begin."


async def test_spanish_speaker_is_answered_in_spanish(
    bot: NudgeBot, client: SandboxClient
) -> None:
    """The subscriber's Telegram language picks the UI language."""
    await client.say(ADA, "/start", first_name="Ana", language_code="es-MX")
    [greeting] = await client.wait_for_messages(ADA, 1)

    await client.press(ADA, greeting["message_id"], onboarding_steps.ACCEPT)
    tip = await onboarding_steps.skip_questions(client, ADA)

    assert greeting["text"].startswith("¡Hola, Ana!")
    assert button_labels(tip) == ["Hecho", "Luego", "No es para mí"]


async def test_blocked_subscriber_is_marked_and_never_retried(
    bot: NudgeBot,
    client: SandboxClient,
    clock: ManualClock,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """A 403 from Telegram marks the subscriber blocked; later days send nothing to them."""
    await subscribe(client)
    await client.block(ADA)

    clock.advance(timedelta(days=1, hours=2))
    await bot.tick()
    clock.advance(timedelta(days=1))
    await bot.tick()

    sends = [c for c in await client.calls() if c["method"] == "sendMessage"]
    assert [c["status"] for c in sends] == [200, 200, 403]  # greeting, first tip, refused tip
    [subscriber] = await rows(sessions, Subscriber)
    assert subscriber.status is SubscriberStatus.BLOCKED
    states = sorted(d.state for d in await rows(sessions, Delivery))
    assert states == [DeliveryState.FAILED, DeliveryState.SENT]


async def test_command_menu_is_published_per_language(
    bot: NudgeBot, client: SandboxClient
) -> None:
    """At start the bot registers its commands in the default language and in Spanish."""
    calls = [c for c in await client.calls() if c["method"] == "setMyCommands"]

    languages = [c["params"].get("language_code") for c in calls]
    assert languages == [None, "es"]
    assert [cmd["command"] for cmd in calls[0]["params"]["commands"]][:2] == ["start", "settings"]
    assert [cmd["command"] for cmd in calls[0]["params"]["commands"]][-2:] == ["help", "stop"]


async def test_later_comes_back_after_the_delay(
    bot: NudgeBot, client: SandboxClient, clock: ManualClock
) -> None:
    """'Later' says when the tip returns, and it does return then, with the same tip."""
    tip = await subscribe(client)
    later = button_data(tip)[1]

    await client.press(ADA, tip["message_id"], later)
    answer = await client.wait_for_call(
        "answerCallbackQuery", lambda c: "again" in c["params"].get("text", "")
    )
    clock.advance(timedelta(hours=3))
    await bot.tick()

    messages = await client.wait_for_messages(ADA, 3)
    assert answer["params"]["text"] == "Saved: Later. I'll send it again at 11:00."
    assert messages[2]["text"].split("\n")[0] == tip["text"].split("\n")[0]


async def test_pause_and_resume_by_command(
    bot: NudgeBot, client: SandboxClient, clock: ManualClock
) -> None:
    """/pause 3 stops the nudges with the date they resume; /resume brings them back."""
    await subscribe(client)

    await client.say(ADA, "/pause 3")
    paused = (await client.wait_for_messages(ADA, 3))[2]
    clock.advance(timedelta(days=1, hours=1))
    await bot.tick()
    await client.say(ADA, "/resume")
    resumed = (await client.wait_for_messages(ADA, 4))[3]

    assert paused["text"].startswith("Paused until 2026-06-04.")
    assert resumed["text"].startswith("Welcome back!")


async def test_pause_with_a_bad_length_explains_itself(
    bot: NudgeBot, client: SandboxClient
) -> None:
    """/pause with something other than 1-365 days gets the usage, and pauses nothing."""
    await subscribe(client)

    await client.say(ADA, "/pause forever")
    reply = (await client.wait_for_messages(ADA, 3))[2]

    assert reply["text"].startswith("Send /pause for a week off")


def answered_questions(count: int) -> Callable[[list[dict[str, Any]]], bool]:
    """Whether the check-in (the third message) shows `count` answers, each as "(Label)"."""
    return lambda messages: messages[2]["text"].count("(") >= count


async def test_wellbeing_check_in_walks_through_the_questions_and_takes_a_note(
    bot: NudgeBot,
    client: SandboxClient,
    clock: ManualClock,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """The evening check-in edits itself question by question; text after it becomes a note."""
    await subscribe(client)
    clock.now = datetime(2026, 6, 1, 17, 30, tzinfo=UTC)  # 19:30 in Berlin
    await bot.tick()
    checkin = (await client.wait_for_messages(ADA, 3))[2]

    for step, score in enumerate((2, 4, 5), start=1):
        current = (await client.messages(ADA))[2]
        await client.press(ADA, checkin["message_id"], button_data(current)[score - 1])
        await wait_until(lambda: client.messages(ADA), answered_questions(step))
    done = await wait_until(lambda: client.messages(ADA), lambda m: not m[2]["reply_markup"])
    await client.say(ADA, "a walk after lunch helped")
    reply = (await client.wait_for_messages(ADA, 4))[3]

    assert "How is your mood today? 2 (Low)" in done[2]["text"]
    assert "How well did you sleep last night? 5 (Very well)" in done[2]["text"]
    assert "Thank you, all noted." in done[2]["text"]
    assert reply["text"] == "📝 Saved your note."
    scores = sorted((a.question_id, a.score) for a in await rows(sessions, Answer))
    assert scores == [("gut_comfort", 4), ("mood", 2), ("sleep_quality", 5)]
    [note] = await rows(sessions, Note)
    assert note.text == "a walk after lunch helped"
