"""The forgiving habit score and streaks behind the progress chart."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from nudgebot.adaptation.progress import (
    DAILY_MULTIPLIER,
    DayRecord,
    habit_scores,
)

START = date(2024, 3, 1)


def day(n: int) -> date:
    """The n-th day of the test range, day(0) being START."""
    return START + timedelta(days=n)


def daily(topic: str, outcomes: str, first: int = 0) -> list[DayRecord]:
    """One record a day from day(first): 'y' did it, 'n' did not, '.' no tip that day."""
    return [
        DayRecord(day(first + n), topic, mark == "y")
        for n, mark in enumerate(outcomes)
        if mark != "."
    ]


def test_thirteen_done_days_from_zero_reach_half() -> None:
    """Thirteen days of "did it" from a score of 0 bring it to exactly one half (the half-life)."""
    progress = habit_scores(daily("sleep", "y" * 13), set(), day(0), day(12))

    assert progress.overall.final == pytest.approx(0.5, abs=1e-9)
    assert progress.by_topic["sleep"].final == pytest.approx(0.5, abs=1e-9)
    assert progress.overall.values[0] == pytest.approx(1 - DAILY_MULTIPLIER)


def test_series_has_one_value_per_day_of_the_range() -> None:
    """The series covers every day from start to end inclusive, final being the last value."""
    progress = habit_scores(daily("sleep", "yny"), set(), day(0), day(4))

    assert progress.overall.days == tuple(day(n) for n in range(5))
    assert len(progress.overall.values) == 5
    assert progress.overall.final == progress.overall.values[-1]


def test_paused_days_freeze_the_score() -> None:
    """A paused day changes nothing, even with a record on it, so the score resumes where it was."""
    records = [*daily("sleep", "yyy"), *daily("sleep", "nnnnn", first=3), *daily("sleep", "y", 8)]
    paused = {day(n) for n in range(3, 8)}

    paused_run = habit_scores(records, paused, day(0), day(8)).overall
    unpaused = habit_scores(daily("sleep", "yyyy"), set(), day(0), day(3)).overall

    assert paused_run.values[3:8] == (paused_run.values[2],) * 5
    assert paused_run.final == pytest.approx(unpaused.final)


def test_days_without_a_tip_do_not_decay_the_score() -> None:
    """A day on which no tip was sent is skipped: the score stays, and resumes from there."""
    progress = habit_scores(daily("sleep", "yy....y"), set(), day(0), day(6))
    back_to_back = habit_scores(daily("sleep", "yyy"), set(), day(0), day(2))

    assert progress.overall.values[2:6] == (progress.overall.values[1],) * 4
    assert progress.overall.final == pytest.approx(back_to_back.overall.final)


def test_a_missed_tip_lowers_the_score() -> None:
    """A tip sent and not done scales the score down by the daily multiplier."""
    progress = habit_scores(daily("sleep", "yn"), set(), day(0), day(1))

    first, second = progress.overall.values
    assert second < first
    assert second == pytest.approx(first * DAILY_MULTIPLIER)


def test_several_tips_in_one_day_count_as_one_day_done_if_any_was_done() -> None:
    """Two tips on one day move the score once, as "did it" when either was done."""
    records = [DayRecord(day(0), "sleep", False), DayRecord(day(0), "sleep", True)]

    progress = habit_scores(records, set(), day(0), day(0))

    assert progress.overall.final == pytest.approx(1 - DAILY_MULTIPLIER)
    assert progress.by_topic["sleep"].final == pytest.approx(1 - DAILY_MULTIPLIER)


def test_streak_survives_days_without_a_tip_and_paused_days() -> None:
    """Skipped and paused days neither extend nor break a run of "did it" days."""
    records = daily("sleep", "yy..y.yn.y", first=0)
    paused = {day(5), day(7)}

    series = habit_scores(records, paused, day(0), day(9)).overall

    assert series.current_streak == 5
    assert series.best_streak == 5


def test_a_missed_tip_breaks_the_streak_and_the_best_is_kept() -> None:
    """A tip not done ends the current run; the longest run in the range stays as best."""
    series = habit_scores(daily("sleep", "yyyny."), set(), day(0), day(5)).overall

    assert series.current_streak == 1
    assert series.best_streak == 3


def test_a_miss_on_the_last_counted_day_leaves_no_current_streak() -> None:
    """When the latest day with a tip was a miss, the current streak is 0 whatever came before."""
    series = habit_scores(daily("sleep", "yyn.."), set(), day(0), day(4)).overall

    assert series.current_streak == 0
    assert series.best_streak == 2


def test_topics_are_scored_independently() -> None:
    """Each topic counts only its own days; overall counts a day done if any topic's tip was."""
    records = [*daily("sleep", "yyy"), *daily("move", "nn.")]

    progress = habit_scores(records, set(), day(0), day(2))

    sleep, move = progress.by_topic["sleep"], progress.by_topic["move"]
    assert list(progress.by_topic) == ["move", "sleep"]
    assert sleep.final == pytest.approx(1 - DAILY_MULTIPLIER**3)
    assert (sleep.current_streak, sleep.best_streak) == (3, 3)
    assert move.final == 0.0
    assert (move.current_streak, move.best_streak) == (0, 0)
    assert progress.overall.final == pytest.approx(sleep.final)
    assert progress.overall.current_streak == 3


def test_empty_input_gives_zero_scores_and_streaks() -> None:
    """With no records, the overall score is 0 every day, streaks are 0 and no topic appears."""
    progress = habit_scores([], set(), day(0), day(6))

    assert progress.overall.values == (0.0,) * 7
    assert progress.overall.final == 0.0
    assert (progress.overall.current_streak, progress.overall.best_streak) == (0, 0)
    assert progress.by_topic == {}


def test_records_outside_the_range_are_ignored() -> None:
    """Only days from start to end count: the score starts at 0 on start."""
    records = daily("sleep", "yyyyy") + daily("move", "y", first=9)

    progress = habit_scores(records, set(), day(2), day(3))

    assert progress.overall.final == pytest.approx(1 - DAILY_MULTIPLIER**2)
    assert progress.overall.best_streak == 2
    assert list(progress.by_topic) == ["sleep"]


def test_scores_stay_between_zero_and_one() -> None:
    """However long the run of "did it" days, the score approaches 1 without passing it."""
    series = habit_scores(daily("sleep", "y" * 400), set(), day(0), day(399)).overall

    assert all(0.0 <= value <= 1.0 for value in series.values)
    assert series.final > 0.999
    assert series.best_streak == 400


def test_end_before_start_is_refused() -> None:
    """A range that ends before it starts is a caller's mistake and gets a clear error."""
    with pytest.raises(ValueError, match="before start"):
        habit_scores([], set(), day(3), day(2))
