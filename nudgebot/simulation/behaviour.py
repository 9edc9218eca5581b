"""How the simulated people react to what they receive, day by day.

The model, for a tip: the person answers at all with `answer_probability`. If they answer,
they did it with their hidden chance (see `people.py`); if not, a tip of a disliked topic gets
"Not for me" with the group's `not_for_me` chance, and everything else gets "Later". Answers come
1-59 minutes after the message. A wellbeing check-in is answered with the same
`answer_probability`, one score per question: the person's mean plus normal noise of
`wellbeing_noise`, rounded and kept within 1-5. A person the bot paused for silence (the
"dormant" notice) writes to the bot again each morning with the group's `comes_back` chance.

Random numbers are common to all policies: person i's k-th message on day d always uses the same
draws, whichever policy sent it, so the policies are compared on the same luck.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from nudgebot.simulation.people import FATIGUE_DAYS, Flags, Floats, Ints, Population

PEOPLE_MODEL = """\
how simulated people behave:
  A tip: they answer at all with answer_probability. If they answer, "Did it" with their hidden
  chance: the topic's do_probability (plus personal noise of spread) times the tip's tag and
  difficulty factors (capped at 1), times (1 - fatigue) per tip of that topic in the previous
  3 days. Otherwise "Not for me" on a disliked topic with the not_for_me chance, else "Later".
  Answers come 1-59 minutes after the message.
  A wellbeing check-in: answered with answer_probability, each question scored
  round(mean + wellbeing_noise * normal), kept within 1-5.
  Paused by the bot after days of silence, they write again each morning with comes_back.
  Everyone is in UTC; the clock ticks every 30 minutes from 07:00 to 22:00.
"""

# Draws prepared per person and day; the k-th message of a day uses slot k (mod this).
MESSAGE_SLOTS = 8
_DAY_STREAM = 1
_ANSWER, _DO, _NOT_FOR_ME, _DELAY = range(4)
# Answers come this many minutes after the message, at the earliest and at the latest.
FIRST_MINUTE, LAST_MINUTE = 1.0, 59.0


class Reaction(IntEnum):
    """What a person pressed under a tip (NONE: nothing)."""

    NONE = 0
    DONE = 1
    LATER = 2
    NOT_FOR_ME = 3


@dataclass(frozen=True)
class TipReactions:
    """Reactions to a batch of tips, one entry per tip in the batch's order."""

    reactions: Ints
    delays_minutes: Floats
    topics: Ints


@dataclass(frozen=True)
class WellbeingReactions:
    """Answers to a batch of wellbeing check-ins; scores are (check-ins, questions)."""

    answered: Flags
    scores: Ints
    delays_minutes: Floats


class Behaviour:
    """The people of one run: their fatigue, pauses and the day's random draws."""

    def __init__(self, population: Population, seed: int) -> None:
        self.population = population
        self._seed = seed
        size, topics = population.size, len(population.topic_ids)
        self._days = np.zeros((FATIGUE_DAYS, size, topics), dtype=np.int16)
        self._today = np.zeros((size, topics), dtype=np.int16)
        # Tips per topic each person received in the previous FATIGUE_DAYS days.
        self.recent = np.zeros((size, topics), dtype=np.int64)
        self._messages_today = np.zeros(size, dtype=np.int64)
        self.paused = np.zeros(size, dtype=np.bool_)
        self.ever_dormant = np.zeros(size, dtype=np.bool_)
        self._day = -1
        self._uniform = np.zeros((size, MESSAGE_SLOTS, 4))
        self._normal = np.zeros((size, MESSAGE_SLOTS, len(population.question_ids)))
        self._come_back = np.zeros(size)

    def start_day(self, day: int) -> None:
        """Move to day `day` (0-based): fatigue shifts by a day, fresh draws for everyone."""
        if self._day >= 0:
            self._days[self._day % FATIGUE_DAYS] = self._today
            self._today[:] = 0
        self._day = day
        # The slots hold the previous FATIGUE_DAYS days; today's goes over the oldest at its end.
        self.recent = self._days.sum(axis=0, dtype=np.int64)
        size = self.population.size
        rng = np.random.default_rng([self._seed, _DAY_STREAM, day])
        self._uniform = rng.random((size, MESSAGE_SLOTS, 4))
        self._normal = rng.standard_normal(
            (size, MESSAGE_SLOTS, len(self.population.question_ids))
        )
        self._come_back = rng.random(size)
        self._messages_today[:] = 0

    def do_probability_today(self, person: int, tips: Ints) -> Floats:
        """The hidden chance that `person` does each of `tips` if it came now (for the oracle)."""
        people = np.full(len(tips), person, dtype=np.int64)
        recent = self.recent[person, self.population.tip_topic[tips]]
        return self.population.do_probability(people, tips, recent)

    def react_to_tips(self, people: Ints, tips: Ints) -> TipReactions:
        """Each person's reaction to the tip they just received (tips[i] went to people[i])."""
        population = self.population
        draws = self._uniform[people, self._slots(people)]
        topics = population.tip_topic[tips]
        done_chance = population.do_probability(people, tips, self.recent[people, topics])
        answers = draws[:, _ANSWER] < population.answer_probability[people]
        done = answers & (draws[:, _DO] < done_chance)
        refused = (
            answers
            & ~done
            & population.disliked[people, topics]
            & (draws[:, _NOT_FOR_ME] < population.not_for_me[people])
        )
        reactions = np.where(
            done,
            Reaction.DONE,
            np.where(
                refused, Reaction.NOT_FOR_ME, np.where(answers, Reaction.LATER, Reaction.NONE)
            ),
        ).astype(np.int64)
        np.add.at(self._today, (people, topics), 1)
        return TipReactions(reactions, self._delays(draws), topics)

    def react_to_wellbeing(self, people: Ints) -> WellbeingReactions:
        """Each person's answers to the wellbeing check-in they just received."""
        population = self.population
        slots = self._slots(people)
        draws = self._uniform[people, slots]
        answered = draws[:, _ANSWER] < population.answer_probability[people]
        noisy = (
            population.wellbeing_mean[people]
            + population.wellbeing_noise[people, None] * self._normal[people, slots]
        )
        scores = np.clip(np.rint(noisy), 1, 5).astype(np.int64)
        return WellbeingReactions(answered, scores, self._delays(draws))

    def notice(self, person: int, kind: str) -> None:
        """A notice from the bot: "dormant" pauses the person, "resume" ends a pause."""
        if kind == "dormant":
            self.paused[person] = True
            self.ever_dormant[person] = True
        elif kind == "resume":
            self.paused[person] = False

    def coming_back(self) -> Ints:
        """People paused for silence who write to the bot again this morning (no longer paused)."""
        back = np.flatnonzero(self.paused & (self._come_back < self.population.comes_back))
        self.paused[back] = False
        return back.astype(np.int64)

    def _slots(self, people: Ints) -> Ints:
        """The draw slot of each message: the person's count of messages today so far."""
        if len(people) == 0:
            return people
        order = np.argsort(people, kind="stable")
        ordered = people[order]
        # Rank of each message among the batch's messages to the same person.
        starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        run_lengths = np.diff(np.r_[starts, len(ordered)])
        rank = np.empty_like(people)
        rank[order] = np.arange(len(ordered)) - np.repeat(starts, run_lengths)
        slots = self._messages_today[people] + rank
        np.add.at(self._messages_today, people, 1)
        return slots % MESSAGE_SLOTS

    @staticmethod
    def _delays(draws: Floats) -> Floats:
        return FIRST_MINUTE + draws[:, _DELAY] * (LAST_MINUTE - FIRST_MINUTE)
