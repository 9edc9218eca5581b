"""A shard's simulated days: the real bot, a simulated clock, simulated people.

Every simulated person subscribes on day 1 at 06:00 UTC. Each day the clock ticks every 30
minutes from 07:00 to 22:00 UTC (nudges go out at 09:00, the wellbeing check-in at 19:30, a tip
put off with "Later" at the first tick after it is due again). Before each tick the answers
that have come in since the last one are pressed, in the order they were given; after it, the
people react to what they received. Answers to the last tick are pressed at 23:00. People
paused for silence may write again at 08:00.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Protocol

import numpy as np

from nudgebot.content.library import ContentLibrary
from nudgebot.content.rendering import wellbeing_option
from nudgebot.content.schema import Outcome
from nudgebot.services import Press
from nudgebot.simulation.behaviour import Behaviour, Reaction
from nudgebot.simulation.metrics import PolicyMetrics
from nudgebot.simulation.people import FIRST_CHAT_ID
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


class DaysDone(Protocol):
    """Where a shard reports how many of its days are done."""

    def day_done(self, days_done: int) -> None:
        """`days_done` days of the shard's run are over."""
        ...


class ShardDays:
    """One shard's run of one policy: the clock, the pending answers and the reactions to each
    inbox."""

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

    async def run(self, people: range, days: int, progress: DaysDone) -> None:
        """Subscribe `people`, then live `days` days."""
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
