"""Changing a subscriber's settings against a real database: validated, one transaction each."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nudgebot.app import delivery_policy
from nudgebot.config import Settings
from nudgebot.content import ContentStore
from nudgebot.db import Delivery, DeliveryState, Subscriber
from nudgebot.delivery import Dispatcher, DispatcherSettings
from nudgebot.services import (
    CheckinService,
    PauseService,
    SubscriptionDefaults,
    SubscriptionService,
)
from nudgebot.services.questions import Setting
from nudgebot.services.setting_changes import (
    AllTopics,
    Change,
    Refusal,
    SetLanguage,
    SetNudgeTime,
    SetWellbeing,
    SetZone,
    ToggleTopic,
    parse_wall_time,
)
from nudgebot.services.settings import SettingsService, SettingsStatus
from tests.factories import NoTelegram, seeded_chooser

Row = TypeVar("Row", Subscriber, Delivery)
NOW = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)  # 09:00 in Berlin, 03:00 in New York
DEFAULTS = SubscriptionDefaults("Europe/Berlin", time(9, 0))
POLICY = delivery_policy(Settings.model_validate({}))  # quiet 21:30-08:00


@pytest.fixture
def subscriptions(
    sessions: async_sessionmaker[AsyncSession], content: ContentStore
) -> SubscriptionService:
    """Subscribing at once with the defaults, as the simulation does."""
    return SubscriptionService(sessions, DEFAULTS, content, POLICY, seeded_chooser())


@pytest.fixture
def settings(sessions: async_sessionmaker[AsyncSession], content: ContentStore) -> SettingsService:
    """The settings service on the test database."""
    return SettingsService(sessions, content, POLICY)


@pytest.fixture
def planner(sessions: async_sessionmaker[AsyncSession], content: ContentStore) -> Dispatcher:
    """A dispatcher used only for planning."""
    return Dispatcher(
        sessions,
        content,
        NoTelegram(),
        policy=POLICY,
        chooser=seeded_chooser(),
        settings=DispatcherSettings(owner="test"),
    )


async def rows(sessions: async_sessionmaker[AsyncSession], model: type[Row]) -> list[Row]:
    """All rows of a model, oldest first."""
    async with sessions() as session:
        return list((await session.scalars(select(model).order_by(model.id))).all())


async def subscriber_of(
    sessions: async_sessionmaker[AsyncSession], chat_id: int = 42
) -> Subscriber:
    """The subscriber of a chat, as stored."""
    async with sessions() as session:
        found = await session.scalar(select(Subscriber).where(Subscriber.chat_id == chat_id))
        assert found is not None
        return found


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant in June 2026, UTC."""
    return datetime(2026, 6, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("07:30", time(7, 30)),
        ("7:30", time(7, 30)),
        ("7.30", time(7, 30)),
        ("19h45", time(19, 45)),
        ("0730", time(7, 30)),
        ("730", time(7, 30)),
        ("18", time(18, 0)),
        ("7pm", time(19, 0)),
        ("12 am", time(0, 0)),
        ("8:15 a.m.", time(8, 15)),
        ("25:99", None),
        ("24:00", None),
        ("7:60", None),
        ("13pm", None),
        ("soon", None),
        ("", None),
    ],
)
def test_typed_times_are_read_the_ways_people_write_them(
    typed: str, expected: time | None
) -> None:
    """24-hour and am/pm times with `:`, `.` or `h` are read; impossible times are not."""
    assert parse_wall_time(typed) == expected


async def test_a_later_nudge_time_waits_for_tomorrow_when_today_had_its_tip(
    subscriptions: SubscriptionService,
    settings: SettingsService,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Moving 09:00 to 18:00 after today's tip means the next tip is tomorrow at 18:00."""
    await subscriptions.subscribe(42, "en", NOW)  # today's tip, planned now
    await settings.change(42, SetWellbeing(None), NOW)

    result = await settings.change(42, SetNudgeTime(time(18, 0)), NOW)

    stored = await subscriber_of(sessions)
    assert result.status is SettingsStatus.SAVED
    assert stored.nudge_times == ["18:00"]
    assert stored.next_due_at == utc(2, 16)  # 18:00 in Berlin


async def test_a_tip_put_off_until_tomorrow_leaves_tomorrows_own_tip_due(
    subscriptions: SubscriptionService,
    settings: SettingsService,
    planner: Dispatcher,
    sessions: async_sessionmaker[AsyncSession],
    content: ContentStore,
) -> None:
    """ "Later" at 20:00 brings today's tip back at 08:00 tomorrow; moving the nudge time to
    10:00 then still leaves tomorrow's own tip due at 10:00: the re-send is not that tip."""
    await subscriptions.subscribe(42, "en", NOW)
    await settings.change(42, SetWellbeing(None), NOW)
    async with sessions.begin() as session:  # today's tip went out
        tip = (await session.scalars(select(Delivery))).one()
        tip.state, tip.sent_at = DeliveryState.SENT, NOW
    evening = NOW + timedelta(hours=11)  # 20:00 in Berlin
    put_off = await CheckinService(sessions, content, POLICY).answer(42, tip.id, "later", evening)

    await settings.change(42, SetNudgeTime(time(10, 0)), evening + timedelta(minutes=30))

    assert put_off.again_at == time(8, 0)
    assert (await subscriber_of(sessions)).next_due_at == utc(2, 8)  # 10:00 in Berlin


async def test_a_new_nudge_time_comes_today_when_today_has_had_no_tip(
    subscriptions: SubscriptionService,
    settings: SettingsService,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Someone whose last tip was yesterday gets today's at the new time."""
    await subscriptions.subscribe(42, "en", NOW - timedelta(days=1))

    await settings.change(42, SetNudgeTime(time(18, 0)), NOW)

    assert (await subscriber_of(sessions)).next_due_at == utc(1, 16)


async def test_a_new_time_zone_moves_the_nudge_to_the_new_local_time(
    subscriptions: SubscriptionService,
    settings: SettingsService,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """After moving to New York, the 09:00 nudge is 09:00 there: 13:00 UTC."""
    await subscriptions.subscribe(42, "en", NOW - timedelta(days=1))

    result = await settings.change(42, SetZone("America/New_York"), NOW)

    stored = await subscriber_of(sessions)
    assert result.view is not None
    assert (result.view.city, result.view.local_time) == ("New York", time(3, 0))
    assert stored.timezone == "America/New_York"
    assert stored.next_due_at == utc(1, 13)


async def test_moving_west_after_todays_tip_does_not_send_that_day_again(
    subscriptions: SubscriptionService,
    settings: SettingsService,
    sessions: async_sessionmaker[AsyncSession],
    planner: Dispatcher,
) -> None:
    """A day that had its tip in Berlin gets none again when 09:00 comes round in New York."""
    await subscriptions.subscribe(42, "en", NOW)
    await settings.change(42, SetWellbeing(None), NOW)
    await settings.change(42, SetZone("America/New_York"), NOW)

    due_in_new_york_today = await planner.plan_due(utc(1, 13))
    due_tomorrow = await planner.plan_due(utc(2, 13))

    deliveries = await rows(sessions, Delivery)
    assert (due_in_new_york_today, due_tomorrow) == (0, 1)
    assert [d.local_date for d in deliveries] == [date(2026, 6, 1), date(2026, 6, 2)]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(SetNudgeTime(time(23, 0)), id="tip-at-night"),
        pytest.param(SetWellbeing(time(6, 0)), id="check-in-at-dawn"),
    ],
)
async def test_times_inside_quiet_hours_are_refused_and_nothing_changes(
    subscriptions: SubscriptionService,
    settings: SettingsService,
    sessions: async_sessionmaker[AsyncSession],
    change: Change,
) -> None:
    """Quiet hours (21:30-08:00) hold no nudge: such a time is refused, the old one stays."""
    await subscriptions.subscribe(42, "en", NOW)
    before = await subscriber_of(sessions)

    result = await settings.change(42, change, NOW + timedelta(minutes=1))

    after = await subscriber_of(sessions)
    assert (result.status, result.refusal) == (SettingsStatus.INVALID, Refusal.QUIET_TIME)
    assert (after.nudge_times, after.wellbeing_time, after.next_due_at) == (
        before.nudge_times,
        before.wellbeing_time,
        before.next_due_at,
    )
    assert after.updated_at == before.updated_at


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        pytest.param(SetZone("Mars/Olympus_Mons"), Refusal.UNKNOWN_ZONE, id="zone"),
        pytest.param(ToggleTopic("astrology"), Refusal.UNKNOWN_TOPIC, id="topic"),
        pytest.param(SetLanguage("tlh"), Refusal.UNKNOWN_LANGUAGE, id="language"),
        pytest.param((Setting.TIMEZONE, "Atlantis"), Refusal.UNKNOWN_ZONE, id="typed-zone"),
        pytest.param((Setting.TIME, "25:99"), Refusal.BAD_TIME, id="typed-time"),
        pytest.param((Setting.TOPICS, "sleep"), Refusal.BUTTONS_ONLY, id="typed-topic"),
    ],
)
async def test_unknown_values_are_refused_and_nothing_is_stored(
    subscriptions: SubscriptionService,
    settings: SettingsService,
    sessions: async_sessionmaker[AsyncSession],
    change: Change | tuple[Setting, str],
    refusal: Refusal,
) -> None:
    """A zone, topic or language that does not exist (typed or forged) changes nothing."""
    await subscriptions.subscribe(42, "en", NOW)
    before = await subscriber_of(sessions)

    result = await settings.change(42, change, NOW)

    after = await subscriber_of(sessions)
    assert (result.status, result.refusal) == (SettingsStatus.INVALID, refusal)
    assert (after.timezone, after.nudge_times, after.topics, after.language) == (
        before.timezone,
        before.nudge_times,
        before.topics,
        before.language,
    )


async def test_typed_answers_are_read_then_stored(
    subscriptions: SubscriptionService,
    settings: SettingsService,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """A typed city and a typed time become the zone and nudge time they name."""
    await subscriptions.subscribe(42, "en", NOW)

    await settings.change(42, (Setting.TIMEZONE, "lisboa"), NOW)
    await settings.change(42, (Setting.TIME, "8:45 pm"), NOW)

    stored = await subscriber_of(sessions)
    assert (stored.timezone, stored.nudge_times) == ("Europe/Lisbon", ["20:45"])


async def test_topics_go_from_all_to_a_choice_and_back_to_all(
    subscriptions: SubscriptionService,
    settings: SettingsService,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """From "all", a topic tapped is the only one; taps add and remove; none left is "all"."""
    await subscriptions.subscribe(42, "en", NOW)
    chosen = []
    changes: list[Change] = [
        ToggleTopic("sleep"),
        ToggleTopic("breathing"),
        ToggleTopic("sleep"),
        ToggleTopic("breathing"),
        ToggleTopic("movement"),
        AllTopics(),
    ]

    for change in changes:
        await settings.change(42, change, NOW)
        chosen.append((await subscriber_of(sessions)).topics)

    assert chosen == [["sleep"], ["breathing", "sleep"], ["breathing"], None, ["movement"], None]


async def test_choosing_every_topic_one_by_one_is_all_topics(
    subscriptions: SubscriptionService,
    settings: SettingsService,
    sessions: async_sessionmaker[AsyncSession],
    content: ContentStore,
) -> None:
    """Every topic chosen is stored as "all", so topics added later are included too."""
    await subscriptions.subscribe(42, "en", NOW)

    for topic_id in content.library.topics:
        await settings.change(42, ToggleTopic(topic_id), NOW)

    assert (await subscriber_of(sessions)).topics is None


async def test_the_evening_check_in_turns_off_and_on_at_a_chosen_time(
    subscriptions: SubscriptionService,
    settings: SettingsService,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Off means no check-in in the schedule; a time turns it back on at that time."""
    await subscriptions.subscribe(42, "en", NOW)

    off = await settings.change(42, SetWellbeing(None), NOW)
    off_due = (await subscriber_of(sessions)).next_due_at
    on = await settings.change(42, SetWellbeing(time(21, 0)), NOW)

    stored = await subscriber_of(sessions)
    assert off.view is not None
    assert on.view is not None
    assert (off.view.wellbeing, on.view.wellbeing) == (None, time(21, 0))
    assert off_due == utc(2, 7)  # tomorrow's tip: nothing more today
    assert (stored.wellbeing_enabled, stored.wellbeing_time) == (True, time(21, 0))
    assert stored.next_due_at == utc(1, 19)  # 21:00 in Berlin


async def test_a_new_language_is_the_language_of_the_settings(
    subscriptions: SubscriptionService,
    settings: SettingsService,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """After choosing Spanish, the subscriber's language is Spanish."""
    await subscriptions.subscribe(42, "en", NOW)

    result = await settings.change(42, SetLanguage("es"), NOW)

    assert result.view is not None
    assert result.view.language == "es"
    assert (await subscriber_of(sessions)).language == "es"


async def test_a_paused_subscriber_still_comes_back_when_the_pause_ends(
    subscriptions: SubscriptionService,
    settings: SettingsService,
    sessions: async_sessionmaker[AsyncSession],
    content: ContentStore,
) -> None:
    """Changing the time during a pause keeps the moment the pause ends."""
    await subscriptions.subscribe(42, "en", NOW)
    await PauseService(sessions, content, POLICY).pause(42, 3, NOW)

    await settings.change(42, SetNudgeTime(time(18, 0)), NOW + timedelta(hours=1))

    stored = await subscriber_of(sessions)
    assert stored.nudge_times == ["18:00"]
    assert stored.next_due_at == NOW + timedelta(days=3)


async def test_a_button_of_another_subscriber_changes_nothing(
    subscriptions: SubscriptionService,
    settings: SettingsService,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """A press naming someone else's subscription is refused, whoever's chat it comes from."""
    await subscriptions.subscribe(42, "en", NOW)
    await subscriptions.subscribe(77, "en", NOW)
    other = await subscriber_of(sessions, 77)

    result = await settings.change(42, SetLanguage("es"), NOW, subscriber_id=other.id)

    assert result.status is SettingsStatus.NOT_YOURS
    assert [(await subscriber_of(sessions, chat)).language for chat in (42, 77)] == ["en", "en"]


async def test_only_subscribers_have_settings_to_change(
    subscriptions: SubscriptionService,
    settings: SettingsService,
) -> None:
    """Someone never subscribed, or gone, is told so; nothing is created."""
    await subscriptions.subscribe(77, "en", NOW)
    await subscriptions.unsubscribe(77, NOW)

    strangers = [await settings.change(chat, SetLanguage("es"), NOW) for chat in (42, 77)]
    shown = await settings.show(42, NOW)

    assert [r.status for r in [*strangers, shown]] == [SettingsStatus.NOT_SUBSCRIBED] * 3
