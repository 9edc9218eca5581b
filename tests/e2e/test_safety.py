"""The safety screen in the real bot: crisis and red-flag messages answered first, and only so."""

from __future__ import annotations

from datetime import time as wall_time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nudgebot.app import NudgeBot
from nudgebot.config import Settings
from nudgebot.db import Delivery, Subscriber, SubscriberStatus
from nudgebot.db.models import Note
from tests.clock import ManualClock
from tests.e2e.conftest import bot_settings
from tests.e2e.sandbox_client import SandboxClient

ADMIN = 9001
ADA = 1001
DIET_TOPICS = {
    "prebiotic-foods",
    "fermented-foods",
    "fibre-diversity",
    "anti-inflammatory",
    "less-sugar",
}


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """The bot on the shipped content, with one admin to alert."""
    return bot_settings(
        database_url,
        tmp_path,
        NUDGEBOT_DEFAULT_TIMEZONE="UTC",
        NUDGEBOT_ADMIN_IDS=str(ADMIN),
        NUDGEBOT_CONTENT_WATCH_SECONDS="0",
    )


async def add_subscriber(
    sessions: async_sessionmaker[AsyncSession],
    clock: ManualClock,
    *,
    zone: str = "Europe/London",
    topics: list[str] | None = None,
) -> None:
    """Ada, subscribed in English, next due a day from now unless a test moves her."""
    async with sessions.begin() as session:
        session.add(
            Subscriber(
                chat_id=ADA,
                language="en",
                timezone=zone,
                nudge_times=["09:00"],
                day_start=wall_time(0, 0),
                topics=topics,
                status=SubscriberStatus.ACTIVE,
                next_due_at=clock.now + timedelta(days=1),
                created_at=clock.now,
                updated_at=clock.now,
            )
        )


async def rows(sessions: async_sessionmaker[AsyncSession], model: type[Any]) -> list[Any]:
    """Every row of `model`, read straight from the database."""
    async with sessions() as session:
        return list((await session.scalars(select(model))).all())


async def after_everything_before(client: SandboxClient, user_id: int, count: int) -> None:
    """Send /help and wait for its answer: updates are handled in order, so whatever the bot
    was going to do with the earlier messages is done by then (`count` messages in all)."""
    await client.say(user_id, "/help")
    await client.wait_for_messages(user_id, count)


async def test_crisis_language_gets_the_crisis_reply_and_the_admins_an_alert_without_the_text(
    bot: NudgeBot,
    client: SandboxClient,
    sessions: async_sessionmaker[AsyncSession],
    clock: ManualClock,
) -> None:
    """A crisis message is answered at once with the country's lines; admins get only chat and kind."""
    await add_subscriber(sessions, clock, zone="Europe/London")

    await client.say(ADA, "honestly I want to die tonight")

    [reply] = await client.wait_for_messages(ADA, 1)
    [alert] = await client.wait_for_messages(ADMIN, 1)
    assert reply["parse_mode"] == "HTML"
    assert reply["text"].startswith("💛 I'm really glad you told me.")
    assert "116 123" in reply["text"]
    assert str(ADA) in alert["text"]
    assert "crisis" in alert["text"]
    assert "die" not in alert["text"]
    assert "tonight" not in alert["text"]


async def test_crisis_words_added_by_an_edit_get_the_crisis_reply(
    bot: NudgeBot,
    client: SandboxClient,
    sessions: async_sessionmaker[AsyncSession],
    clock: ManualClock,
) -> None:
    """A message edited into a crisis message is answered like one, and the edit alone: the
    plain first version got its usual answer, the edit no second one."""
    await add_subscriber(sessions, clock)
    sent = await client.say(ADA, "long day today")
    [usual] = await client.wait_for_messages(ADA, 1)

    await client.edit(ADA, sent["message_id"], "long day, honestly I want to die tonight")

    _, crisis = await client.wait_for_messages(ADA, 2)
    [alert] = await client.wait_for_messages(ADMIN, 1)
    await after_everything_before(client, ADA, 3)
    *_, help_reply = await client.messages(ADA)
    assert "glad you told me" not in usual["text"]
    assert "glad you told me" in crisis["text"]
    assert "crisis" in alert["text"]
    assert len(await client.messages(ADA)) == 3
    assert "/help" in help_reply["text"]


async def test_a_crisis_written_as_a_note_gets_the_crisis_reply_and_nothing_else(
    bot: NudgeBot,
    client: SandboxClient,
    sessions: async_sessionmaker[AsyncSession],
    clock: ManualClock,
) -> None:
    """ "/note I want to die" is not saved as a note and gets no other answer than the crisis reply."""
    await add_subscriber(sessions, clock)

    await client.say(ADA, "/note I want to die")
    await after_everything_before(client, ADA, 2)

    crisis, help_reply = await client.messages(ADA)
    assert "glad you told me" in crisis["text"]
    assert "/help" in help_reply["text"]
    assert await rows(sessions, Note) == []


async def test_someone_never_subscribed_gets_the_crisis_reply_in_their_language(
    bot: NudgeBot, client: SandboxClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """A stranger writing in Spanish is answered in Spanish, with the directory of lines."""
    await client.say(ADA, "ya no quiero vivir", language_code="es")

    [reply] = await client.wait_for_messages(ADA, 1)
    await client.wait_for_messages(ADMIN, 1)
    assert reply["text"].startswith("💛 Gracias por contármelo.")
    assert "findahelpline.com" in reply["text"]
    assert await rows(sessions, Subscriber) == []


async def test_a_red_flag_asks_to_see_a_clinician_and_holds_diet_tips_for_a_week(
    bot: NudgeBot,
    client: SandboxClient,
    sessions: async_sessionmaker[AsyncSession],
    clock: ManualClock,
) -> None:
    """A red flag gets "please see a clinician soon", no admin alert, and a week of no diet tips."""
    await add_subscriber(sessions, clock)

    await client.say(ADA, "I've noticed blood in my stool")
    await after_everything_before(client, ADA, 2)

    reply, _help = await client.messages(ADA)
    [ada] = await rows(sessions, Subscriber)
    assert "please see a clinician soon" in reply["text"]
    assert "7 days" in reply["text"]
    assert set(ada.paused_topics) == DIET_TOPICS
    assert ada.paused_topics_until == clock.now + timedelta(days=7)
    assert await client.messages(ADMIN) == []


async def test_after_a_red_flag_the_next_tip_is_not_about_food(
    bot: NudgeBot,
    client: SandboxClient,
    sessions: async_sessionmaker[AsyncSession],
    clock: ManualClock,
) -> None:
    """Someone who chose two food topics and sleep gets a sleep tip while the hold lasts."""
    await add_subscriber(
        sessions, clock, zone="UTC", topics=["fermented-foods", "prebiotic-foods", "sleep"]
    )
    await client.say(ADA, "black stool since Monday")
    await client.wait_for_messages(ADA, 1)

    clock.advance(timedelta(days=1, hours=3))  # 09:00 UTC the next day: her nudge time
    await bot.tick()

    await client.wait_for_messages(ADA, 2)
    [delivery] = await rows(sessions, Delivery)
    assert delivery.tip_id is not None
    assert bot.content.library.tips[delivery.tip_id].topic == "sleep"


async def test_everyday_text_goes_on_to_the_usual_handlers(
    bot: NudgeBot,
    client: SandboxClient,
    sessions: async_sessionmaker[AsyncSession],
    clock: ManualClock,
) -> None:
    """A message that matches no list, even one about a diet, is handled as usual."""
    await add_subscriber(sessions, clock)

    await client.say(ADA, "I'm on a new diet and dying to try kimchi")

    [reply] = await client.wait_for_messages(ADA, 1)
    assert "glad you told me" not in reply["text"]
    assert "clinician" not in reply["text"]
    assert await client.messages(ADMIN) == []


def buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    """The (label, callback data) of every inline button under a message."""
    rows = message["reply_markup"]["inline_keyboard"]
    return [(button["text"], button["callback_data"]) for row in rows for button in row]


async def test_a_weaker_crisis_match_asks_first_and_i_need_help_now_gets_the_lines_and_the_alert(
    bot: NudgeBot,
    client: SandboxClient,
    sessions: async_sessionmaker[AsyncSession],
    clock: ManualClock,
) -> None:
    """ "I can't do this anymore" gets "Are you safe right now?" and no alert; pressing
    "I need help now" gets the crisis reply with the country's lines, and the admins an alert."""
    await add_subscriber(sessions, clock, zone="Europe/London")

    await client.say(ADA, "honestly I can't do this anymore")
    await after_everything_before(client, ADA, 2)
    question, _help = await client.messages(ADA)
    assert "Are you safe right now?" in question["text"]
    assert [label for label, _ in buttons(question)] == ["I need help now", "I'm OK, just venting"]
    assert await client.messages(ADMIN) == []

    await client.press(ADA, question["message_id"], buttons(question)[0][1])

    *_, crisis = await client.wait_for_messages(ADA, 3)
    [alert] = await client.wait_for_messages(ADMIN, 1)
    assert "glad you told me" in crisis["text"]
    assert "116 123" in crisis["text"]
    assert "I need help now" in alert["text"]
    assert "anymore" not in alert["text"]


async def test_im_ok_gets_a_kind_word_and_nothing_held_or_alerted(
    bot: NudgeBot,
    client: SandboxClient,
    sessions: async_sessionmaker[AsyncSession],
    clock: ManualClock,
) -> None:
    """ "I'm OK, just venting" is answered kindly; no alert, no hold, nothing stored of it."""
    await add_subscriber(sessions, clock)
    await client.say(ADA, "i just want to disappear for a while")
    [question] = await client.wait_for_messages(ADA, 1)

    await client.press(ADA, question["message_id"], buttons(question)[1][1])
    await after_everything_before(client, ADA, 3)

    _, kind_word, _help = await client.messages(ADA)
    [ada] = await rows(sessions, Subscriber)
    assert "Hard days happen" in kind_word["text"]
    assert await client.messages(ADMIN) == []
    assert ada.paused_topics is None
    assert await rows(sessions, Note) == []


async def test_a_weaker_red_flag_asks_whether_it_is_new_and_worse_holds_food_tips(
    bot: NudgeBot,
    client: SandboxClient,
    sessions: async_sessionmaker[AsyncSession],
    clock: ManualClock,
) -> None:
    """A darker stool gets "Is this new, or getting worse?"; "New or getting worse" gets the
    clinician reply and the week's hold of food tips, with no admin alert."""
    await add_subscriber(sessions, clock)
    await client.say(ADA, "my poo has looked darker lately")
    [question] = await client.wait_for_messages(ADA, 1)
    assert "Is this new, or getting worse?" in question["text"]

    await client.press(ADA, question["message_id"], buttons(question)[0][1])
    await after_everything_before(client, ADA, 3)

    _, reply, _help = await client.messages(ADA)
    [ada] = await rows(sessions, Subscriber)
    assert "please see a clinician soon" in reply["text"]
    assert set(ada.paused_topics) == DIET_TOPICS
    assert ada.paused_topics_until == clock.now + timedelta(days=7)
    assert await client.messages(ADMIN) == []


async def test_a_negated_crisis_statement_is_asked_about_not_ignored(
    bot: NudgeBot,
    client: SandboxClient,
    sessions: async_sessionmaker[AsyncSession],
    clock: ManualClock,
) -> None:
    """ "I'm not going to kill myself, but..." gets the question, never silence."""
    await add_subscriber(sessions, clock)

    await client.say(ADA, "I'm not going to kill myself, but I think about it")

    [question] = await client.wait_for_messages(ADA, 1)
    assert "Are you safe right now?" in question["text"]


async def test_pressing_i_need_help_now_again_alerts_the_admins_once(
    bot: NudgeBot,
    client: SandboxClient,
    sessions: async_sessionmaker[AsyncSession],
    clock: ManualClock,
) -> None:
    """Each press gets the crisis lines; the admins hear once in ten minutes, then again."""
    await add_subscriber(sessions, clock)
    await client.say(ADA, "I can't do this anymore")
    [question] = await client.wait_for_messages(ADA, 1)
    help_data = buttons(question)[0][1]

    await client.press(ADA, question["message_id"], help_data)
    await client.press(ADA, question["message_id"], help_data)
    await after_everything_before(client, ADA, 4)
    alerts_at_first = await client.messages(ADMIN)
    clock.advance(timedelta(minutes=11))
    await client.press(ADA, question["message_id"], help_data)
    await after_everything_before(client, ADA, 6)

    replies = await client.messages(ADA)
    assert sum("glad you told me" in reply["text"] for reply in replies) == 3
    assert len(alerts_at_first) == 1
    assert len(await client.messages(ADMIN)) == 2


async def test_an_alert_no_admin_received_does_not_silence_the_next(
    bot: NudgeBot,
    client: SandboxClient,
    sessions: async_sessionmaker[AsyncSession],
    clock: ManualClock,
) -> None:
    """While the admin has blocked the bot the alert fails; the next press, a minute later,
    alerts again instead of being taken for a repeat."""
    await add_subscriber(sessions, clock)
    await client.say(ADA, "I can't do this anymore")
    [question] = await client.wait_for_messages(ADA, 1)
    help_data = buttons(question)[0][1]
    await client.block(ADMIN)

    await client.press(ADA, question["message_id"], help_data)
    await after_everything_before(client, ADA, 3)
    await client.unblock(ADMIN)
    clock.advance(timedelta(minutes=1))
    await client.press(ADA, question["message_id"], help_data)

    [alert] = await client.wait_for_messages(ADMIN, 1)
    assert "I need help now" in alert["text"]
