"""The oracle: knows each simulated person's hidden habits, so it bounds what learning can reach.

It chooses among the same `eligible_tips` as every other policy, so it differs from them only
in knowing, not in what it may send.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from nudgebot.adaptation.crowd import CrowdModel
from nudgebot.adaptation.eligibility import eligible_tips
from nudgebot.adaptation.learner import LearnerView, TipChoice
from nudgebot.content.library import ContentLibrary
from nudgebot.simulation.behaviour import Behaviour

ORACLE = "oracle"


class OraclePolicy:
    """The eligible tip the person is likeliest to do today, fatigue included; propensity 1.

    Ties (tips of one topic with the same tags) go to the first in library order, so the
    choice is deterministic, as its propensity of 1 says.
    """

    name: str = ORACLE
    reads_crowd: ClassVar[bool] = False

    def __init__(self, behaviour: Behaviour) -> None:
        self._behaviour = behaviour

    def choose(
        self,
        library: ContentLibrary,
        view: LearnerView,
        crowd: CrowdModel,  # noqa: ARG002 - part of the policy interface
        rng: np.random.Generator,  # noqa: ARG002 - part of the policy interface
    ) -> TipChoice | None:
        """The best eligible tip for the person behind `view.chat_id` (crowd, rng unused)."""
        tips = eligible_tips(library, view)
        if not tips:
            return None
        population = self._behaviour.population
        person = population.person_of(view.chat_id)
        indices = np.array([population.tip_index[tip.id] for tip in tips], dtype=np.int64)
        chances = self._behaviour.do_probability_today(person, indices)
        best = tips[int(np.argmax(chances))]
        return TipChoice(best.id, ORACLE, 1.0)
