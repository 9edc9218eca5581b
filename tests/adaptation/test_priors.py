"""Crowd priors: a newcomer starts from what worked for everyone."""

from __future__ import annotations

import numpy as np
import pytest

from nudgebot.adaptation import AdaptivePolicy, crowd_priors
from tests.adaptation.builders import topics_library, view


def test_prior_mean_is_the_crowds_smoothed_rate() -> None:
    """A topic's prior mean is (s + 1) / (s + f + 2) and its weight is `strength` answers."""
    priors = crowd_priors({"sleep": (29.0, 9.0)}, strength=10.0)

    prior = priors["sleep"]
    assert prior.alpha / (prior.alpha + prior.beta) == pytest.approx(0.75)
    assert prior.alpha + prior.beta == pytest.approx(10.0)


def test_topic_nobody_answered_starts_even() -> None:
    """With no answers at all, the prior sits at a success rate of one half."""
    prior = crowd_priors({"sleep": (0.0, 0.0)})["sleep"]

    assert prior.alpha == prior.beta == pytest.approx(2.0)


def test_crowd_prior_makes_a_newcomer_prefer_the_crowds_best_topic() -> None:
    """A newcomer's likeliest topic is the one the crowd does most."""
    content = topics_library(1, "sleep", "stress", "movement")
    priors = crowd_priors(
        {"sleep": (200.0, 800.0), "stress": (800.0, 200.0), "movement": (300.0, 700.0)}
    )

    chances = AdaptivePolicy(draws=4096).probabilities(
        content, view(), priors, np.random.default_rng(0)
    )

    best = chances.tips[int(np.argmax(chances.probabilities))]
    assert best.topic == "stress"
    assert chances.probability_of(best.id) > 0.6


def test_without_priors_a_newcomer_has_no_favourite() -> None:
    """Without crowd priors, a newcomer's topics are about equally likely."""
    content = topics_library(1, "sleep", "stress", "movement")

    chances = AdaptivePolicy(draws=20_000).probabilities(
        content, view(), {}, np.random.default_rng(0)
    )

    assert chances.probabilities.tolist() == pytest.approx([1 / 3] * 3, abs=0.02)


@pytest.mark.parametrize(("totals", "strength"), [({"sleep": (-1.0, 2.0)}, 4.0), ({}, 0.0)])
def test_impossible_counts_or_strength_are_refused(
    totals: dict[str, tuple[float, float]], strength: float
) -> None:
    """Negative counts or a prior weighing nothing are errors, not silent nonsense."""
    with pytest.raises(ValueError, match=r"negative|positive"):
        crowd_priors(totals, strength)
