"""A subscriber's progress: habit scores, streaks, "did it" counts and wellbeing, from the ledger.

Two views share one reading of the history:
- the progress report behind `/progress`: N weeks up to today, day by day, for the chart;
- the weekly summary: the last 7 days, and how wellbeing paired with habits over the last 28
  (a week is too short to compare anything; see adaptation.insights for the thresholds).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nudgebot.adaptation.insights import (
    DayScore,
    daily_scores,
    wellbeing_pairings,
)
from nudgebot.adaptation.progress import DayRecord, HabitProgress, habit_scores
from nudgebot.content.schema import Outcome
from nudgebot.content.store import ContentStore
from nudgebot.db.models import Subscriber
from nudgebot.db.repositories import (
    DeliveryRepository,
    LearningRepository,
    ScoreRow,
    SubscriberRepository,
)
from nudgebot.delivery.policy import DeliveryPolicy
from nudgebot.scheduling import subscriber_day
from nudgebot.services.summaries import WeeklySummary, render_weekly_summary

DEFAULT_WEEKS = 4
MAX_WEEKS = 52
SUMMARY_DAYS = 7
PAIRING_DAYS = 28
# Mood and gut comfort are about the same day as the tips; sleep quality is asked about the
# night before, so a tip done today cannot have been part of it and is left out of pairings.
PAIRED_QUESTIONS = ("mood", "gut_comfort")
# The placeholder topic of tips retired from the library: counted overall, never per topic.
_RETIRED = ""


@dataclass(frozen=True)
class ProgressReport:
    """A subscriber's days from `start` to `end` (their today), for the chart and its caption.

    `habits` holds the score series (one value per day) and streaks; `done_by_topic` the tips
    done per topic (topics with a tip sent in the window, most done first); `wellbeing` each
    question's score per day (None for a day without one), aligned with `days`.
    """

    language: str
    start: date
    end: date
    habits: HabitProgress
    done_by_topic: Mapping[str, int]
    days_done: int
    answered: int
    wellbeing: Mapping[str, tuple[float | None, ...]]

    @property
    def days(self) -> tuple[date, ...]:
        """Every day of the window, oldest first."""
        return self.habits.overall.days

    @property
    def has_data(self) -> bool:
        """Whether there is anything to draw: an answered tip or a wellbeing score."""
        return self.answered > 0 or any(
            value is not None for series in self.wellbeing.values() for value in series
        )

    @property
    def strongest_topic(self) -> str | None:
        """The topic with the highest habit score now; None while every score is 0."""
        finals = {topic: series.final for topic, series in self.habits.by_topic.items()}
        best = max(finals, key=lambda topic: (finals[topic], topic), default=None)
        return best if best is not None and finals[best] > 0 else None


@dataclass(frozen=True)
class _History:
    records: list[DayRecord]
    answered: int
    scores: dict[str, dict[date, float]]


class ProgressService:
    """Progress reports and weekly summaries; each call is one transaction.

    `policy` gives each subscriber's day (their zone and day start) to the methods that take
    `now`; `habits`, which is told the day, works without it.
    """

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        content: ContentStore,
        policy: DeliveryPolicy | None = None,
    ) -> None:
        self._sessions = sessions
        self._content = content
        self._policy = policy

    async def habits(self, chat_id: int, today: date, days: int = 28) -> HabitProgress | None:
        """Scores per day over the `days` up to `today` (their local date); None if unknown.

        Each tip sent is a day's chance in its topic, done when its current answer is "did it".
        Today's tips still waiting for an answer are left out, so an open day is not a miss.
        Paused days had no tips, so they leave the score as it was (see adaptation.progress).
        Tips retired from the library count in the overall score only.
        """
        start = today - timedelta(days=days - 1)
        async with self._sessions() as session:
            subscriber = await SubscriberRepository(session).by_chat_id(chat_id)
            if subscriber is None:
                return None
            history = await self._history(session, subscriber, start, today, with_scores=False)
        return _scores(history.records, start, today)

    async def language_of(self, chat_id: int) -> str | None:
        """The subscriber's language; None if the chat never subscribed."""
        async with self._sessions() as session:
            subscriber = await SubscriberRepository(session).by_chat_id(chat_id)
            return subscriber.language if subscriber is not None else None

    async def report(
        self, chat_id: int, now: datetime, weeks: int = DEFAULT_WEEKS
    ) -> ProgressReport | None:
        """The last `weeks` weeks up to the subscriber's today; None if the chat is unknown.

        Today's unanswered tips are left out, as in `habits`; today's answers count.
        """
        if not 1 <= weeks <= MAX_WEEKS:
            raise ValueError(f"weeks must be 1-{MAX_WEEKS}, not {weeks}")
        async with self._sessions() as session:
            subscriber = await SubscriberRepository(session).by_chat_id(chat_id)
            if subscriber is None:
                return None
            today = self._today(subscriber, now)
            start = today - timedelta(days=7 * weeks - 1)
            history = await self._history(session, subscriber, start, today, with_scores=True)
        habits = _scores(history.records, start, today)
        return ProgressReport(
            language=subscriber.language,
            start=start,
            end=today,
            habits=habits,
            done_by_topic=_done_counts(history.records, with_zeros=True),
            days_done=len({r.day for r in history.records if r.done}),
            answered=history.answered,
            wellbeing={
                question: tuple(by_day.get(day) for day in habits.overall.days)
                for question, by_day in sorted(history.scores.items())
            },
        )

    async def weekly_summary(self, subscriber_id: int, now: datetime) -> WeeklySummary | None:
        """The 7 days up to the subscriber's today; None when there is nothing to say.

        Sent on a Sunday evening, that is Monday to Sunday. Today's tips count once answered;
        an unanswered one is left out rather than taken for a miss, as in `report`. Nothing
        to say: no tip done in the week and no pairing with enough data (an unknown subscriber
        too). A summary that only reports a blank week would feel like a reproach.
        """
        return (await self.weekly_summaries([subscriber_id], now)).get(subscriber_id)

    async def weekly_summaries(
        self, subscriber_ids: Sequence[int], now: datetime
    ) -> dict[int, WeeklySummary | None]:
        """`weekly_summary` for many subscribers at once, read in three queries.

        The outbox sends a whole claim of Sunday summaries together; read one at a time, each
        cost a session and three round trips. Unknown ids are left out.
        """
        async with self._sessions() as session:
            subscribers = await SubscriberRepository(session).many(subscriber_ids)
            if not subscribers:
                return {}
            ends = {s.id: self._today(s, now) for s in subscribers}
            first = min(ends.values()) - timedelta(days=PAIRING_DAYS - 1)
            last = max(ends.values())
            sent = await DeliveryRepository(session).sent_tips(list(ends), first, last)
            scores = await LearningRepository(session).recent_scores(list(ends), first)
        summaries: dict[int, WeeklySummary | None] = {}
        for subscriber in subscribers:
            end = ends[subscriber.id]
            history = self._history_of(
                sent.get(subscriber.id, []),
                scores.get(subscriber.id, []),
                end - timedelta(days=PAIRING_DAYS - 1),
                end,
            )
            summaries[subscriber.id] = _weekly_summary(subscriber.language, history, end)
        return summaries

    async def weekly_summaries_html(
        self, subscriber_ids: Sequence[int], now: datetime
    ) -> dict[int, str | None]:
        """Each subscriber's weekly summary as Telegram HTML in their language (None: send
        nothing); unknown ids are left out."""
        library = self._content.library
        return {
            subscriber_id: (
                None
                if summary is None
                else render_weekly_summary(library, summary.language, summary)
            )
            for subscriber_id, summary in (
                await self.weekly_summaries(subscriber_ids, now)
            ).items()
        }

    async def weekly_summary_html(self, subscriber_id: int, now: datetime) -> str | None:
        """The weekly summary as Telegram HTML in the subscriber's language; None: send nothing."""
        return (await self.weekly_summaries_html([subscriber_id], now)).get(subscriber_id)

    def _today(self, subscriber: Subscriber, now: datetime) -> date:
        if self._policy is None:
            raise RuntimeError("ProgressService needs the delivery policy to know today")
        return subscriber_day(now, self._policy.schedule_of(subscriber))

    async def _history(
        self,
        session: AsyncSession,
        subscriber: Subscriber,
        start: date,
        today: date,
        *,
        with_scores: bool,
    ) -> _History:
        sent = await DeliveryRepository(session).sent_tips([subscriber.id], start, today)
        rows = (
            (await LearningRepository(session).recent_scores([subscriber.id], start)).get(
                subscriber.id, []
            )
            if with_scores
            else []
        )
        return self._history_of(sent.get(subscriber.id, []), rows, start, today)

    def _history_of(
        self,
        sent: Sequence[tuple[date, str, str | None]],
        score_rows: Sequence[ScoreRow],
        start: date,
        today: date,
    ) -> _History:
        """The history from `start` to `today` out of rows read for a wider window."""
        library = self._content.library
        records = []
        answered = 0
        for local_date, tip_id, outcome in sent:
            if local_date < start or local_date > today:
                continue
            if outcome is not None:
                answered += 1
            # Today is still open: a tip not answered yet, or put off until later today, is
            # no miss (yet).
            if local_date == today and outcome in (None, Outcome.LATER.value):
                continue
            tip = library.tips.get(tip_id)
            topic = tip.topic if tip is not None else _RETIRED
            records.append(DayRecord(local_date, topic, outcome == Outcome.DONE.value))
        scores = daily_scores(
            DayScore(row.question_id, row.day, row.score)
            for row in score_rows
            if start <= row.day <= today
        )
        return _History(records, answered, scores)


def _weekly_summary(language: str, history: _History, end: date) -> WeeklySummary | None:
    """The week up to `end` out of a `PAIRING_DAYS` history; None: nothing to say."""
    week_start = end - timedelta(days=SUMMARY_DAYS - 1)
    week = [record for record in history.records if record.day >= week_start]
    done_days: dict[str, set[date]] = defaultdict(set)
    for record in history.records:
        if record.done and record.topic != _RETIRED:
            done_days[record.topic].add(record.day)
    paired_scores = {q: s for q, s in history.scores.items() if q in PAIRED_QUESTIONS}
    pairings = tuple(wellbeing_pairings(done_days, paired_scores))
    if not any(r.done for r in week) and not pairings:
        return None
    return WeeklySummary(
        language=language,
        start=week_start,
        end=end,
        done_by_topic=_done_counts(week, with_zeros=False),
        best_streak=_scores(week, week_start, end).overall.best_streak,
        pairings=pairings,
        pairing_days=PAIRING_DAYS,
    )


def _scores(records: list[DayRecord], start: date, end: date) -> HabitProgress:
    progress = habit_scores(records, (), start, end)
    by_topic = {topic: series for topic, series in progress.by_topic.items() if topic != _RETIRED}
    return HabitProgress(progress.overall, by_topic)


def _done_counts(records: list[DayRecord], *, with_zeros: bool) -> dict[str, int]:
    """Tips done per topic, most first; `with_zeros` lists topics sent but never done too."""
    counts = {r.topic: 0 for r in records if with_zeros and r.topic != _RETIRED}
    for record in records:
        if record.done and record.topic != _RETIRED:
            counts[record.topic] = counts.get(record.topic, 0) + 1
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
