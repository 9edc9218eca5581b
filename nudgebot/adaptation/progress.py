"""A forgiving habit score and streaks per topic and overall, for the progress chart.

The score is an exponential moving average of the subscriber's days ("did it" = 1, not = 0)
with a 13-day half-life, the idea behind Loop Habit Tracker's habit strength: one missed day
dents it a little instead of resetting anything, and it takes weeks of practice to build up.

Forgiveness is the theme of every choice below:

- A paused day freezes everything: the subscriber asked for a break, so it neither decays the
  score nor breaks a streak.
- A day without a chance (no tip sent: in that topic for the topic's score, at all for the
  overall score) is skipped the same way. The subscriber could not do a tip they were not sent,
  and otherwise a topic served once a week would decay six days out of seven.
- Only a day with a tip sent and not done counts against them.

Pure: the caller passes the records and the date range; nothing here reads a clock or a database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

HALF_LIFE_DAYS = 13
# The weight kept from yesterday's score on a counted day: after HALF_LIFE_DAYS counted days the
# old score weighs exactly one half.
DAILY_MULTIPLIER = 0.5 ** (1 / HALF_LIFE_DAYS)


@dataclass(frozen=True)
class DayRecord:
    """One tip sent to the subscriber on one of their (local) days, and whether they did it.

    An unanswered tip counts as not done; pass `end` as the last finished day when today's
    answers may still arrive, so an open day does not count as a miss.
    """

    day: date
    topic: str
    done: bool


@dataclass(frozen=True)
class ScoreSeries:
    """The score after each day from start to end (one value per day, 0..1) and the streaks.

    `current_streak` is the run of "did it" days ending at the last counted day (0 when that
    day was a miss); `best_streak` is the longest such run in the range. Skipped and paused
    days neither extend nor break a run.
    """

    days: tuple[date, ...]
    values: tuple[float, ...]
    final: float
    current_streak: int
    best_streak: int


@dataclass(frozen=True)
class HabitProgress:
    """The overall score and one per topic that had a tip sent in the range (sorted by topic)."""

    overall: ScoreSeries
    by_topic: Mapping[str, ScoreSeries]


def habit_scores(
    records: Iterable[DayRecord], paused: Iterable[date], start: date, end: date
) -> HabitProgress:
    """The subscriber's habit scores and streaks from `start` to `end` (both inclusive).

    Every score starts at 0 on `start`; records outside the range are ignored, so a chart of a
    window shows that window alone. Several tips on one day (in a topic, or overall) make one
    day, done if any of them was done: the score moves once per day, so the half-life stays in
    days however many tips a day brings.
    """
    if end < start:
        raise ValueError(f"end {end} is before start {start}")
    days = tuple(start + timedelta(days=n) for n in range((end - start).days + 1))
    overall: dict[date, bool] = {}
    by_topic: dict[str, dict[date, bool]] = {}
    for record in records:
        if not start <= record.day <= end:
            continue
        overall[record.day] = overall.get(record.day, False) or record.done
        topic_days = by_topic.setdefault(record.topic, {})
        topic_days[record.day] = topic_days.get(record.day, False) or record.done
    paused_days = frozenset(paused)
    return HabitProgress(
        overall=_series(days, overall, paused_days),
        by_topic={
            topic: _series(days, by_topic[topic], paused_days) for topic in sorted(by_topic)
        },
    )


def _series(
    days: tuple[date, ...], outcomes: Mapping[date, bool], paused: frozenset[date]
) -> ScoreSeries:
    score = 0.0
    values: list[float] = []
    run = 0
    best = 0
    for day in days:
        # A pause wins over a record on the same day: the subscriber asked for the break.
        done = None if day in paused else outcomes.get(day)
        if done is not None:
            score = score * DAILY_MULTIPLIER + (1 - DAILY_MULTIPLIER) * float(done)
            run = run + 1 if done else 0
            best = max(best, run)
        values.append(score)
    return ScoreSeries(
        days=days, values=tuple(values), final=score, current_streak=run, best_streak=best
    )
