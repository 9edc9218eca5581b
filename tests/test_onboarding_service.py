"""/start's guided setup against a real database: each answer stored, the first tip at the end."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nudgebot.app import delivery_policy
from nudgebot.config import Settings
from nudgebot.content import ContentStore
from nudgebot.db import Delivery, DeliveryKind, Subscriber, SubscriberStatus
from nudgebot.delivery import Dispatcher, DispatcherSettings
from nudgebot.services import SubscriptionDefaults, SubscriptionService
from nudgebot.services.onboarding import STEPS, OnboardingService
from nudgebot.services.onboarding_steps import (
    StartKind,
    StepAction,
    StepAnswer,
    StepResult,
    StepStatus,
)
from nudgebot.services.questions import Setting
from nudgebot.services.setting_changes import (
    Change,
    Refusal,
    SetLanguage,
    SetNudgeTime,
    SetWellbeing,
    SetZone,
    ToggleTopic,
)
from nudgebot.services.settings import SettingsService
from tests.factories import NoTelegram, seeded_chooser

NOW = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)  # 09:00 in Berlin
DEFAULTS = SubscriptionDefaults("Europe/Berlin", time(9, 0))
POLICY = delivery_policy(Settings.model_validate({}))
NOTE = 500  # the message id of the note, then of every question edited into it


@pytest.fixture
def onboarding(
    sessions: async_sessionmaker[AsyncSession], content: ContentStore
) -> OnboardingService:
    """The onboarding service on the test database."""
    return OnboardingService(sessions, content, POLICY, seeded_chooser(), DEFAULTS)


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


async def stored(sessions: async_sessionmaker[AsyncSession]) -> list[Subscriber]:
    """Every subscriber row."""
    async with sessions() as session:
        return list((await session.scalars(select(Subscriber))).all())


async def deliveries(sessions: async_sessionmaker[AsyncSession]) -> list[Delivery]:
    """Every delivery row, oldest first."""
    async with sessions() as session:
        return list((await session.scalars(select(Delivery).order_by(Delivery.id))).all())


async def press(
    onboarding: OnboardingService,
    subscriber_id: int,
    setting: Setting,
    change: Change | StepAction,
    message_id: int = NOTE,
) -> StepResult:
    """Press a button of the question about `setting` in chat 42."""
    action = change if isinstance(change, StepAction) else StepAction.CHOOSE
    chosen = None if isinstance(change, StepAction) else change
    answer = StepAnswer(subscriber_id, setting, action, chosen, message_id)
    return await onboarding.answer(42, answer, NOW)


async def accepted(onboarding: OnboardingService) -> int:
    """Chat 42 accepts the note in message NOTE; the new subscriber's id."""
    result = await onboarding.accept(42, "en", NOTE, NOW)
    assert result.view is not None
    return result.view.subscriber_id


async def test_nothing_is_stored_before_the_note_is_accepted(
    onboarding: OnboardingService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """/start and "Not now" only read: no row, so nothing can ever be sent."""
    started = await onboarding.start(42, "es", NOW)
    declined = await onboarding.decline(42, "es")

    assert (started.kind, started.language) == (StartKind.NEW, "es")
    assert (declined.status, declined.language) == (StepStatus.DECLINED, "es")
    assert await stored(sessions) == []


async def test_an_unsupported_telegram_language_starts_in_the_default_one(
    onboarding: OnboardingService,
) -> None:
    """A French Telegram gets the library's default language until French exists."""
    started = await onboarding.start(42, "fr", NOW)

    assert started.language == "en"


async def test_while_onboarding_the_dispatcher_leaves_them_alone(
    onboarding: OnboardingService,
    sessions: async_sessionmaker[AsyncSession],
    planner: Dispatcher,
) -> None:
    """After accepting, they are onboarding with the defaults and nothing due, for days."""
    result = await onboarding.accept(42, "en", NOTE, NOW)

    due = await planner.plan_due(NOW + timedelta(days=3))

    [subscriber] = await stored(sessions)
    assert result.view is not None
    assert (result.status, result.view.step) == (StepStatus.ASKING, Setting.TIMEZONE)
    assert subscriber.status is SubscriberStatus.ONBOARDING
    assert (subscriber.timezone, subscriber.nudge_times) == ("Europe/Berlin", ["09:00"])
    assert subscriber.next_due_at is None
    assert due == 0
    assert await deliveries(sessions) == []


async def test_each_answer_is_stored_and_the_last_plans_the_first_tip(
    onboarding: OnboardingService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Zone, time, topics, check-in and language are kept; finishing makes them active."""
    me = await accepted(onboarding)

    steps = [
        await press(onboarding, me, Setting.TIMEZONE, SetZone("America/Bogota")),
        await press(onboarding, me, Setting.TIME, SetNudgeTime(time(18, 30))),
        await press(onboarding, me, Setting.TOPICS, ToggleTopic("sleep")),
        await press(onboarding, me, Setting.TOPICS, ToggleTopic("movement")),
        await press(onboarding, me, Setting.TOPICS, StepAction.SKIP),
        await press(onboarding, me, Setting.WELLBEING, SetWellbeing(None)),
        await press(onboarding, me, Setting.LANGUAGE, SetLanguage("es")),
    ]

    [subscriber] = await stored(sessions)
    [tip] = await deliveries(sessions)
    assert [s.view.step if s.view else None for s in steps[:-1]] == [
        Setting.TIME,
        Setting.TOPICS,
        Setting.TOPICS,
        Setting.TOPICS,
        Setting.WELLBEING,
        Setting.LANGUAGE,
    ]
    assert steps[-1].status is StepStatus.FINISHED
    assert (subscriber.timezone, subscriber.nudge_times) == ("America/Bogota", ["18:30"])
    assert (subscriber.topics, subscriber.wellbeing_enabled) == (["movement", "sleep"], False)
    assert (subscriber.language, subscriber.status) == ("es", SubscriberStatus.ACTIVE)
    assert subscriber.onboarding_step is None
    assert (tip.kind, tip.due_at) == (DeliveryKind.TIP, NOW)
    assert subscriber.next_due_at is not None


async def test_skipping_every_question_keeps_the_defaults(
    onboarding: OnboardingService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Skip leaves each setting as it was: the deployment's defaults for a newcomer."""
    me = await accepted(onboarding)

    results = [await press(onboarding, me, step, StepAction.SKIP) for step in STEPS]

    [subscriber] = await stored(sessions)
    assert results[-1].status is StepStatus.FINISHED
    assert (subscriber.timezone, subscriber.nudge_times, subscriber.topics) == (
        "Europe/Berlin",
        ["09:00"],
        None,
    )
    assert (subscriber.wellbeing_enabled, subscriber.wellbeing_time) == (True, None)
    assert subscriber.language == "en"
    assert len(await deliveries(sessions)) == 1


async def test_back_returns_to_the_previous_question(
    onboarding: OnboardingService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Back asks the previous question again, with its answer kept until it is changed."""
    me = await accepted(onboarding)
    await press(onboarding, me, Setting.TIMEZONE, SetZone("Europe/Madrid"))

    back = await press(onboarding, me, Setting.TIME, StepAction.BACK)

    assert back.view is not None
    assert (back.view.step, back.view.timezone) == (Setting.TIMEZONE, "Europe/Madrid")


@pytest.mark.parametrize(
    ("setting", "message_id"),
    [
        pytest.param(Setting.TIMEZONE, NOTE, id="an-answered-question"),
        pytest.param(Setting.LANGUAGE, NOTE, id="a-later-question"),
        pytest.param(Setting.TIME, NOTE + 7, id="the-question-in-an-older-message"),
    ],
)
async def test_a_press_that_is_not_on_the_current_question_changes_nothing(
    onboarding: OnboardingService,
    sessions: async_sessionmaker[AsyncSession],
    setting: Setting,
    message_id: int,
) -> None:
    """Only the current question, in the message showing it, takes answers."""
    me = await accepted(onboarding)
    await press(onboarding, me, Setting.TIMEZONE, SetZone("Europe/Madrid"))

    result = await press(onboarding, me, setting, SetLanguage("es"), message_id)

    [subscriber] = await stored(sessions)
    assert result.status is StepStatus.STALE
    assert (subscriber.language, subscriber.timezone) == ("en", "Europe/Madrid")


async def test_a_button_naming_another_subscriber_is_refused(
    onboarding: OnboardingService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """A press carrying someone else's id changes nothing in either subscription."""
    me = await accepted(onboarding)

    result = await press(onboarding, me + 1, Setting.TIMEZONE, SetZone("Asia/Tokyo"))

    [subscriber] = await stored(sessions)
    assert result.status is StepStatus.NOT_YOURS
    assert subscriber.timezone == "Europe/Berlin"


async def test_a_forged_value_is_refused_and_the_question_stays(
    onboarding: OnboardingService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """A zone that does not exist is refused; the same question still waits for an answer."""
    me = await accepted(onboarding)

    result = await press(onboarding, me, Setting.TIMEZONE, SetZone("Mars/Olympus_Mons"))

    [subscriber] = await stored(sessions)
    still = await onboarding.start(42, "en", NOW)
    assert (result.status, result.refusal) == (StepStatus.INVALID, Refusal.UNKNOWN_ZONE)
    assert subscriber.timezone == "Europe/Berlin"
    assert still.view is not None
    assert still.view.step is Setting.TIMEZONE


async def test_typed_answers_move_on_and_name_the_message_to_retire(
    onboarding: OnboardingService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """A typed city answers the zone question; the reply says which message asked it."""
    await accepted(onboarding)

    result = await onboarding.typed(42, "Lisbon", NOW)
    await onboarding.shown(42, NOTE + 2)
    timed = await onboarding.typed(42, "7:15pm", NOW)

    [subscriber] = await stored(sessions)
    assert (result.status, result.setting) == (StepStatus.ASKING, Setting.TIMEZONE)
    assert result.replaced_message_id == NOTE
    assert timed.replaced_message_id == NOTE + 2
    assert (subscriber.timezone, subscriber.nudge_times) == ("Europe/Lisbon", ["19:15"])


@pytest.mark.parametrize(
    ("answers", "refusal"),
    [
        pytest.param(["Atlantis"], Refusal.UNKNOWN_ZONE, id="no-such-place"),
        pytest.param(["Madrid", "25:99"], Refusal.BAD_TIME, id="no-such-time"),
        pytest.param(["Madrid", "03:00"], Refusal.QUIET_TIME, id="in-quiet-hours"),
        pytest.param(["Madrid", "08:30", "sleep"], Refusal.BUTTONS_ONLY, id="typed-topic"),
    ],
)
async def test_bad_typed_answers_are_refused_and_keep_the_question(
    onboarding: OnboardingService,
    sessions: async_sessionmaker[AsyncSession],
    answers: list[str],
    refusal: Refusal,
) -> None:
    """Text that cannot answer the question is refused with the reason; nothing moves on."""
    await accepted(onboarding)
    for text in answers[:-1]:
        await onboarding.typed(42, text, NOW)
    before = (await stored(sessions))[0]

    result = await onboarding.typed(42, answers[-1], NOW)

    [after] = await stored(sessions)
    assert (result.status, result.refusal) == (StepStatus.INVALID, refusal)
    assert after.onboarding_step == before.onboarding_step
    assert (after.timezone, after.nudge_times) == (before.timezone, before.nudge_times)


async def test_repeating_start_mid_way_continues_where_they_were(
    onboarding: OnboardingService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """/start again keeps every answer and asks the same question in a new message."""
    me = await accepted(onboarding)
    await press(onboarding, me, Setting.TIMEZONE, SetZone("Europe/Madrid"))

    again = await onboarding.start(42, "en", NOW)
    await onboarding.shown(42, NOTE + 3)
    old_message = await press(onboarding, me, Setting.TIME, StepAction.SKIP)
    new_message = await press(onboarding, me, Setting.TIME, StepAction.SKIP, NOTE + 3)

    assert again.kind is StartKind.CONTINUING
    assert again.view is not None
    assert (again.view.step, again.view.timezone) == (Setting.TIME, "Europe/Madrid")
    assert again.replaced_message_id == NOTE
    assert (old_message.status, new_message.status) == (StepStatus.STALE, StepStatus.ASKING)


async def test_start_once_subscribed_changes_nothing(
    onboarding: OnboardingService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """/start from an active subscriber shows their settings; no tip, no reset."""
    me = await accepted(onboarding)
    await press(onboarding, me, Setting.TIMEZONE, SetZone("Europe/Madrid"))
    for step in STEPS[1:]:
        await press(onboarding, me, step, StepAction.SKIP)

    again = await onboarding.start(42, "en", NOW + timedelta(minutes=5))
    accepted_again = await onboarding.accept(42, "en", NOTE, NOW + timedelta(minutes=5))

    [subscriber] = await stored(sessions)
    assert again.kind is StartKind.SETTLED
    assert accepted_again.status is StepStatus.STALE
    assert (subscriber.status, subscriber.timezone) == (SubscriberStatus.ACTIVE, "Europe/Madrid")
    assert len(await deliveries(sessions)) == 1


async def test_someone_coming_back_starts_from_their_old_settings(
    onboarding: OnboardingService,
    sessions: async_sessionmaker[AsyncSession],
    content: ContentStore,
) -> None:
    """After /stop, /start asks again with the old answers as what Skip keeps."""
    me = await accepted(onboarding)
    await press(onboarding, me, Setting.TIMEZONE, SetZone("Asia/Tokyo"))
    for step in STEPS[1:]:
        await press(onboarding, me, step, StepAction.SKIP)
    await SubscriptionService(sessions, DEFAULTS, content, POLICY, seeded_chooser()).unsubscribe(
        42, NOW
    )

    later = NOW + timedelta(days=10)
    started = await onboarding.start(42, "en", later)
    await onboarding.accept(42, "en", NOTE + 9, later)
    results = [
        await onboarding.answer(42, StepAnswer(me, s, StepAction.SKIP, None, NOTE + 9), later)
        for s in STEPS
    ]

    [subscriber] = await stored(sessions)
    assert started.kind is StartKind.RETURNING
    assert results[-1].status is StepStatus.FINISHED
    assert (subscriber.status, subscriber.timezone) == (SubscriberStatus.ACTIVE, "Asia/Tokyo")
    assert len(await deliveries(sessions)) == 2


async def test_stop_during_onboarding_ends_it(
    onboarding: OnboardingService,
    sessions: async_sessionmaker[AsyncSession],
    content: ContentStore,
) -> None:
    """/stop half-way leaves a stopped subscriber with no question open and buttons dead."""
    me = await accepted(onboarding)
    subscriptions = SubscriptionService(sessions, DEFAULTS, content, POLICY, seeded_chooser())

    stopped = await subscriptions.unsubscribe(42, NOW)
    typed = await onboarding.typed(42, "Lisbon", NOW)
    pressed = await press(onboarding, me, Setting.TIMEZONE, SetZone("Europe/Lisbon"))

    [subscriber] = await stored(sessions)
    assert stopped is True
    assert (subscriber.status, subscriber.onboarding_step) == (SubscriberStatus.STOPPED, None)
    assert (typed.status, pressed.status) == (StepStatus.NOT_ASKED, StepStatus.UNKNOWN)
    assert subscriber.timezone == "Europe/Berlin"


async def test_a_settings_question_takes_a_typed_answer_for_ten_minutes(
    onboarding: OnboardingService,
    sessions: async_sessionmaker[AsyncSession],
    content: ContentStore,
) -> None:
    """After opening the zone choices, a typed city counts; after ten minutes, text is text."""
    me = await accepted(onboarding)
    for step in STEPS:
        await press(onboarding, me, step, StepAction.SKIP)
    settings = SettingsService(sessions, content, POLICY)

    await settings.show(42, NOW, asking=Setting.TIMEZONE, message_id=NOTE + 4)
    answered = await onboarding.typed(42, "Tokyo", NOW + timedelta(minutes=9))
    await settings.show(42, NOW, asking=Setting.TIME)
    too_late = await onboarding.typed(42, "18:00", NOW + timedelta(minutes=11))

    [subscriber] = await stored(sessions)
    assert (answered.status, answered.settings) == (StepStatus.ASKING, True)
    assert answered.replaced_message_id == NOTE + 4
    assert too_late.status is StepStatus.NOT_ASKED
    assert (subscriber.timezone, subscriber.nudge_times) == ("Asia/Tokyo", ["09:00"])


async def test_a_dormant_subscriber_is_woken_by_start(
    onboarding: OnboardingService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """/start after the bot paused them for silence makes them active, with a tip due now."""
    me = await accepted(onboarding)
    for step in STEPS:
        await press(onboarding, me, step, StepAction.SKIP)
    async with sessions.begin() as session:
        subscriber = await session.get(Subscriber, me)
        assert subscriber is not None
        subscriber.status = SubscriberStatus.DORMANT
        subscriber.next_due_at = None

    later = NOW + timedelta(days=9)
    started = await onboarding.start(42, "en", later)

    [subscriber] = await stored(sessions)
    assert started.kind is StartKind.WOKEN
    assert subscriber.status is SubscriberStatus.ACTIVE
    assert (await deliveries(sessions))[-1].due_at == later
