"""The baseline policies: uniform random and topics in turn, on the shared eligibility."""

from __future__ import annotations

import numpy as np
import pytest

from nudgebot.adaptation import RandomPolicy, RoundRobinPolicy, eligible_tips
from nudgebot.adaptation.learner import TopicRecord
from nudgebot.content import ContentLibrary
from tests.adaptation.builders import (
    NO_CROWD,
    days_ago,
    next_day_after,
    sent,
    topics_library,
    view,
)


def test_random_gives_every_eligible_tip_one_over_n(library: ContentLibrary) -> None:
    """Random's probabilities are uniform over exactly the eligible tips."""
    subscriber = view()
    eligible = eligible_tips(library, subscriber)

    chances = RandomPolicy().probabilities(library, subscriber, NO_CROWD, np.random.default_rng(0))

    assert [t.id for t in chances.tips] == [t.id for t in eligible]
    assert chances.probabilities.tolist() == [1 / len(eligible)] * len(eligible)


def test_random_logs_one_over_n_as_the_propensity() -> None:
    """A random choice is logged under "random" with propensity 1/N."""
    content = topics_library(2, "sleep", "stress")

    choice = RandomPolicy().choose(content, view(), NO_CROWD, np.random.default_rng(3))

    assert choice is not None
    assert (choice.policy, choice.propensity) == ("random", 0.25)


def test_random_never_chooses_an_ineligible_tip() -> None:
    """Random draws only among eligible tips: a "Not for me" tip never comes up."""
    content = topics_library(2, "sleep")
    subscriber = view(tips={"sleep-0": sent(100, not_for_me=True)})
    rng = np.random.default_rng(0)

    chosen = {RandomPolicy().choose(content, subscriber, NO_CROWD, rng) for _ in range(50)}

    assert {choice.tip_id for choice in chosen if choice is not None} == {"sleep-1"}


def test_round_robin_visits_topics_in_library_order() -> None:
    """Round robin goes through the topics in turn, starting after the topic sent last."""
    content = topics_library(3, "sleep", "stress", "movement")
    subscriber = view(topics={"stress": TopicRecord(last_sent=days_ago(1))})
    rng = np.random.default_rng(0)
    topics = []

    for _ in range(4):
        choice = RoundRobinPolicy().choose(content, subscriber, NO_CROWD, rng)
        assert choice is not None
        chosen = content.tips[choice.tip_id]
        topics.append(chosen.topic)
        subscriber = next_day_after(subscriber, chosen, did_it=False)

    assert topics == ["movement", "sleep", "stress", "movement"]


def test_round_robin_takes_the_first_eligible_tip_of_the_topic() -> None:
    """Within its topic, round robin takes the library's first eligible tip."""
    content = topics_library(3, "sleep")
    subscriber = view(tips={"sleep-0": sent(100, not_for_me=True)})

    choice = RoundRobinPolicy().choose(content, subscriber, NO_CROWD, np.random.default_rng(0))

    assert choice is not None
    assert choice.tip_id == "sleep-1"


def test_round_robin_is_deterministic_with_propensity_one() -> None:
    """Round robin's choice does not depend on the seed and is logged with propensity 1."""
    content = topics_library(2, "sleep", "stress")

    choices = {
        RoundRobinPolicy().choose(content, view(), NO_CROWD, np.random.default_rng(seed))
        for seed in range(5)
    }

    assert len(choices) == 1
    choice = choices.pop()
    assert choice is not None
    assert (choice.tip_id, choice.policy, choice.propensity) == ("sleep-0", "round_robin", 1.0)


@pytest.mark.parametrize(
    "policy", [RandomPolicy(), RoundRobinPolicy()], ids=["random", "round_robin"]
)
def test_baseline_chooses_nothing_when_nothing_is_eligible(
    policy: RandomPolicy | RoundRobinPolicy,
) -> None:
    """With every tip "Not for me", a baseline chooses nothing."""
    content = topics_library(1, "sleep")

    subscriber = view(tips={"sleep-0": sent(100, not_for_me=True)})

    assert policy.choose(content, subscriber, NO_CROWD, np.random.default_rng(0)) is None
