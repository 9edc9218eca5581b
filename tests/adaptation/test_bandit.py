"""The adaptive policy: Thompson sampling over topics, recency, steering and the floor."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from nudgebot.adaptation import AdaptivePolicy, CrowdModel, TipDistribution
from nudgebot.adaptation.learner import LearnerView, TopicRecord
from nudgebot.content import ContentLibrary
from tests.adaptation.builders import (
    NO_CROWD,
    days_ago,
    library,
    next_day_after,
    scored,
    sent,
    tip,
    topics_library,
    view,
)

# Enough draws that a topic's estimated chance of winning is within about a point.
PRECISE = AdaptivePolicy(draws=20_000)


def distribution(
    content: ContentLibrary, subscriber: LearnerView, seed: int = 0
) -> TipDistribution:
    """The precise policy's probabilities for `subscriber`, without priors."""
    return PRECISE.probabilities(content, subscriber, NO_CROWD, np.random.default_rng(seed))


def topic_chance(content: ContentLibrary, subscriber: LearnerView, topic_id: str) -> float:
    """The probability that today's tip comes from `topic_id`."""
    chances = distribution(content, subscriber)
    return float(
        sum(
            p
            for t, p in zip(chances.tips, chances.probabilities, strict=True)
            if t.topic == topic_id
        )
    )


def favourite_tip(content: ContentLibrary, subscriber: LearnerView) -> str:
    """The tip with the highest probability today."""
    chances = distribution(content, subscriber)
    return chances.tips[int(np.argmax(chances.probabilities))].id


def test_follow_up_is_preferred_the_day_after_its_prerequisite_was_done() -> None:
    """The day after the prerequisite was done, its follow-up leads its topic."""
    content = library(
        tip("base", "sleep"), tip("other", "sleep"), tip("next", "sleep", prerequisite="base")
    )

    assert favourite_tip(content, view(tips={"base": sent(1, done_days=1)})) == "next"
    assert favourite_tip(content, view(tips={"base": sent(3, done_days=3)})) == "other"


def test_due_follow_up_spares_its_topic_the_recency_penalty() -> None:
    """Yesterday's topic is not held back when a follow-up of yesterday's tip is due."""
    content = library(
        tip("base", "sleep"), tip("next", "sleep", prerequisite="base"), tip("calm", "stress")
    )
    yesterday = {"sleep": TopicRecord(last_sent=days_ago(1))}

    done = view(tips={"base": sent(1, done_days=1)}, topics=yesterday)
    done_earlier = view(tips={"base": sent(1, done_days=2)}, topics=yesterday)

    assert topic_chance(content, done, "sleep") == pytest.approx(0.5, abs=0.02)
    assert topic_chance(content, done_earlier, "sleep") < 0.4


def test_harder_tips_lead_once_a_streak_earned_them() -> None:
    """After 4 "did it" in a row in a topic, its hardest unseen tip leads."""
    content = library(
        tip("easy", "sleep"),
        tip("hard", "sleep", difficulty=3),
        tip("medium", "sleep", difficulty=2),
    )

    assert favourite_tip(content, view(topics={"sleep": TopicRecord(done_streak=4)})) == "hard"
    assert favourite_tip(content, view(topics={"sleep": TopicRecord(done_streak=2)})) == "medium"


def test_silent_subscriber_gets_the_shortest_tip() -> None:
    """After 3 unanswered nudges, the topic's shorter tips lead (here the shorter of two)."""
    content = library(
        tip("long", "sleep", text="A much longer explanation. " * 5),
        tip("short", "sleep", text="Brief."),
    )

    assert favourite_tip(content, view(unanswered_streak=3)) == "short"
    assert favourite_tip(content, view(unanswered_streak=2)) == "long"


def test_unseen_tips_lead_then_the_one_seen_longest_ago() -> None:
    """Within a topic a tip never sent leads; among sent ones, the one sent longest ago."""
    content = library(*(tip(name, "sleep", cooldown_days=0) for name in ("a", "b", "c")))

    assert favourite_tip(content, view(tips={"a": sent(5), "b": sent(9)})) == "c"
    assert favourite_tip(content, view(tips={"a": sent(5), "b": sent(9), "c": sent(2)})) == "b"


def test_gone_silent_the_best_liked_of_the_shorter_half_leads() -> None:
    """Silent: only the shorter half is considered, and among it the tip people like them do
    most; answering again, the best-liked tip of all leads, however long."""
    content = library(
        tip("long", "sleep", text="A much longer explanation. " * 5),
        tip("short", "sleep", text="Brief."),
        tip("short-liked", "sleep", text="Brief too."),
    )
    crowd = CrowdModel(
        ("sleep",),
        np.ones(1),
        np.full((1, 1), 0.5),
        {"long": np.array([2.0]), "short-liked": np.array([1.3])},
    )

    def leader(subscriber: LearnerView) -> str:
        chances = PRECISE.probabilities(content, subscriber, crowd, np.random.default_rng(0))
        return chances.tips[int(np.argmax(chances.probabilities))].id

    assert leader(view(unanswered_streak=3)) == "short-liked"
    assert leader(view(unanswered_streak=0)) == "long"


def test_recency_penalty_recovers_over_days() -> None:
    """A topic sent yesterday is held back, less so each day after, and not at all after a week or so."""
    content = topics_library(1, "sleep", "stress")

    def sleep_chance(days_since_sent: int) -> float:
        subscriber = view(tips={"sleep-0": sent(days_since_sent)})
        return topic_chance(content, subscriber, "sleep")

    assert sleep_chance(1) < sleep_chance(3) < sleep_chance(10)
    assert sleep_chance(1) < 0.4
    assert sleep_chance(10) == pytest.approx(0.5, abs=0.02)


def test_each_recent_tip_of_a_topic_tires_it_a_little_more() -> None:
    """A second tip of a topic the day before yesterday holds it back more than one did."""
    content = topics_library(2, "sleep", "stress")

    once = view(tips={"sleep-0": sent(1)})
    twice = view(tips={"sleep-0": sent(1), "sleep-1": sent(2)})

    assert topic_chance(content, twice, "sleep") < topic_chance(content, once, "sleep") - 0.05


def test_low_sleep_score_raises_the_sleep_topic() -> None:
    """After a low sleep score, sleep tips are likelier the next days than after a good one."""
    content = topics_library(1, "sleep", "stress", "movement")

    low = topic_chance(content, view(wellbeing=(scored("sleep_quality", 1, days=1),)), "sleep")
    good = topic_chance(content, view(wellbeing=(scored("sleep_quality", 4, days=1),)), "sleep")

    assert good == pytest.approx(1 / 3, abs=0.02)
    assert low > good + 0.1


def test_low_mood_raises_breathing_and_stress() -> None:
    """After a low mood score, breathing and stress tips are likelier than others."""
    content = topics_library(1, "sleep", "stress", "breathing", "movement")
    subscriber = view(wellbeing=(scored("mood", 2, days=0),))

    chances = {
        topic_id: topic_chance(content, subscriber, topic_id) for topic_id in content.topics
    }

    assert (
        min(chances["stress"], chances["breathing"])
        > max(chances["sleep"], chances["movement"]) + 0.05
    )


def test_steering_ends_after_the_low_score_days() -> None:
    """A low sleep score from 4 days ago (the response lasts 3) no longer raises sleep."""
    content = topics_library(1, "sleep", "stress", "movement")

    old_low = view(wellbeing=(scored("sleep_quality", 1, days=4),))

    assert topic_chance(content, old_low, "sleep") == pytest.approx(1 / 3, abs=0.02)


def test_every_eligible_tip_keeps_the_exploration_floor(library: ContentLibrary) -> None:
    """Even against a strong preference, every eligible tip keeps at least epsilon."""
    policy = AdaptivePolicy(epsilon=0.002)
    loves_sleep = view(topics={"sleep": TopicRecord(successes=50.0, done_streak=5)})

    chances = policy.probabilities(library, loves_sleep, NO_CROWD, np.random.default_rng(1))

    assert len(chances.tips) > 30
    assert chances.probabilities.min() >= 0.002
    assert chances.probabilities.sum() == pytest.approx(1.0)


def test_epsilon_beyond_one_over_n_makes_the_choice_uniform() -> None:
    """With epsilon at least 1/N every one of the N eligible tips gets exactly 1/N."""
    content = topics_library(2, "sleep", "stress")

    chances = AdaptivePolicy(epsilon=0.5).probabilities(
        content, view(), NO_CROWD, np.random.default_rng(1)
    )

    assert chances.probabilities.tolist() == [0.25] * 4


def test_logged_propensity_is_the_probability_of_the_chosen_tip(library: ContentLibrary) -> None:
    """The propensity stored with a choice is that tip's probability in the same draw."""
    policy = AdaptivePolicy()
    subscriber = view(topics={"sleep": TopicRecord(successes=3.0, failures=1.0)})

    for seed in range(20):
        chances = policy.probabilities(library, subscriber, NO_CROWD, np.random.default_rng(seed))
        choice = policy.choose(library, subscriber, NO_CROWD, np.random.default_rng(seed))

        assert choice is not None
        assert choice.policy == "adaptive"
        assert choice.propensity == chances.probability_of(choice.tip_id)
        assert choice.propensity > 0.0


def test_same_seed_gives_the_same_choices(library: ContentLibrary) -> None:
    """Two runs from the same seed choose the same tips, day after day."""

    def run(seed: int) -> list[str]:
        rng = np.random.default_rng(seed)
        subscriber = view()
        chosen = []
        for _ in range(15):
            choice = AdaptivePolicy().choose(library, subscriber, NO_CROWD, rng)
            assert choice is not None
            chosen.append(choice.tip_id)
            subscriber = next_day_after(subscriber, library.tips[choice.tip_id], did_it=True)
        return chosen

    assert run(42) == run(42)
    assert run(42) != run(43)


def test_learns_a_subscriber_who_only_does_one_topic() -> None:
    """After 20 days of "did it" only for movement, movement is chosen on most of the next days."""
    content = topics_library(5, "sleep", "stress", "movement", "hydration", "breathing")
    policy = AdaptivePolicy()
    rng = np.random.default_rng(7)
    subscriber = view()
    later_topics: Counter[str] = Counter()

    for day in range(40):
        choice = policy.choose(content, subscriber, NO_CROWD, rng)
        assert choice is not None
        chosen = content.tips[choice.tip_id]
        if day >= 20:
            later_topics[chosen.topic] += 1
        subscriber = next_day_after(subscriber, chosen, did_it=chosen.topic == "movement")

    assert later_topics["movement"] >= 12


def test_nothing_eligible_means_no_choice() -> None:
    """When every tip is "Not for me", the policy chooses nothing."""
    content = topics_library(1, "sleep")

    subscriber = view(tips={"sleep-0": sent(100, not_for_me=True)})

    assert AdaptivePolicy().choose(content, subscriber, NO_CROWD, np.random.default_rng(0)) is None


@pytest.mark.parametrize("epsilon", [-0.1, 1.5])
def test_epsilon_outside_zero_to_one_is_refused(epsilon: float) -> None:
    """An exploration floor that is not a probability is a configuration error."""
    with pytest.raises(ValueError, match="epsilon"):
        AdaptivePolicy(epsilon=epsilon)
