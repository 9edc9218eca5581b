"""What a tip policy knows about one subscriber when it chooses: their history, kept small.

The database layer builds these views from the ledger (deliveries and answers) and the kept
per-topic bandit state; the simulation builds them the same way, through the same services.
Everything here is plain data, so policies stay pure and testable without a database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

import numpy as np

from nudgebot.adaptation.crowd import CrowdModel
from nudgebot.content.library import ContentLibrary
from nudgebot.content.schema import TimeOfDay


class TipHistory(Protocol):
    """One tip in one subscriber's history, as a policy reads it.

    A protocol rather than one class, so that the rows the database layer reads fit as they
    are: copying tens of them into objects of our own for every choice cost more than reading
    them. `TipRecord` is the plain one, for tests and tools.
    """

    @property
    def times_sent(self) -> int: ...
    @property
    def times_done(self) -> int: ...
    @property
    def last_sent(self) -> date: ...
    @property
    def last_done(self) -> date | None: ...

    # Their latest answer to any sending of it was "Not for me": never again.
    @property
    def not_for_me(self) -> bool: ...


class TopicState(Protocol):
    """The kept bandit state of one subscriber in one topic (counts over answered tips).

    `successes` counts "did it"; `failures` counts tips answered otherwise and, at half weight,
    tips left unanswered, so silence is weak evidence and an explicit answer strong evidence.
    A protocol for the same reason as `TipHistory`; `TopicRecord` is the plain one.
    """

    @property
    def successes(self) -> float: ...
    @property
    def failures(self) -> float: ...
    @property
    def last_sent(self) -> date | None: ...

    # "Did it" answers in a row in this topic; difficulty rises with it.
    @property
    def done_streak(self) -> int: ...


@dataclass(frozen=True)
class TipRecord:
    """A `TipHistory` of our own making."""

    times_sent: int
    times_done: int
    last_sent: date
    last_done: date | None = None
    not_for_me: bool = False


@dataclass(frozen=True)
class TopicRecord:
    """A `TopicState` of our own making."""

    successes: float = 0.0
    failures: float = 0.0
    last_sent: date | None = None
    done_streak: int = 0


@dataclass(frozen=True)
class WellbeingScore:
    """One wellbeing answer: which question, for which of the subscriber's days, 1-5."""

    question_id: str
    day: date
    score: int


@dataclass(frozen=True)
class LearnerView:
    """One subscriber on the day a tip is chosen for them."""

    today: date
    time_of_day: TimeOfDay
    # Telegram chat id: policies ignore it, except the simulation's oracle, which looks up the
    # simulated person's hidden preferences by it.
    chat_id: int = 0
    tips: Mapping[str, TipHistory] = field(default_factory=dict)
    topics: Mapping[str, TopicState] = field(default_factory=dict)
    # Their chosen topics; None means all of them.
    chosen_topics: frozenset[str] | None = None
    # Tags held back after a gut red flag (food), whatever the topic.
    held_tags: frozenset[str] = frozenset()
    # Wellbeing answers of the last few days, any order.
    wellbeing: tuple[WellbeingScore, ...] = ()
    # Tips and check-ins sent in a row without any reply: 3 or more means "go gentle".
    unanswered_streak: int = 0
    # Their language, when it is not the library's default: translated tips come first.
    language: str | None = None


@dataclass(frozen=True)
class TipChoice:
    """The chosen tip, the policy that chose it and the probability it had of being chosen."""

    tip_id: str
    policy: str
    propensity: float


class TipPolicy(Protocol):
    """Chooses the next tip for one subscriber; None when nothing is eligible."""

    @property
    def name(self) -> str:
        """The policy's name, stored with every delivery it chose."""
        ...

    @property
    def reads_crowd(self) -> bool:
        """Whether `choose` uses the crowd model: fitting one is not free, so the tip chooser
        hands the policies that ignore it an uninformed model instead."""
        ...

    def choose(
        self,
        library: ContentLibrary,
        view: LearnerView,
        crowd: CrowdModel,
        rng: np.random.Generator,
    ) -> TipChoice | None:
        """The next tip for the subscriber `view` describes."""
        ...
