"""The safety service on a real database: replies by language and country, diet topics held."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from datetime import time as wall_time
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nudgebot.content import ContentStore
from nudgebot.content.safety import AlertReason
from nudgebot.content.screening import SafetyKind, SafetyLevel
from nudgebot.db import (
    Delivery,
    DeliveryKind,
    DeliveryState,
    Subscriber,
    SubscriberStatus,
    create_engine,
    create_session_factory,
)
from nudgebot.db.repositories import DeliveryRepository, SubscriberRepository
from nudgebot.services.safety import SafetyResult, SafetyService, country_of_zone

NOW = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)
CHAT = 5001
DIET_TOPICS = [
    "anti-inflammatory",
    "fermented-foods",
    "fibre-diversity",
    "less-sugar",
    "prebiotic-foods",
]


@pytest.fixture
def safety(sessions: async_sessionmaker[AsyncSession], content: ContentStore) -> SafetyService:
    """The safety service on the test database and the shipped content."""
    return SafetyService(sessions, content)


def reply_of(result: SafetyResult) -> str:
    """The one plain reply of `result`."""
    [reply] = result.replies
    return reply


@pytest.fixture
async def safety_without_database(
    content: ContentStore, tmp_path: Path
) -> AsyncIterator[SafetyService]:
    """The safety service on a database that cannot be reached (its folder does not exist)."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'nowhere.sqlite3'}")
    yield SafetyService(create_session_factory(engine), content)
    await engine.dispose()


async def add_subscriber(
    sessions: async_sessionmaker[AsyncSession],
    *,
    language: str = "en",
    zone: str = "UTC",
    paused_topics: list[str] | None = None,
    paused_topics_until: datetime | None = None,
) -> None:
    """An active subscriber in chat CHAT."""
    async with sessions.begin() as session:
        session.add(
            Subscriber(
                chat_id=CHAT,
                language=language,
                timezone=zone,
                nudge_times=["09:00"],
                day_start=wall_time(0, 0),
                status=SubscriberStatus.ACTIVE,
                next_due_at=NOW + timedelta(days=1),
                paused_topics=paused_topics,
                paused_topics_until=paused_topics_until,
                created_at=NOW - timedelta(days=10),
                updated_at=NOW - timedelta(days=10),
            )
        )


async def queue_resends(sessions: async_sessionmaker[AsyncSession], *tip_ids: str) -> None:
    """Tips already planned for chat CHAT ("Later" re-sends), due three hours from NOW."""
    async with sessions.begin() as session:
        subscriber = await SubscriberRepository(session).by_chat_id(CHAT)
        assert subscriber is not None
        deliveries = DeliveryRepository(session)
        for number, tip_id in enumerate(tip_ids, start=1):
            await deliveries.plan(
                subscriber_id=subscriber.id,
                local_date=NOW.date(),
                slot=f"later-{number}",
                kind=DeliveryKind.TIP,
                tip_id=tip_id,
                due_at=NOW + timedelta(hours=3),
                now=NOW,
            )


async def stored(sessions: async_sessionmaker[AsyncSession]) -> Subscriber:
    """The subscriber of chat CHAT as the database has it now."""
    async with sessions() as session:
        subscriber = await SubscriberRepository(session).by_chat_id(CHAT)
        assert subscriber is not None
        return subscriber


@pytest.mark.parametrize(
    ("zone", "country"),
    [
        ("Europe/Madrid", "ES"),
        ("America/Mexico_City", "MX"),
        ("America/New_York", "US"),
        ("Europe/London", "GB"),
        ("UTC", None),
    ],
)
def test_the_country_comes_from_the_time_zone(zone: str, country: str | None) -> None:
    """A time zone names its country through the tz database; UTC names none."""
    assert country_of_zone(zone) == country


@pytest.mark.parametrize(
    ("zone", "language", "number"),
    [
        ("Australia/Sydney", "es", "13 11 14"),
        ("Pacific/Auckland", "en", "1737"),
        ("America/New_York", "en", "988"),
        ("Europe/London", "en", "116 123"),
    ],
)
async def test_crisis_reply_gives_the_lines_of_the_subscribers_country(
    safety: SafetyService,
    sessions: async_sessionmaker[AsyncSession],
    zone: str,
    language: str,
    number: str,
) -> None:
    """The crisis lines are chosen by the country of the subscriber's time zone."""
    await add_subscriber(sessions, language=language, zone=zone)

    result = await safety.screen(CHAT, "I want to die", NOW, "en")

    assert result.kind is SafetyKind.CRISIS
    assert result.country == country_of_zone(zone)
    assert number in reply_of(result)


async def test_crisis_reply_is_in_the_stored_language_not_telegrams(
    safety: SafetyService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """A subscriber who chose Spanish is answered in Spanish whatever their Telegram says."""
    await add_subscriber(sessions, language="es", zone="Europe/Madrid")

    result = await safety.screen(CHAT, "I want to die", NOW, "en")

    assert result.language == "es"
    assert reply_of(result).startswith("💛 Gracias por contármelo.")


async def test_a_country_without_its_own_lines_gets_the_directory(
    safety: SafetyService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Someone in Berlin gets the directory of helplines and the emergency line."""
    await add_subscriber(sessions, language="en", zone="Europe/Berlin")

    result = await safety.screen(CHAT, "suicidal", NOW, "en")

    assert result.country == "DE"
    assert "findahelpline.com" in reply_of(result)
    assert "local emergency number" in reply_of(result)


async def test_someone_never_subscribed_still_gets_the_crisis_reply(
    safety: SafetyService,
) -> None:
    """An unknown chat is answered in its Telegram language, with the directory of lines."""
    result = await safety.screen(CHAT, "no quiero vivir", NOW, "es")

    assert result.kind is SafetyKind.CRISIS
    assert result.country is None
    assert "Gracias por contármelo" in reply_of(result)
    assert "findahelpline.com" in reply_of(result)


async def test_a_crisis_holds_no_topics(
    safety: SafetyService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Only a red flag changes the tips; a crisis message changes nothing stored."""
    await add_subscriber(sessions)

    await safety.screen(CHAT, "I want to kill myself", NOW, "en")

    subscriber = await stored(sessions)
    assert subscriber.paused_topics is None
    assert subscriber.paused_topics_until is None


async def test_a_red_flag_holds_the_diet_topics_for_seven_days(
    safety: SafetyService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """After a red flag the diet topics are held back in the database until a week from now."""
    await add_subscriber(sessions, language="es", zone="Europe/Madrid")

    result = await safety.screen(CHAT, "tengo sangre en las heces", NOW, "es")

    subscriber = await stored(sessions)
    assert result.kind is SafetyKind.RED_FLAG
    assert subscriber.paused_topics == DIET_TOPICS
    assert subscriber.paused_topics_until == NOW + timedelta(days=7)
    assert result.held_until == NOW + timedelta(days=7)
    assert "profesional sanitario" in reply_of(result)


async def test_a_red_flag_keeps_a_longer_hold_and_its_topics(
    safety: SafetyService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """A hold still running longer is neither shortened nor stripped of its other topics."""
    later = NOW + timedelta(days=20)
    await add_subscriber(sessions, paused_topics=["hydration"], paused_topics_until=later)

    await safety.screen(CHAT, "black stool", NOW, "en")

    subscriber = await stored(sessions)
    assert subscriber.paused_topics == sorted([*DIET_TOPICS, "hydration"])
    assert subscriber.paused_topics_until == later


async def test_an_ended_hold_is_replaced_not_extended(
    safety: SafetyService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Topics from a hold that is over are not carried into the new one."""
    await add_subscriber(
        sessions, paused_topics=["hydration"], paused_topics_until=NOW - timedelta(days=1)
    )

    await safety.screen(CHAT, "black stool", NOW, "en")

    subscriber = await stored(sessions)
    assert subscriber.paused_topics == DIET_TOPICS
    assert subscriber.paused_topics_until == NOW + timedelta(days=7)


async def test_an_ordinary_message_changes_nothing(
    safety: SafetyService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Text with no match gets no reply and leaves the subscriber as it was."""
    await add_subscriber(sessions)

    result = await safety.screen(CHAT, "I'm on a diet and loving kimchi", NOW, "en")

    subscriber = await stored(sessions)
    assert result.kind is None
    assert result.replies == []
    assert subscriber.updated_at == NOW - timedelta(days=10)


async def test_the_crisis_reply_goes_out_even_without_a_database(
    safety_without_database: SafetyService,
) -> None:
    """A database that cannot be reached still leaves the person with the crisis reply."""
    result = await safety_without_database.screen(CHAT, "quiero morirme", NOW, "es")

    assert result.kind is SafetyKind.CRISIS
    assert "Gracias por contármelo" in reply_of(result)


async def test_a_red_flag_skips_a_queued_diet_tip_and_keeps_others(
    safety: SafetyService, sessions: async_sessionmaker[AsyncSession], content: ContentStore
) -> None:
    """A diet tip already planned (a "Later" re-send) is skipped; a sleep tip still goes."""
    await add_subscriber(sessions)
    library = content.library
    diet = next(t.id for t in library.tips.values() if t.topic == DIET_TOPICS[0])
    sleep = next(t.id for t in library.tips.values() if t.topic == "sleep")
    await queue_resends(sessions, diet, sleep)

    await safety.screen(CHAT, "there is blood in my stool", NOW, "en")

    async with sessions() as session:
        states = {d.tip_id: d.state for d in await session.scalars(select(Delivery))}
    assert states == {diet: DeliveryState.SKIPPED, sleep: DeliveryState.PLANNED}
    assert (await stored(sessions)).last_reply_at == NOW


async def test_a_red_flag_skips_a_queued_food_tip_of_any_topic(
    safety: SafetyService, sessions: async_sessionmaker[AsyncSession], content: ContentStore
) -> None:
    """A "Did you know?" tip whose action is to eat something is skipped like a diet tip."""
    await add_subscriber(sessions)
    library = content.library
    food_fact = next(
        t.id for t in library.tips.values() if t.topic == "gut-brain-facts" and "food" in t.tags
    )
    await queue_resends(sessions, food_fact)

    await safety.screen(CHAT, "my stools look like tar", NOW, "en")

    async with sessions() as session:
        [delivery] = await session.scalars(select(Delivery))
    assert delivery.state is DeliveryState.SKIPPED


async def test_a_weaker_match_gets_the_question_and_holds_nothing(
    safety: SafetyService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """ "I can't do this anymore" is asked about: no reply yet, no alert, nothing held."""
    await add_subscriber(sessions)

    result = await safety.screen(CHAT, "I can't do this anymore", NOW, "en")

    subscriber = await stored(sessions)
    assert result.level is SafetyLevel.ASK
    assert result.replies == []
    assert result.alert is None
    assert result.asked == [SafetyKind.CRISIS]
    assert result.messages[0].help_button == "I need help now"
    assert subscriber.paused_topics is None
    assert subscriber.last_reply_at == NOW


async def test_a_sure_red_flag_with_a_weaker_crisis_match_gets_both(
    safety: SafetyService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Blood in the stool and "I can't take it anymore": the clinician reply and the hold,
    then the crisis question; a red flag never hides a worry about their safety."""
    await add_subscriber(sessions)

    result = await safety.screen(
        CHAT, "blood in my stool again and honestly I can't take it anymore", NOW, "en"
    )

    assert result.kind is SafetyKind.RED_FLAG
    assert "please see a clinician soon" in reply_of(result)
    assert result.asked == [SafetyKind.CRISIS]
    assert (await stored(sessions)).paused_topics == DIET_TOPICS


async def test_i_need_help_now_gets_the_crisis_reply_and_an_alert(
    safety: SafetyService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Help asked for on the crisis question: the lines of their country and an alert."""
    await add_subscriber(sessions, zone="Australia/Sydney")

    result = await safety.answer(CHAT, SafetyKind.CRISIS, True, NOW, "en")

    assert "13 11 14" in reply_of(result)
    assert result.alert is AlertReason.HELP_ASKED


async def test_im_ok_gets_a_kind_word_and_holds_nothing(
    safety: SafetyService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """ "I'm OK" to either question: a kind word, no alert, no hold."""
    await add_subscriber(sessions)

    crisis = await safety.answer(CHAT, SafetyKind.CRISIS, False, NOW, "en")
    red_flag = await safety.answer(CHAT, SafetyKind.RED_FLAG, False, NOW, "en")

    assert crisis.alert is None
    assert red_flag.alert is None
    assert "Hard days happen" in reply_of(crisis)
    assert "carry on as usual" in reply_of(red_flag)
    assert (await stored(sessions)).paused_topics is None


async def test_new_or_worse_to_the_red_flag_question_holds_food_tips(
    safety: SafetyService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """ "New or getting worse" is answered as a sure red flag: the reply and the week's hold."""
    await add_subscriber(sessions)

    result = await safety.answer(CHAT, SafetyKind.RED_FLAG, True, NOW, "en")

    assert "please see a clinician soon" in reply_of(result)
    assert result.held_until == NOW + timedelta(days=7)
    assert (await stored(sessions)).paused_topics == DIET_TOPICS


async def test_a_crisis_and_a_red_flag_in_one_message_get_both_answers(
    safety: SafetyService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """A message that is both gets the crisis lines first, then the clinician reply and the
    hold: a crisis never hides a red flag."""
    await add_subscriber(sessions)

    result = await safety.screen(
        CHAT, "I want to die and there has been blood in my stool for a week", NOW, "en"
    )

    crisis, red_flag = result.replies
    assert "glad you told me" in crisis
    assert "please see a clinician soon" in red_flag
    assert result.alert is AlertReason.CRISIS
    assert (await stored(sessions)).paused_topics == DIET_TOPICS


async def test_without_a_database_a_red_flag_reply_promises_no_hold(
    safety_without_database: SafetyService,
) -> None:
    """When the hold could not be stored, the reply still says to see a clinician but does not
    say food tips are paused."""
    result = await safety_without_database.screen(CHAT, "there is blood in my stool", NOW, "en")

    assert "please see a clinician soon" in reply_of(result)
    assert "pause" not in reply_of(result)
    assert result.held_until is None
