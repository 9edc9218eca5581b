"""Where a simulation's time goes as history grows: CPU per person-day, week by week.

    .venv/bin/python -m bench.simulation_cost [--users 1000] [--days 60] [--policy adaptive ...]

Each policy runs in this one process as one shard, however many people, so the CPU time of each
simulated day is that day's own cost: the first day includes subscribing everyone, Sundays the
weekly summaries, and later weeks show what grows with each subscriber's history.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from pathlib import Path

import numpy as np

from nudgebot.cli import ScratchDeployments
from nudgebot.config import bundled_path
from nudgebot.content import load_library
from nudgebot.simulation import DayProgress, load_cohort, run_simulation

COHORT = Path(__file__).parent / "cohorts" / "mixed.yaml"


class DayClock(DayProgress):
    """A progress bar that draws nothing and notes the CPU time as each simulated day ends."""

    def __init__(self) -> None:
        super().__init__(None)
        self.marks: list[float] = []

    def start(self, label: str, total_days: int) -> None:  # noqa: ARG002 - progress interface
        self.marks = [time.process_time()]

    def day_done(self, days_done: int) -> None:  # noqa: ARG002 - progress interface
        self.marks.append(time.process_time())

    def day_costs(self) -> list[float]:
        """CPU seconds of each simulated day, in order."""
        return list(np.diff(self.marks))


def weekly_rows(costs: list[float], people: int) -> list[tuple[str, float, float]]:
    """Per week: its days, then the median and the most expensive day in ms per person.

    The median is a usual weekday; the most expensive is the summary day (or, in week one,
    the day everyone subscribes).
    """
    rows = []
    for start in range(0, len(costs), 7):
        week = [1000 * cost / people for cost in costs[start : start + 7]]
        label = f"{start + 1}-{start + len(week)}"
        rows.append((label, statistics.median(week), max(week)))
    return rows


def main() -> None:
    """Run each policy and print a Markdown table of its cost per person-day by week."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--policy", action="append", dest="policies")
    parser.add_argument("--seed", type=int, default=0)
    arguments = parser.parse_args()
    policies = arguments.policies or ["adaptive", "random"]
    messages = bundled_path("messages")
    library = load_library(messages)
    cohort = load_cohort(COHORT).with_users(arguments.users)
    deployments = ScratchDeployments(messages, arguments.seed)
    print(f"{arguments.users} people of {COHORT.name}, {arguments.days} days, one process\n")
    print("| policy | days | median day, ms per person | dearest day | total CPU s |")
    print("|---|---|---:|---:|---:|")
    for policy in policies:
        clock = DayClock()
        asyncio.run(
            run_simulation(
                cohort,
                library,
                [policy],
                deployments,
                days=arguments.days,
                seed=arguments.seed,
                progress=clock,
                # One shard: the clock then sees each simulated day once.
                people_per_shard=arguments.users,
            )
        )
        costs = clock.day_costs()
        for label, median, dearest in weekly_rows(costs, arguments.users):
            print(f"| {policy} | {label} | {median:.2f} | {dearest:.2f} | |")
        print(f"| {policy} | all | | | {sum(costs):.1f} |")


if __name__ == "__main__":
    main()
