"""A policy's probabilities over today's eligible tips, and the draw that honours them.

Policies return the whole distribution rather than only a tip so that the logged propensity is
exactly the probability the draw used, and so that tests and the offline evaluation can check
every tip's probability (the exploration floor), not just the one that happened to be chosen.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from nudgebot.adaptation.learner import TipChoice
from nudgebot.content.schema import Tip

Probabilities = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class TipDistribution:
    """Eligible tips (library order) and the probability of each being chosen; sums to 1."""

    tips: tuple[Tip, ...]
    probabilities: Probabilities

    @classmethod
    def nothing_eligible(cls) -> TipDistribution:
        """The distribution of a day with no eligible tip: nothing to draw."""
        return cls((), np.zeros(0))

    def probability_of(self, tip_id: str) -> float:
        """The chance that the draw picks `tip_id` (0 for a tip not eligible today)."""
        for tip, probability in zip(self.tips, self.probabilities, strict=True):
            if tip.id == tip_id:
                return float(probability)
        return 0.0

    def draw(self, rng: np.random.Generator, policy: str) -> TipChoice | None:
        """One tip drawn with these probabilities, logged with its own as the propensity."""
        if not self.tips:
            return None
        cumulative = np.cumsum(self.probabilities)
        # side="right" skips tips of probability 0: the first tip whose cumulative sum exceeds
        # the point has a positive width. The min guards against rounding at the very end.
        point = rng.random() * cumulative[-1]
        index = min(int(np.searchsorted(cumulative, point, side="right")), len(self.tips) - 1)
        return TipChoice(
            tip_id=self.tips[index].id,
            policy=policy,
            propensity=float(self.probabilities[index]),
        )


def with_exploration_floor(probabilities: Probabilities, epsilon: float) -> Probabilities:
    """`probabilities` (summing to 1) mixed with uniform so each is at least `epsilon`.

    The floor is min(epsilon, 1/N): with more than 1/epsilon tips a floor of epsilon each
    could not sum to 1, so every tip gets the uniform 1/N instead. Mixing (rather than
    clipping) keeps the sum at exactly 1 and the order of the probabilities unchanged.
    """
    count = len(probabilities)
    if count == 0:
        return probabilities
    floor = min(epsilon, 1.0 / count)
    mixed: Probabilities = floor + (1.0 - count * floor) * probabilities
    return mixed
