"""The labelled messages the safety rules are measured on, and the figures they reach.

`messages/safety-corpus/<part>/<label>.<language>.txt` holds one message per line (`#` starts a
comment). Labels: `crisis` and `red_flag` are messages the screen must catch; `like_crisis` and
`like_red_flag` are ordinary messages that use the same words, which it must let through.

The parts differ in who may look: `tuning` is what the rules are written against, message by
message; `validation` was written apart and only its figures are read, to choose between two
ways of writing a rule; `held-out` was written apart too and is measured once a change is done,
so its figures say how the rules do on wording nobody tuned them for.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from nudgebot.content.safety import SafetyRules
from nudgebot.content.screening import SafetyKind, Screening

CORPUS_FOLDER = "safety-corpus"
PARTS = ("tuning", "validation", "held-out")
_LOOK_ALIKE_PREFIX = "like_"


@dataclass(frozen=True)
class CorpusMessage:
    """One labelled message and where it is written."""

    part: str
    kind: SafetyKind
    # False for an ordinary message written to look like `kind`.
    worrying: bool
    language: str
    text: str
    where: str


@dataclass(frozen=True)
class Figure:
    """How the rules do on one part, kind and language."""

    part: str
    kind: SafetyKind
    language: str
    caught: int
    worrying: int
    false_alarms: int
    ordinary: int

    @property
    def recall(self) -> float:
        """The share of worrying messages given a verdict of their kind (sure or ask)."""
        return self.caught / self.worrying if self.worrying else 1.0

    @property
    def false_alarm_rate(self) -> float:
        """The share of look-alike ordinary messages given any verdict at all."""
        return self.false_alarms / self.ordinary if self.ordinary else 0.0

    def __str__(self) -> str:
        return (
            f"{self.part:10} {self.kind.value:8} {self.language}: recall {self.recall:6.1%} "
            f"({self.caught}/{self.worrying}), false alarms {self.false_alarm_rate:5.1%} "
            f"({self.false_alarms}/{self.ordinary})"
        )


def read_corpus(directory: Path) -> list[CorpusMessage]:
    """Every message under `directory` (a `safety-corpus` folder); none when it is missing."""
    messages: list[CorpusMessage] = []
    for part in PARTS:
        for path in sorted((directory / part).glob("*.txt")):
            label, _, language = path.stem.partition(".")
            worrying = not label.startswith(_LOOK_ALIKE_PREFIX)
            try:
                kind = SafetyKind(label.removeprefix(_LOOK_ALIKE_PREFIX))
            except ValueError:
                continue
            lines = path.read_text(encoding="utf-8").splitlines()
            messages.extend(
                CorpusMessage(part, kind, worrying, language, line.strip(), f"{path}:{number}")
                for number, line in enumerate(lines, start=1)
                if line.strip() and not line.lstrip().startswith("#")
            )
    return messages


def is_caught(message: CorpusMessage, screening: Screening) -> bool:
    """Whether the screen did right by `message`: its kind found, or nothing found."""
    found = screening.crisis if message.kind is SafetyKind.CRISIS else screening.red_flag
    if message.worrying:
        return found is not None
    return screening.verdict is None


@dataclass(frozen=True)
class Measurement:
    """The figures of a corpus, and the messages the rules got wrong, from one screening."""

    figures: list[Figure]
    wrong: list[CorpusMessage]


def measure(rules: SafetyRules, messages: Iterable[CorpusMessage]) -> Measurement:
    """Recall and false alarms per part, kind and language, in a stable order, screening each
    message once; and the messages got wrong: worrying ones missed, ordinary ones flagged."""
    counts: dict[tuple[str, SafetyKind, str], list[int]] = {}
    wrong = []
    for message in messages:
        tally = counts.setdefault((message.part, message.kind, message.language), [0, 0, 0, 0])
        right = is_caught(message, rules.screen(message.text))
        if not right:
            wrong.append(message)
        if message.worrying:
            tally[0] += right
            tally[1] += 1
        else:
            tally[2] += not right
            tally[3] += 1
    figures = [
        Figure(part, kind, language, *tally)
        for (part, kind, language), tally in sorted(
            counts.items(), key=lambda item: (PARTS.index(item[0][0]), item[0][1], item[0][2])
        )
    ]
    return Measurement(figures, wrong)
