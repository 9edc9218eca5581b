"""Pairing wellbeing scores with habits: the averages, and when there is enough to say."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from nudgebot.adaptation.insights import (
    MIN_DAYS_EACH,
    MIN_DIFFERENCE,
    DayScore,
    daily_scores,
    wellbeing_pairings,
)

START = date(2026, 6, 1)


def day(n: int) -> date:
    """The n-th day of the test range, day(0) being START."""
    return START + timedelta(days=n)


def scores_by_day(values: str) -> dict[date, float]:
    """One score a day from day(0): a digit is the score, '.' a day without an answer."""
    return {day(n): float(mark) for n, mark in enumerate(values) if mark != "."}


def days(marks: str) -> set[date]:
    """The days marked 'y' from day(0) on."""
    return {day(n) for n, mark in enumerate(marks) if mark == "y"}


def test_pairing_compares_the_mean_on_topic_days_with_other_scored_days() -> None:
    """The mean of the days a topic's tip was done is set against the mean of the other days."""
    done = {"breathing": days("yyyy....")}
    mood = scores_by_day("45534233")

    [pairing] = wellbeing_pairings(done, {"mood": mood})

    assert (pairing.topic, pairing.question_id) == ("breathing", "mood")
    assert (pairing.days_with, pairing.days_without) == (4, 4)
    assert pairing.mean_with == pytest.approx(4.25)
    assert pairing.mean_without == pytest.approx(3.0)
    assert pairing.difference == pytest.approx(1.25)


def test_days_without_a_score_count_on_neither_side() -> None:
    """A done day with no wellbeing answer, or an unanswered other day, is left out."""
    done = {"sleep": days("yyyyy.....")}
    mood = scores_by_day("5.5.5.2.2.2")

    [pairing] = wellbeing_pairings(done, {"mood": mood})

    assert (pairing.days_with, pairing.days_without) == (3, 3)
    assert (pairing.mean_with, pairing.mean_without) == (5.0, 2.0)


def test_fewer_than_three_days_on_either_side_is_not_enough() -> None:
    """With only two scored days on one side, nothing is reported however large the gap."""
    mood = scores_by_day("55111111")

    assert MIN_DAYS_EACH == 3
    assert wellbeing_pairings({"sleep": days("yy......")}, {"mood": mood}) == []
    assert wellbeing_pairings({"sleep": days("yyyyyy..")}, {"mood": mood}) == []
    assert len(wellbeing_pairings({"sleep": days("yyy.....")}, {"mood": mood})) == 1


def test_a_difference_under_the_threshold_is_not_reported_and_one_at_it_is() -> None:
    """Means 0.2 apart are noise; 0.3 apart (the threshold, whatever float rounding does) count."""
    done = {"movement": days("yyyyy.....")}
    close = {"mood": {**scores_by_day("33333"), **{day(n): 3.2 for n in range(5, 10)}}}
    apart = {"mood": {**scores_by_day("33333"), **{day(n): 3.3 for n in range(5, 10)}}}

    assert MIN_DIFFERENCE == 0.3
    assert wellbeing_pairings(done, close) == []
    [pairing] = wellbeing_pairings(done, apart)
    assert pairing.difference == pytest.approx(-0.3)


def test_lower_scores_on_topic_days_are_reported_too() -> None:
    """A topic's days with a lower mean are described as they are, not hidden."""
    done = {"breathing": days("yyy...")}

    [pairing] = wellbeing_pairings(done, {"mood": scores_by_day("222444")})

    assert pairing.difference == pytest.approx(-2.0)


def test_pairings_come_largest_difference_first_for_each_topic_and_question() -> None:
    """Every topic is paired with every question; the biggest gap, up or down, leads."""
    done = {"sleep": days("yyy..."), "hydration": days("...yyy")}
    scores = {"mood": scores_by_day("444333"), "gut_comfort": scores_by_day("115555")}

    pairings = wellbeing_pairings(done, scores)

    assert [(p.topic, p.question_id, round(p.difference, 2)) for p in pairings] == [
        ("hydration", "gut_comfort", 2.67),
        ("sleep", "gut_comfort", -2.67),
        ("hydration", "mood", -1.0),
        ("sleep", "mood", 1.0),
    ]


def test_the_thresholds_can_be_tightened() -> None:
    """A caller may ask for more days on each side or a larger gap."""
    done = {"sleep": days("yyy...")}
    mood = {"mood": scores_by_day("444333")}

    assert wellbeing_pairings(done, mood, min_days_each=4) == []
    assert wellbeing_pairings(done, mood, min_difference=1.5) == []


def test_daily_scores_average_several_answers_on_one_day() -> None:
    """Two answers to a question on one day make one observation, their mean."""
    answers = [
        DayScore("mood", day(0), 2),
        DayScore("mood", day(0), 4),
        DayScore("mood", day(1), 5),
        DayScore("gut_comfort", day(0), 1),
    ]

    assert daily_scores(answers) == {
        "mood": {day(0): 3.0, day(1): 5.0},
        "gut_comfort": {day(0): 1.0},
    }
