"""Baseline policies the adaptive one is measured against, on the very same eligibility.

Both ignore answers and the crowd; they differ from the adaptive policy only in how they choose
among `eligible_tips`, so the offline evaluation measures learning and nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar

import numpy as np

from nudgebot.adaptation.crowd import CrowdModel
from nudgebot.adaptation.distribution import TipDistribution
from nudgebot.adaptation.eligibility import eligible_tips
from nudgebot.adaptation.learner import LearnerView, TipChoice
from nudgebot.content.library import ContentLibrary
from nudgebot.content.schema import Tip

RANDOM = "random"
ROUND_ROBIN = "round_robin"


@dataclass(frozen=True)
class RandomPolicy:
    """Uniform over the eligible tips: each has probability 1/N."""

    name: str = RANDOM
    reads_crowd: ClassVar[bool] = False

    def probabilities(
        self,
        library: ContentLibrary,
        view: LearnerView,
        crowd: CrowdModel,  # noqa: ARG002 - part of the policy interface
        rng: np.random.Generator,  # noqa: ARG002 - part of the policy interface
    ) -> TipDistribution:
        """Every eligible tip with probability 1/N (crowd and rng unused)."""
        tips = eligible_tips(library, view)
        return TipDistribution(tuple(tips), np.full(len(tips), 1.0 / max(len(tips), 1)))

    def choose(
        self,
        library: ContentLibrary,
        view: LearnerView,
        crowd: CrowdModel,
        rng: np.random.Generator,
    ) -> TipChoice | None:
        """A uniformly drawn eligible tip, with propensity 1/N."""
        return self.probabilities(library, view, crowd, rng).draw(rng, self.name)


@dataclass(frozen=True)
class RoundRobinPolicy:
    """Topics in turn, in library order; within a topic the first eligible tip.

    The next topic is the one after the topic sent most recently, going round the library's
    topics and skipping those with nothing eligible today. Cooldowns keep the first eligible
    tip of a topic moving down the library's list. Deterministic, so the propensity is 1.
    """

    name: str = ROUND_ROBIN
    reads_crowd: ClassVar[bool] = False

    def probabilities(
        self,
        library: ContentLibrary,
        view: LearnerView,
        crowd: CrowdModel,  # noqa: ARG002 - part of the policy interface
        rng: np.random.Generator,  # noqa: ARG002 - part of the policy interface
    ) -> TipDistribution:
        """All the probability on the tip whose turn it is (crowd and rng unused)."""
        tip = self._next_tip(library, view)
        if tip is None:
            return TipDistribution.nothing_eligible()
        return TipDistribution((tip,), np.ones(1))

    def choose(
        self,
        library: ContentLibrary,
        view: LearnerView,
        crowd: CrowdModel,
        rng: np.random.Generator,
    ) -> TipChoice | None:
        """The tip whose turn it is, with propensity 1 (no draw: `rng` is left untouched)."""
        turn = self.probabilities(library, view, crowd, rng)
        return TipChoice(turn.tips[0].id, self.name, 1.0) if turn.tips else None

    @staticmethod
    def _next_tip(library: ContentLibrary, view: LearnerView) -> Tip | None:
        first_in_topic: dict[str, Tip] = {}
        for tip in eligible_tips(library, view):
            first_in_topic.setdefault(tip.topic, tip)
        if not first_in_topic:
            return None
        order = list(library.topics)
        start = _index_after_last_sent(order, view)
        for offset in range(len(order)):
            topic_id = order[(start + offset) % len(order)]
            if topic_id in first_in_topic:
                return first_in_topic[topic_id]
        # Tips always belong to a library topic (the library checks it), so this is unreachable
        # unless a topic was dropped without its tips.
        return next(iter(first_in_topic.values()))


def _index_after_last_sent(order: list[str], view: LearnerView) -> int:
    """Where the turn starts: after the topic sent most recently (the later one on a tie)."""
    latest: tuple[date, int] | None = None
    for index, topic_id in enumerate(order):
        record = view.topics.get(topic_id)
        if record is None or record.last_sent is None:
            continue
        # Two topics on one day (two nudge slots) went out in turn order, so the later one
        # was sent last.
        if latest is None or record.last_sent >= latest[0]:
            latest = (record.last_sent, index)
    return 0 if latest is None else latest[1] + 1
