"""Learning from check-ins: what a tip carries, how answers move the bandit's state, wellbeing
check-ins, safety after a low score, and how silence is handled. Real databases; the outbox
sends through a recording sender (the Telegram edge), everything else is the bot's own code."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import sqlite3
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TypeVar

import numpy as np
import pytest
from sqlalchemy import Connection, delete, event, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram.error import BadRequest, Forbidden, TelegramError

from nudgebot.adaptation import RandomPolicy
from nudgebot.adaptation.progress import DAILY_MULTIPLIER
from nudgebot.app import delivery_policy
from nudgebot.config import Settings
from nudgebot.content import ContentLibrary, ContentStore
from nudgebot.content.rendering import (
    RenderedNotice,
    RenderedTip,
    RenderedWellbeing,
    wellbeing_option,
)
from nudgebot.db import (
    Answer,
    Delivery,
    DeliveryKind,
    DeliveryState,
    Subscriber,
    SubscriberStatus,
    create_engine,
    create_session_factory,
    reading,
)
from nudgebot.db.models import Note, TopicStats
from nudgebot.db.repositories import (
    DeliveryRepository,
    LearningRepository,
    LeaseRepository,
    TopicStatsRepository,
)
from nudgebot.delivery import Dispatcher, DispatcherSettings
from nudgebot.delivery.learning import TipChooser, open_topics
from nudgebot.delivery.transport import OutboxSender
from nudgebot.services import (
    CheckinService,
    CheckinStatus,
    SubscriptionDefaults,
    SubscriptionService,
)
from nudgebot.services.pauses import PauseService
from nudgebot.services.progress import ProgressService
from nudgebot.services.safety import SafetyService
from tests.factories import due_subscriber_rows, seeded_chooser

Row = TypeVar("Row", Subscriber, Delivery, Answer, Note, TopicStats)
CHAT = 42
START = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)  # everyone in UTC, nudges at 09:00
EVENING = timedelta(hours=10, minutes=30)  # 19:30, the wellbeing check-in
POLICY = delivery_policy(Settings.model_validate({}))


class RecordingTelegram:
    """The Telegram edge: keeps what each chat was sent and answers with message ids."""

    def __init__(self) -> None:
        self.sent: list[tuple[int, int, object]] = []

    def _record(self, chat_id: int, delivery_id: int, message: object) -> int:
        self.sent.append((chat_id, delivery_id, message))
        return len(self.sent)

    async def send_tip(self, chat_id: int, delivery_id: int, tip: RenderedTip) -> int:
        return self._record(chat_id, delivery_id, tip)

    async def send_wellbeing(
        self, chat_id: int, delivery_id: int, checkin: RenderedWellbeing
    ) -> int:
        return self._record(chat_id, delivery_id, checkin)

    async def send_notice(self, chat_id: int, delivery_id: int, notice: RenderedNotice) -> int:
        return self._record(chat_id, delivery_id, notice)


@pytest.fixture
def telegram() -> RecordingTelegram:
    """What the bot sent."""
    return RecordingTelegram()


@pytest.fixture
def dispatcher(
    sessions: async_sessionmaker[AsyncSession], content: ContentStore, telegram: RecordingTelegram
) -> Dispatcher:
    """The outbox, choosing with the adaptive policy (seeded)."""
    return sending_through(sessions, content, telegram)


def sending_through(
    sessions: async_sessionmaker[AsyncSession], content: ContentStore, telegram: OutboxSender
) -> Dispatcher:
    """The outbox, choosing with the adaptive policy (seeded), sending through `telegram`."""
    return Dispatcher(
        sessions,
        content,
        telegram,
        policy=POLICY,
        chooser=seeded_chooser(),
        settings=DispatcherSettings(owner="test"),
        summaries=ProgressService(sessions, content, POLICY),
    )


@pytest.fixture
def checkins(sessions: async_sessionmaker[AsyncSession], content: ContentStore) -> CheckinService:
    """The check-in service."""
    return CheckinService(sessions, content, POLICY)


async def subscribe(
    sessions: async_sessionmaker[AsyncSession],
    content: ContentStore,
    *,
    topics: list[str] | None = None,
    wellbeing: bool = True,
) -> None:
    """Chat 42 subscribes at START (UTC, 09:00) with these settings."""
    service = SubscriptionService(
        sessions, SubscriptionDefaults("UTC", START.time()), content, POLICY, seeded_chooser()
    )
    await service.subscribe(CHAT, "en", START - timedelta(minutes=1))
    async with sessions.begin() as session:
        subscriber = (await session.scalars(select(Subscriber))).one()
        subscriber.topics = topics
        subscriber.wellbeing_enabled = wellbeing
        # Re-plan the first tip under these settings: drop the one /start queued.
        for delivery in await session.scalars(select(Delivery)):
            await session.delete(delivery)
        await session.execute(delete(TopicStats))
        subscriber.next_due_at = START


async def rows(sessions: async_sessionmaker[AsyncSession], model: type[Row]) -> list[Row]:
    """All rows of a model."""
    async with sessions() as session:
        return list((await session.scalars(select(model))).all())


async def tips(sessions: async_sessionmaker[AsyncSession]) -> list[Delivery]:
    """The tip deliveries, in the order they were planned."""
    return sorted(
        (d for d in await rows(sessions, Delivery) if d.kind is DeliveryKind.TIP),
        key=lambda d: d.id,
    )


def outbox_row(
    subscriber_id: int,
    kind: DeliveryKind,
    slot: str,
    at: datetime,
    *,
    tip_id: str | None = None,
    state: DeliveryState = DeliveryState.SENT,
    outcome: str | None = None,
) -> Delivery:
    """An outbox row of `at`'s day, due at `at` and, if `state` says it was sent, sent then
    (an ORM object, for service tests; `delivery_row` below is the repository tests' form)."""
    return Delivery(
        subscriber_id=subscriber_id,
        local_date=at.date(),
        slot=slot,
        kind=kind,
        state=state,
        tip_id=tip_id,
        due_at=at,
        sent_at=at if state is DeliveryState.SENT else None,
        created_at=at,
        outcome=outcome,
    )


async def live_days(
    dispatcher: Dispatcher,
    checkins: CheckinService,
    sessions: async_sessionmaker[AsyncSession],
    answers: list[str],
    *,
    evenings: bool = False,
) -> None:
    """From START, one day per answer: the 09:00 tip goes out and is answered an hour later
    (then the 19:30 message goes out, with `evenings`)."""
    for day, option in enumerate(answers):
        await dispatcher.tick(START + timedelta(days=day))
        answered = (await tips(sessions))[-1]
        await checkins.answer(CHAT, answered.id, option, START + timedelta(days=day, hours=1))
        if evenings:
            await dispatcher.tick(START + timedelta(days=day) + EVENING)


async def test_each_tip_stores_its_policy_and_propensity(
    sessions: async_sessionmaker[AsyncSession], content: ContentStore, dispatcher: Dispatcher
) -> None:
    """A planned tip records the policy that chose it and the probability it had."""
    await subscribe(sessions, content)

    await dispatcher.tick(START)

    [tip] = await tips(sessions)
    assert tip.policy == "adaptive"
    assert tip.propensity is not None
    assert 0.0 < tip.propensity <= 1.0


async def test_a_slot_taken_already_plans_nothing_and_counts_nothing(
    sessions: async_sessionmaker[AsyncSession], content: ContentStore, dispatcher: Dispatcher
) -> None:
    """A tip chosen for a (subscriber, day, slot) that holds a row already (a day served before
    a time zone change, say) is not queued, so it adds no "sent, unanswered" evidence."""
    await subscribe(sessions, content)
    async with sessions.begin() as session:
        subscriber = (await session.scalars(select(Subscriber))).one()
        session.add(
            outbox_row(subscriber.id, DeliveryKind.TIP, "tip0", START, state=DeliveryState.SKIPPED)
        )

    await dispatcher.tick(START)

    assert [(d.slot, d.state) for d in await tips(sessions)] == [("tip0", DeliveryState.SKIPPED)]
    assert await rows(sessions, TopicStats) == []


async def test_a_tip_put_off_after_a_red_flag_does_not_come_back_while_its_topic_is_held(
    sessions: async_sessionmaker[AsyncSession],
    content: ContentStore,
    dispatcher: Dispatcher,
    checkins: CheckinService,
) -> None:
    """ "Later" on a tip whose topic a red flag has held back since it was sent plans no
    re-send: the hold covers re-sends as it covers new choices."""
    held = content.library.safety.hold_topics[0]
    await subscribe(sessions, content, topics=[held], wellbeing=False)
    await dispatcher.tick(START)
    [tip] = await tips(sessions)
    flagged = await SafetyService(sessions, content).screen(
        CHAT, "there is blood in my stool", START + timedelta(minutes=2), "en"
    )

    result = await checkins.answer(CHAT, tip.id, "later", START + timedelta(minutes=5))
    await dispatcher.tick(START + timedelta(hours=4))

    assert flagged.held_until is not None
    assert result.status is CheckinStatus.RECORDED
    assert result.again_at is None
    assert [d.id for d in await tips(sessions)] == [tip.id]


async def test_a_re_send_queued_before_a_red_flag_is_skipped_and_counts_nothing(
    sessions: async_sessionmaker[AsyncSession],
    content: ContentStore,
    dispatcher: Dispatcher,
    checkins: CheckinService,
) -> None:
    """ "Later", then a red flag: the queued re-send of the held topic's tip is skipped, and
    only the tip that went out (put off: half a failure) stays in the kept state."""
    held = content.library.safety.hold_topics[0]
    await subscribe(sessions, content, topics=[held], wellbeing=False)
    await dispatcher.tick(START)
    [tip] = await tips(sessions)
    await checkins.answer(CHAT, tip.id, "later", START + timedelta(minutes=5))

    await SafetyService(sessions, content).screen(
        CHAT, "there is blood in my stool", START + timedelta(minutes=7), "en"
    )

    resend = (await tips(sessions))[-1]
    assert resend.slot != tip.slot
    assert resend.state is DeliveryState.SKIPPED
    assert await kept_state(sessions) == {held: (0.0, 0.5)}


def test_chosen_topics_gone_from_the_library_are_left_out(library: ContentLibrary) -> None:
    """A reload that removes a topic leaves the other chosen ones; when none is left, every
    topic rather than no tip ever again."""

    def opened(*topics: str) -> frozenset[str] | None:
        subscriber = Subscriber(
            timezone="UTC", topics=list(topics), paused_topics=None, day_start=time(0, 0)
        )
        return open_topics(library, subscriber, date(2026, 6, 9))

    assert opened("sleep", "retired-topic") == frozenset({"sleep"})
    assert opened("retired-topic") is None


def test_a_topic_hold_ends_on_the_subscribers_own_day(library: ContentLibrary) -> None:
    """A hold ending at 02:00 UTC on 9 June ends on 8 June in Honolulu (16:00 there): the topic
    is open again on their 9 June, and held on it in Tokyo (11:00 on the 9th there)."""
    ends = datetime(2026, 6, 9, 2, 0, tzinfo=UTC)
    topic = library.safety.hold_topics[0]

    def opened(zone: str, day_start: time = time(0, 0)) -> frozenset[str] | None:
        subscriber = Subscriber(
            timezone=zone,
            topics=None,
            paused_topics=[topic],
            paused_topics_until=ends,
            day_start=day_start,
        )
        return open_topics(library, subscriber, date(2026, 6, 9))

    assert opened("Pacific/Honolulu") is None
    tokyo = opened("Asia/Tokyo")
    assert tokyo is not None
    assert topic not in tokyo
    # Days that start at 12:00 in Tokyo: 11:00 on the 9th is still their 8 June.
    assert opened("Asia/Tokyo", time(12, 0)) is None


class RefusingTelegram(RecordingTelegram):
    """Telegram refusing the first tip with `error`, then sending everything."""

    def __init__(self, error: TelegramError) -> None:
        super().__init__()
        self._error: TelegramError | None = error

    async def send_tip(self, chat_id: int, delivery_id: int, tip: RenderedTip) -> int:
        if self._error is not None:
            error, self._error = self._error, None
            raise error
        return await super().send_tip(chat_id, delivery_id, tip)


async def kept_state(sessions: async_sessionmaker[AsyncSession]) -> dict[str, tuple[float, float]]:
    """(successes, failures) per topic with any, of the one subscriber."""
    return {
        row.topic: (row.successes, row.failures)
        for row in await rows(sessions, TopicStats)
        if row.successes or row.failures
    }


async def test_a_tip_skipped_by_stop_before_it_went_out_leaves_no_evidence(
    sessions: async_sessionmaker[AsyncSession], content: ContentStore
) -> None:
    """/start queues a tip (counted as sent and unanswered); /stop before it goes out skips it
    and takes that count back."""
    service = SubscriptionService(
        sessions, SubscriptionDefaults("UTC", START.time()), content, POLICY, seeded_chooser()
    )
    await service.subscribe(CHAT, "en", START)
    queued = await kept_state(sessions)

    await service.unsubscribe(CHAT, START + timedelta(seconds=5))

    assert list(queued.values()) == [(0.0, 0.5)]
    assert [d.state for d in await tips(sessions)] == [DeliveryState.SKIPPED]
    assert await kept_state(sessions) == {}


async def test_a_pause_takes_back_the_evidence_of_a_skipped_re_send(
    sessions: async_sessionmaker[AsyncSession],
    content: ContentStore,
    dispatcher: Dispatcher,
    checkins: CheckinService,
) -> None:
    """A tip put off with "Later" counts half a failure, and so does its queued re-send until
    a pause skips it: then only the tip that went out counts."""
    await subscribe(sessions, content, wellbeing=False)
    await dispatcher.tick(START)
    [tip] = await tips(sessions)
    await checkins.answer(CHAT, tip.id, "later", START + timedelta(minutes=5))
    topic = content.library.tips[tip.tip_id or ""].topic
    before = await kept_state(sessions)

    await PauseService(sessions, content, POLICY).pause(CHAT, 3, START + timedelta(minutes=10))

    assert before == {topic: (0.0, 1.0)}
    assert await kept_state(sessions) == {topic: (0.0, 0.5)}


async def test_a_tip_telegram_would_not_deliver_leaves_no_evidence(
    sessions: async_sessionmaker[AsyncSession], content: ContentStore
) -> None:
    """A tip that failed for good (the person blocked the bot) was never seen: it does not
    count as a tip left unanswered."""
    refusing = RefusingTelegram(Forbidden("Forbidden: bot was blocked by the user"))
    dispatcher = sending_through(sessions, content, refusing)
    await subscribe(sessions, content, wellbeing=False)

    await dispatcher.tick(START)

    assert [d.state for d in await tips(sessions)] == [DeliveryState.FAILED]
    assert await kept_state(sessions) == {}


class OutlivingItsLease(RefusingTelegram):
    """Telegram taking longer than the lease over the first tip, then refusing it: meanwhile
    another worker found the lease run out and marked the row `unknown`."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], error: TelegramError) -> None:
        super().__init__(error)
        self._sessions = sessions

    async def send_tip(self, chat_id: int, delivery_id: int, tip: RenderedTip) -> int:
        async with self._sessions.begin() as session:
            await LeaseRepository(session).expire_leases(START + timedelta(minutes=5))
        return await super().send_tip(chat_id, delivery_id, tip)


@pytest.mark.parametrize(
    "error",
    [BadRequest("Message is too long"), BadRequest("Can't parse entities: unsupported tag")],
    ids=["failed", "refused text"],
)
async def test_a_send_failing_after_its_lease_ran_out_keeps_its_evidence(
    sessions: async_sessionmaker[AsyncSession], content: ContentStore, error: TelegramError
) -> None:
    """The row stays `unknown` (maybe sent), so it keeps counting as sent and unanswered in
    its own topic: nothing is taken back or moved for an outcome that was not recorded."""
    dispatcher = sending_through(sessions, content, OutlivingItsLease(sessions, error))
    await subscribe(sessions, content, wellbeing=False)

    await dispatcher.tick(START)

    [tip] = await tips(sessions)
    assert tip.state is DeliveryState.UNKNOWN
    assert await kept_state(sessions) == {content.library.tips[tip.tip_id or ""].topic: (0.0, 0.5)}


async def test_a_refused_tips_stand_in_carries_the_evidence_in_its_own_topic(
    sessions: async_sessionmaker[AsyncSession],
    content: ContentStore,
    checkins: CheckinService,
) -> None:
    """Telegram refuses a tip's text: the stand-in sent instead is the day's tip, so its topic,
    not the refused one's, holds the "sent" evidence and then the answer."""
    refusing = RefusingTelegram(BadRequest("Can't parse entities: unsupported start tag"))
    dispatcher = sending_through(sessions, content, refusing)
    await subscribe(sessions, content, wellbeing=False)
    library = content.library

    await dispatcher.tick(START)
    [tip] = await tips(sessions)
    sent_topic = library.tips[tip.tip_id or ""].topic
    after_send = await kept_state(sessions)
    await checkins.answer(CHAT, tip.id, "done", START + timedelta(minutes=5))

    assert tip.state is DeliveryState.SENT
    assert after_send == {sent_topic: (0.0, 0.5)}
    assert await kept_state(sessions) == {sent_topic: (1.0, 0.0)}


async def test_answers_move_the_topic_counts_and_a_change_undoes_the_old_answer(
    sessions: async_sessionmaker[AsyncSession],
    content: ContentStore,
    dispatcher: Dispatcher,
    checkins: CheckinService,
) -> None:
    """Unanswered counts half a failure, "did it" a success, "Not for me" two failures;
    changing the answer moves the counts."""
    await subscribe(sessions, content)
    await dispatcher.tick(START)
    [tip] = await tips(sessions)
    [pending] = await rows(sessions, TopicStats)

    done = await checkins.answer(CHAT, tip.id, "done", START + timedelta(minutes=5))
    [after_done] = await rows(sessions, TopicStats)
    changed = await checkins.answer(CHAT, tip.id, "nope", START + timedelta(minutes=9))
    [after_change] = await rows(sessions, TopicStats)

    assert (pending.successes, pending.failures) == (0.0, 0.5)
    assert (done.status, after_done.successes, after_done.failures) == (
        CheckinStatus.RECORDED,
        1.0,
        0.0,
    )
    assert (changed.status, after_change.successes, after_change.failures) == (
        CheckinStatus.CHANGED,
        0.0,
        2.0,
    )
    assert [a.option_id for a in await rows(sessions, Answer)] == ["done", "nope"]
    assert (await tips(sessions))[0].outcome == "not_for_me"


async def test_two_presses_at_once_count_once(
    sessions: async_sessionmaker[AsyncSession],
    content: ContentStore,
    dispatcher: Dispatcher,
    checkins: CheckinService,
) -> None:
    """A double tap handled by two transactions at once (two workers, or concurrent updates):
    the second sees the first's answer, so "did it" counts once."""
    await subscribe(sessions, content, wellbeing=False)
    await dispatcher.tick(START)
    [tip] = await tips(sessions)
    pressed_at = START + timedelta(minutes=5)

    results = await asyncio.gather(
        checkins.answer(CHAT, tip.id, "done", pressed_at),
        checkins.answer(CHAT, tip.id, "done", pressed_at),
    )

    assert sorted(r.status.name for r in results) == ["RECORDED", "UNCHANGED"]
    assert list((await kept_state(sessions)).values()) == [(1.0, 0.0)]
    assert len(await rows(sessions, Answer)) == 1


async def test_a_late_answer_counts_for_its_own_day(
    sessions: async_sessionmaker[AsyncSession],
    content: ContentStore,
    dispatcher: Dispatcher,
    checkins: CheckinService,
) -> None:
    """Answering Monday's tip on Thursday records it for Monday's delivery, not a later one."""
    await subscribe(sessions, content, wellbeing=False)
    for day in range(3):
        await dispatcher.tick(START + timedelta(days=day))
    monday, tuesday, wednesday = await tips(sessions)

    await checkins.answer(CHAT, monday.id, "done", START + timedelta(days=3))

    outcomes = [d.outcome for d in await tips(sessions)]
    [answer] = await rows(sessions, Answer)
    assert outcomes == ["done", None, None]
    assert (answer.delivery_id, monday.local_date.isoformat()) == (monday.id, "2026-06-01")
    assert tuesday.id != wednesday.id


async def test_wellbeing_check_in_asks_one_question_at_a_time_and_keeps_history(
    sessions: async_sessionmaker[AsyncSession],
    content: ContentStore,
    dispatcher: Dispatcher,
    checkins: CheckinService,
    telegram: RecordingTelegram,
) -> None:
    """At 19:30 the check-in asks mood, gut comfort, sleep in turn; a re-press changes a score."""
    await subscribe(sessions, content)
    await dispatcher.tick(START)
    await dispatcher.tick(START + EVENING)
    [(_, delivery_id, first)] = [s for s in telegram.sent if isinstance(s[2], RenderedWellbeing)]
    at = START + EVENING + timedelta(minutes=1)

    steps = [
        await checkins.answer(CHAT, delivery_id, option, at)
        for option in ("mood=2", "gut_comfort=4", "sleep_quality=3", "mood=4")
    ]

    assert isinstance(first, RenderedWellbeing)
    assert first.question_id == "mood"
    questions = [s.message.question_id for s in steps if isinstance(s.message, RenderedWellbeing)]
    assert questions == ["gut_comfort", "sleep_quality", None, None]
    assert [s.status for s in steps] == [CheckinStatus.RECORDED] * 3 + [CheckinStatus.CHANGED]
    scores = [(a.question_id, a.score) for a in await rows(sessions, Answer)]
    assert scores == [("mood", 2), ("gut_comfort", 4), ("sleep_quality", 3), ("mood", 4)]


async def test_after_low_gut_comfort_no_high_fodmap_tips_for_some_days(
    sessions: async_sessionmaker[AsyncSession],
    content: ContentStore,
    dispatcher: Dispatcher,
    checkins: CheckinService,
) -> None:
    """A gut-comfort score of 1 keeps high-FODMAP tips away while `when_low.days` lasts."""
    library = content.library
    await subscribe(sessions, content, topics=["prebiotic-foods"])
    await dispatcher.tick(START)
    await dispatcher.tick(START + EVENING)
    [wellbeing] = [d for d in await rows(sessions, Delivery) if d.kind is DeliveryKind.WELLBEING]
    await checkins.answer(CHAT, wellbeing.id, "gut_comfort=1", START + EVENING)
    guarded = library.wellbeing["gut_comfort"].when_low
    assert guarded is not None

    for day in range(1, guarded.days + 1):
        await checkins.answer(
            CHAT, (await tips(sessions))[-1].id, "done", START + timedelta(days=day)
        )
        await dispatcher.tick(START + timedelta(days=day))

    later = [library.tips[d.tip_id] for d in (await tips(sessions))[1:] if d.tip_id]
    assert len(later) == guarded.days
    assert all("high-fodmap" not in tip.tags for tip in later)
    assert all(tip.topic == "prebiotic-foods" for tip in later)


async def test_three_unanswered_tips_make_the_bot_gentler_and_every_other_day(
    sessions: async_sessionmaker[AsyncSession],
    content: ContentStore,
    dispatcher: Dispatcher,
) -> None:
    """After 3 unanswered tips, tips come every other day and only at difficulty 1."""
    await subscribe(sessions, content, wellbeing=False)

    for day in range(7):
        await dispatcher.tick(START + timedelta(days=day))

    sent_days = [d.local_date.day for d in await tips(sessions)]
    gentle = [content.library.tips[d.tip_id] for d in (await tips(sessions))[3:] if d.tip_id]
    assert sent_days == [1, 2, 3, 5, 7]
    assert all(tip.difficulty == 1 for tip in gentle)


async def test_a_silent_week_pauses_with_one_kind_message_and_any_reply_wakes(
    sessions: async_sessionmaker[AsyncSession],
    content: ContentStore,
    dispatcher: Dispatcher,
    checkins: CheckinService,
    telegram: RecordingTelegram,
) -> None:
    """Seven silent days bring one "I'll pause" notice, then nothing; a reply brings tips back."""
    await subscribe(sessions, content)
    for day in range(12):
        await dispatcher.tick(START + timedelta(days=day))
        await dispatcher.tick(START + timedelta(days=day) + EVENING)
    notices = [m for _, _, m in telegram.sent if isinstance(m, RenderedNotice)]
    dormant = await rows(sessions, Subscriber)

    woke = await checkins.reply(CHAT, START + timedelta(days=12))
    await dispatcher.tick(START + timedelta(days=13))

    assert [n.kind for n in notices] == ["dormant"]
    assert notices[0].buttons[0].option_id == "resume"
    assert telegram.sent[-1][2] is not notices[0]
    assert dormant[0].status is SubscriberStatus.DORMANT
    assert dormant[0].next_due_at is None
    assert woke.woke_up
    last_day = max(d.local_date for d in await tips(sessions))
    assert last_day.isoformat() == "2026-06-14"


@pytest.mark.parametrize(
    ("status", "answer", "after"),
    [
        (SubscriberStatus.STOPPED, CheckinStatus.NOT_SUBSCRIBED, SubscriberStatus.STOPPED),
        (SubscriberStatus.ACTIVE, CheckinStatus.NOT_PAUSED, SubscriberStatus.ACTIVE),
        (SubscriberStatus.PAUSED, CheckinStatus.RESUMED, SubscriberStatus.ACTIVE),
    ],
    ids=["stopped since", "back already", "paused since"],
)
async def test_an_old_resume_button_says_what_it_did(
    sessions: async_sessionmaker[AsyncSession],
    content: ContentStore,
    checkins: CheckinService,
    status: SubscriberStatus,
    answer: CheckinStatus,
    after: SubscriberStatus,
) -> None:
    """ "Resume" under an old silence notice, pressed after /stop, after coming back, or during
    a /pause: welcomed back only when it really resumes anything (a pause, like /resume)."""
    await subscribe(sessions, content)
    async with sessions.begin() as session:
        subscriber = (await session.scalars(select(Subscriber))).one()
        subscriber.status = status
        if status is SubscriberStatus.STOPPED:
            subscriber.next_due_at = None  # as /stop leaves it
        notice = outbox_row(subscriber.id, DeliveryKind.DORMANT_NOTICE, "dormant", START)
        session.add(notice)
        await session.flush()

    result = await checkins.answer(CHAT, notice.id, "resume", START + timedelta(days=2))

    [stored] = await rows(sessions, Subscriber)
    assert result.status is answer
    assert stored.status is after
    assert (stored.next_due_at is not None) is (after is SubscriberStatus.ACTIVE)


async def test_text_after_a_check_in_is_kept_as_a_note_on_it(
    sessions: async_sessionmaker[AsyncSession],
    content: ContentStore,
    dispatcher: Dispatcher,
    checkins: CheckinService,
) -> None:
    """Text soon after answering is a note on that tip; /note text is a note on no message."""
    await subscribe(sessions, content)
    await dispatcher.tick(START)
    [tip] = await tips(sessions)
    await checkins.answer(CHAT, tip.id, "done", START + timedelta(minutes=5))

    after = await checkins.message(CHAT, "felt calmer", START + timedelta(minutes=8))
    standalone = await checkins.note(CHAT, "slept well", START + timedelta(hours=5))

    notes = sorted(await rows(sessions, Note), key=lambda n: n.id)
    assert (after.noted, standalone.noted) == (True, True)
    assert [(n.text, n.delivery_id) for n in notes] == [
        ("felt calmer", tip.id),
        ("slept well", None),
    ]
    assert [d.id for d in await rows(sessions, Delivery) if d.state is DeliveryState.SENT] == [
        tip.id
    ]


async def test_chatting_on_does_not_keep_a_check_in_open_for_notes(
    sessions: async_sessionmaker[AsyncSession],
    content: ContentStore,
    dispatcher: Dispatcher,
    checkins: CheckinService,
) -> None:
    """The note window runs from the answer: "hi" three days later, then more text a minute
    after it, are messages, not notes on the old check-in."""
    await subscribe(sessions, content)
    await dispatcher.tick(START)
    [tip] = await tips(sessions)
    await checkins.answer(CHAT, tip.id, "done", START + timedelta(minutes=5))

    first = await checkins.message(CHAT, "hi", START + timedelta(days=3))
    second = await checkins.message(CHAT, "are you there?", START + timedelta(days=3, minutes=1))

    assert (first.noted, second.noted) == (False, False)
    assert await rows(sessions, Note) == []


async def test_a_note_goes_on_the_check_in_answered_last(
    sessions: async_sessionmaker[AsyncSession],
    content: ContentStore,
    dispatcher: Dispatcher,
    checkins: CheckinService,
) -> None:
    """Text after an answer is a note on that answer's message, whatever became of older ones:
    a tip answered days ago whose send was never confirmed (no send time) does not win."""
    await subscribe(sessions, content)
    async with sessions.begin() as session:
        subscriber = (await session.scalars(select(Subscriber))).one()
        unconfirmed = outbox_row(
            subscriber.id,
            DeliveryKind.TIP,
            "tip0",
            START - timedelta(days=5),
            tip_id=next(iter(content.library.tips)),
            state=DeliveryState.UNKNOWN,
            outcome="done",
        )
        session.add(unconfirmed)
        await session.flush()
        session.add(
            Answer(
                delivery_id=unconfirmed.id,
                subscriber_id=subscriber.id,
                option_id="done",
                outcome="done",
                answered_at=START - timedelta(days=5),
            )
        )
    await dispatcher.tick(START)
    today = (await tips(sessions))[-1]
    await checkins.answer(CHAT, today.id, "done", START + timedelta(minutes=5))

    result = await checkins.message(CHAT, "easier than I thought", START + timedelta(minutes=8))

    [note] = await rows(sessions, Note)
    assert result.noted
    assert note.delivery_id == today.id


async def test_progress_scores_come_from_the_answers(
    sessions: async_sessionmaker[AsyncSession],
    content: ContentStore,
    dispatcher: Dispatcher,
    checkins: CheckinService,
) -> None:
    """Habit scores and streaks count "did it" days; today's open tip is not a miss."""
    await subscribe(sessions, content, wellbeing=False)
    await live_days(dispatcher, checkins, sessions, ["done", "done", "nope"])
    await dispatcher.tick(START + timedelta(days=3))
    first, second, third, _today = await tips(sessions)

    progress = await ProgressService(sessions, content).habits(CHAT, date(2026, 6, 4), days=7)

    assert progress is not None
    overall = progress.overall
    assert (overall.best_streak, overall.current_streak) == (2, 0)
    assert overall.values[-4:-1] == pytest.approx(
        [
            1 - DAILY_MULTIPLIER,
            1 - DAILY_MULTIPLIER**2,
            (1 - DAILY_MULTIPLIER**2) * DAILY_MULTIPLIER,
        ]
    )
    assert overall.values[-1] == overall.values[-2]  # today's tip is unanswered so far
    topics = {content.library.tips[d.tip_id].topic for d in (first, second, third) if d.tip_id}
    assert set(progress.by_topic) == topics
    assert await ProgressService(sessions, content).habits(999, date(2026, 6, 4)) is None


async def test_topics_held_back_are_not_chosen_while_held(
    sessions: async_sessionmaker[AsyncSession],
    content: ContentStore,
    dispatcher: Dispatcher,
    checkins: CheckinService,
) -> None:
    """While topics are held back (after a red flag), tips come only from the others."""
    await subscribe(sessions, content, topics=["sleep", "fermented-foods"], wellbeing=False)
    async with sessions.begin() as session:
        subscriber = (await session.scalars(select(Subscriber))).one()
        subscriber.paused_topics = ["fermented-foods"]
        subscriber.paused_topics_until = START + timedelta(days=2, hours=12)

    await live_days(dispatcher, checkins, sessions, ["done"] * 3)

    topics = [content.library.tips[d.tip_id].topic for d in await tips(sessions) if d.tip_id]
    assert topics == ["sleep", "sleep", "sleep"]


async def test_sunday_evening_brings_the_weekly_summary_instead_of_the_check_in(
    sessions: async_sessionmaker[AsyncSession],
    content: ContentStore,
    dispatcher: Dispatcher,
    checkins: CheckinService,
    telegram: RecordingTelegram,
) -> None:
    """On Sunday evening, after a week with tips done, the summary goes out in the check-in's place."""
    await subscribe(sessions, content)
    # Monday 1 June to Sunday 7 June.
    await live_days(dispatcher, checkins, sessions, ["done"] * 7, evenings=True)

    evening_kinds = [
        (d.local_date.isoformat(), d.kind, d.state)
        for d in await rows(sessions, Delivery)
        if d.kind in {DeliveryKind.WELLBEING, DeliveryKind.WEEKLY_SUMMARY}
    ]
    summaries = [m for _, _, m in telegram.sent if isinstance(m, RenderedNotice)]
    assert evening_kinds[-1] == ("2026-06-07", DeliveryKind.WEEKLY_SUMMARY, DeliveryState.SENT)
    assert {kind for _, kind, _ in evening_kinds[:-1]} == {DeliveryKind.WELLBEING}
    assert [notice.kind for notice in summaries] == ["weekly_summary"]


async def test_an_unreadable_weekly_summary_fails_alone_and_the_rest_of_the_claim_goes_out(
    sessions: async_sessionmaker[AsyncSession],
    content: ContentStore,
    dispatcher: Dispatcher,
    checkins: CheckinService,
    telegram: RecordingTelegram,
) -> None:
    """Summaries are read for the whole claim at once; when that read fails, they are marked
    failed with the reason, and a tip claimed with them is still sent."""
    await subscribe(sessions, content)
    await live_days(dispatcher, checkins, sessions, ["done"] * 7)
    sunday_evening = START + timedelta(days=6) + EVENING
    # Someone else's tip falls due half an hour later: claimed with the summary still queued.
    later = sunday_evening + timedelta(minutes=30)
    while await dispatcher.plan_due(sunday_evening):
        pass
    async with sessions.begin() as session:
        await session.execute(insert(Subscriber), due_subscriber_rows(1, 500, later))
    while await dispatcher.plan_due(later):
        pass
    async with sessions.begin() as session:
        # The summary reads the wellbeing answers; claiming and sending never touch them.
        await session.execute(text("ALTER TABLE answers RENAME TO answers_elsewhere"))
    sent_before = len(telegram.sent)

    await dispatcher.tick(later)

    sunday = {
        (d.subscriber_id, d.kind): (d.state, d.failure_reason)
        for d in await rows(sessions, Delivery)
        if d.local_date == sunday_evening.date()
    }
    assert sunday[(1, DeliveryKind.WEEKLY_SUMMARY)] == (
        DeliveryState.FAILED,
        "weekly summary could not be read",
    )
    assert sunday[(2, DeliveryKind.TIP)] == (DeliveryState.SENT, None)
    assert [chat for chat, _, _ in telegram.sent[sent_before:]] == [500]


async def test_a_tip_put_off_in_the_evening_comes_back_next_morning_for_its_own_day(
    sessions: async_sessionmaker[AsyncSession],
    content: ContentStore,
    dispatcher: Dispatcher,
    checkins: CheckinService,
) -> None:
    """ "Later" at 21:00: three hours on is quiet time, so the tip comes back at 08:00 the next
    day, still as the put-off day's tip (that day's budget; done, it counts for that day)."""
    await subscribe(sessions, content, wellbeing=False)
    await dispatcher.tick(START)
    [tip] = await tips(sessions)

    result = await checkins.answer(CHAT, tip.id, "later", START + timedelta(hours=12))

    [resend] = [d for d in await tips(sessions) if d.slot == f"later-{tip.id}"]
    assert result.again_at == time(8, 0)
    assert resend.due_at == START + timedelta(hours=23)
    assert resend.local_date == START.date()


async def a_high_fodmap_tip_then_the_evening_check_in(
    sessions: async_sessionmaker[AsyncSession], content: ContentStore, dispatcher: Dispatcher
) -> tuple[int, int]:
    """Today's tip (sent at 09:00) is a high-FODMAP one, and the 19:30 check-in has gone out:
    (the tip's delivery, the check-in's delivery). Three messages a day, so that a re-send
    still fits the day after both."""
    fodmap = next(t for t in content.library.tips.values() if "high-fodmap" in t.tags)
    await subscribe(sessions, content, topics=[fodmap.topic])
    async with sessions.begin() as session:
        subscriber = (await session.scalars(select(Subscriber))).one()
        subscriber.daily_budget = 3
        tip = outbox_row(subscriber.id, DeliveryKind.TIP, "tip0", START, tip_id=fodmap.id)
        session.add(tip)
        await session.flush()
        subscriber.next_due_at = START + EVENING
    await dispatcher.tick(START + EVENING)
    [checkin] = [d for d in await rows(sessions, Delivery) if d.kind is DeliveryKind.WELLBEING]
    return tip.id, checkin.id


async def test_after_a_low_gut_comfort_score_a_high_fodmap_tip_is_not_sent_again(
    sessions: async_sessionmaker[AsyncSession],
    content: ContentStore,
    dispatcher: Dispatcher,
    checkins: CheckinService,
) -> None:
    """Gut comfort 1 at 19:35, then "Later" on the morning's high-FODMAP tip: no re-send, as
    no new choice would bring such a tip for the next days either."""
    tip_id, checkin_id = await a_high_fodmap_tip_then_the_evening_check_in(
        sessions, content, dispatcher
    )
    await checkins.answer(
        CHAT,
        checkin_id,
        wellbeing_option("gut_comfort", 1),
        START + EVENING + timedelta(minutes=5),
    )

    result = await checkins.answer(CHAT, tip_id, "later", START + EVENING + timedelta(minutes=10))

    assert result.status is CheckinStatus.RECORDED
    assert result.again_at is None
    assert [d.slot for d in await tips(sessions)] == ["tip0"]


async def test_a_low_gut_comfort_score_skips_a_high_fodmap_re_send_queued_before_it(
    sessions: async_sessionmaker[AsyncSession],
    content: ContentStore,
    dispatcher: Dispatcher,
    checkins: CheckinService,
) -> None:
    """ "Later" at 19:32 queues the tip for 08:00 tomorrow; gut comfort 1 at 19:40 skips it, and
    takes back its "sent, unanswered" count."""
    tip_id, checkin_id = await a_high_fodmap_tip_then_the_evening_check_in(
        sessions, content, dispatcher
    )
    queued = await checkins.answer(CHAT, tip_id, "later", START + EVENING + timedelta(minutes=2))
    before = await kept_state(sessions)

    await checkins.answer(
        CHAT,
        checkin_id,
        wellbeing_option("gut_comfort", 1),
        START + EVENING + timedelta(minutes=10),
    )

    [resend] = [d for d in await tips(sessions) if d.slot == f"later-{tip_id}"]
    assert queued.again_at == time(8, 0)
    assert resend.state is DeliveryState.SKIPPED
    assert list(before.values()) == [(0.0, 0.5)]
    assert await kept_state(sessions) == {}


async def test_a_low_score_answered_days_late_leaves_a_queued_re_send_alone(
    sessions: async_sessionmaker[AsyncSession],
    content: ContentStore,
    dispatcher: Dispatcher,
    checkins: CheckinService,
) -> None:
    """Gut comfort 1 given today for a check-in of six days ago counts for that day: its rule
    (four days) is over, so today's high-FODMAP re-send still comes."""
    fodmap = next(t for t in content.library.tips.values() if "high-fodmap" in t.tags)
    await subscribe(sessions, content, topics=[fodmap.topic], wellbeing=False)
    week_ago = START - timedelta(days=6)
    async with sessions.begin() as session:
        subscriber = (await session.scalars(select(Subscriber))).one()
        old_checkin = outbox_row(subscriber.id, DeliveryKind.WELLBEING, "wellbeing", week_ago)
        tip = outbox_row(subscriber.id, DeliveryKind.TIP, "tip0", START, tip_id=fodmap.id)
        session.add_all([old_checkin, tip])
    put_off = await checkins.answer(CHAT, tip.id, "later", START + timedelta(hours=1))

    await checkins.answer(
        CHAT,
        old_checkin.id,
        wellbeing_option("gut_comfort", 1),
        START + timedelta(hours=1, minutes=5),
    )

    [resend] = [d for d in await tips(sessions) if d.slot == f"later-{tip.id}"]
    assert put_off.again_at is not None
    assert resend.state is DeliveryState.PLANNED


async def test_later_then_did_it_calls_off_the_resend_and_keeps_the_counts_straight(
    sessions: async_sessionmaker[AsyncSession],
    content: ContentStore,
    dispatcher: Dispatcher,
    checkins: CheckinService,
) -> None:
    """Answering "Did it" after "Later" skips the queued re-send; the topic counts one success."""
    await subscribe(sessions, content, wellbeing=False)
    await dispatcher.tick(START)
    [tip] = await tips(sessions)

    later = await checkins.answer(CHAT, tip.id, "later", START + timedelta(minutes=5))
    done = await checkins.answer(CHAT, tip.id, "done", START + timedelta(minutes=30))
    await dispatcher.tick(START + timedelta(hours=4))  # when the re-send would have gone

    resend = [d for d in await tips(sessions) if d.slot == f"later-{tip.id}"]
    [stats] = await rows(sessions, TopicStats)
    assert later.again_at is not None
    assert done.status is CheckinStatus.CHANGED
    assert [(d.state, d.failure_reason) for d in resend] == [
        (DeliveryState.SKIPPED, "answered already")
    ]
    assert (stats.successes, stats.failures) == (1.0, 0.0)


async def test_the_dispatcher_refits_the_crowd_outside_its_planning_transaction(
    engine: AsyncEngine, dispatcher: Dispatcher, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """The refit reads a sample of everyone's history: it runs in a transaction of its own,
    before the one that plans (which holds SQLite's write lock, or PostgreSQL's batch rows),
    and the batch is then planned with the fitted crowd."""
    async with sessions.begin() as session:
        await session.execute(insert(Subscriber), due_subscriber_rows(30, 9_000, START))
    statements: list[tuple[str, object]] = []

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def keep(conn: Connection, _cursor: object, sql: str, *_rest: object) -> None:
        statements.append((sql, conn.get_transaction()))

    await dispatcher.plan_due(START)

    refit = [t for sql, t in statements if "max(subscribers.id)" in sql]
    planning = [t for sql, t in statements if sql.startswith("INSERT INTO deliveries")]
    assert refit
    assert planning
    assert all(t is not planning[0] for t in refit)
    tips = await rows(sessions, Delivery)
    assert len(tips) == 30
    assert {d.policy for d in tips} == {"adaptive"}


async def test_a_reading_session_leaves_sqlites_write_lock_free(
    sqlite_template: Path, tmp_path: Path
) -> None:
    """While a reading session's transaction is open, another connection writes at once; a
    planning (writing) session's transaction holds it off from its start."""
    path = tmp_path / "lock.sqlite3"
    shutil.copyfile(sqlite_template, path)
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    sessions = create_session_factory(engine)
    count = select(func.count()).select_from(Subscriber)
    try:
        async with reading(sessions) as reader:
            await reader.execute(count)
            with contextlib.closing(sqlite3.connect(path, timeout=0)) as other:
                other.execute("BEGIN IMMEDIATE")
                other.execute("DELETE FROM subscribers")
                other.commit()
        async with sessions.begin() as writer:
            await writer.execute(count)
            with (
                contextlib.closing(sqlite3.connect(path, timeout=0)) as other,
                pytest.raises(sqlite3.OperationalError, match="locked"),
            ):
                other.execute("BEGIN IMMEDIATE")
    finally:
        await engine.dispose()


async def test_the_crowd_is_fitted_from_an_evenly_spread_sample_of_subscribers(
    sessions: async_sessionmaker[AsyncSession], content: ContentStore
) -> None:
    """Every k-th subscriber is read, with their topic counts and tip sends, and the chooser's
    crowd model learns from them which topics people do; a stale model is refitted."""
    async with sessions.begin() as session:
        await session.execute(insert(Subscriber), due_subscriber_rows(120, 9_000, START))
        people = list(await session.scalars(select(Subscriber.id).order_by(Subscriber.id)))
        # Everyone does sleep tips and never movement ones.
        for subscriber_id in people:
            session.add(TopicStats(subscriber_id=subscriber_id, topic="sleep", successes=4.0))
            session.add(TopicStats(subscriber_id=subscriber_id, topic="movement", failures=4.0))
    chooser = seeded_chooser()

    async with sessions() as session:
        sample = await LearningRepository(session).crowd_sample(limit=40)
        crowd = await chooser.crowd(session, content.library, START)
        refitted = await chooser.crowd(session, content.library, START + timedelta(hours=2))

    assert sorted(sample.topics) == people[2::3]
    assert sample.topics[people[2]] == {"sleep": (4.0, 0.0), "movement": (0.0, 4.0)}
    rates, _ = crowd.prior_rates(["sleep", "movement"])
    sleep_rate, movement_rate = crowd.weights @ rates
    assert sleep_rate > 0.7
    assert movement_rate < 0.2
    assert refitted is not crowd


def delivery_row(
    subscriber_id: int,
    day: date,
    slot: str,
    *,
    kind: DeliveryKind = DeliveryKind.TIP,
    state: DeliveryState = DeliveryState.SENT,
    tip_id: str | None = "t",
    outcome: str | None = None,
) -> dict[str, object]:
    """A delivery as a row to insert directly, for repository tests."""
    return {
        "subscriber_id": subscriber_id,
        "local_date": day,
        "slot": slot,
        "kind": kind,
        "state": state,
        "tip_id": tip_id if kind is DeliveryKind.TIP else None,
        "outcome": outcome,
        "due_at": START,
        "attempts": 1,
        "created_at": START,
    }


async def test_unanswered_streaks_count_from_each_subscribers_own_last_reply(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Per subscriber, the messages asking for an answer sent in a row without one, counted
    only on days after their last reply and from their own first day on; an answer ends a
    streak, and a message not sent (failed) does not count."""
    day = date(2026, 6, 1)
    async with sessions.begin() as session:
        await session.execute(insert(Subscriber), due_subscriber_rows(3, 9_000, START))
        quiet, replied, answered = await session.scalars(select(Subscriber.id).order_by("id"))
        rows = [
            # Quiet: never replied; the day before their first day is left out.
            delivery_row(quiet, day - timedelta(days=1), "a"),
            delivery_row(quiet, day, "a"),
            delivery_row(quiet, day, "b", kind=DeliveryKind.WELLBEING),
            delivery_row(quiet, day + timedelta(days=1), "a"),
            delivery_row(quiet, day + timedelta(days=2), "a", state=DeliveryState.FAILED),
            # Replied on day + 1: that day's message is not counted, only the later ones.
            delivery_row(replied, day, "a"),
            delivery_row(replied, day + timedelta(days=1), "a"),
            delivery_row(replied, day + timedelta(days=2), "a"),
            delivery_row(replied, day + timedelta(days=3), "a"),
            # Answered on day + 1: the streak starts again after it.
            delivery_row(answered, day, "a"),
            delivery_row(answered, day + timedelta(days=1), "a", outcome="done"),
            delivery_row(answered, day + timedelta(days=2), "a"),
        ]
        await session.execute(insert(Delivery), rows)

    async with sessions() as session:
        streaks = await LearningRepository(session).unanswered_streaks(
            {
                quiet: (day, None),
                replied: (day, day + timedelta(days=1)),
                answered: (day, None),
            }
        )

    assert streaks == {quiet: 3, replied: 2, answered: 1}


async def test_the_crowd_sample_counts_each_tip_sent_and_done(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Per sampled subscriber and tip: how often it went out and how often it was done; failed
    and skipped sends are not sends."""
    day = date(2026, 6, 1)
    async with sessions.begin() as session:
        await session.execute(insert(Subscriber), due_subscriber_rows(1, 9_000, START))
        subscriber_id = await session.scalar(select(Subscriber.id))
        assert subscriber_id is not None
        # One day, a slot each: the counts do not depend on the dates.
        rows = [
            delivery_row(subscriber_id, day, "a", tip_id="kefir", outcome="done"),
            delivery_row(subscriber_id, day, "b", tip_id="kefir"),
            delivery_row(subscriber_id, day, "c", tip_id="kefir", state=DeliveryState.FAILED),
            delivery_row(subscriber_id, day, "d", tip_id="walk", state=DeliveryState.SKIPPED),
            delivery_row(subscriber_id, day, "e", tip_id="oats"),
        ]
        await session.execute(insert(Delivery), rows)

    async with sessions() as session:
        sample = await LearningRepository(session).crowd_sample(limit=10)

    assert sample.tips == {subscriber_id: {"kefir": (2, 1), "oats": (1, 0)}}


async def _sqlite_plans(
    sqlite_template: Path,
    tmp_path: Path,
    read: Callable[[AsyncSession], Awaitable[object]],
    marker: str,
) -> list[str]:
    """SQLite's plan of each statement containing `marker` that `read` runs, on a migrated
    database holding one subscriber (id 1) and no deliveries."""
    path = tmp_path / "plans.sqlite3"
    shutil.copyfile(sqlite_template, path)
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    statements: list[tuple[str, Sequence[object]]] = []

    @event.listens_for(engine.sync_engine, "before_cursor_execute")
    def keep(
        _conn: object, _cursor: object, sql: str, params: Sequence[object], *_rest: object
    ) -> None:
        if marker in sql:
            statements.append((sql, params))

    try:
        sessions = create_session_factory(engine)
        async with sessions.begin() as session:
            await session.execute(insert(Subscriber), due_subscriber_rows(1, 9_000, START))
        async with sessions() as session:
            await read(session)
            connection = await session.connection()
            return [
                " | ".join(
                    str(row[-1])
                    for row in await connection.exec_driver_sql(
                        f"EXPLAIN QUERY PLAN {sql}", params
                    )
                )
                for sql, params in list(statements)
            ]
    finally:
        await engine.dispose()


async def test_sqlite_reads_the_per_tip_history_from_its_index_alone(
    sqlite_template: Path, tmp_path: Path
) -> None:
    """The per-tip history (read at every planning, and by the crowd's refit) grows with each
    subscriber's days: SQLite answers it from the covering index, in the index's order,
    without fetching table rows or sorting."""

    async def read(session: AsyncSession) -> None:
        await LearningRepository(session).tip_histories([1])
        await LearningRepository(session).crowd_sample(limit=10)

    plans = await _sqlite_plans(
        sqlite_template, tmp_path, read, "GROUP BY deliveries.subscriber_id, deliveries.tip_id"
    )

    assert len(plans) == 2
    for plan in plans:
        assert "USING COVERING INDEX ix_deliveries_tip_history" in plan, plan
        assert "TEMP B-TREE" not in plan, plan


async def test_sqlite_reads_recent_days_through_the_subscriber_day_index(
    sqlite_template: Path, tmp_path: Path
) -> None:
    """The silence streaks (every planning) and the week's tips (every weekly summary) read a
    few recent days of a batch of subscribers: SQLite looks them up by subscriber and day,
    never through the (state, due_at) index, which would read every sent message of the whole
    deployment (it did, when the state was part of the query)."""

    # A planning batch's worth of ids: the planner's choice depends on how many there are (it
    # took the state index from twenty ids on, never for two or three).
    batch = range(1, 1001)

    async def read(session: AsyncSession) -> None:
        await LearningRepository(session).unanswered_streaks(
            {
                subscriber_id: (date(2026, 6, 1), None if subscriber_id % 2 else date(2026, 6, 2))
                for subscriber_id in batch
            }
        )
        await DeliveryRepository(session).sent_tips(batch, date(2026, 6, 1), date(2026, 6, 7))

    plans = await _sqlite_plans(sqlite_template, tmp_path, read, "FROM deliveries")

    assert len(plans) == 3
    for plan in plans:
        assert "USING INDEX sqlite_autoindex_deliveries_1 (subscriber_id=? AND local_date>" in (
            plan
        ), plan
        assert "ix_deliveries_state_due_at" not in plan, plan


async def test_sqlite_looks_done_streaks_up_in_the_topic_key(
    sqlite_template: Path, tmp_path: Path
) -> None:
    """A batch of presses reads its (subscriber, topic) runs through topic_stats' primary key,
    never by scanning the table (as a row-value IN list made SQLite do)."""

    async def read(session: AsyncSession) -> None:
        await TopicStatsRepository(session).done_streaks(
            [(subscriber_id, topic) for subscriber_id in range(1, 501) for topic in ("a", "b")]
        )

    plans = await _sqlite_plans(sqlite_template, tmp_path, read, "FROM topic_stats")

    assert len(plans) == 1
    assert "SEARCH topic_stats USING INDEX" in plans[0], plans[0]
    assert "SCAN" not in plans[0], plans[0]


async def test_a_policy_that_ignores_the_crowd_gets_no_fitted_model(
    sessions: async_sessionmaker[AsyncSession], content: ContentStore
) -> None:
    """The random baseline never reads the crowd, so the chooser does not fit one for it: it
    gets the uninformed model however much the crowd has to say."""
    async with sessions.begin() as session:
        await session.execute(insert(Subscriber), due_subscriber_rows(120, 9_000, START))
        for subscriber_id in await session.scalars(select(Subscriber.id)):
            session.add(TopicStats(subscriber_id=subscriber_id, topic="sleep", successes=4.0))
    chooser = TipChooser(RandomPolicy(), np.random.default_rng(0))

    async with sessions() as session:
        crowd = await chooser.crowd(session, content.library, START)

    assert crowd.profiles == 1
    assert crowd.topic_ids == ()


async def test_done_streaks_are_read_for_the_topics_asked_only(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Recording presses reads the "did it" run of each (subscriber, topic) pressed: those
    asked for come back, others of the same subscribers do not, and a pair with no kept state
    is simply missing (a run of 0)."""
    async with sessions.begin() as session:
        await session.execute(insert(Subscriber), due_subscriber_rows(2, 9_000, START))
        first, second = (await session.scalars(select(Subscriber.id))).all()
        session.add_all(
            [
                TopicStats(subscriber_id=first, topic="sleep", done_streak=3),
                TopicStats(subscriber_id=first, topic="stress", done_streak=1),
                TopicStats(subscriber_id=second, topic="sleep", done_streak=5),
            ]
        )

    async with sessions() as session:
        streaks = await TopicStatsRepository(session).done_streaks(
            [(first, "sleep"), (second, "sleep"), (second, "stress"), (first, "sleep")]
        )

    assert streaks == {(first, "sleep"): 3, (second, "sleep"): 5}


async def test_topic_counts_never_read_below_zero(
    sessions: async_sessionmaker[AsyncSession], content: ContentStore
) -> None:
    """A count taken below zero (an answer recorded under an older weighting, then changed)
    reads as zero, so a Beta draw never gets an impossible parameter."""
    await subscribe(sessions, content)
    async with sessions.begin() as session:
        subscriber_id = (await session.scalars(select(Subscriber.id))).one()
        session.add(
            TopicStats(subscriber_id=subscriber_id, topic="sleep", successes=1.0, failures=-1.0)
        )

    async with sessions() as session:
        stats = await TopicStatsRepository(session).topic_stats([subscriber_id])

    assert (stats[subscriber_id]["sleep"].successes, stats[subscriber_id]["sleep"].failures) == (
        1.0,
        0.0,
    )
