"""Choosing the next tip for a subscriber."""

from nudgebot.adaptation.bandit import AdaptivePolicy
from nudgebot.adaptation.baselines import RandomPolicy, RoundRobinPolicy
from nudgebot.adaptation.crowd import CrowdModel
from nudgebot.adaptation.crowd_fitting import fit_crowd
from nudgebot.adaptation.distribution import TipDistribution
from nudgebot.adaptation.eligibility import eligible_tips
from nudgebot.adaptation.learner import LearnerView, TipChoice, TipPolicy

__all__ = [
    "AdaptivePolicy",
    "CrowdModel",
    "LearnerView",
    "RandomPolicy",
    "RoundRobinPolicy",
    "TipChoice",
    "TipDistribution",
    "TipPolicy",
    "eligible_tips",
    "fit_crowd",
]
