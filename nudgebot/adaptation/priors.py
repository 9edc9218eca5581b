"""Crowd priors: where a newcomer's bandit starts in each topic, learned from everyone."""

from __future__ import annotations

from collections.abc import Mapping

from nudgebot.adaptation.learner import TopicPrior

# Worth four answers: a newcomer starts at the crowd's rate, yet their own first few answers
# already outweigh it, so someone unlike the crowd is not held to it for weeks.
DEFAULT_STRENGTH = 4.0


def crowd_priors(
    totals: Mapping[str, tuple[float, float]], strength: float = DEFAULT_STRENGTH
) -> dict[str, TopicPrior]:
    """Per topic, a Beta prior at the crowd's success rate, weighing `strength` answers.

    `totals` maps a topic to its (successes, failures) summed over all subscribers. The rate
    is (s + 1) / (s + f + 2), the mean after a uniform prior, so a topic nobody answered yet
    starts at an even 0.5 rather than at 0 or undefined.
    """
    if strength <= 0.0:
        raise ValueError(f"strength must be positive, not {strength}")
    priors: dict[str, TopicPrior] = {}
    for topic_id, (successes, failures) in totals.items():
        if successes < 0.0 or failures < 0.0:
            raise ValueError(f"counts of {topic_id!r} must not be negative")
        rate = (successes + 1.0) / (successes + failures + 2.0)
        priors[topic_id] = TopicPrior(alpha=strength * rate, beta=strength * (1.0 - rate))
    return priors
