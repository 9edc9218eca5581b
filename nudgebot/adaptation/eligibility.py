"""Which tips may go to a subscriber today, before any policy weighs them.

Every policy (the adaptive one, the baselines, the simulation's oracle) chooses among
`eligible_tips`, so comparing policies compares how they choose, never what they may choose.

Hard rules hold always: the subscriber's chosen topics, never a tip they marked "Not for me",
a follow-up only once its prerequisite was done, and no tip carrying a tag that a recent low
wellbeing score rules out (after low gut comfort, no high-FODMAP tips).

Soft rules give way, least important first, when nothing would be left: time of day, then
difficulty, then cooldown (see `BREAKS_TIME_OF_DAY`). Tips in the subscriber's language come
first of all, while there are any.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

from nudgebot.adaptation.learner import LearnerView, WellbeingScore
from nudgebot.content.library import ContentLibrary
from nudgebot.content.schema import LowScoreResponse, TimeOfDay, Tip

# Unanswered nudges in a row after which the subscriber gets only the easiest, shorter tips:
# three silent days read as "too much", and a lighter tip is likelier to win them back than
# the same tip again.
SILENT_AFTER_UNANSWERED = 3
# "Did it" answers in a row in a topic that unlock each harder level: after 2 in a row
# difficulty 2 may come, after 4 difficulty 3. Two successes are a trend rather than luck, and
# the gap to the next step keeps one good week from jumping straight to the hardest tips.
DIFFICULTY_STEPS = (2, 4)
EASIEST = 1


# Soft rules: they may give way, and their bit values are the order of giving way. A tip's
# broken soft rules form a mask. In each topic, the smallest mask among the tips that pass the
# hard rules is the least relaxation that leaves something, and compared as integers the
# masks order relaxations lexicographically: time of day alone gives way first, then
# difficulty alone, then both, and cooldown only when every tip of the topic is cooling down.
# Only tips whose mask is exactly their topic's smallest are eligible.
# (Plain ints rather than an IntFlag: they are combined in an array, one mask per tip.)
#
# A morning tip in the evening is a small mismatch: the subscriber can still act tomorrow.
BREAKS_TIME_OF_DAY = 1
# A harder tip than earned risks a "not today", but it is still new to them.
BREAKS_DIFFICULTY = 2
# A repeat is the one thing a subscriber notices at once, so it gives way last.
BREAKS_COOLDOWN = 4
_TRANSLATED_FIELDS = ("title", "text", "action", "why")

Ints = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


def eligible_tips(library: ContentLibrary, view: LearnerView) -> list[Tip]:
    """The tips any policy may send the subscriber `view` describes, in library order.

    Only tips in the subscriber's language while there are any. Then in each topic, the tips
    that pass every rule when there are any; otherwise that topic's soft rules give way in a
    fixed order (time of day, difficulty, then cooldown), never the hard ones. When only
    cooling tips are left in a topic, it offers the one it sent longest ago. Relaxing per
    topic, not over the whole library, keeps every topic the subscriber may get on offer:
    otherwise a topic they love would drop out as soon as its easy, on-time, unseen tips ran
    out, and every policy would be pushed to topics they don't want. Which topic wins is the
    policy's choice. Empty only when the hard rules leave nothing (every tip in the chosen
    topics "Not for me" or ruled out by a low score).
    """
    table = _TipTable.of(library)
    history = _History.of(table, view)
    candidates = _passing_hard_rules(library, table, history, view)
    # The subscriber's language comes before every other preference, across the library: a
    # repeat they can read beats a new tip they may not (relaxed only when nothing is
    # translated at all).
    if view.language is not None:
        translated = candidates & table.translated_into(view.language)
        if translated.any():
            candidates = translated
    broken = _broken_soft_rules(library, table, history, view)
    topics = table.topic[candidates]
    least = np.full(len(table.topic_ids), _NONE_LEFT)
    np.minimum.at(least, topics, broken[candidates])
    admitted = candidates & (broken == least[table.topic])
    cooling = admitted & ((least[table.topic] & BREAKS_COOLDOWN) != 0)
    if cooling.any():
        # Only the tip of each such topic sent longest ago (cooling tips all have a record).
        oldest = np.full(len(table.topic_ids), _NONE_LEFT)
        np.minimum.at(oldest, table.topic[cooling], history.last_sent[cooling])
        admitted &= ~cooling | (history.last_sent == oldest[table.topic])
    return [table.tips[index] for index in np.flatnonzero(admitted).tolist()]


def is_silent(view: LearnerView) -> bool:
    """Whether the subscriber left enough nudges unanswered in a row to go gentle."""
    return view.unanswered_streak >= SILENT_AFTER_UNANSWERED


def _cap_of_streak(streak: int) -> int:
    """The hardest difficulty a run of `streak` "did it" answers in a topic has earned."""
    return EASIEST + sum(streak >= step for step in DIFFICULTY_STEPS)


def follow_ups_due(view: LearnerView) -> frozenset[str]:
    """The tips the subscriber did yesterday: a tip whose prerequisite is one of them is a
    follow-up due today, the best day to send it (the step is fresh in their mind)."""
    yesterday = view.today - timedelta(days=1)
    return frozenset(
        tip_id for tip_id, record in view.tips.items() if record.last_done == yesterday
    )


def active_low_score_responses(
    library: ContentLibrary, scores: Iterable[WellbeingScore], day: date
) -> Iterator[LowScoreResponse]:
    """The library's responses to a subscriber's recent low wellbeing scores, in force on `day`.

    A score given on day D counts from D to D + `days` inclusive: the check-in comes in the
    evening, after that day's tip, so `days` counts the days after the answer (as the schema
    says), and the same day is included for a nudge sent after the check-in.
    """
    for score in scores:
        question = library.wellbeing.get(score.question_id)
        if question is None or question.when_low is None:
            continue
        response = question.when_low
        age = (day - score.day).days
        if score.score <= response.at_most and 0 <= age <= response.days:
            yield response


def low_score_horizon(library: ContentLibrary) -> timedelta | None:
    """How far back a wellbeing score can still be in force: the longest `when_low.days` of the
    library's questions (None: no low score changes anything).

    Whoever gathers a view's `wellbeing` need read no further back: a subscriber answers three
    questions a day, and the schema's bound (14 days) would read several times the scores that
    can matter.
    """
    days = [q.when_low.days for q in library.wellbeing.values() if q.when_low is not None]
    return timedelta(days=max(days)) if days else None


def avoided_tags(
    library: ContentLibrary, scores: Iterable[WellbeingScore], day: date
) -> frozenset[str]:
    """Tags no tip may carry on `day` because of a recent low wellbeing score."""
    return frozenset(
        tag
        for response in active_low_score_responses(library, scores, day)
        for tag in response.avoid_tags
    )


def raised_topics(library: ContentLibrary, view: LearnerView) -> frozenset[str]:
    """Topics a recent low wellbeing score brings forward (a low sleep score: sleep)."""
    return frozenset(
        topic
        for response in active_low_score_responses(library, view.wellbeing, view.today)
        for topic in response.raise_topics
    )


# Larger than any mask and any day number: "none yet" for the per-topic minimums.
_NONE_LEFT = np.iinfo(np.int64).max
_TIMES = tuple(TimeOfDay)


@dataclass(frozen=True)
class _TipTable:
    """The library's tips as columns, for rules applied to every tip at once.

    Built once per library (a choice runs the rules over all of its tips; one tip at a time,
    in Python, they were a quarter of a choice's cost) and dropped with it.
    """

    tips: tuple[Tip, ...]
    index: dict[str, int]
    topic_ids: tuple[str, ...]
    topic_code: dict[str, int]
    topic: Ints
    difficulty: Ints
    time_of_day: Ints
    cooldown_days: Ints
    has_prerequisite: Bools
    # The prerequisite's position, -1 without one or with one missing from this library.
    prerequisite: Ints
    tags: tuple[frozenset[str], ...]
    _translated: dict[str, Bools] = field(default_factory=dict)

    @staticmethod
    def of(library: ContentLibrary) -> _TipTable:
        """The table of `library`'s tips, built on first use and kept with the library."""
        return library.derived(_TipTable, lambda: _TipTable.build(library))

    @staticmethod
    def build(library: ContentLibrary) -> _TipTable:
        tips = tuple(library.tips.values())
        index = {tip.id: position for position, tip in enumerate(tips)}
        # The library's topics first, in order; a tip's topic missing from them (never, once
        # the library is checked) gets a code of its own.
        topic_ids = tuple(dict.fromkeys([*library.topics, *(tip.topic for tip in tips)]))
        topic_code = {topic: code for code, topic in enumerate(topic_ids)}
        return _TipTable(
            tips=tips,
            index=index,
            topic_ids=topic_ids,
            topic_code=topic_code,
            topic=np.array([topic_code[tip.topic] for tip in tips], dtype=np.int64),
            difficulty=np.array([tip.difficulty for tip in tips], dtype=np.int64),
            time_of_day=np.array([_TIMES.index(tip.time_of_day) for tip in tips], dtype=np.int64),
            cooldown_days=np.array([tip.cooldown_days for tip in tips], dtype=np.int64),
            has_prerequisite=np.array([tip.prerequisite is not None for tip in tips], dtype=bool),
            prerequisite=np.array(
                [index.get(tip.prerequisite, -1) if tip.prerequisite else -1 for tip in tips],
                dtype=np.int64,
            ),
            tags=tuple(frozenset(tip.tags) for tip in tips),
        )

    def translated_into(self, language: str) -> Bools:
        """Which tips have every part a subscriber reads in `language`."""
        known = self._translated.get(language)
        if known is None:
            known = np.array([_translated(tip, language) for tip in self.tips], dtype=bool)
            self._translated[language] = known
        return known


@dataclass(frozen=True)
class _History:
    """The subscriber's record of each library tip, as columns (one pass over their records)."""

    sent: Bools
    # Day numbers (date.toordinal); meaningless where `sent` is False.
    last_sent: Ints
    done: Bools
    not_for_me: Bools

    @staticmethod
    def of(table: _TipTable, view: LearnerView) -> _History:
        count = len(table.tips)
        sent = np.zeros(count, dtype=bool)
        last_sent = np.zeros(count, dtype=np.int64)
        done = np.zeros(count, dtype=bool)
        not_for_me = np.zeros(count, dtype=bool)
        for tip_id, record in view.tips.items():
            position = table.index.get(tip_id)
            if position is None:  # retired from the library
                continue
            sent[position] = True
            last_sent[position] = record.last_sent.toordinal()
            done[position] = record.last_done is not None
            not_for_me[position] = record.not_for_me
        return _History(sent, last_sent, done, not_for_me)


def _passing_hard_rules(
    library: ContentLibrary, table: _TipTable, history: _History, view: LearnerView
) -> Bools:
    """The hard rules, never relaxed: the subscriber's topics, never a tip marked "Not for me",
    no tag a recent low score or a red-flag hold rules out, and a follow-up only after its
    first step was done ("taste your sauerkraut" reads as nonsense before "make sauerkraut")."""
    passing = ~history.not_for_me
    if view.chosen_topics is not None:
        chosen = np.array([topic in view.chosen_topics for topic in table.topic_ids], dtype=bool)
        passing &= chosen[table.topic]
    avoided = avoided_tags(library, view.wellbeing, view.today) | view.held_tags
    if avoided:
        passing &= np.array([not (avoided & tags) for tags in table.tags], dtype=bool)
    in_table = table.prerequisite >= 0
    first_step_done = in_table & history.done[np.where(in_table, table.prerequisite, 0)]
    # A first step missing from the library chosen from (Telegram refused its text, so it is
    # left out) still has to have been done: its follow-up would read as nonsense otherwise.
    for position in np.flatnonzero(table.has_prerequisite & ~in_table).tolist():
        record = view.tips.get(table.tips[position].prerequisite or "")
        first_step_done[position] = record is not None and record.last_done is not None
    return passing & (~table.has_prerequisite | first_step_done)


def _broken_soft_rules(
    library: ContentLibrary, table: _TipTable, history: _History, view: LearnerView
) -> Ints:
    """The mask of soft rules each tip breaks (see `BREAKS_TIME_OF_DAY`)."""
    broken = np.zeros(len(table.tips), dtype=np.int64)
    # A slot of ANY time (none known) takes every tip, as does a tip for ANY time.
    if view.time_of_day is not TimeOfDay.ANY:
        fits = (table.time_of_day == _TIMES.index(TimeOfDay.ANY)) | (
            table.time_of_day == _TIMES.index(view.time_of_day)
        )
        broken[~fits] |= BREAKS_TIME_OF_DAY
    # A follow-up's done prerequisite is the ramp its author designed, so it may exceed the
    # streak's level. Silence caps every topic at the easiest level, follow-ups included. A
    # topic missing from the library's topics gets the cap of a topic without any streak.
    silent = is_silent(view)
    caps = np.full(len(table.topic_ids), EASIEST, dtype=np.int64)
    if not silent:
        for topic, record in view.topics.items():
            code = table.topic_code.get(topic)
            if code is not None and topic in library.topics:
                caps[code] = _cap_of_streak(record.done_streak)
    capped = np.ones_like(history.sent) if silent else ~table.has_prerequisite
    broken[capped & (table.difficulty > caps[table.topic])] |= BREAKS_DIFFICULTY
    today = view.today.toordinal()
    cooling = history.sent & (history.last_sent + table.cooldown_days > today)
    broken[cooling] |= BREAKS_COOLDOWN
    return broken


def _translated(tip: Tip, language: str) -> bool:
    # A plain string is the library's default language, which the caller leaves out (None).
    for name in _TRANSLATED_FIELDS:
        value = getattr(tip, name)
        if isinstance(value, str) or language not in value:
            return False
    return True
