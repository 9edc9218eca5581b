"""The run: every policy on the same simulated people, each policy's people dealt into shards.

The people are dealt into shards (person i to shard i mod n), each with its own bot, database
and crowd, like separate deployments of a few thousand subscribers each; the shards of a policy
may run in separate processes. Every shard holds every person's draws, so a person meets the
same luck whichever shard they are in. A shard's days, tick by tick: `days`.
"""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import AbstractAsyncContextManager, contextmanager
from dataclasses import dataclass
from typing import Any

from nudgebot.adaptation.learner import TipPolicy
from nudgebot.content.library import ContentLibrary
from nudgebot.simulation.behaviour import Behaviour
from nudgebot.simulation.cohort import Cohort
from nudgebot.simulation.days import Deployment, ShardDays
from nudgebot.simulation.metrics import PolicyMetrics
from nudgebot.simulation.people import Flags, Population
from nudgebot.simulation.policies import build_policy
from nudgebot.simulation.progress import DayProgress
from nudgebot.simulation.telegram import SimulatedTelegram

# Opens the bot with a fresh database for one shard of the people (its number is the last
# argument), with the given policy and the simulation's Telegram. Runs in other processes need it
# picklable: a module-level function or an instance of a module-level class.
DeploymentFactory = Callable[
    [TipPolicy, SimulatedTelegram, int], AbstractAsyncContextManager[Deployment]
]

# People are split into shards, each with its own bot and database: one per this many people,
# so that each shard's crowd is still thousands strong. The shard count depends only on the
# cohort's size, so results do not depend on how many processes run the shards.
PEOPLE_PER_SHARD = 2500
MAX_SHARDS = 16


def shard_count(people: int, people_per_shard: int = PEOPLE_PER_SHARD) -> int:
    """How many shards a run of `people` is split into."""
    return max(1, min(MAX_SHARDS, people // people_per_shard))


@dataclass(frozen=True)
class SimulationResult:
    """summary.json's content, and each policy's wall-clock time (kept out of the summary)."""

    summary: dict[str, Any]
    seconds: dict[str, float]


@dataclass(frozen=True)
class _Shard:
    """One shard of one policy's run, as sent to the process that runs it."""

    cohort: Cohort
    library: ContentLibrary
    policy: str
    deployments: DeploymentFactory
    days: int
    seed: int
    index: int
    shards: int


async def run_simulation(
    cohort: Cohort,
    library: ContentLibrary,
    policies: Sequence[str],
    deployments: DeploymentFactory,
    *,
    days: int,
    seed: int,
    progress: DayProgress | None = None,
    processes: int = 1,
    people_per_shard: int = PEOPLE_PER_SHARD,
) -> SimulationResult:
    """Run every policy on the same people and draws, one after another, and summarise.

    With `processes` above 1 the shards of a policy run side by side in that many processes;
    the results are the same either way.
    """
    if days < 1:
        raise ValueError("a simulation needs at least one day")
    cohort.check_against(library)
    population = Population.build(cohort, library, seed)
    shards = shard_count(population.size, people_per_shard)
    entries: dict[str, dict[str, Any]] = {}
    seconds: dict[str, float] = {}
    for name in dict.fromkeys(policies):
        build_policy(name, Behaviour(population, seed))  # an unknown name fails here, early
        started = time.monotonic()
        if progress is not None:
            progress.start(name, days)
        work = [
            _Shard(cohort, library, name, deployments, days, seed, index, shards)
            for index in range(shards)
        ]
        if processes > 1 and shards > 1:
            results = await _in_processes(work, min(processes, shards), progress)
        else:
            results = [
                await _run_shard(shard, population, _ShardProgress(progress, shard))
                for shard in work
            ]
        metrics, ever_dormant = results[0]
        for more, dormant in results[1:]:
            metrics.add(more)
            ever_dormant = ever_dormant | dormant
        entries[name] = metrics.summary(ever_dormant)
        seconds[name] = time.monotonic() - started
    summary = {
        "policies": entries,
        "run": {"cohort": cohort.name, "users": population.size, "days": days, "seed": seed},
    }
    return SimulationResult(summary, seconds)


async def _run_shard(
    shard: _Shard, population: Population, progress: _ShardProgress | _SharedDays
) -> tuple[PolicyMetrics, Flags]:
    """One shard's run in this process: its people, its own bot and database."""
    behaviour = Behaviour(population, shard.seed)
    metrics = PolicyMetrics(shard.days, population.topic_ids)
    sender = SimulatedTelegram()
    policy = build_policy(shard.policy, behaviour)
    with collecting_less_often():
        async with shard.deployments(policy, sender, shard.index) as deployment:
            people = range(shard.index, population.size, shard.shards)
            loop = ShardDays(deployment, sender, behaviour, metrics)
            await loop.run(people, shard.days, progress)
    return metrics, behaviour.ever_dormant


# Allocations between two collections of the youngest objects while a shard runs (Python's
# default is 700). A run makes and drops millions of small objects (rows, statements, views)
# and keeps few: collecting after every 700 of them, and every so often going through
# everything alive, took a seventh of a run's time (measured: 2,500 people x 10 days, 61.8 s
# of CPU with the defaults, 52.7 s with no collection at all, 53.0 s with this setting).
_YOUNG_COLLECTION_EVERY = 50_000


@contextmanager
def collecting_less_often() -> Iterator[None]:
    """Fewer garbage collections while a shard runs; Python's settings back afterwards.

    Everything alive at the start (the library, the people, imported code) is set aside as
    permanent (`gc.freeze`, after a collection so that no garbage is frozen with it), so the
    full collections that still happen skip it. Unfreezing is all or nothing: if the caller had
    frozen objects of its own, ours stay frozen with theirs.
    """
    before = gc.get_threshold()
    frozen_before = gc.get_freeze_count()
    gc.collect()
    gc.freeze()
    gc.set_threshold(_YOUNG_COLLECTION_EVERY, before[1], before[2])
    try:
        yield
    finally:
        gc.set_threshold(*before)
        if not frozen_before:
            gc.unfreeze()


# In a process of the pool: the parent's array of days done per shard (given at the process's
# start, the only way such an array can be shared).
_days_done: Any = None


def _share_days_done(days_done: Any) -> None:
    global _days_done  # noqa: PLW0603 - set once per process, by the pool's initializer
    _days_done = days_done


def _run_shard_in_process(shard: _Shard) -> tuple[PolicyMetrics, Flags]:
    """A process's whole job: rebuild the people (same seed, same people) and run its shard."""
    population = Population.build(shard.cohort, shard.library, shard.seed)
    return asyncio.run(_run_shard(shard, population, _SharedDays(_days_done, shard.index)))


async def _in_processes(
    work: Sequence[_Shard], processes: int, progress: DayProgress | None
) -> list[tuple[PolicyMetrics, Flags]]:
    """Run the shards in a pool of processes, reporting their days done on average.

    An average, not the slowest shard's day: with more shards than processes, the shards
    still waiting for a process would hold the bar at 0 for half the run.
    """
    context = multiprocessing.get_context("spawn")
    days_done = context.Array("i", len(work))
    loop = asyncio.get_running_loop()
    with ProcessPoolExecutor(
        processes, mp_context=context, initializer=_share_days_done, initargs=(days_done,)
    ) as pool:
        futures = [loop.run_in_executor(pool, _run_shard_in_process, shard) for shard in work]
        reported = 0
        while not all(future.done() for future in futures):
            await asyncio.wait(futures, timeout=0.5)
            average = sum(days_done[:]) // len(work)
            if progress is not None and average > reported:
                reported = average
                progress.day_done(average)
        return [future.result() for future in futures]


class _ShardProgress:
    """Turns a shard's days into the policy's progress: shards run in turn in one process, so
    shard k of n at day d is (k * days + d) / n of the way."""

    def __init__(self, progress: DayProgress | None, shard: _Shard) -> None:
        self._progress = progress
        self._shard = shard

    def day_done(self, days_done: int) -> None:
        if self._progress is not None:
            shard = self._shard
            self._progress.day_done((shard.index * shard.days + days_done) // shard.shards)


class _SharedDays:
    """A shard's progress, written where the parent process reads it."""

    def __init__(self, days_done: Any, index: int) -> None:
        self._days_done = days_done
        self._index = index

    def day_done(self, days_done: int) -> None:
        self._days_done[self._index] = days_done
