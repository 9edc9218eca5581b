"""What the crowd teaches a newcomer's bandit: taste profiles, fitted from everyone's answers.

A single crowd rate per topic cannot tell a fermenter from a calm-seeker: averaged over both,
fermented foods and breathing look alike, and each person has to find their own way from there.
So the crowd is fitted as a mixture of taste profiles (a latent class model, as in "latent
bandits"): each profile has a did-it rate per topic, and a lift per tip (how much better or worse
the tip does than its topic among that profile's people). A subscriber's own answers give a
posterior over the profiles, so after a few answers someone who does fermented foods is placed
among the people who also do prebiotic foods, before ever being sent one. With a single profile
this is the plain crowd prior: one Beta per topic at the crowd's rate.

This module is the model a choice reads; `crowd_fitting` fits it from a sample of subscribers.
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
# alike a profile's people are (fitting estimates it, within `crowd_fitting`'s bounds).
PROFILE_STRENGTH = 8.0
# A topic the model has never seen starts knowing nothing: Beta(1, 1).
UNSEEN_RATE, UNSEEN_STRENGTH = 0.5, 2.0


class Evidence(Protocol):
    """What a posterior reads of one subscriber in one topic (`TopicCounts`, or the bandit's
    kept state as it is)."""

    @property
    def successes(self) -> float: ...
    @property
    def failures(self) -> float: ...


# Tuples with names rather than dataclasses, so that `fit_crowd` can take the plain pairs a
# refit reads (over a hundred thousand of them) in their place, with nothing built per pair.
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
        return normalised_exp(np.log(self.weights) + log_rates @ successes + log_misses @ failures)

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


def normalised_exp(log_values: Floats) -> Floats:
    """exp(log_values) normalised to sum to 1 along the last axis, without overflow."""
    shifted = np.exp(log_values - log_values.max(axis=-1, keepdims=True))
    normalised: Floats = shifted / shifted.sum(axis=-1, keepdims=True)
    return normalised
