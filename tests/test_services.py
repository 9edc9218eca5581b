"""Subscribing, planning and recording check-ins against a real SQLite database."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nudgebot.content import ContentStore
from nudgebot.db import Answer, Delivery, DeliveryState, Subscriber, SubscriberStatus
from nudgebot.delivery import Dispatcher, DispatcherSettings
from nudgebot.services import (
    CheckinService,
    CheckinStatus,
    JoinKind,
    SubscriptionDefaults,
    SubscriptionService,
)

NOW = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)
DEFAULTS = SubscriptionDefaults("Europe/Berlin", time(9, 0))


class NoTelegram:
    """A TipSender for tests that only plan: it fails the test if anything is sent."""

    async def send_tip(self, chat_id: int, delivery_id: int, tip: object) -> int:
        raise AssertionError("these tests plan deliveries but never send them")


@pytest.fixture
def subscriptions(sessions: async_sessionmaker[AsyncSession]) -> SubscriptionService:
    """The subscription service on the test database."""
    return SubscriptionService(sessions, DEFAULTS)


@pytest.fixture
def planner(sessions: async_sessionmaker[AsyncSession], content: ContentStore) -> Dispatcher:
    """A dispatcher used only for planning."""
    return Dispatcher(sessions, content, NoTelegram(), DispatcherSettings(owner="test"))


async def one(sessions: async_sessionmaker[AsyncSession], model: type[object]) -> list[object]:
    """All rows of a model."""
    async with sessions() as session:
        return list((await session.scalars(select(model))).all())


async def test_new_subscriber_is_due_at_once_with_defaults(
    subscriptions: SubscriptionService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """/start creates an active subscriber in the default zone and time, due right now."""
    joined = await subscriptions.subscribe(42, "es", NOW)

    [subscriber] = await one(sessions, Subscriber)
    assert joined.kind is JoinKind.NEW
    assert isinstance(subscriber, Subscriber)
    assert (subscriber.chat_id, subscriber.language) == (42, "es")
    assert (subscriber.timezone, subscriber.nudge_time) == ("Europe/Berlin", time(9, 0))
    assert subscriber.status is SubscriberStatus.ACTIVE
    assert subscriber.next_due_at == NOW


async def test_repeated_start_keeps_the_schedule(
    subscriptions: SubscriptionService,
    sessions: async_sessionmaker[AsyncSession],
    planner: Dispatcher,
) -> None:
    """A second /start from an active subscriber changes nothing and plans nothing new."""
    await subscriptions.subscribe(42, "en", NOW)
    await planner.plan_due(NOW)

    joined = await subscriptions.subscribe(42, "en", NOW + timedelta(minutes=5))
    planned_again = await planner.plan_due(NOW + timedelta(minutes=5))

    assert joined.kind is JoinKind.ALREADY_ACTIVE
    assert planned_again == 0
    assert len(await one(sessions, Delivery)) == 1


async def test_stop_clears_the_schedule_and_skips_planned(
    subscriptions: SubscriptionService,
    sessions: async_sessionmaker[AsyncSession],
    planner: Dispatcher,
) -> None:
    """/stop leaves nothing due and turns a planned delivery into a skipped one."""
    await subscriptions.subscribe(42, "en", NOW)
    await planner.plan_due(NOW)

    stopped = await subscriptions.unsubscribe(42, NOW)
    stopped_twice = await subscriptions.unsubscribe(42, NOW)

    [subscriber] = await one(sessions, Subscriber)
    [delivery] = await one(sessions, Delivery)
    assert (stopped, stopped_twice) == (True, False)
    assert isinstance(subscriber, Subscriber)
    assert isinstance(delivery, Delivery)
    assert subscriber.next_due_at is None
    assert delivery.state is DeliveryState.SKIPPED
    assert await planner.plan_due(NOW + timedelta(days=2)) == 0


async def test_returning_subscriber_is_due_again(
    subscriptions: SubscriptionService, planner: Dispatcher
) -> None:
    """/start after /stop brings the subscriber back, due at once."""
    await subscriptions.subscribe(42, "en", NOW)
    await subscriptions.unsubscribe(42, NOW)

    joined = await subscriptions.subscribe(42, "en", NOW + timedelta(days=3))

    assert joined.kind is JoinKind.RETURNING
    assert await planner.plan_due(NOW + timedelta(days=3)) == 1


async def test_planning_advances_to_next_local_day_and_picks_unseen_tips(
    subscriptions: SubscriptionService,
    sessions: async_sessionmaker[AsyncSession],
    planner: Dispatcher,
) -> None:
    """Each planned day gets a tip the subscriber has not had, dated in their local calendar."""
    await subscriptions.subscribe(42, "en", NOW)
    moments = [NOW, datetime(2026, 6, 2, 7, 0, tzinfo=UTC), datetime(2026, 6, 3, 7, 0, tzinfo=UTC)]

    planned = [await planner.plan_due(moment) for moment in moments]

    deliveries = [d for d in await one(sessions, Delivery) if isinstance(d, Delivery)]
    [subscriber] = await one(sessions, Subscriber)
    assert planned == [1, 1, 1]
    assert [d.local_date for d in deliveries] == [
        date(2026, 6, 1),
        date(2026, 6, 2),
        date(2026, 6, 3),
    ]
    assert len({d.tip_id for d in deliveries}) == 3
    assert isinstance(subscriber, Subscriber)
    assert subscriber.next_due_at == datetime(2026, 6, 4, 7, 0, tzinfo=UTC)


async def test_planning_twice_for_one_day_is_impossible(
    subscriptions: SubscriptionService,
    sessions: async_sessionmaker[AsyncSession],
    planner: Dispatcher,
) -> None:
    """Even if a subscriber is made due again the same day, the outbox key allows one tip."""
    await subscriptions.subscribe(42, "en", NOW)
    await planner.plan_due(NOW)
    await subscriptions.unsubscribe(42, NOW)
    await subscriptions.subscribe(42, "en", NOW + timedelta(hours=1))

    await planner.plan_due(NOW + timedelta(hours=1))

    assert len(await one(sessions, Delivery)) == 1


@pytest.fixture
async def delivery_id(
    subscriptions: SubscriptionService,
    planner: Dispatcher,
    sessions: async_sessionmaker[AsyncSession],
) -> int:
    """A planned tip delivery for chat 42."""
    await subscriptions.subscribe(42, "en", NOW)
    await subscriptions.subscribe(77, "en", NOW)
    await planner.plan_due(NOW)
    async with sessions() as session:
        return (
            await session.scalars(
                select(Delivery.id).join(Subscriber).where(Subscriber.chat_id == 42)
            )
        ).one()


async def test_answer_is_recorded_and_a_change_keeps_history(
    sessions: async_sessionmaker[AsyncSession], content: ContentStore, delivery_id: int
) -> None:
    """The first press records, another option changes the answer, the same one changes nothing."""
    checkins = CheckinService(sessions, content)

    first = await checkins.answer(42, delivery_id, "done", NOW)
    changed = await checkins.answer(42, delivery_id, "later", NOW + timedelta(minutes=1))
    same = await checkins.answer(42, delivery_id, "later", NOW + timedelta(minutes=2))

    answers = [a for a in await one(sessions, Answer) if isinstance(a, Answer)]
    assert [first.status, changed.status, same.status] == [
        CheckinStatus.RECORDED,
        CheckinStatus.CHANGED,
        CheckinStatus.UNCHANGED,
    ]
    assert [(a.option_id, a.outcome) for a in answers] == [("done", "done"), ("later", "later")]
    assert changed.message is not None
    assert "✅ Later" in [b.label for b in changed.message.buttons]


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
    sessions: async_sessionmaker[AsyncSession],
    content: ContentStore,
    delivery_id: int,
    chat_id: int,
    option: str,
    offset: int,
    status: CheckinStatus,
) -> None:
    """A press for someone else's, a missing delivery or an option the tip lacks is refused."""
    checkins = CheckinService(sessions, content)

    result = await checkins.answer(chat_id, delivery_id + offset, option, NOW)

    assert result.status is status
    assert await one(sessions, Answer) == []


async def test_deleted_delivery_is_refused(
    sessions: async_sessionmaker[AsyncSession], content: ContentStore, delivery_id: int
) -> None:
    """A button under a delivery that was deleted is refused as gone."""
    async with sessions.begin() as session:
        await session.delete(await session.get(Delivery, delivery_id))

    result = await CheckinService(sessions, content).answer(42, delivery_id, "done", NOW)

    assert result.status is CheckinStatus.UNKNOWN_DELIVERY
