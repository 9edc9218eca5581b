"""How a subscriber's wellbeing scores paired with their habits, for the weekly summary.

For one topic and one wellbeing question, the pairing compares the mean score on the days they
did a tip of that topic with the mean score on their other scored days. It describes what went
together; it cannot say what caused what (a good day may make a tip easier, a hard day may be
why they reached for a breathing exercise), so every sentence built on it carries that caveat.

Small samples make noise look like a pattern, so a pairing is reported only when:
- each side has at least `MIN_DAYS_EACH` (3) scored days: one unusual day cannot carry a mean;
- the means differ by at least `MIN_DIFFERENCE` (0.3 on the 1-5 scale): smaller gaps are within
  the day-to-day wobble of a self-rating and would read as a finding when they are not one.
These are deliberately modest thresholds for a friendly hint, not a statistical test.

Pure: the caller passes the days and scores; nothing here reads a clock or a database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from statistics import fmean

MIN_DAYS_EACH = 3
MIN_DIFFERENCE = 0.3
# Means are compared after float arithmetic: 3.3 - 3.0 must count as a 0.3 difference.
_TOLERANCE = 1e-9


@dataclass(frozen=True)
class DayScore:
    """One wellbeing answer: the question, the subscriber's day it was about, and the score."""

    question_id: str
    day: date
    score: float


@dataclass(frozen=True)
class Pairing:
    """The mean score of one question on days with a topic's tip done, and on other days."""

    topic: str
    question_id: str
    days_with: int
    mean_with: float
    days_without: int
    mean_without: float

    @property
    def difference(self) -> float:
        """How much higher the score was on the topic's days (negative: lower)."""
        return self.mean_with - self.mean_without


def daily_scores(scores: Iterable[DayScore]) -> dict[str, dict[date, float]]:
    """Each question's score per day; several answers on one day make their mean.

    A day's score is one observation however often it was given, so a day answered twice does
    not weigh double in a pairing.
    """
    collected: dict[str, dict[date, list[float]]] = defaultdict(lambda: defaultdict(list))
    for score in scores:
        collected[score.question_id][score.day].append(score.score)
    return {
        question: {day: fmean(values) for day, values in sorted(days.items())}
        for question, days in collected.items()
    }


def wellbeing_pairings(
    done_days: Mapping[str, Collection[date]],
    scores: Mapping[str, Mapping[date, float]],
    *,
    min_days_each: int = MIN_DAYS_EACH,
    min_difference: float = MIN_DIFFERENCE,
) -> list[Pairing]:
    """Every (topic, question) pairing with enough data, the largest differences first.

    `done_days` maps a topic to the days a tip of it was done; `scores` maps a question to its
    score per day (see `daily_scores`). "Other days" are the scored days without a done tip of
    that topic, whether another topic's tip was done, a tip was skipped, or none was sent.
    Higher and lower means are both reported: the summary describes, it does not cheer.
    """
    pairings: list[Pairing] = []
    for question_id, by_day in scores.items():
        for topic, days in done_days.items():
            with_topic = [score for day, score in by_day.items() if day in days]
            without_topic = [score for day, score in by_day.items() if day not in days]
            if len(with_topic) < min_days_each or len(without_topic) < min_days_each:
                continue
            pairing = Pairing(
                topic=topic,
                question_id=question_id,
                days_with=len(with_topic),
                mean_with=fmean(with_topic),
                days_without=len(without_topic),
                mean_without=fmean(without_topic),
            )
            if abs(pairing.difference) + _TOLERANCE >= min_difference:
                pairings.append(pairing)
    return sorted(pairings, key=lambda p: (-abs(p.difference), p.topic, p.question_id))
