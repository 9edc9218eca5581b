"""The cost of choosing one tip: each policy on the full shipped library, for three kinds of
subscriber (a newcomer, a month in, a month in after a low sleep score, silent), p50/p99/max.

    .venv/bin/python -m bench.choice [--calls 5000]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta

import numpy as np

from nudgebot.adaptation import AdaptivePolicy, LearnerView, RandomPolicy, RoundRobinPolicy
from nudgebot.adaptation.crowd import CrowdModel
from nudgebot.adaptation.crowd_fitting import MAX_PROFILES
from nudgebot.adaptation.learner import TipPolicy, TipRecord, TopicRecord, WellbeingScore
from nudgebot.config import bundled_path
from nudgebot.content import ContentLibrary, load_library
from nudgebot.content.schema import TimeOfDay

TODAY = date(2026, 7, 1)


def a_month_in(library: ContentLibrary, rng: np.random.Generator) -> LearnerView:
    """30 tips sent over the last 30 days, about half done, per-topic counts to match."""
    ids = list(library.tips)
    picked = rng.choice(len(ids), size=30, replace=False)
    tips: dict[str, TipRecord] = {}
    topics: dict[str, TopicRecord] = {}
    for age, index in enumerate(picked):
        tip = library.tips[ids[int(index)]]
        sent = TODAY - timedelta(days=age + 1)
        done = bool(rng.random() < 0.5)
        tips[tip.id] = TipRecord(1, int(done), sent, sent if done else None)
        old = topics.get(tip.topic, TopicRecord())
        topics[tip.topic] = TopicRecord(
            old.successes + done,
            old.failures + (not done),
            max(old.last_sent or sent, sent),
            old.done_streak + 1 if done else 0,
        )
    return LearnerView(TODAY, TimeOfDay.MORNING, tips=tips, topics=topics)


def views(library: ContentLibrary) -> dict[str, LearnerView]:
    """The subscribers the benchmark chooses for."""
    month = a_month_in(library, np.random.default_rng(11))
    low_sleep = (WellbeingScore("sleep_quality", TODAY - timedelta(days=1), 1),)
    return {
        "newcomer": LearnerView(TODAY, TimeOfDay.MORNING),
        "a month in": month,
        "a month in, slept badly": LearnerView(
            TODAY, TimeOfDay.EVENING, tips=month.tips, topics=month.topics, wellbeing=low_sleep
        ),
        "a month in, silent": LearnerView(
            TODAY, TimeOfDay.MORNING, tips=month.tips, topics=month.topics, unanswered_streak=4
        ),
    }


def timed(call: Callable[[], object], calls: int) -> list[float]:
    """Seconds per call, after a warm-up."""
    for _ in range(50):
        call()
    samples = []
    for _ in range(calls):
        began = time.perf_counter()
        call()
        samples.append(time.perf_counter() - began)
    return samples


def full_crowd(library: ContentLibrary) -> CrowdModel:
    """A crowd model as large as it gets: every profile, a rate per topic, a lift per tip."""
    rng = np.random.default_rng(11)
    topic_ids = tuple(library.topics)
    return CrowdModel(
        topic_ids,
        np.full(MAX_PROFILES, 1.0 / MAX_PROFILES),
        rng.uniform(0.05, 0.9, size=(MAX_PROFILES, len(topic_ids))),
        {tip_id: rng.uniform(0.7, 1.3, size=MAX_PROFILES) for tip_id in library.tips},
    )


def main() -> None:
    """Time every policy for every subscriber kind and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=5000)
    calls = parser.parse_args().calls
    library = load_library(bundled_path("messages"))
    crowd = full_crowd(library)
    policies: list[TipPolicy] = [AdaptivePolicy(), RandomPolicy(), RoundRobinPolicy()]
    print(f"{len(library.tips)} tips, {len(library.topics)} topics, {calls} calls each\n")
    print("| policy | subscriber | p50 ms | p99 ms | max ms |\n|---|---|---:|---:|---:|")
    for policy in policies:
        rng = np.random.default_rng(5)
        for name, view in views(library).items():
            samples = timed(lambda p=policy, v=view, r=rng: p.choose(library, v, crowd, r), calls)
            cut = statistics.quantiles(samples, n=100, method="inclusive")
            print(
                f"| {policy.name} | {name} | {statistics.median(samples) * 1000:.3f} | "
                f"{cut[98] * 1000:.3f} | {max(samples) * 1000:.3f} |"
            )


if __name__ == "__main__":
    main()
