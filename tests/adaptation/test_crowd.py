"""The crowd's taste profiles: a newcomer starts from people like them, not from zero."""

from __future__ import annotations

import numpy as np
import pytest

from nudgebot.adaptation import AdaptivePolicy, CrowdModel, fit_crowd
from nudgebot.adaptation.crowd import PROFILE_STRENGTH, TipCounts, TopicCounts
from nudgebot.adaptation.crowd_fitting import PEOPLE_PER_PROFILE
from nudgebot.adaptation.learner import TopicRecord
from tests.adaptation.builders import NO_CROWD, topics_library, view


def two_kinds_of_people(
    per_kind: int = 200,
) -> tuple[list[dict[str, TopicCounts]], list[dict[str, TipCounts]]]:
    """Fermenters do fermented foods and fibre, not breathing; calm-seekers the opposite.

    Among fermenters, fermented-1 is done far more often than fermented-0.
    """
    rng = np.random.default_rng(7)
    topics: list[dict[str, TopicCounts]] = []
    tips: list[dict[str, TipCounts]] = []
    kinds = {
        "fermenter": {"fermented": 0.8, "fibre": 0.7, "breathing": 0.1},
        "calm": {"fermented": 0.1, "fibre": 0.15, "breathing": 0.8},
    }
    for rates in kinds.values():
        for _ in range(per_kind):
            counts = {}
            for topic, rate in rates.items():
                done = float(rng.binomial(4, rate))
                counts[topic] = TopicCounts(done, 4.0 - done)
            topics.append(counts)
            fermented_rate = rates["fermented"]
            tips.append(
                {
                    "fermented-0": TipCounts(2, int(rng.binomial(2, fermented_rate * 0.3))),
                    "fermented-1": TipCounts(
                        2, int(rng.binomial(2, min(fermented_rate * 1.2, 1)))
                    ),
                }
            )
    return topics, tips


TIP_TOPICS = {
    "fermented-0": "fermented",
    "fermented-1": "fermented",
    "fibre-0": "fibre",
    "breathing-0": "breathing",
}


def test_single_profile_sits_at_the_crowds_smoothed_rate() -> None:
    """One profile: a topic's prior mean is (s + 1) / (s + f + 2), weighing `strength` answers."""
    crowd = CrowdModel.single_profile({"sleep": TopicCounts(29.0, 9.0)}, strength=10.0)

    rates, strengths = crowd.prior_rates(["sleep"])

    assert rates.tolist() == [[pytest.approx(0.75)]]
    assert strengths.tolist() == [10.0]


def test_a_topic_the_crowd_has_not_seen_starts_knowing_nothing() -> None:
    """A topic added since the fit gets Beta(1, 1): a rate of one half, worth two answers."""
    rates, strengths = NO_CROWD.prior_rates(["sleep"])

    assert rates.tolist() == [[0.5]]
    assert strengths.tolist() == [2.0]


def test_crowd_prior_makes_a_newcomer_prefer_the_crowds_best_topic() -> None:
    """A newcomer's likeliest topic is the one the crowd does most."""
    content = topics_library(1, "sleep", "stress", "movement")
    crowd = CrowdModel.single_profile(
        {
            "sleep": TopicCounts(200.0, 800.0),
            "stress": TopicCounts(800.0, 200.0),
            "movement": TopicCounts(300.0, 700.0),
        }
    )

    chances = AdaptivePolicy(draws=4096).probabilities(
        content, view(), crowd, np.random.default_rng(0)
    )

    best = chances.tips[int(np.argmax(chances.probabilities))]
    assert best.topic == "stress"
    assert chances.probability_of(best.id) > 0.6


def test_without_a_crowd_a_newcomer_has_no_favourite() -> None:
    """Knowing nothing of anyone, a newcomer's topics are about equally likely."""
    content = topics_library(1, "sleep", "stress", "movement")

    chances = AdaptivePolicy(draws=20_000).probabilities(
        content, view(), NO_CROWD, np.random.default_rng(0)
    )

    assert chances.probabilities.tolist() == pytest.approx([1 / 3] * 3, abs=0.02)


def test_fitting_finds_the_kinds_of_people_behind_the_answers() -> None:
    """Someone who did fermented foods is placed among fermenters: fibre high, breathing low."""
    topics, tips = two_kinds_of_people()

    crowd = fit_crowd(topics, tips, TIP_TOPICS)
    posterior = crowd.posterior({"fermented": TopicCounts(3.0, 0.0)})
    rates, _ = crowd.prior_rates(["fibre", "breathing"])
    expected_fibre, expected_breathing = posterior @ rates

    assert crowd.profiles >= 2
    assert expected_fibre > 0.6
    assert expected_breathing < 0.2


def test_someone_like_the_fermenters_is_sent_fibre_before_they_ever_had_it() -> None:
    """Their profile, not the crowd's average, decides a topic they have never been sent."""
    topics, tips = two_kinds_of_people()
    content = topics_library(1, "fibre", "breathing")
    did_fermented = view(topics={"fermented": TopicRecord(successes=3.0)})
    profiles = fit_crowd(topics, tips, TIP_TOPICS)
    one_rate_per_topic = fit_crowd(topics, tips, TIP_TOPICS, max_profiles=1)
    policy = AdaptivePolicy(draws=4096)

    with_profiles = policy.probabilities(
        content, did_fermented, profiles, np.random.default_rng(0)
    )
    averaged = policy.probabilities(
        content, did_fermented, one_rate_per_topic, np.random.default_rng(0)
    )

    assert with_profiles.probability_of("fibre-0") > 0.85
    assert averaged.probability_of("fibre-0") < 0.75


def test_within_a_topic_the_tip_people_like_them_do_most_comes_first() -> None:
    """The crowd's lift per tip orders a topic's tips for the profile the subscriber is in."""
    topics, tips = two_kinds_of_people()
    content = topics_library(2, "fermented")
    crowd = fit_crowd(topics, tips, TIP_TOPICS)

    chances = AdaptivePolicy().probabilities(
        content,
        view(topics={"fermented": TopicRecord(successes=3.0)}),
        crowd,
        np.random.default_rng(0),
    )

    assert crowd.expected_lifts(crowd.posterior({}))["fermented-1"] > 1.0
    assert chances.probability_of("fermented-1") > 0.99


def test_a_young_deployment_has_one_profile() -> None:
    """With too few people to tell kinds apart, the model is the plain crowd prior."""
    topics, tips = two_kinds_of_people(per_kind=PEOPLE_PER_PROFILE // 2)

    crowd = fit_crowd(topics, tips, TIP_TOPICS)

    assert crowd.profiles == 1


def test_fitting_is_deterministic_for_a_sample_and_seed() -> None:
    """The same answers and seed give the same profiles (the simulation relies on it)."""
    topics, tips = two_kinds_of_people()

    first = fit_crowd(topics, tips, TIP_TOPICS, seed=3)
    second = fit_crowd(topics, tips, TIP_TOPICS, seed=3)

    assert np.array_equal(first.topic_rates, second.topic_rates)
    assert np.array_equal(first.weights, second.weights)


def test_plain_pairs_as_read_fit_the_same_model_as_named_counts() -> None:
    """A refit hands over the (successes, failures) and (sent, done) pairs as the database
    returns them: the profiles, strengths and lifts are those of the named counts."""
    topics, tips = two_kinds_of_people()
    plain_topics = [
        {topic: (c.successes, c.failures) for topic, c in person.items()} for person in topics
    ]
    plain_tips = [{tip: (c.sent, c.done) for tip, c in person.items()} for person in tips]

    named = fit_crowd(topics, tips, TIP_TOPICS, seed=3)
    plain = fit_crowd(plain_topics, plain_tips, TIP_TOPICS, seed=3)

    assert plain.topic_ids == named.topic_ids
    assert np.array_equal(plain.topic_rates, named.topic_rates)
    assert np.array_equal(plain.weights, named.weights)
    assert plain.strength == named.strength
    assert plain.tip_lifts.keys() == named.tip_lifts.keys()
    assert all(np.array_equal(plain.tip_lifts[t], named.tip_lifts[t]) for t in named.tip_lifts)


def test_an_empty_sample_knows_nothing() -> None:
    """No answers anywhere yet: the uninformed model."""
    crowd = fit_crowd([], [], TIP_TOPICS)

    assert crowd.topic_ids == ()
    assert crowd.profiles == 1


def test_impossible_models_are_refused() -> None:
    """Rates that do not match the profiles or sit at 0 or 1, lifts missing a profile, or a
    prior weighing nothing, are errors."""
    with pytest.raises(ValueError, match="one rate per profile"):
        CrowdModel(("sleep",), np.ones(2), np.full((1, 1), 0.5))
    with pytest.raises(ValueError, match="strictly between"):
        CrowdModel(("sleep",), np.ones(1), np.zeros((1, 1)))
    with pytest.raises(ValueError, match="one lift per profile"):
        CrowdModel(("sleep",), np.ones(1), np.full((1, 1), 0.5), {"sleep-0": np.ones(2)})
    with pytest.raises(ValueError, match="positive"):
        CrowdModel.single_profile({"sleep": TopicCounts(1.0, 1.0)}, strength=0.0)


def test_how_much_a_profile_weighs_comes_from_how_alike_its_people_are() -> None:
    """People spread widely around their kind's rate earn a weak prior; alike people a strong
    one, near the concentration they were drawn with."""
    rng = np.random.default_rng(3)

    def crowd_of(concentration: float) -> CrowdModel:
        topics: list[dict[str, TopicCounts]] = []
        for _ in range(600):
            counts = {}
            for topic, mean in (("sleep", 0.6), ("stress", 0.3)):
                rate = rng.beta(concentration * mean, concentration * (1 - mean))
                done = float(rng.binomial(20, rate))
                counts[topic] = TopicCounts(done, 20.0 - done)
            topics.append(counts)
        return fit_crowd(topics, [{}] * len(topics), {}, max_profiles=1)

    loose, alike = crowd_of(3.0), crowd_of(30.0)

    assert loose.strength < 6.0
    assert 15.0 < alike.strength < 50.0


def test_tips_of_topics_nobody_answered_yet_are_compared_within_their_own_topic() -> None:
    """A tip's lift is against its own topic, even for topics missing from the topic counts."""
    people = 120
    topics = [{"sleep": TopicCounts(1.0, 1.0)} for _ in range(people)]
    tips = [
        {
            "a-0": TipCounts(sent=1, done=1),
            "a-1": TipCounts(sent=1, done=0),
            "b-0": TipCounts(2, 2),
        }
        for _ in range(people)
    ]

    crowd = fit_crowd(topics, tips, {"a-0": "a", "a-1": "a", "b-0": "b"})
    lifts = crowd.expected_lifts(crowd.posterior({}))

    assert lifts["b-0"] == pytest.approx(1.0, abs=0.03)
    assert lifts["a-0"] > 1.2 > lifts["a-1"]


def test_too_few_answers_to_tell_spread_from_chance_keep_the_default_weight() -> None:
    """A handful of people who happen to agree do not earn the strongest prior."""
    topics = [{"sleep": TopicCounts(1.0, 1.0)} for _ in range(30)]

    crowd = fit_crowd(topics, [{}] * len(topics), {})

    assert crowd.strength == PROFILE_STRENGTH
