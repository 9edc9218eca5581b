"""The progress report behind /progress and the weekly summary, built from a real history.

The history is made the way the bot makes it: the dispatcher plans and sends tips and wellbeing
check-ins (through a recording sender, the Telegram edge), and the subscriber answers through
the check-in service. Real SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nudgebot.app import delivery_policy
from nudgebot.config import Settings
from nudgebot.content import ContentStore
from nudgebot.content.rendering import RenderedNotice, RenderedTip, RenderedWellbeing
from nudgebot.db import Delivery, DeliveryKind, Subscriber, SubscriberStatus
from nudgebot.db.models import TopicStats
from nudgebot.delivery import Dispatcher, DispatcherSettings
from nudgebot.services import CheckinService, SubscriptionDefaults, SubscriptionService
from nudgebot.services.progress import ProgressService
from tests.factories import seeded_chooser

CHAT = 77
DAY_ONE = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)  # a Monday; everyone in UTC, tips at 09:00
EVENING = timedelta(hours=10, minutes=30)  # 19:30, the wellbeing check-in
POLICY = delivery_policy(Settings.model_validate({}))


def day(n: int) -> date:
    """The subscriber's n-th day, day(0) being DAY_ONE's date."""
    return DAY_ONE.date() + timedelta(days=n)


class RecordingTelegram:
    """The Telegram edge: accepts every message and numbers it."""

    def __init__(self) -> None:
        self.count = 0

    def _accept(self) -> int:
        self.count += 1
        return self.count

    async def send_tip(self, chat_id: int, delivery_id: int, tip: RenderedTip) -> int:
        return self._accept()

    async def send_wellbeing(
        self, chat_id: int, delivery_id: int, checkin: RenderedWellbeing
    ) -> int:
        return self._accept()

    async def send_notice(self, chat_id: int, delivery_id: int, notice: RenderedNotice) -> int:
        return self._accept()


class Subscriber77:
    """Chat 77 living day after day: gets a tip and the evening check-in, and answers them.

    `moods` keeps the mood given each day a check-in came: on the summary's evening the bot
    sends the summary instead, so a test counts the days that were really scored.
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession], content: ContentStore) -> None:
        self.moods: dict[date, float] = {}
        self._sessions = sessions
        self._content = content
        self._dispatcher = Dispatcher(
            sessions,
            content,
            RecordingTelegram(),
            policy=POLICY,
            chooser=seeded_chooser(),
            settings=DispatcherSettings(owner="test"),
        )
        self._checkins = CheckinService(sessions, content, POLICY)

    async def subscribe(self, *, language: str = "en", timezone: str = "UTC") -> int:
        """Subscribe to breathing tips only (so every tip's topic is known); the subscriber id."""
        service = SubscriptionService(
            self._sessions,
            SubscriptionDefaults("UTC", DAY_ONE.time()),
            self._content,
            POLICY,
            seeded_chooser(),
        )
        await service.subscribe(CHAT, language, DAY_ONE - timedelta(minutes=1))
        async with self._sessions.begin() as session:
            subscriber = (await session.scalars(select(Subscriber))).one()
            subscriber.status = SubscriberStatus.ACTIVE
            subscriber.topics = ["breathing"]
            subscriber.timezone = timezone
            # Start the history at DAY_ONE's 09:00 under these settings.
            await session.execute(delete(Delivery))
            await session.execute(delete(TopicStats))
            subscriber.next_due_at = DAY_ONE
            return subscriber.id

    async def live(
        self,
        days: range,
        *,
        did_it: Callable[[int], bool],
        mood: Callable[[int], int] | None = None,
        gut_comfort: int = 3,
    ) -> None:
        """Each day: the 09:00 tip, done or left unanswered; then, with a mood, the check-in."""
        for n in days:
            morning = DAY_ONE + timedelta(days=n)
            await self._dispatcher.tick(morning)
            if did_it(n):
                tip = await self._latest(DeliveryKind.TIP)
                assert tip is not None
                assert tip.local_date == day(n)
                await self._checkins.answer(CHAT, tip.id, "done", morning + timedelta(minutes=5))
            if mood is None:
                continue
            await self._dispatcher.tick(morning + EVENING)
            checkin = await self._latest(DeliveryKind.WELLBEING)
            if checkin is None or checkin.local_date != day(n):
                continue
            at = morning + EVENING + timedelta(minutes=2)
            for option in (f"mood={mood(n)}", f"gut_comfort={gut_comfort}", "sleep_quality=3"):
                await self._checkins.answer(CHAT, checkin.id, option, at)
            self.moods[day(n)] = mood(n)

    async def tick(self, at: datetime) -> None:
        """The dispatcher runs at `at`."""
        await self._dispatcher.tick(at)

    async def answer_latest_tip(self, option: str, at: datetime, *, resend: bool = False) -> None:
        """Press `option` under the tip planned last (with `resend`, the last "Later" re-send)."""
        tip = await self._latest(DeliveryKind.TIP, slot_prefix="later-" if resend else "")
        assert tip is not None
        await self._checkins.answer(CHAT, tip.id, option, at)

    async def _latest(self, kind: DeliveryKind, slot_prefix: str = "") -> Delivery | None:
        async with self._sessions() as session:
            query = (
                select(Delivery)
                .where(Delivery.kind == kind, Delivery.slot.startswith(slot_prefix))
                .order_by(Delivery.id.desc())
            )
            return (await session.scalars(query.limit(1))).first()


@pytest.fixture
def subscriber(sessions: async_sessionmaker[AsyncSession], content: ContentStore) -> Subscriber77:
    """Chat 77, not subscribed yet."""
    return Subscriber77(sessions, content)


@pytest.fixture
def progress(sessions: async_sessionmaker[AsyncSession], content: ContentStore) -> ProgressService:
    """The service under test."""
    return ProgressService(sessions, content, POLICY)


def every_other_day(n: int) -> bool:
    """Done on even days."""
    return n % 2 == 0


def two_days_in_three(n: int) -> bool:
    """Done two days, skipped the third: days 2, 5, 8, 11... are the skipped ones."""
    return n % 3 != 2


async def test_report_counts_tips_done_and_charts_wellbeing_day_by_day(
    subscriber: Subscriber77, progress: ProgressService
) -> None:
    """Over the weeks asked for, up to today: tips done per topic, days done and daily scores."""
    await subscriber.subscribe()
    await subscriber.live(
        range(10), did_it=every_other_day, mood=lambda n: 4 if every_other_day(n) else 2
    )

    report = await progress.report(CHAT, DAY_ONE + timedelta(days=9, hours=12), weeks=2)

    assert report is not None
    assert (report.start, report.end, len(report.days)) == (day(-4), day(9), 14)
    assert report.done_by_topic == {"breathing": 5}
    assert report.days_done == 5
    assert len(subscriber.moods) >= 8
    assert report.wellbeing["mood"] == tuple(subscriber.moods.get(d) for d in report.days)
    assert report.wellbeing["mood"][4:6] == (4.0, 2.0)  # days 0 and 1
    assert report.wellbeing["gut_comfort"] == tuple(
        3.0 if d in subscriber.moods else None for d in report.days
    )
    assert report.habits.overall.best_streak == 1
    assert report.strongest_topic == "breathing"
    assert report.has_data


async def test_a_tip_put_off_today_does_not_break_the_streak(
    subscriber: Subscriber77, progress: ProgressService
) -> None:
    """Three days done, and today's tip put off with "Later": today is still open (its re-send
    is on its way), so the streak is three, as with today's tip not answered yet."""
    await subscriber.subscribe()
    await subscriber.live(range(3), did_it=lambda _: True)
    today = DAY_ONE + timedelta(days=3)
    await subscriber.live(range(3, 4), did_it=lambda _: False)
    await subscriber.answer_latest_tip("later", today + timedelta(minutes=5))

    report = await progress.report(CHAT, today + timedelta(hours=1))

    assert report is not None
    assert report.habits.overall.current_streak == 3


async def test_a_tip_put_off_overnight_and_done_next_morning_counts_for_its_own_day(
    subscriber: Subscriber77, progress: ProgressService
) -> None:
    """Day 1's tip put off at 19:00 comes back at 08:00 on day 2 and is done: day 1 is a day
    done, so with days 0 and 2 the streak is three."""
    await subscriber.subscribe()
    await subscriber.live(range(2), did_it=lambda n: n == 0)
    await subscriber.answer_latest_tip("later", DAY_ONE + timedelta(days=1, hours=10))
    next_morning = DAY_ONE + timedelta(days=1, hours=23)  # 08:00 on day 2
    await subscriber.tick(next_morning)
    await subscriber.answer_latest_tip("done", next_morning + timedelta(minutes=5), resend=True)
    await subscriber.live(range(2, 3), did_it=lambda _: True)

    report = await progress.report(CHAT, DAY_ONE + timedelta(days=2, hours=3))

    assert report is not None
    assert report.habits.overall.current_streak == 3


async def test_report_has_no_data_until_something_is_answered(
    subscriber: Subscriber77, progress: ProgressService
) -> None:
    """Tips sent but never answered, and no check-in answered, leave nothing to chart."""
    await subscriber.subscribe()
    await subscriber.live(range(3), did_it=lambda _: False)

    report = await progress.report(CHAT, DAY_ONE + timedelta(days=3))

    assert report is not None
    assert len(report.days) == 28
    assert not report.has_data
    assert report.strongest_topic is None
    assert await progress.report(CHAT + 1, DAY_ONE) is None


async def test_report_ends_on_the_subscribers_own_day(
    subscriber: Subscriber77, progress: ProgressService
) -> None:
    """At 13:00 UTC it is already tomorrow in Auckland: the report ends on their date."""
    await subscriber.subscribe(timezone="Pacific/Auckland")

    report = await progress.report(CHAT, datetime(2026, 6, 1, 13, 0, tzinfo=UTC), weeks=1)

    assert report is not None
    assert report.end == date(2026, 6, 2)


@pytest.mark.parametrize("weeks", [0, 53])
async def test_report_refuses_weeks_out_of_range(
    subscriber: Subscriber77, progress: ProgressService, weeks: int
) -> None:
    """Between 1 and 52 weeks: anything else is the caller's mistake."""
    await subscriber.subscribe()

    with pytest.raises(ValueError, match="weeks must be 1-52"):
        await progress.report(CHAT, DAY_ONE, weeks)


async def test_weekly_summary_covers_the_seven_finished_days_and_pairs_wellbeing(
    subscriber: Subscriber77, progress: ProgressService
) -> None:
    """The 7 days up to today count tips done and the best streak; pairings use four weeks."""
    subscriber_id = await subscriber.subscribe()
    await subscriber.live(
        range(14), did_it=two_days_in_three, mood=lambda n: 4 if two_days_in_three(n) else 2
    )
    done = {day(n) for n in range(14) if two_days_in_three(n)}

    summary = await progress.weekly_summary(subscriber_id, DAY_ONE + timedelta(days=13) + EVENING)

    assert summary is not None
    assert (summary.start, summary.end) == (day(7), day(13))
    assert summary.done_by_topic == {"breathing": 5}  # days 7, 9, 10, 12 and today, 13
    assert summary.best_streak == 2
    [pairing] = summary.pairings  # gut comfort never moved: nothing to say about it
    assert (pairing.topic, pairing.question_id) == ("breathing", "mood")
    assert (pairing.days_with, pairing.mean_with) == (len(done & set(subscriber.moods)), 4.0)
    assert (pairing.days_without, pairing.mean_without) == (len(set(subscriber.moods) - done), 2.0)
    assert pairing.days_without >= 3


async def test_weekly_summary_html_names_the_pairing_with_its_caveat(
    subscriber: Subscriber77, progress: ProgressService
) -> None:
    """The text gives both averages and the days behind them, then says it is not causation."""
    subscriber_id = await subscriber.subscribe()
    await subscriber.live(
        range(14), did_it=two_days_in_three, mood=lambda n: 4 if two_days_in_three(n) else 2
    )
    summary = await progress.weekly_summary(subscriber_id, DAY_ONE + timedelta(days=13) + EVENING)
    assert summary is not None
    [pairing] = summary.pairings

    text = await progress.weekly_summary_html(
        subscriber_id, DAY_ONE + timedelta(days=13) + EVENING
    )

    assert text is not None
    assert "✅ Tips done this week: 5" in text
    assert "Breathing: 5" in text
    assert "Best streak this week: 2 days in a row" in text
    assert (
        "On days you did a <b>Breathing</b> tip, your mood averaged "
        f"4.0 ({pairing.days_with} days); on other days, 2.0 ({pairing.days_without} days)."
    ) in text
    assert "not what caused what" in text
    assert text.index("averaged") < text.index("not what caused what")


async def test_weekly_summary_speaks_the_subscribers_language(
    subscriber: Subscriber77, progress: ProgressService
) -> None:
    """A Spanish subscriber reads Spanish, with a decimal comma."""
    subscriber_id = await subscriber.subscribe(language="es")
    await subscriber.live(
        range(14), did_it=two_days_in_three, mood=lambda n: 4 if two_days_in_three(n) else 2
    )

    text = await progress.weekly_summary_html(
        subscriber_id, DAY_ONE + timedelta(days=13) + EVENING
    )

    assert text is not None
    assert "Consejos hechos esta semana: 5" in text
    assert "tu ánimo fue de 4,0 de media (" in text
    assert "los demás días, 2,0 (" in text
    assert "no qué causó qué" in text


async def test_weekly_summary_says_nothing_about_wellbeing_without_enough_days(
    subscriber: Subscriber77, progress: ProgressService
) -> None:
    """Two days on one side are too few: the week is summed up, with no pairing and no caveat."""
    subscriber_id = await subscriber.subscribe()
    await subscriber.live(
        range(5), did_it=every_other_day, mood=lambda n: 5 if every_other_day(n) else 1
    )

    now = DAY_ONE + timedelta(days=4) + EVENING
    summary = await progress.weekly_summary(subscriber_id, now)
    text = await progress.weekly_summary_html(subscriber_id, now)

    assert summary is not None
    assert summary.done_by_topic == {"breathing": 3}
    assert summary.pairings == ()
    assert text is not None
    assert "averaged" not in text
    assert "caused" not in text


async def test_weekly_summary_is_none_when_there_is_nothing_to_say(
    subscriber: Subscriber77, progress: ProgressService
) -> None:
    """No tip done in the week and no pairing: no message at all (nor for an unknown id)."""
    subscriber_id = await subscriber.subscribe()
    await subscriber.live(range(7), did_it=lambda _: False, mood=lambda _: 3)
    now = DAY_ONE + timedelta(days=6) + EVENING

    assert await progress.weekly_summary(subscriber_id, now) is None
    assert await progress.weekly_summary_html(subscriber_id, now) is None
    assert await progress.weekly_summary(subscriber_id + 1, now) is None


async def test_weekly_summaries_read_together_match_each_read_alone(
    subscriber: Subscriber77, progress: ProgressService
) -> None:
    """The outbox reads a claim's summaries in one go: the same summaries as one at a time,
    and ids of nobody left out."""
    subscriber_id = await subscriber.subscribe()
    await subscriber.live(
        range(14), did_it=two_days_in_three, mood=lambda n: 4 if two_days_in_three(n) else 2
    )
    now = DAY_ONE + timedelta(days=13) + EVENING

    together = await progress.weekly_summaries([subscriber_id, subscriber_id + 1], now)
    texts = await progress.weekly_summaries_html([subscriber_id + 1, subscriber_id], now)

    assert together == {subscriber_id: await progress.weekly_summary(subscriber_id, now)}
    assert texts == {subscriber_id: await progress.weekly_summary_html(subscriber_id, now)}
    assert together[subscriber_id] is not None
