"""The run loop: the real bot, a simulated clock, simulated people, one policy after another.

Every simulated person subscribes on day 1 at 06:00 UTC. Each day the clock ticks every 30
minutes from 07:00 to 22:00 UTC (nudges go out at 09:00, the wellbeing check-in at 19:30, a tip
put off with "Later" at the first tick after it is due again). Before each tick the answers
that have come in since the last one are pressed, in the order they were given; after it, the
people react to what they received. Answers to the last tick are pressed at 23:00. People
paused for silence may write again at 08:00.

The people are dealt into shards (person i to shard i mod n), each with its own bot, database
and crowd, like separate deployments of a few thousand subscribers each; the shards of a policy
may run in separate processes. Every shard holds every person's draws, so a person meets the
same luck whichever shard they are in.
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
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import numpy as np

from nudgebot.adaptation.learner import TipPolicy
from nudgebot.content.library import ContentLibrary
from nudgebot.content.rendering import wellbeing_option
from nudgebot.content.schema import Outcome
from nudgebot.services import Press
from nudgebot.simulation.behaviour import Behaviour, Reaction
from nudgebot.simulation.cohort import Cohort
from nudgebot.simulation.metrics import PolicyMetrics
from nudgebot.simulation.people import FIRST_CHAT_ID, Flags, Population
from nudgebot.simulation.policies import build_policy
from nudgebot.simulation.progress import DayProgress
from nudgebot.simulation.telegram import Inbox, SimulatedTelegram

# A Monday; everyone lives in UTC.
START = datetime(2025, 3, 3, tzinfo=UTC)
SUBSCRIBE_AT = timedelta(hours=6)
FIRST_TICK = timedelta(hours=7)
LAST_TICK = timedelta(hours=22)
TICK_EVERY = timedelta(minutes=30)
COME_BACK_AT = timedelta(hours=8)
LAST_ANSWERS_AT = timedelta(hours=23)


class Deployment(Protocol):
    """The bot as the simulation drives it (`nudgebot.app.simulated_deployment` builds it)."""

    @property
    def library(self) -> ContentLibrary:
        """The content library the bot serves."""
        ...

    async def subscribe(self, chat_id: int, language: str, now: datetime) -> None:
        """The person sends /start."""
        ...

    async def tick(self, now: datetime) -> None:
        """The dispatcher: plan and send everything due at `now`."""
        ...

    async def answer_many(self, presses: Sequence[Press]) -> None:
        """Button presses (each with its own time), in order, in one transaction."""
        ...

    async def reply(self, chat_id: int, now: datetime) -> None:
        """The person writes any text message (this ends a pause for silence)."""
        ...


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
            loop = _PolicyRun(deployment, sender, behaviour, metrics)
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


class _PolicyRun:
    """One policy's run: the clock, the pending answers and the reactions to each inbox."""

    def __init__(
        self,
        deployment: Deployment,
        sender: SimulatedTelegram,
        behaviour: Behaviour,
        metrics: PolicyMetrics,
    ) -> None:
        self._deployment = deployment
        self._sender = sender
        self._behaviour = behaviour
        self._population = behaviour.population
        self._metrics = metrics
        self._pending: list[Press] = []
        if tuple(deployment.library.tips) != self._population.tip_ids:
            raise ValueError("the bot's content library is not the one the people were made for")
        self._options = _option_ids(deployment.library, self._population.tip_ids)

    async def run(self, people: range, days: int, progress: _ShardProgress | _SharedDays) -> None:
        population = self._population
        self._behaviour.start_day(0)
        for person in people:
            await self._deployment.subscribe(
                population.chat_id(person), population.language_of(person), START + SUBSCRIBE_AT
            )
        self._react(self._sender.drain(), START + SUBSCRIBE_AT, 0)
        for day in range(days):
            await self._day(day)
            progress.day_done(day + 1)

    async def _day(self, day: int) -> None:
        if day > 0:
            self._behaviour.start_day(day)
        midnight = START + timedelta(days=day)
        at = FIRST_TICK
        while at <= LAST_TICK:
            now = midnight + at
            if at == COME_BACK_AT:
                await self._come_back(now, day)
            await self._press_answers_given_by(now, day)
            await self._deployment.tick(now)
            self._react(self._sender.drain(), now, day)
            at += TICK_EVERY
        await self._press_answers_given_by(midnight + LAST_ANSWERS_AT, day)

    async def _come_back(self, now: datetime, day: int) -> None:
        for person in self._behaviour.coming_back().tolist():
            await self._deployment.reply(self._population.chat_id(person), now)
        self._react(self._sender.drain(), now, day)

    async def _press_answers_given_by(self, now: datetime, day: int) -> None:
        due = [press for press in self._pending if press.at <= now]
        if not due:
            return
        self._pending = [press for press in self._pending if press.at > now]
        due.sort(key=lambda press: press.at)
        await self._deployment.answer_many(due)
        self._react(self._sender.drain(), now, day)

    def _react(self, inbox: Inbox, now: datetime, day: int) -> None:
        for chat_id, _delivery_id, kind in inbox.notices:
            self._behaviour.notice(self._population.person_of(chat_id), kind)
        if inbox.tips:
            self._react_to_tips(inbox.tips, now, day)
        if inbox.wellbeing:
            self._react_to_wellbeing(inbox.wellbeing, now)

    def _react_to_tips(
        self, received: list[tuple[int, int, str]], now: datetime, day: int
    ) -> None:
        population = self._population
        chats = np.array([chat for chat, _, _ in received], dtype=np.int64)
        try:
            tips = np.array([population.tip_index[tip] for _, _, tip in received], dtype=np.int64)
        except KeyError as error:
            raise RuntimeError(f"the bot sent a tip the library lacks: {error}") from error
        result = self._behaviour.react_to_tips(chats - FIRST_CHAT_ID, tips)
        self._metrics.record_tips(day, result.topics, result.reactions)
        reactions = result.reactions.tolist()
        delays = result.delays_minutes.tolist()
        tip_list = tips.tolist()
        for k in np.flatnonzero(result.reactions).tolist():
            chat_id, delivery_id, _ = received[k]
            option = self._options[tip_list[k]][reactions[k]]
            self._pending.append(
                Press(chat_id, delivery_id, option, now + timedelta(minutes=delays[k]))
            )

    def _react_to_wellbeing(self, received: list[tuple[int, int]], now: datetime) -> None:
        chats = np.array([chat for chat, _ in received], dtype=np.int64)
        result = self._behaviour.react_to_wellbeing(chats - FIRST_CHAT_ID)
        self._metrics.record_wellbeing(result.answered)
        questions = self._population.question_ids
        scores = result.scores.tolist()
        delays = result.delays_minutes.tolist()
        for k in np.flatnonzero(result.answered).tolist():
            chat_id, delivery_id = received[k]
            answered_at = now + timedelta(minutes=delays[k])
            for q, question in enumerate(questions):
                # A few seconds per question, in the order the check-in asks them.
                at = answered_at + timedelta(seconds=5 * q)
                self._pending.append(
                    Press(chat_id, delivery_id, wellbeing_option(question, scores[k][q]), at)
                )


def _option_ids(library: ContentLibrary, tip_ids: tuple[str, ...]) -> list[list[str]]:
    """For each tip (by index), the option id of each Reaction (NONE has none: "")."""
    outcome_of = {
        Reaction.DONE: Outcome.DONE,
        Reaction.LATER: Outcome.LATER,
        Reaction.NOT_FOR_ME: Outcome.NOT_FOR_ME,
    }
    table: list[list[str]] = []
    for tip_id in tip_ids:
        options = library.checkin_for(library.tips[tip_id]).options
        by_outcome = {option.outcome: option.id for option in reversed(options)}
        table.append(
            [
                by_outcome[outcome_of[reaction]] if reaction in outcome_of else ""
                for reaction in Reaction
            ]
        )
    return table
