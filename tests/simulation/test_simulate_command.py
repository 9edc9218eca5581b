"""`nudgebot simulate` end to end: the real bot on real SQLite, simulated people and clock."""

from __future__ import annotations

import asyncio
import gc
import json
from pathlib import Path
from typing import Any

import pytest

from nudgebot.cli import ScratchDeployments, main
from nudgebot.config import bundled_path
from nudgebot.content import load_library
from nudgebot.simulation import load_cohort, run_simulation
from nudgebot.simulation.run import collecting_less_often, shard_count

COHORT = """\
name: two-tastes
groups:
  - name: fermenters
    count: 30
    answer_probability: 0.9
    do_probability:
      default: 0.05
      topics: {fermented-foods: 0.85, prebiotic-foods: 0.8, fibre-diversity: 0.75}
  - name: sleepers
    count: 10
    answer_probability: 0.9
    do_probability:
      default: 0.05
      topics: {sleep: 0.85, breathing: 0.8, stress: 0.75}
"""


@pytest.fixture
def cohort(tmp_path: Path) -> Path:
    path = tmp_path / "cohort.yaml"
    path.write_text(COHORT)
    return path


def simulate(*arguments: str) -> int:
    return main(["simulate", *arguments])


def test_a_small_run_writes_summary_and_chart_and_the_oracle_beats_random(
    cohort: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """40 people over 14 days: the summary has every policy, and knowing beats guessing."""
    out = tmp_path / "out"

    status = simulate(
        "--cohort",
        str(cohort),
        "--days",
        "14",
        "--policy",
        "oracle",
        "--policy",
        "random",
        "--out",
        str(out),
    )

    printed = capsys.readouterr()
    assert status == 0
    summary = json.loads((out / "summary.json").read_text())
    assert list(summary["policies"]) == ["oracle", "random"]
    assert summary["run"] == {"cohort": "two-tastes", "users": 40, "days": 14, "seed": 0}
    oracle, random = summary["policies"]["oracle"], summary["policies"]["random"]
    assert len(oracle["did_it_rate_by_day"]) == 14
    assert oracle["did_it_rate_days_31_60"] is None
    assert oracle["tips_sent"] >= 40 * 14
    assert oracle["did_it_rate_all_days"] > 1.5 * random["did_it_rate_all_days"]
    assert 0.8 < random["answer_rate"] < 1.0
    assert oracle["topic_mix"]["fermented-foods"] > random["topic_mix"]["fermented-foods"]
    assert (out / "did_it_rate.png").read_bytes().startswith(b"\x89PNG")
    assert printed.out.splitlines()[1].split() == ["oracle", "random"]
    assert "day 14/14" in printed.err


def test_the_same_seed_gives_the_same_summary(cohort: Path, tmp_path: Path) -> None:
    """Two runs with one seed write byte-identical summary.json files."""
    runs = [tmp_path / "first", tmp_path / "second"]

    for out in runs:
        status = simulate(
            "--cohort",
            str(cohort),
            "--users",
            "12",
            "--days",
            "4",
            "--policy",
            "adaptive",
            "--seed",
            "5",
            "--out",
            str(out),
        )
        assert status == 0

    first, second = ((out / "summary.json").read_text() for out in runs)
    assert first == second
    assert json.loads(first)["policies"]["adaptive"]["tips_sent"] >= 12 * 4


def test_a_shard_collects_garbage_less_often_and_puts_python_s_settings_back() -> None:
    """While a shard runs the youngest objects are collected far less often than Python's
    default and what was alive before is frozen; afterwards both are as they were."""
    before = gc.get_threshold()

    with collecting_less_often():
        during = gc.get_threshold()
        frozen = gc.get_freeze_count()

    assert during[0] >= 10 * before[0]
    assert during[1:] == before[1:]
    assert frozen > 0
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_a_shard_leaves_objects_frozen_by_its_caller_frozen() -> None:
    """Unfreezing is all or nothing: after a caller's own gc.freeze, a shard's end must not
    undo it."""
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with collecting_less_often():
            pass
        assert gc.get_freeze_count() >= frozen
    finally:
        gc.unfreeze()


def test_a_bad_cohort_file_is_refused_naming_the_file_line_and_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A broken cohort stops the run before it starts, with exit status 2."""
    path = tmp_path / "bad.yaml"
    path.write_text("groups:\n  - name: a\n    count: 3\n    fatigue: 2\n")

    status = simulate("--cohort", str(path), "--out", str(tmp_path / "out"))

    assert status == 2
    assert f"{path}:4:5: groups[0].fatigue: Input should be less than or equal to 1" in (
        capsys.readouterr().err
    )
    assert not (tmp_path / "out").exists()


def test_help_documents_the_cohort_format_and_the_model(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """--help explains every cohort key and how the simulated people behave."""
    with pytest.raises(SystemExit) as exited:
        simulate("--help")

    text = capsys.readouterr().out
    assert exited.value.code == 0
    for key in (
        "answer_probability",
        "do_probability",
        "fatigue",
        "not_for_me",
        "comes_back",
        "wellbeing",
        "--users",
        "--policy",
    ):
        assert key in text
    assert "how simulated people behave" in text


def test_shards_give_the_same_results_in_one_process_or_several(cohort: Path) -> None:
    """People split into shards (each its own bot and database) add up to the same summary
    whether the shards run in turn in this process or side by side in others."""
    library = load_library(bundled_path("messages"))
    people = load_cohort(cohort).with_users(16)
    deployments = ScratchDeployments(bundled_path("messages"), seed=2)

    def run(processes: int) -> dict[str, Any]:
        return asyncio.run(
            run_simulation(
                people,
                library,
                ["adaptive"],
                deployments,
                days=3,
                seed=2,
                processes=processes,
                people_per_shard=4,
            )
        ).summary

    in_turn, side_by_side = run(1), run(2)

    assert shard_count(16, people_per_shard=4) == 4
    assert in_turn == side_by_side
    assert in_turn["policies"]["adaptive"]["tips_sent"] >= 16 * 3
