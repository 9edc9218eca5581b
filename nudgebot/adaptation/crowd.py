"""What the crowd teaches a newcomer's bandit: taste profiles, fitted from everyone's answers.

A single crowd rate per topic cannot tell a fermenter from a calm-seeker: averaged over both,
fermented foods and breathing look alike, and each person has to find their own way from there.
So the crowd is fitted as a mixture of taste profiles (a latent class model, as in "latent
bandits"): each profile has a did-it rate per topic, and a lift per tip (how much better or worse
the tip does than its topic among that profile's people). A subscriber's own answers give a
posterior over the profiles, so after a few answers someone who does fermented foods is placed
among the people who also do prebiotic foods, before ever being sent one. With a single profile
this is the plain crowd prior: one Beta per topic at the crowd's rate.

Fitting is expectation-maximisation over per-subscriber topic counts (successes and failures,
fractional since silence counts half), run on a bounded sample of subscribers, so its cost does
not grow with the audience. How much a profile's rate weighs against a subscriber's own answers
is estimated too, from how far people's own rates spread around their profile's.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple, Protocol

import numpy as np
import numpy.typing as npt

Floats = npt.NDArray[np.float64]

# How many answers a profile's rate is worth in a subscriber's prior, before the crowd tells how
# alike a profile's people are (fitting estimates it, within these bounds).
PROFILE_STRENGTH = 8.0
MIN_STRENGTH, MAX_STRENGTH = 2.0, 50.0
# Person-topic counts with an answer needed before that estimate is trusted.
MIN_CELLS_FOR_STRENGTH = 200
# A topic the model has never seen starts knowing nothing: Beta(1, 1).
UNSEEN_RATE, UNSEEN_STRENGTH = 0.5, 2.0
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


class Evidence(Protocol):
    """What a posterior reads of one subscriber in one topic (`TopicCounts`, or the bandit's
    kept state as it is)."""

    @property
    def successes(self) -> float: ...
    @property
    def failures(self) -> float: ...


# Tuples with names rather than frozen dataclasses: each refit of the crowd makes one per sampled
# subscriber and topic, and one per tip each of them was sent (over a hundred thousand).
class TopicCounts(NamedTuple):
    """One subscriber's evidence in one topic: "did it" and the rest, as kept by the bandit."""

    successes: float
    failures: float


class TipCounts(NamedTuple):
    """One subscriber's sends of one tip and how many of them they did."""

    sent: int
    done: int


@dataclass(frozen=True, eq=False)
class CrowdModel:
    """The crowd's taste profiles: their shares, their topic rates and their tip lifts.

    `topic_rates` is (profiles, topics) in `topic_ids` order; `tip_lifts` maps a tip to its lift
    in each profile (a tip missing has a lift of 1 everywhere).
    """

    topic_ids: tuple[str, ...]
    weights: Floats
    topic_rates: Floats
    tip_lifts: Mapping[str, Floats] = field(default_factory=dict)
    strength: float = PROFILE_STRENGTH

    def __post_init__(self) -> None:
        profiles = len(self.weights)
        if profiles < 1 or self.topic_rates.shape != (profiles, len(self.topic_ids)):
            raise ValueError("a crowd model needs one rate per profile and topic")
        if self.strength <= 0.0:
            raise ValueError(f"strength must be positive, not {self.strength}")
        if not ((self.topic_rates > 0.0) & (self.topic_rates < 1.0)).all():
            raise ValueError("a profile's rates must lie strictly between 0 and 1")
        if any(lifts.shape != (profiles,) for lifts in self.tip_lifts.values()):
            raise ValueError("a tip needs one lift per profile")

    @classmethod
    def uninformed(cls) -> CrowdModel:
        """Knows nothing yet: every topic starts at Beta(1, 1), every tip at a lift of 1."""
        return cls((), np.ones(1), np.zeros((1, 0)))

    @classmethod
    def single_profile(
        cls, totals: Mapping[str, TopicCounts], strength: float = PROFILE_STRENGTH
    ) -> CrowdModel:
        """One profile at the crowd's smoothed rate per topic, (s + 1) / (s + f + 2)."""
        topic_ids = tuple(totals)
        rates = np.array(
            [
                (totals[t].successes + 1.0) / (totals[t].successes + totals[t].failures + 2.0)
                for t in topic_ids
            ]
        )
        return cls(topic_ids, np.ones(1), rates.reshape(1, -1), strength=strength)

    @property
    def profiles(self) -> int:
        """How many taste profiles."""
        return len(self.weights)

    def posterior(self, counts: Mapping[str, Evidence]) -> Floats:
        """How likely the subscriber with these counts belongs to each profile."""
        successes = np.zeros(len(self.topic_ids))
        failures = np.zeros(len(self.topic_ids))
        for column, topic_id in enumerate(self.topic_ids):
            seen = counts.get(topic_id)
            if seen is not None:
                successes[column] = seen.successes
                failures[column] = seen.failures
        log_rates, log_misses = self._log_rates
        return _normalised_exp(
            np.log(self.weights) + log_rates @ successes + log_misses @ failures
        )

    def prior_rates(self, topic_ids: Sequence[str]) -> tuple[Floats, Floats]:
        """Each profile's rate for `topic_ids` (profiles x topics) and each topic's strength.

        A topic the model has not seen gets the uninformed Beta(1, 1) in every profile.
        """
        columns = [self._column.get(topic_id, -1) for topic_id in topic_ids]
        if -1 not in columns:  # every topic known: the usual case, in one step
            return self.topic_rates[:, columns], np.full(len(topic_ids), self.strength)
        rates = np.full((self.profiles, len(topic_ids)), UNSEEN_RATE)
        strengths = np.full(len(topic_ids), UNSEEN_STRENGTH)
        for position, column in enumerate(columns):
            if column >= 0:
                rates[:, position] = self.topic_rates[:, column]
                strengths[position] = self.strength
        return rates, strengths

    def expected_lifts(self, posterior: Floats) -> Mapping[str, float]:
        """How much better than its topic each tip the model knows is expected to do for the
        subscriber with this posterior (a tip missing: 1), in one product."""
        _, lifts = self._lift_table
        return _TipLifts(self._lift_row, (lifts @ posterior).tolist())

    @cached_property
    def _column(self) -> dict[str, int]:
        return {topic: column for column, topic in enumerate(self.topic_ids)}

    @cached_property
    def _lift_row(self) -> dict[str, int]:
        return {tip: row for row, tip in enumerate(self._lift_table[0])}

    @cached_property
    def _log_rates(self) -> tuple[Floats, Floats]:
        """log(rate) and log(1 - rate) per profile and topic: each posterior needs both."""
        return np.log(self.topic_rates), np.log1p(-self.topic_rates)

    @cached_property
    def _lift_table(self) -> tuple[tuple[str, ...], Floats]:
        tip_ids = tuple(self.tip_lifts)
        table = (
            np.array([self.tip_lifts[tip] for tip in tip_ids])
            if tip_ids
            else np.zeros((0, self.profiles))
        )
        return tip_ids, table


class _TipLifts(Mapping[str, float]):
    """One subscriber's expected lift per tip: the model's tip positions and the values, with
    no dictionary built per choice (a choice looks up a few of the library's tips)."""

    def __init__(self, rows: dict[str, int], values: list[float]) -> None:
        self._rows = rows
        self._values = values

    def __getitem__(self, tip_id: str) -> float:
        return self._values[self._rows[tip_id]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


def fit_crowd(
    topic_counts: Sequence[Mapping[str, TopicCounts]],
    tip_counts: Sequence[Mapping[str, TipCounts]],
    tip_topics: Mapping[str, str],
    *,
    max_profiles: int = MAX_PROFILES,
    seed: int = 0,
) -> CrowdModel:
    """The taste profiles behind a sample of subscribers (entry i of both lists is one person).

    `tip_topics` maps each tip to its topic. Deterministic for a given sample and seed.
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
        for topic_id, seen in person.items():
            successes[row, column[topic_id]] = seen.successes
            failures[row, column[topic_id]] = seen.failures
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
        membership = _normalised_exp(log_likelihood)
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
    tip_counts: Sequence[Mapping[str, TipCounts]],
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
        for tip_id, counts in person.items():
            if tip_id in index:
                sent[row, index[tip_id]] = counts.sent
                done[row, index[tip_id]] = counts.done
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


def _normalised_exp(log_values: Floats) -> Floats:
    """exp(log_values) normalised to sum to 1 along the last axis, without overflow."""
    shifted = np.exp(log_values - log_values.max(axis=-1, keepdims=True))
    normalised: Floats = shifted / shifted.sum(axis=-1, keepdims=True)
    return normalised
