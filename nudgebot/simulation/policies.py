"""The policies a simulation can compare, by the names `--policy` takes."""

from __future__ import annotations

from nudgebot.adaptation.bandit import ADAPTIVE, AdaptivePolicy
from nudgebot.adaptation.baselines import RANDOM, ROUND_ROBIN, RandomPolicy, RoundRobinPolicy
from nudgebot.adaptation.learner import TipPolicy
from nudgebot.simulation.behaviour import Behaviour
from nudgebot.simulation.oracle import ORACLE, OraclePolicy

POLICY_NAMES = (ADAPTIVE, RANDOM, ROUND_ROBIN, ORACLE)


def build_policy(name: str, behaviour: Behaviour) -> TipPolicy:
    """A fresh policy by name; the oracle reads the people of `behaviour`."""
    match name:
        case "adaptive":
            return AdaptivePolicy()
        case "random":
            return RandomPolicy()
        case "round_robin":
            return RoundRobinPolicy()
        case "oracle":
            return OraclePolicy(behaviour)
        case _:
            raise ValueError(f"unknown policy {name!r}; choose from {', '.join(POLICY_NAMES)}")
