"""Choosing the next tip for a subscriber."""

from nudgebot.adaptation.bandit import AdaptivePolicy
from nudgebot.adaptation.baselines import RandomPolicy, RoundRobinPolicy
from nudgebot.adaptation.distribution import TipDistribution
from nudgebot.adaptation.eligibility import eligible_tips
from nudgebot.adaptation.learner import LearnerView, TipChoice, TipPolicy
from nudgebot.adaptation.priors import crowd_priors

__all__ = [
    "AdaptivePolicy",
    "LearnerView",
    "RandomPolicy",
    "RoundRobinPolicy",
    "TipChoice",
    "TipDistribution",
    "TipPolicy",
    "crowd_priors",
    "eligible_tips",
]
