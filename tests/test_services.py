"""Subscribing, planning, pausing and check-ins against a real database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nudgebot.app import delivery_policy
from nudgebot.config import Settings
from nudgebot.content import ContentStore
from nudgebot.db import (
    Answer,
    Delivery,
    DeliveryKind,
    DeliveryState,
    Subscriber,
    SubscriberStatus,
)
from nudgebot.delivery import Dispatcher, DispatcherSettings
from nudgebot.services import (
    CheckinService,
    CheckinStatus,
    JoinKind,
    PauseOutcome,
    PauseService,
    SubscriptionDefaults,
    SubscriptionService,
)
from tests.factories import NoTelegram, seeded_chooser

Row = TypeVar("Row", Subscriber, Delivery, Answer)
NOW = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)  # 09:00 in Berlin
DEFAULTS = SubscriptionDefaults("Europe/Berlin", time(9, 0))
POLICY = delivery_policy(Settings.model_validate({}))  # quiet 21:30-08:00, gap 1 h, budget 2


@pytest.fixture
def subscriptions(
    sessions: async_sessionmaker[AsyncSession], content: ContentStore
) -> SubscriptionService:
    """The subscription service on the test database."""
    return SubscriptionService(sessions, DEFAULTS, content, POLICY, seeded_chooser())


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


@pytest.fixture
def pauses(sessions: async_sessionmaker[AsyncSession], content: ContentStore) -> PauseService:
    """The pause service."""
    return PauseService(sessions, content, POLICY)


@pytest.fixture
def checkins(sessions: async_sessionmaker[AsyncSession], content: ContentStore) -> CheckinService:
    """The check-in service."""
    return CheckinService(sessions, content, POLICY)


async def rows(sessions: async_sessionmaker[AsyncSession], model: type[Row]) -> list[Row]:
    """All rows of a model, oldest first."""
    async with sessions() as session:
        return list((await session.scalars(select(model).order_by(model.id))).all())


async def subscriber_of(sessions: async_sessionmaker[AsyncSession]) -> Subscriber:
    """The only subscriber."""
    [subscriber] = await rows(sessions, Subscriber)
    return subscriber


async def subscribe_tips_only(
    subscriptions: SubscriptionService,
    sessions: async_sessionmaker[AsyncSession],
    at: datetime,
) -> None:
    """Subscribe chat 42 and turn the wellbeing check-in off, leaving only the tip nudges."""
    await subscriptions.subscribe(42, "en", at)
    async with sessions.begin() as session:
        subscriber = (await session.scalars(select(Subscriber))).one()
        subscriber.wellbeing_enabled = False
        subscriber.next_due_at = next_tip_at(subscriber.next_due_at)


def next_tip_at(due: datetime | None) -> datetime | None:
    """The 09:00 Berlin nudge at or after `due` (skipping today's 19:30 check-in)."""
    if due is None or due.hour == 7:
        return due
    return datetime.combine(due.date() + timedelta(days=1), time(7, 0), tzinfo=UTC)


async def test_start_subscribes_with_defaults_and_queues_the_first_tip_now(
    subscriptions: SubscriptionService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """/start creates an active subscriber and a tip due now; next, the 19:30 wellbeing check-in."""
    joined = await subscriptions.subscribe(42, "es", NOW)

    subscriber = await subscriber_of(sessions)
    [delivery] = await rows(sessions, Delivery)
    assert joined.kind is JoinKind.NEW
    assert (subscriber.chat_id, subscriber.language) == (42, "es")
    assert (subscriber.timezone, subscriber.nudge_times) == ("Europe/Berlin", ["09:00"])
    assert subscriber.status is SubscriberStatus.ACTIVE
    assert (delivery.kind, delivery.state, delivery.due_at) == (
        DeliveryKind.TIP,
        DeliveryState.PLANNED,
        NOW,
    )
    assert subscriber.next_due_at == datetime(2026, 6, 1, 17, 30, tzinfo=UTC)


async def test_first_tip_is_not_held_by_quiet_hours(
    subscriptions: SubscriptionService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Someone subscribing at 23:00 asked for a tip: it is due at once, quiet hours or not."""
    late = datetime(2026, 6, 1, 21, 0, tzinfo=UTC)  # 23:00 in Berlin

    await subscriptions.subscribe(42, "en", late)

    [delivery] = await rows(sessions, Delivery)
    assert delivery.due_at == late


async def test_early_subscriber_gets_todays_nudge_not_a_second_one(
    subscriptions: SubscriptionService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """At 07:00, before the 09:00 nudge, the first tip counts as today's: next is tomorrow."""
    early = datetime(2026, 6, 1, 5, 0, tzinfo=UTC)  # 07:00 in Berlin

    await subscribe_tips_only(subscriptions, sessions, early)

    [delivery] = await rows(sessions, Delivery)
    assert delivery.local_date == date(2026, 6, 1)
    assert (await subscriber_of(sessions)).next_due_at == datetime(2026, 6, 2, 7, 0, tzinfo=UTC)


async def test_repeated_start_keeps_the_schedule(
    subscriptions: SubscriptionService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """A second /start from an active subscriber changes nothing and queues nothing."""
    await subscriptions.subscribe(42, "en", NOW)

    joined = await subscriptions.subscribe(42, "en", NOW + timedelta(minutes=5))

    assert joined.kind is JoinKind.ALREADY_ACTIVE
    assert len(await rows(sessions, Delivery)) == 1


async def test_stop_clears_the_schedule_and_skips_planned(
    subscriptions: SubscriptionService,
    sessions: async_sessionmaker[AsyncSession],
    planner: Dispatcher,
) -> None:
    """/stop leaves nothing due and turns a planned delivery into a skipped one."""
    await subscriptions.subscribe(42, "en", NOW)

    stopped = await subscriptions.unsubscribe(42, NOW)
    stopped_twice = await subscriptions.unsubscribe(42, NOW)

    subscriber = await subscriber_of(sessions)
    [delivery] = await rows(sessions, Delivery)
    assert (stopped, stopped_twice) == (True, False)
    assert subscriber.next_due_at is None
    assert delivery.state is DeliveryState.SKIPPED
    assert await planner.plan_due(NOW + timedelta(days=2)) == 0


async def test_returning_subscriber_gets_a_tip_again(
    subscriptions: SubscriptionService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """/start after /stop brings the subscriber back with a tip due at once."""
    await subscriptions.subscribe(42, "en", NOW)
    await subscriptions.unsubscribe(42, NOW)

    joined = await subscriptions.subscribe(42, "en", NOW + timedelta(days=3))

    deliveries = await rows(sessions, Delivery)
    assert joined.kind is JoinKind.RETURNING
    assert deliveries[-1].due_at == NOW + timedelta(days=3)


async def test_coming_back_the_same_day_still_brings_the_tip_asked_for(
    subscriptions: SubscriptionService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """/start again on a day whose tip was already planned queues the new tip under its own key."""
    await subscriptions.subscribe(42, "en", NOW)
    await subscriptions.unsubscribe(42, NOW)

    await subscriptions.subscribe(42, "en", NOW + timedelta(hours=2))

    deliveries = await rows(sessions, Delivery)
    assert [(d.slot, d.state) for d in deliveries] == [
        ("tip0", DeliveryState.SKIPPED),
        ("restart", DeliveryState.PLANNED),
    ]
    assert deliveries[-1].due_at == NOW + timedelta(hours=2)


async def test_daily_planning_picks_unseen_tips_on_local_days(
    subscriptions: SubscriptionService,
    sessions: async_sessionmaker[AsyncSession],
    planner: Dispatcher,
) -> None:
    """Each day at 09:00 local gets a tip the subscriber has not had, dated in their calendar."""
    await subscribe_tips_only(subscriptions, sessions, NOW)

    planned = [await planner.plan_due(NOW + timedelta(days=n)) for n in (1, 2)]

    deliveries = await rows(sessions, Delivery)
    assert planned == [1, 1]
    assert [d.local_date for d in deliveries] == [date(2026, 6, n) for n in (1, 2, 3)]
    assert len({d.tip_id for d in deliveries}) == 3
    assert (await subscriber_of(sessions)).next_due_at == datetime(2026, 6, 4, 7, 0, tzinfo=UTC)


async def test_daily_budget_caps_the_messages_of_a_day(
    subscriptions: SubscriptionService,
    sessions: async_sessionmaker[AsyncSession],
    planner: Dispatcher,
) -> None:
    """With a budget of 2, a third nudge time on the same day plans nothing."""
    await subscribe_tips_only(subscriptions, sessions, NOW)
    async with sessions.begin() as session:
        subscriber = (await session.scalars(select(Subscriber))).one()
        subscriber.nudge_times = ["09:00", "13:00", "18:00"]
        subscriber.next_due_at = datetime(2026, 6, 1, 11, 0, tzinfo=UTC)

    await planner.plan_due(datetime(2026, 6, 1, 11, 0, tzinfo=UTC))  # 13:00
    await planner.plan_due(datetime(2026, 6, 1, 16, 0, tzinfo=UTC))  # 18:00

    deliveries = await rows(sessions, Delivery)
    assert [d.slot for d in deliveries] == ["tip0", "tip1"]
    assert (await subscriber_of(sessions)).next_due_at == datetime(2026, 6, 2, 7, 0, tzinfo=UTC)


async def test_minimum_gap_pushes_a_nudge_back(
    subscriptions: SubscriptionService,
    sessions: async_sessionmaker[AsyncSession],
    planner: Dispatcher,
) -> None:
    """A nudge due 20 minutes after the last message waits until the hour has passed."""
    await subscriptions.subscribe(42, "en", NOW)
    async with sessions.begin() as session:
        subscriber = (await session.scalars(select(Subscriber))).one()
        subscriber.nudge_times = ["09:00", "09:20"]
        subscriber.last_message_at = NOW
        subscriber.next_due_at = NOW + timedelta(minutes=20)

    await planner.plan_due(NOW + timedelta(minutes=20))

    second = (await rows(sessions, Delivery))[-1]
    assert second.due_at == NOW + timedelta(hours=1)


async def test_pause_skips_everything_until_a_welcome_back(
    subscriptions: SubscriptionService,
    pauses: PauseService,
    sessions: async_sessionmaker[AsyncSession],
    planner: Dispatcher,
) -> None:
    """During a pause nothing is planned; when it ends, a welcome back comes first."""
    await subscribe_tips_only(subscriptions, sessions, NOW)

    result = await pauses.pause(42, 3, NOW)
    during = [await planner.plan_due(NOW + timedelta(days=n)) for n in (1, 2)]
    ended = await planner.plan_due(NOW + timedelta(days=3))

    deliveries = await rows(sessions, Delivery)
    subscriber = await subscriber_of(sessions)
    assert result.outcome is PauseOutcome.PAUSED
    assert result.until == date(2026, 6, 4)
    assert during == [0, 0]
    assert ended == 1
    assert [(d.kind, d.state) for d in deliveries] == [
        (DeliveryKind.TIP, DeliveryState.SKIPPED),
        (DeliveryKind.RESUME_NOTICE, DeliveryState.PLANNED),
    ]
    assert subscriber.status is SubscriberStatus.ACTIVE
    assert subscriber.next_due_at == datetime(2026, 6, 5, 7, 0, tzinfo=UTC)


async def test_resume_ends_a_pause_early(
    subscriptions: SubscriptionService,
    pauses: PauseService,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """/resume makes the subscriber active again, next nudge at the next nudge time."""
    await subscriptions.subscribe(42, "en", NOW)
    await pauses.pause(42, 7, NOW)

    resumed = await pauses.resume(42, NOW + timedelta(hours=1))
    again = await pauses.resume(42, NOW + timedelta(hours=2))

    subscriber = await subscriber_of(sessions)
    assert (resumed.outcome, again.outcome) == (PauseOutcome.RESUMED, PauseOutcome.NOT_PAUSED)
    assert subscriber.status is SubscriberStatus.ACTIVE
    assert subscriber.next_due_at == datetime(2026, 6, 2, 7, 0, tzinfo=UTC)


@pytest.mark.parametrize("days", [0, -1, 366])
async def test_pause_length_is_checked(pauses: PauseService, days: int) -> None:
    """A pause lasts 1 to 365 days."""
    with pytest.raises(ValueError, match="1 to 365"):
        await pauses.pause(42, days, NOW)


@pytest.fixture
async def delivery_id(
    subscriptions: SubscriptionService, sessions: async_sessionmaker[AsyncSession]
) -> int:
    """The first tip delivery of chat 42 (chat 77 also subscribed)."""
    await subscriptions.subscribe(42, "en", NOW)
    await subscriptions.subscribe(77, "en", NOW)
    async with sessions() as session:
        query = select(Delivery.id).join(Subscriber).where(Subscriber.chat_id == 42)
        return (await session.scalars(query)).one()


async def test_answer_is_recorded_and_a_change_keeps_history(
    checkins: CheckinService, sessions: async_sessionmaker[AsyncSession], delivery_id: int
) -> None:
    """The first press records, another option changes the answer, the same one changes nothing."""
    first = await checkins.answer(42, delivery_id, "done", NOW)
    changed = await checkins.answer(42, delivery_id, "nope", NOW + timedelta(minutes=1))
    same = await checkins.answer(42, delivery_id, "nope", NOW + timedelta(minutes=2))

    answers = await rows(sessions, Answer)
    assert [first.status, changed.status, same.status] == [
        CheckinStatus.RECORDED,
        CheckinStatus.CHANGED,
        CheckinStatus.UNCHANGED,
    ]
    assert [(a.option_id, a.outcome) for a in answers] == [
        ("done", "done"),
        ("nope", "not_for_me"),
    ]
    assert changed.message is not None
    assert "✅ Not for me" in [b.label for b in changed.message.buttons]


async def test_later_plans_the_tip_again_after_the_delay(
    checkins: CheckinService, sessions: async_sessionmaker[AsyncSession], delivery_id: int
) -> None:
    """'Later' queues the same tip three hours on and says when, in local time."""
    result = await checkins.answer(42, delivery_id, "later", NOW)

    deliveries = await rows(sessions, Delivery)
    again = deliveries[-1]
    original = next(d for d in deliveries if d.id == delivery_id)
    assert result.again_at == time(12, 0)
    assert again.tip_id == original.tip_id
    assert again.due_at == NOW + timedelta(hours=3)
    assert again.local_date == original.local_date


async def test_later_in_the_evening_waits_for_the_morning(
    checkins: CheckinService,
    sessions: async_sessionmaker[AsyncSession],
    delivery_id: int,
) -> None:
    """'Later' at 20:00 would land at 23:00, in quiet hours: it comes at 08:00 instead."""
    evening = datetime(2026, 6, 1, 18, 0, tzinfo=UTC)  # 20:00 in Berlin

    result = await checkins.answer(42, delivery_id, "later", evening)

    assert result.again_at == time(8, 0)
    assert (await rows(sessions, Delivery))[-1].due_at == datetime(2026, 6, 2, 6, 0, tzinfo=UTC)


async def test_later_twice_does_not_queue_twice(
    checkins: CheckinService, sessions: async_sessionmaker[AsyncSession], delivery_id: int
) -> None:
    """Pressing 'Later', something else, then 'Later' again re-sends the tip once."""
    await checkins.answer(42, delivery_id, "later", NOW)
    await checkins.answer(42, delivery_id, "done", NOW + timedelta(minutes=1))
    await checkins.answer(42, delivery_id, "later", NOW + timedelta(minutes=2))

    later = [d for d in await rows(sessions, Delivery) if d.slot.startswith("later")]
    assert len(later) == 1


@pytest.mark.parametrize(
    ("chat_id", "option", "offset", "status"),
    [
        pytest.param(77, "done", 0, CheckinStatus.NOT_YOURS, id="another-subscriber"),
        pytest.param(999, "done", 0, CheckinStatus.NOT_YOURS, id="a-stranger"),
        pytest.param(42, "maybe", 0, CheckinStatus.UNKNOWN_OPTION, id="forged-option"),
        pytest.param(42, "done", 1000, CheckinStatus.UNKNOWN_DELIVERY, id="no-such-delivery"),
    ],
)
async def test_forged_presses_are_refused_and_record_nothing(
    checkins: CheckinService,
    sessions: async_sessionmaker[AsyncSession],
    delivery_id: int,
    chat_id: int,
    option: str,
    offset: int,
    status: CheckinStatus,
) -> None:
    """A press for someone else's, a missing delivery or an option the tip lacks is refused."""
    result = await checkins.answer(chat_id, delivery_id + offset, option, NOW)

    assert result.status is status
    assert await rows(sessions, Answer) == []


async def test_deleted_delivery_is_refused(
    checkins: CheckinService, sessions: async_sessionmaker[AsyncSession], delivery_id: int
) -> None:
    """A button under a delivery that was deleted is refused as gone."""
    async with sessions.begin() as session:
        await session.delete(await session.get(Delivery, delivery_id))

    result = await checkins.answer(42, delivery_id, "done", NOW)

    assert result.status is CheckinStatus.UNKNOWN_DELIVERY
