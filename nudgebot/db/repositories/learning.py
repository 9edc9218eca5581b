"""Queries behind learning: each subscriber's tip history with answers, recent wellbeing scores,
silence, and a sample of the crowd's counts (the kept per-topic state: `topic_stats`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Select,
    case,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from nudgebot.db.models import Answer, Delivery, DeliveryKind, DeliveryState, Subscriber
from nudgebot.db.repositories.topic_stats import TopicStatsRepository

# Outcome values as stored (the content layer owns their meaning; db may not import it).
DONE = "done"
NOT_FOR_ME = "not_for_me"
# Messages that ask for an answer, so leaving them unanswered is silence.
_ASKING = (DeliveryKind.TIP, DeliveryKind.WELLBEING)
_NOT_SENT = (DeliveryState.FAILED, DeliveryState.SKIPPED)
_DAY = timedelta(days=1)
# Subscriber ids per query when reading the crowd's sample (well under SQLite's bound variables).
_SAMPLE_CHUNK = 500


@dataclass(frozen=True)
class CrowdSample:
    """Per sampled subscriber: (successes, failures) per topic and (sent, done) per tip."""

    topics: dict[int, dict[str, tuple[float, float]]]
    tips: dict[int, dict[str, tuple[int, int]]]


# Tuples with names, not frozen dataclasses: a planning batch builds one per tip each of its
# subscribers was ever sent, and these are several times cheaper to make.
class TipHistoryRow(NamedTuple):
    """One tip in one subscriber's history, summed over every time it was planned."""

    times_sent: int
    times_done: int
    last_sent: date
    last_done: date | None
    not_for_me: bool


class ScoreRow(NamedTuple):
    """A wellbeing answer for one of the subscriber's days."""

    question_id: str
    day: date
    score: int


def _per_tip_sent(subscriber_ids: Iterable[int], *more: ColumnElement[Any]) -> Select[Any]:
    """Per subscriber and tip ever planned for them and not failed or skipped (so sent, or
    still on its way): subscriber, tip, times planned, times done, then `more` aggregates."""
    return (
        select(
            Delivery.subscriber_id,
            Delivery.tip_id,
            func.count(),
            func.sum(case((Delivery.outcome == DONE, 1), else_=0)),
            *more,
        )
        .where(
            Delivery.subscriber_id.in_(list(subscriber_ids)),
            Delivery.tip_id.is_not(None),
            Delivery.state.not_in(_NOT_SENT),
        )
        .group_by(Delivery.subscriber_id, Delivery.tip_id)
    )


class LearningRepository:
    """What the tip policy learns from, read in batches."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def tip_histories(
        self, subscriber_ids: Iterable[int]
    ) -> dict[int, dict[str, TipHistoryRow]]:
        """For each subscriber, every tip they were planned, with how they answered it."""
        done_on = case((Delivery.outcome == DONE, Delivery.local_date))
        query = _per_tip_sent(
            subscriber_ids,
            func.max(Delivery.local_date),
            func.max(done_on),
            func.max(case((Delivery.outcome == NOT_FOR_ME, 1), else_=0)),
        )
        histories: dict[int, dict[str, TipHistoryRow]] = defaultdict(dict)
        for subscriber_id, tip_id, sent, done, last, last_done, refused in (
            await self._session.execute(query)
        ).all():
            histories[subscriber_id][tip_id] = TipHistoryRow(
                int(sent), int(done or 0), last, last_done, bool(refused)
            )
        return histories

    async def recent_scores(
        self, subscriber_ids: Iterable[int], since: date
    ) -> dict[int, list[ScoreRow]]:
        """Wellbeing scores for the subscribers' days from `since` on (the current answer each)."""
        query = (
            select(
                Answer.subscriber_id,
                Answer.delivery_id,
                Answer.question_id,
                Answer.score,
                Delivery.local_date,
            )
            .join(Delivery, Delivery.id == Answer.delivery_id)
            .where(
                Answer.subscriber_id.in_(list(subscriber_ids)),
                # Answered in the window's days (a day before, for zones ahead of UTC): the
                # answers index bounds the scan however long the history.
                Answer.answered_at >= datetime.combine(since - timedelta(days=1), time(), UTC),
                Answer.question_id.is_not(None),
                Delivery.local_date >= since,
            )
            .order_by(Answer.answered_at, Answer.id)
        )
        latest: dict[tuple[int, int, str], ScoreRow] = {}
        for subscriber_id, delivery_id, question_id, score, day in await self._session.execute(
            query
        ):
            if question_id is None or score is None:  # filtered above; for the type checker
                continue
            # Later rows win: a re-press replaces the score, the earlier row stays as history.
            latest[(subscriber_id, delivery_id, question_id)] = ScoreRow(question_id, day, score)
        scores: dict[int, list[ScoreRow]] = defaultdict(list)
        for (subscriber_id, _, _), row in latest.items():
            scores[subscriber_id].append(row)
        return scores

    async def unanswered_streaks(
        self, last_replies: dict[int, tuple[date, date | None]]
    ) -> dict[int, int]:
        """Messages asking for an answer sent in a row without one, per subscriber.

        `last_replies` maps a subscriber to (the first day to look at, the day of their last
        reply or None); only messages sent on later days than the reply count. The look-back
        is bounded (silence becomes dormancy after a week), so this stays cheap with history.
        """
        # Each subscriber's own first day: someone who replied yesterday has a day or two of
        # rows to count, not the whole look-back (the rows before a reply were most of what a
        # single bound read, and all of them were thrown away). One query per distinct first
        # day (at most one per day of the look-back), each compiled once and cached: a table of
        # bounds in VALUES took a new compilation for every batch (its size changes), which
        # cost more than the query itself.
        by_first_day: dict[date, list[int]] = defaultdict(list)
        for subscriber_id, (first, replied_on) in last_replies.items():
            since = first if replied_on is None else max(first, replied_on + _DAY)
            by_first_day[since].append(subscriber_id)
        streaks: dict[int, int] = defaultdict(int)
        for since, subscriber_ids in sorted(by_first_day.items()):
            # Kind and state are checked here, not in SQL: with them in the WHERE clause,
            # SQLite (which keeps no statistics) took the (state, due_at) index for the most
            # selective one and read every sent message of every subscriber, a cost growing with
            # the whole deployment's history; without them it reads the batch's few recent days
            # through the (subscriber, day) unique index.
            query = (
                select(Delivery.subscriber_id, Delivery.kind, Delivery.state, Delivery.outcome)
                .where(Delivery.subscriber_id.in_(subscriber_ids), Delivery.local_date >= since)
                .order_by(Delivery.subscriber_id, Delivery.local_date, Delivery.sent_at)
            )
            for subscriber_id, kind, state, outcome in await self._session.execute(query):
                if kind not in _ASKING or state is not DeliveryState.SENT:
                    continue
                # An answered message ends the streak; the ones after it start a new count.
                streaks[subscriber_id] = 0 if outcome is not None else streaks[subscriber_id] + 1
        return dict(streaks)

    async def crowd_sample(self, limit: int) -> CrowdSample:
        """Topic counts and tip sends of an evenly spread sample of at most `limit` subscribers.

        Every k-th subscriber id, so the sample is the same each time for the same database
        (the simulation is deterministic), and each chunk of ids is read through an index:
        the cost depends on `limit`, not on how many subscribers there are.
        """
        last_id = await self._session.scalar(select(func.max(Subscriber.id)))
        sample = CrowdSample({}, {})
        if not last_id:
            return sample
        step = max(1, -(-last_id // limit))
        ids = list(range(step, last_id + 1, step))
        topics = TopicStatsRepository(self._session)
        for start in range(0, len(ids), _SAMPLE_CHUNK):
            chunk = ids[start : start + _SAMPLE_CHUNK]
            for subscriber_id, stats in (await topics.topic_stats(chunk)).items():
                sample.topics[subscriber_id] = {
                    topic: (row.successes, row.failures) for topic, row in stats.items()
                }
            await self._add_tip_counts(chunk, sample.tips)
        return sample

    async def _add_tip_counts(
        self, subscriber_ids: list[int], counts: dict[int, dict[str, tuple[int, int]]]
    ) -> None:
        """(sent, done) per tip for each subscriber: `tip_histories` without the dates and the
        "Not for me" flag, which the crowd does not use and which cost more to read than the
        counts (the crowd's fit reads every sampled subscriber's whole history each time)."""
        query = _per_tip_sent(subscriber_ids)
        person: dict[str, tuple[int, int]] = {}
        current = None
        # Rows come grouped by subscriber (in any order, the result is the same): one lookup
        # per subscriber rather than per row, over a hundred thousand rows at each refit.
        for subscriber_id, tip_id, sent, done in (await self._session.execute(query)).all():
            if subscriber_id != current:
                current = subscriber_id
                person = counts.setdefault(subscriber_id, {})
            # Plain integers already: a count, and a sum over at least one row.
            person[tip_id] = (sent, done)
