"""The run's outputs: metrics as defined, summary.json, the chart, the table, the progress bar."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from nudgebot.simulation import DayProgress, format_table, write_chart, write_summary
from nudgebot.simulation.behaviour import Reaction
from nudgebot.simulation.metrics import PolicyMetrics

TOPICS = ("sleep", "movement", "hydration")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def metrics_over(days: int, done_per_day: int, sent_per_day: int) -> PolicyMetrics:
    """Metrics where every day sent `sent_per_day` sleep tips and `done_per_day` were done."""
    metrics = PolicyMetrics(days, TOPICS)
    for day in range(days):
        reactions = [Reaction.DONE] * done_per_day + [Reaction.NONE] * (
            sent_per_day - done_per_day
        )
        metrics.record_tips(
            day, np.zeros(sent_per_day, dtype=np.int64), np.array(reactions, dtype=np.int64)
        )
    return metrics


def summary_of(**entries: dict[str, Any]) -> dict[str, Any]:
    return {"policies": entries, "run": {"cohort": "test", "users": 10, "days": 60, "seed": 0}}


def test_the_did_it_rate_is_done_answers_over_tips_sent_each_day() -> None:
    """Each day's rate is that day's "Did it" answers over that day's tips; silent days are null."""
    metrics = PolicyMetrics(3, TOPICS)
    metrics.record_tips(0, np.array([0, 1, 1, 2]), np.array([1, 2, 3, 0]))
    metrics.record_tips(0, np.array([0]), np.array([1]))
    metrics.record_tips(2, np.array([2, 2]), np.array([0, 0]))

    entry = metrics.summary(np.zeros(4, dtype=np.bool_))

    assert entry["did_it_rate_by_day"] == [0.4, None, 0.0]
    assert entry["did_it_rate_all_days"] == pytest.approx(2 / 7, abs=1e-6)
    assert entry["answer_rate"] == pytest.approx(4 / 7, abs=1e-6)
    assert entry["topic_mix"] == {
        "sleep": pytest.approx(2 / 7, abs=1e-6),
        "movement": pytest.approx(2 / 7, abs=1e-6),
        "hydration": pytest.approx(3 / 7, abs=1e-6),
    }
    assert entry["answers"] == {"did_it": 2, "later": 1, "not_for_me": 1, "none": 3}


def test_days_31_to_60_pool_their_tips_and_need_at_least_31_days() -> None:
    """The window's rate pools days 31-60; a run shorter than 31 days has none (null)."""
    metrics = PolicyMetrics(60, TOPICS)
    metrics.record_tips(29, np.zeros(10, dtype=np.int64), np.full(10, Reaction.DONE))
    metrics.record_tips(30, np.zeros(3, dtype=np.int64), np.array([1, 0, 0]))
    metrics.record_tips(59, np.zeros(1, dtype=np.int64), np.array([1]))

    assert metrics.summary(np.zeros(1, dtype=np.bool_))["did_it_rate_days_31_60"] == 0.5
    assert (
        metrics_over(30, 1, 2).summary(np.zeros(1, dtype=np.bool_))["did_it_rate_days_31_60"]
        is None
    )


def test_auto_paused_share_is_the_share_of_people_who_got_the_dormant_notice() -> None:
    """People paused for silence at least once, over everyone."""
    entry = metrics_over(2, 1, 2).summary(np.array([True, False, False, True]))

    assert entry["auto_paused_share"] == 0.5


def test_summary_json_has_the_documented_shape(tmp_path: Path) -> None:
    """summary.json: {"policies": {name: {did_it_rate_days_31_60, did_it_rate_by_day, ...}}}."""
    entry = metrics_over(60, 1, 4).summary(np.zeros(3, dtype=np.bool_))

    path = write_summary(summary_of(adaptive=entry, random=entry), tmp_path / "out")

    written = json.loads(path.read_text())
    assert path.name == "summary.json"
    assert list(written["policies"]) == ["adaptive", "random"]
    adaptive = written["policies"]["adaptive"]
    assert {
        "did_it_rate_days_31_60",
        "did_it_rate_by_day",
        "answer_rate",
        "auto_paused_share",
        "topic_mix",
    } <= set(adaptive)
    assert adaptive["did_it_rate_days_31_60"] == 0.25
    assert len(adaptive["did_it_rate_by_day"]) == 60
    assert set(adaptive["topic_mix"]) == set(TOPICS)


def test_the_chart_is_a_png_of_the_did_it_rate(tmp_path: Path) -> None:
    """did_it_rate.png is written, a real PNG."""
    entry = metrics_over(60, 1, 4).summary(np.zeros(3, dtype=np.bool_))

    path = write_chart(
        summary_of(
            adaptive=entry, oracle=metrics_over(60, 3, 4).summary(np.zeros(3, dtype=np.bool_))
        ),
        tmp_path,
    )

    assert path.name == "did_it_rate.png"
    assert path.read_bytes().startswith(PNG_SIGNATURE)
    assert path.stat().st_size > 10_000


def test_the_table_puts_policies_side_by_side_with_the_target_ratios() -> None:
    """One column per policy, one row per metric, and adaptive's ratios to random and oracle."""
    no_one = np.zeros(3, dtype=np.bool_)
    summary = summary_of(
        adaptive=metrics_over(60, 2, 5).summary(no_one),
        random=metrics_over(60, 1, 5).summary(no_one),
        oracle=metrics_over(60, 5, 10).summary(no_one),
    )

    table = format_table(summary, {"adaptive": 61.0, "random": 59.4, "oracle": 1.0})

    lines = table.splitlines()
    assert lines[1].split() == ["adaptive", "random", "oracle"]
    assert lines[2].split()[-3:] == ["0.400", "0.200", "0.500"]
    assert "run time" in table
    assert "61 s" in table
    assert lines[-2:] == [
        "adaptive / random, days 31-60: 2.00x",
        "adaptive / oracle, days 31-60: 80%",
    ]


def test_progress_without_a_terminal_writes_a_plain_line_every_tenth_of_the_run() -> None:
    """In a log, the bar is a short list of plain lines, not a line per day."""
    stream = io.StringIO()
    progress = DayProgress(stream)

    progress.start("adaptive", 60)
    for day in range(1, 61):
        progress.day_done(day)

    lines = stream.getvalue().splitlines()
    assert len(lines) == 11
    assert "\r" not in stream.getvalue()
    assert lines[-1].startswith("    adaptive [" + "#" * 30 + "] day 60/60")
