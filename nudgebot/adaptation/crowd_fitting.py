"""Fitting the crowd's taste profiles (`CrowdModel`) from a sample of subscribers' counts.

Expectation-maximisation over per-subscriber topic counts (successes and failures, fractional
since silence counts half), run on a bounded sample of subscribers, so its cost does not grow
with the audience. How much a profile's rate weighs against a subscriber's own answers is
estimated too, from how far people's own rates spread around their profile's; and each tip's
lift over its topic, per profile, from the same people's sends.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from nudgebot.adaptation.crowd import (
    PROFILE_STRENGTH,
    UNSEEN_RATE,
    CrowdModel,
    Floats,
    normalised_exp,
)

# How many answers a profile's rate may be worth, however alike its people look.
MIN_STRENGTH, MAX_STRENGTH = 2.0, 50.0
# Person-topic counts with an answer needed before that estimate is trusted.
MIN_CELLS_FOR_STRENGTH = 200
# At most this many profiles, and at least this many people with answers behind each, so a
# young deployment is one profile (the plain crowd prior) rather than noise.
MAX_PROFILES = 6
PEOPLE_PER_PROFILE = 40
EM_ITERATIONS = 40
# Pulls each profile's rate towards the crowd's, as if this many answers sat at it.
RATE_SMOOTHING = 2.0
# Tips with few sends in a profile keep a lift near 1 (their topic's rate): this many sends at it.
LIFT_SMOOTHING = 10.0
# A rate is kept within these bounds so that logarithms and Beta parameters stay finite.
RATE_FLOOR, RATE_CEILING = 0.01, 0.99


def fit_crowd(
    topic_counts: Sequence[Mapping[str, tuple[float, float]]],
    tip_counts: Sequence[Mapping[str, tuple[int, int]]],
    tip_topics: Mapping[str, str],
    *,
    max_profiles: int = MAX_PROFILES,
    seed: int = 0,
) -> CrowdModel:
    """The taste profiles behind a sample of subscribers (entry i of both lists is one person).

    Each person's counts are `TopicCounts` per topic and `TipCounts` per tip, or plain pairs in
    the same order: the rows as read, since a refit reads over a hundred thousand of them and
    naming each would cost more than the fit. `tip_topics` maps each tip to its topic.
    Deterministic for a given sample and seed.
    """
    if len(topic_counts) != len(tip_counts):
        raise ValueError("topic and tip counts must describe the same subscribers")
    topic_ids = tuple(sorted({topic for person in topic_counts for topic in person}))
    if not topic_ids:
        return CrowdModel.uninformed()
    column = {topic: index for index, topic in enumerate(topic_ids)}
    successes = np.zeros((len(topic_counts), len(topic_ids)))
    failures = np.zeros_like(successes)
    for row, person in enumerate(topic_counts):
        for topic_id, (done, missed) in person.items():
            successes[row, column[topic_id]] = done
            failures[row, column[topic_id]] = missed
    answered = (successes + failures).sum(axis=1) > 0
    profiles = max(1, min(max_profiles, int(answered.sum()) // PEOPLE_PER_PROFILE))
    weights, rates, membership = _expectation_maximisation(
        successes, failures, profiles, np.random.default_rng(seed)
    )
    lifts = _tip_lifts(membership, tip_counts, tip_topics, column, rates)
    strength = _profile_strength(successes, failures, membership, rates)
    return CrowdModel(topic_ids, weights, rates, lifts, strength)


def _expectation_maximisation(
    successes: Floats, failures: Floats, profiles: int, rng: np.random.Generator
) -> tuple[Floats, Floats, Floats]:
    """Profile shares, rates (profiles x topics) and memberships (people x profiles)."""
    crowd_rate = (successes.sum(axis=0) + 1.0) / ((successes + failures).sum(axis=0) + 2.0)
    rates = _spread_starting_rates(successes, failures, profiles, crowd_rate, rng)
    weights = np.full(profiles, 1.0 / profiles)
    membership = np.full((len(successes), profiles), 1.0 / profiles)
    for _ in range(EM_ITERATIONS):
        log_likelihood = (
            np.log(weights) + successes @ np.log(rates).T + failures @ np.log1p(-rates).T
        )
        membership = normalised_exp(log_likelihood)
        weights = (membership.sum(axis=0) + 1.0) / (len(successes) + profiles)
        rates = np.clip(
            (membership.T @ successes + RATE_SMOOTHING * crowd_rate)
            / (membership.T @ (successes + failures) + RATE_SMOOTHING),
            RATE_FLOOR,
            RATE_CEILING,
        )
    return weights, rates, membership


def _profile_strength(
    successes: Floats, failures: Floats, membership: Floats, rates: Floats
) -> float:
    """How many answers a profile's rate is worth, from how alike its people really are.

    Method of moments: the spread of people's own rates around their profile's, less what
    chance alone would spread them by with so few answers, is the spread between people; a
    Beta prior with that spread weighs rate * (1 - rate) / spread - 1 answers. Tight profiles
    earn a strong prior (a newcomer like them is known after few answers), loose ones a weak
    one (their own answers take over soon).

    It leans high, so the bounds matter: with n answers the spread left over is (1 - 1/n) of
    the true one, and the memberships were fitted to these same answers. Dividing by (1 - 1/n)
    is the known correction, not made yet because the measured runs (bench/RESULTS.md) used
    this form.
    """
    answers = successes + failures
    seen = answers >= 1.0
    # Too little to tell spread from chance: the default, not a guess either way.
    if seen.sum() < MIN_CELLS_FOR_STRENGTH:
        return PROFILE_STRENGTH
    expected = (membership @ rates)[seen]
    own = successes[seen] / answers[seen]
    chance = expected * (1.0 - expected) / answers[seen]
    weight = answers[seen]
    between = float(np.average((own - expected) ** 2 - chance, weights=weight))
    typical = float(np.average(expected * (1.0 - expected), weights=weight))
    if between <= 0.0:
        return MAX_STRENGTH
    return float(np.clip(typical / between - 1.0, MIN_STRENGTH, MAX_STRENGTH))


def _spread_starting_rates(
    successes: Floats,
    failures: Floats,
    profiles: int,
    crowd_rate: Floats,
    rng: np.random.Generator,
) -> Floats:
    """Starting rates from people far apart (k-means++ seeding on their smoothed rates)."""
    people = (successes + RATE_SMOOTHING * crowd_rate) / (successes + failures + RATE_SMOOTHING)
    chosen = [int(rng.integers(len(people)))]
    for _ in range(1, profiles):
        distance = np.min(
            [((people - people[index]) ** 2).sum(axis=1) for index in chosen], axis=0
        )
        total = distance.sum()
        if total <= 0.0:
            chosen.append(int(rng.integers(len(people))))
        else:
            chosen.append(int(rng.choice(len(people), p=distance / total)))
    return np.clip(people[chosen], RATE_FLOOR, RATE_CEILING)


def _tip_lifts(
    membership: Floats,
    tip_counts: Sequence[Mapping[str, tuple[int, int]]],
    tip_topics: Mapping[str, str],
    column: Mapping[str, int],
    topic_rates: Floats,
) -> dict[str, Floats]:
    """Each tip's did-it rate over its topic's, per profile, smoothed towards a lift of 1."""
    tip_ids = sorted({tip for person in tip_counts for tip in person if tip in tip_topics})
    if not tip_ids:
        return {}
    index = {tip: position for position, tip in enumerate(tip_ids)}
    sent = np.zeros((len(tip_counts), len(tip_ids)))
    done = np.zeros_like(sent)
    for row, person in enumerate(tip_counts):
        for tip_id, (times_sent, times_done) in person.items():
            if tip_id in index:
                sent[row, index[tip_id]] = times_sent
                done[row, index[tip_id]] = times_done
    profile_sent = membership.T @ sent
    profile_done = membership.T @ done
    # The topic's rate per profile from the same sends, so a lift compares like with like.
    topic_of = [tip_topics[tip] for tip in tip_ids]
    lifts: dict[str, Floats] = {}
    for position, tip_id in enumerate(tip_ids):
        same_topic = [i for i, topic in enumerate(topic_of) if topic == topic_of[position]]
        topic_sent = profile_sent[:, same_topic].sum(axis=1)
        topic_done = profile_done[:, same_topic].sum(axis=1)
        known = column.get(topic_of[position])
        fallback = (
            topic_rates[:, known] if known is not None else np.full(len(topic_sent), UNSEEN_RATE)
        )
        topic_rate = np.where(topic_sent > 0, (topic_done + 1.0) / (topic_sent + 2.0), fallback)
        tip_rate = (profile_done[:, position] + LIFT_SMOOTHING * topic_rate) / (
            profile_sent[:, position] + LIFT_SMOOTHING
        )
        lifts[tip_id] = tip_rate / topic_rate
    return lifts
