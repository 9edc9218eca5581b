"""The adaptive policy: a Thompson sampler over topics on "did it", with an exploration floor.

Choosing happens in two stages. First a topic: each Monte Carlo draw picks one of the crowd's
taste profiles by how likely the subscriber belongs to it (`CrowdModel.posterior`), then each
eligible topic draws a success rate from Beta(that profile's prior + the subscriber's counts),
weighted down for each of its tips sent in the last few days and up if a recent low wellbeing
score asks for it, and the highest weighted draw wins. Then, within the winning topic, one tip by
preferences (`_tip_preference`): learning whether a subscriber likes a topic needs far fewer
answers than learning each of 154 tips, so within a topic the crowd's lift per tip (for people
like them) decides, after what we know for sure (follow-ups, silence, novelty).

The probability of every eligible tip is computed, not only the chosen one: the chance its
topic wins is estimated by vectorised Monte Carlo, then mixed with uniform for the exploration
floor, and the tip is drawn from that very distribution, so the logged propensity is exactly the
probability the choice was made with.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from nudgebot.adaptation.crowd import CrowdModel, Floats
from nudgebot.adaptation.distribution import (
    Probabilities,
    TipDistribution,
    with_exploration_floor,
)
from nudgebot.adaptation.eligibility import (
    eligible_tips,
    follow_ups_due,
    is_silent,
    raised_topics,
)
from nudgebot.adaptation.learner import LearnerView, TipChoice, TipHistory
from nudgebot.content.library import ContentLibrary
from nudgebot.content.schema import Tip

ADAPTIVE = "adaptive"
# Tips sent longer ago than this no longer tire their topic (their penalty is under 2% by then).
_RECENCY_HORIZON_DAYS = 7


@dataclass(frozen=True)
class AdaptivePolicy:
    """Thompson sampling per subscriber and topic, with recency, steering and a floor.

    `epsilon`: every eligible tip keeps at least this probability (at most 1/N with N tips).
    `draws`: Monte Carlo draws estimating each topic's chance of winning; 256 keep the
    estimate within about 3 points while the whole choice stays well under a millisecond.
    `recency_penalty`: how much a topic's draw shrinks for a tip of it sent yesterday; the
    shrinking halves every `recency_recovery_days` * ln 2 days, and each recent tip of the
    topic shrinks it again, as each one tires a little more. 0.3 stops the bot from
    alternating between a favourite and nothing else when topics are close, yet a topic the
    subscriber clearly does, and nothing else, still wins most days (sent daily for a week, its
    draws are held to about 0.44 of themselves: 0.9 becomes 0.39 against others' 0.3 or less).
    `steering_boost`: the factor on the draws of topics a recent low score raises.
    """

    epsilon: float = 0.001
    name: str = ADAPTIVE
    draws: int = 256
    recency_penalty: float = 0.3
    recency_recovery_days: float = 2.0
    steering_boost: float = 1.5
    reads_crowd: ClassVar[bool] = True

    def __post_init__(self) -> None:
        if not 0.0 <= self.epsilon <= 1.0:
            raise ValueError(f"epsilon must be between 0 and 1, not {self.epsilon}")
        if self.draws < 1:
            raise ValueError(f"draws must be at least 1, not {self.draws}")
        if not 0.0 <= self.recency_penalty < 1.0:
            raise ValueError(f"recency_penalty must be in [0, 1), not {self.recency_penalty}")
        if self.recency_recovery_days <= 0.0 or self.steering_boost <= 0.0:
            raise ValueError("recency_recovery_days and steering_boost must be positive")

    def probabilities(
        self,
        library: ContentLibrary,
        view: LearnerView,
        crowd: CrowdModel,
        rng: np.random.Generator,
    ) -> TipDistribution:
        """Every eligible tip's probability of being chosen today (uses `rng` for the draws)."""
        tips = eligible_tips(library, view)
        if not tips:
            return TipDistribution.nothing_eligible()
        in_topic: dict[str, list[Tip]] = {}
        for tip in tips:
            in_topic.setdefault(tip.topic, []).append(tip)
        topic_ids = list(in_topic)
        membership = crowd.posterior(view.topics)
        due = follow_ups_due(view)
        wins = self._topic_win_probabilities(
            library=library,
            view=view,
            crowd=crowd,
            membership=membership,
            in_topic=in_topic,
            follow_ups_due=due,
            rng=rng,
        )
        position = {tip.id: index for index, tip in enumerate(tips)}
        lifts = crowd.expected_lifts(membership)
        thompson = np.zeros(len(tips))
        silent = is_silent(view)
        history = view.tips
        for topic_id, win in zip(topic_ids, wins, strict=True):
            candidates = in_topic[topic_id]
            if silent:
                candidates = _shorter_half(candidates, due, library)
            leader = min(
                candidates,
                key=lambda tip: _tip_preference(
                    tip, history.get(tip.id), lifts.get(tip.id, 1.0), tip.prerequisite in due
                ),
            )
            thompson[position[leader.id]] = win
        return TipDistribution(tuple(tips), with_exploration_floor(thompson, self.epsilon))

    def choose(
        self,
        library: ContentLibrary,
        view: LearnerView,
        crowd: CrowdModel,
        rng: np.random.Generator,
    ) -> TipChoice | None:
        """A tip drawn from `probabilities`, with its probability as the propensity."""
        return self.probabilities(library, view, crowd, rng).draw(rng, self.name)

    def _topic_win_probabilities(
        self,
        *,
        library: ContentLibrary,
        view: LearnerView,
        crowd: CrowdModel,
        membership: Floats,
        in_topic: Mapping[str, list[Tip]],
        follow_ups_due: frozenset[str],
        rng: np.random.Generator,
    ) -> Probabilities:
        raised = raised_topics(library, view)
        recency = self._recency_weights(library, view)
        topic_ids = list(in_topic)
        rates, strengths = crowd.prior_rates(topic_ids)
        successes, failures, weights = [], [], []
        for topic_id, tips in in_topic.items():
            record = view.topics.get(topic_id)
            successes.append(record.successes if record is not None else 0.0)
            failures.append(record.failures if record is not None else 0.0)
            # A follow-up due today is the reason to come back to yesterday's topic, so the
            # topic it is in is spared the recency penalty.
            fresh = any(tip.prerequisite in follow_ups_due for tip in tips)
            weight = 1.0 if fresh else recency.get(topic_id, 1.0)
            weights.append(weight * (self.steering_boost if topic_id in raised else 1.0))
        # Each draw is one hypothesis about who the subscriber is: a profile, then its rates.
        profile = (
            rng.choice(crowd.profiles, size=self.draws, p=membership)
            if crowd.profiles > 1
            else np.zeros(self.draws, dtype=np.int64)
        )
        prior_rate = rates[profile]
        alphas = strengths * prior_rate + np.array(successes)
        betas = strengths * (1.0 - prior_rate) + np.array(failures)
        draws = rng.beta(alphas, betas) * np.array(weights)
        winners = np.argmax(draws, axis=1)
        wins: Probabilities = np.bincount(winners, minlength=len(topic_ids)) / self.draws
        return wins

    def _recency_weights(self, library: ContentLibrary, view: LearnerView) -> dict[str, float]:
        """Per topic, the product over its recently sent tips of 1 - penalty, each recovering
        towards 1 over days: two tips of a topic in three days tire more than one.

        Sent today already (a second nudge slot) weighs less still: the exponent runs on.
        """
        weights: dict[str, float] = {}
        for tip_id, record in view.tips.items():
            tip = library.tips.get(tip_id)
            days_since = max((view.today - record.last_sent).days, 0)
            if tip is None or days_since > _RECENCY_HORIZON_DAYS:
                continue
            penalty = self.recency_penalty * math.exp(
                -(days_since - 1) / self.recency_recovery_days
            )
            weights[tip.topic] = weights.get(tip.topic, 1.0) * (1.0 - penalty)
        return weights


def _shorter_half(
    tips: list[Tip], follow_ups_due: frozenset[str], library: ContentLibrary
) -> list[Tip]:
    """For someone gone silent, the tips no longer than the median (less to read, easier to
    do), and a follow-up due today whatever its length.

    Half rather than only the shortest, so that which of them people like them do most still
    decides among them.
    """
    lengths = [_message_length(tip, library) for tip in tips]
    median = sorted(lengths)[(len(lengths) - 1) // 2]
    return [
        tip
        for tip, length in zip(tips, lengths, strict=True)
        if length <= median or tip.prerequisite in follow_ups_due
    ]


def _tip_preference(
    tip: Tip, record: TipHistory | None, lift: float, follow_up_due: bool
) -> tuple[float, ...]:
    """Sort key of the tips within a topic: the smallest is sent; ties keep library order.

    1. A follow-up whose prerequisite was done yesterday: the step is fresh in their mind.
    2. A tip never sent before (`record` None): novelty before repeats.
    3. The tip people like them do most (`lift` over the topic's rate, from the crowd).
    4. The hardest they have earned (eligibility already capped it): difficulty rises with a
       streak of "did it", as the streak unlocks it; this decides while the crowd knows nothing.
    5. The tip sent longest ago: repeats as far apart as possible.
    """
    return (
        0 if follow_up_due else 1,
        0 if record is None else 1,
        # Rounded so that lifts alike within noise fall back on the rules below.
        -round(lift, 2),
        -tip.difficulty,
        record.last_sent.toordinal() if record is not None else 0,
    )


def _message_length(tip: Tip, library: ContentLibrary) -> int:
    # The parts a subscriber reads, in the library's default language: tips are written in
    # parallel, so the ranking holds across languages without knowing the subscriber's.
    language = library.default_language
    return sum(
        len(library.text(part, language)) for part in (tip.title, tip.text, tip.action, tip.why)
    )
