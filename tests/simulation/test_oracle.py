"""The oracle: the eligible tip each person is likeliest to do, from their hidden chances."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path

import numpy as np

from nudgebot.adaptation.learner import LearnerView, TipRecord
from nudgebot.content import ContentLibrary
from nudgebot.content.schema import TimeOfDay
from nudgebot.simulation.oracle import OraclePolicy
from nudgebot.simulation.people import Population
from tests.adaptation.builders import NO_CROWD
from tests.simulation.cohorts import behaviour_of

TWO_GROUPS = """\
groups:
  - name: fermenters
    count: 1
    spread: 0
    fatigue: 0.5
    do_probability:
      default: 0.1
      topics: {fermented-foods: 0.8, prebiotic-foods: 0.7}
  - name: sleepers
    count: 1
    spread: 0
    do_probability:
      default: 0.1
      topics: {sleep: 0.9}
"""
TODAY = date(2025, 3, 10)


def view(
    person: int,
    tips: Mapping[str, TipRecord] | None = None,
    chosen_topics: frozenset[str] | None = None,
) -> LearnerView:
    return LearnerView(
        TODAY,
        TimeOfDay.ANY,
        chat_id=Population.chat_id(person),
        tips=tips or {},
        chosen_topics=chosen_topics,
    )


def choose_topic(policy: OraclePolicy, library: ContentLibrary, learner: LearnerView) -> str:
    choice = policy.choose(library, learner, NO_CROWD, np.random.default_rng(0))
    assert choice is not None
    assert choice.policy == "oracle"
    assert choice.propensity == 1.0
    return library.tips[choice.tip_id].topic


def test_the_oracle_sends_each_person_the_topic_they_are_likeliest_to_do(
    tmp_path: Path, library: ContentLibrary
) -> None:
    """Each person gets a tip of their own best topic, with propensity 1."""
    oracle = OraclePolicy(behaviour_of(tmp_path, library, TWO_GROUPS))

    assert choose_topic(oracle, library, view(0)) == "fermented-foods"
    assert choose_topic(oracle, library, view(1)) == "sleep"


def test_the_oracle_counts_fatigue_and_moves_to_the_next_best_topic(
    tmp_path: Path, library: ContentLibrary
) -> None:
    """A favourite sent yesterday (0.8 x 0.5) loses to the next best topic (0.7)."""
    behaviour = behaviour_of(tmp_path, library, TWO_GROUPS)
    fermented = behaviour.population.tip_index[
        next(tip.id for tip in library.tips.values() if tip.topic == "fermented-foods")
    ]
    behaviour.react_to_tips(np.zeros(1, dtype=np.int64), np.array([fermented]))
    behaviour.start_day(1)

    assert choose_topic(OraclePolicy(behaviour), library, view(0)) == "prebiotic-foods"


def test_the_oracle_chooses_only_among_eligible_tips(
    tmp_path: Path, library: ContentLibrary
) -> None:
    """Tips the person marked "Not for me" are out, however likely they would be done."""
    oracle = OraclePolicy(behaviour_of(tmp_path, library, TWO_GROUPS))
    refused = {
        tip.id: TipRecord(times_sent=1, times_done=0, last_sent=date(2025, 1, 1), not_for_me=True)
        for tip in library.tips.values()
        if tip.topic == "sleep"
    }

    assert choose_topic(oracle, library, view(1, tips=refused)) != "sleep"


def test_the_oracle_has_nothing_to_send_when_nothing_is_eligible(
    tmp_path: Path, library: ContentLibrary
) -> None:
    """With every chosen topic refused, it sends nothing (None), like every policy."""
    oracle = OraclePolicy(behaviour_of(tmp_path, library, TWO_GROUPS))
    refused = {
        tip.id: TipRecord(times_sent=1, times_done=0, last_sent=date(2025, 1, 1), not_for_me=True)
        for tip in library.tips.values()
        if tip.topic == "sleep"
    }
    learner = view(1, tips=refused, chosen_topics=frozenset({"sleep"}))

    assert oracle.choose(library, learner, NO_CROWD, np.random.default_rng(0)) is None
