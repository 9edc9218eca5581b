"""Choosing the next tip for a subscriber."""

from nudgebot.adaptation.bandit import AdaptivePolicy
from nudgebot.adaptation.baselines import RandomPolicy, RoundRobinPolicy
from nudgebot.adaptation.distribution import TipDistribution
from nudgebot.adaptation.eligibility import eligible_tips
from nudgebot.adaptation.priors import crowd_priors
from nudgebot.adaptation.selection import TipChoice, choose_tip

__all__ = [
    "AdaptivePolicy",
    "RandomPolicy",
    "RoundRobinPolicy",
    "TipChoice",
    "TipDistribution",
    "choose_tip",
    "crowd_priors",
    "eligible_tips",
]
