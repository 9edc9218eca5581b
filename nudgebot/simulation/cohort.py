"""The cohort file: groups of simulated subscribers and their hidden habits, validated.

A cohort is YAML (or JSON, which YAML reads too). Every problem is reported compiler-style, as
`file:line:column: key.path: message`, so a typo in a cohort reads like one in `messages/`.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from nudgebot.content.library import ContentLibrary
from nudgebot.content.problems import Problem
from nudgebot.content.yaml_source import KeyPath, YamlSource, format_path, read_yaml

Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Score = Annotated[float, Field(ge=1.0, le=5.0)]

COHORT_FORMAT = """\
cohort file (YAML or JSON):
  name: mixed                       # optional; shown in the table and the chart
  description: ...                  # optional
  groups:                           # one or more
    - name: fermenters              # required, distinct
      count: 2500                   # required: how many people (--users rescales all groups)
      language: en                  # default en
      answer_probability: 0.8       # chance of answering a message at all (default 0.7)
      do_probability:               # hidden chance of doing a tip, given they answer
        default: 0.2                #   any topic not listed (default 0.2)
        topics: {fermented-foods: 0.7, sleep: 0.05}    # per topic id: replaces the default
        tags: {dairy: 0.5, quick: 1.3}                 # per tag: multiplies (capped at 1)
        difficulty: {2: 0.9, 3: 0.7}                   # per tip difficulty 1-3: multiplies
      spread: 0.05                  # per-person noise (std) on each topic's chance (default 0.05)
      fatigue: 0.1                  # each tip of the same topic in the previous 3 days
                                    #   multiplies the chance by (1 - fatigue) (default 0.1)
      dislike_below: 0.15           # topics below this chance are disliked (default 0.15)
      not_for_me: 0.6               # an undone disliked tip gets "Not for me" with this
                                    #   chance, otherwise "Later" (default 0.5)
      wellbeing: {mood: 3.5, gut_comfort: 2.5}   # mean score 1-5 per question (default 3)
      wellbeing_noise: 0.7          # std of the daily score around the mean (default 0.7)
      comes_back: 0.1               # daily chance that a person paused for silence writes
                                    #   to the bot again (default 0.1)
"""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DoProbability(_Strict):
    """The hidden chance of doing a tip: per topic, adjusted by the tip's tags."""

    default: Probability = 0.2
    topics: dict[str, Probability] = Field(default_factory=dict)
    tags: dict[str, Annotated[float, Field(ge=0.0)]] = Field(default_factory=dict)
    difficulty: dict[Annotated[int, Field(ge=1, le=3)], Annotated[float, Field(ge=0.0)]] = Field(
        default_factory=dict
    )


class Group(_Strict):
    """People who share their hidden habits (each with a little personal noise)."""

    name: Annotated[str, Field(min_length=1)]
    count: Annotated[int, Field(ge=0)]
    language: str = "en"
    answer_probability: Probability = 0.7
    do_probability: DoProbability = Field(default_factory=DoProbability)
    spread: Annotated[float, Field(ge=0.0, le=0.5)] = 0.05
    fatigue: Probability = 0.1
    dislike_below: Probability = 0.15
    not_for_me: Probability = 0.5
    wellbeing: dict[str, Score] = Field(default_factory=dict)
    wellbeing_noise: Annotated[float, Field(ge=0.0, le=3.0)] = 0.7
    comes_back: Probability = 0.1


class _CohortFile(_Strict):
    name: str | None = None
    description: str | None = None
    groups: Annotated[list[Group], Field(min_length=1)]


class CohortError(Exception):
    """The cohort file cannot be used; `problems` lists every error, located."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


@dataclass(frozen=True)
class Cohort:
    """A validated cohort: its groups in file order."""

    name: str
    groups: tuple[Group, ...]
    source: YamlSource | None = None

    @property
    def size(self) -> int:
        """How many simulated people in all."""
        return sum(group.count for group in self.groups)

    def with_users(self, users: int) -> Cohort:
        """The same cohort with `users` people, each group keeping its share.

        Largest remainders: counts are floored, and the people left over go to the groups with
        the largest fractional parts (earlier groups first on ties), so the total is exact.
        """
        if users < 0:
            raise ValueError("the number of users cannot be negative")
        total = self.size
        if total == 0:
            raise ValueError("the cohort has no people to scale")
        exact = [group.count * users / total for group in self.groups]
        counts = [math.floor(value) for value in exact]
        left = users - sum(counts)
        by_remainder = sorted(range(len(exact)), key=lambda i: (counts[i] - exact[i], i))
        for index in by_remainder[:left]:
            counts[index] += 1
        groups = tuple(
            group.model_copy(update={"count": count})
            for group, count in zip(self.groups, counts, strict=True)
        )
        return Cohort(self.name, groups, self.source)

    def check_against(self, library: ContentLibrary) -> None:
        """Raise CohortError if a group names a topic, tag or question the library lacks."""
        problems = [self._problem(path, message) for path, message in self._unknown_ids(library)]
        if problems:
            raise CohortError(problems)

    def _unknown_ids(self, library: ContentLibrary) -> Iterator[tuple[KeyPath, str]]:
        tags = sorted({tag for tip in library.tips.values() for tag in tip.tags})
        for index, group in enumerate(self.groups):
            chances = ("groups", index, "do_probability")
            for topic in group.do_probability.topics:
                if topic not in library.topics:
                    known = ", ".join(library.topics)
                    yield (*chances, "topics", topic), f"unknown topic {topic!r}; topics: {known}"
            for tag in group.do_probability.tags:
                if tag not in tags:
                    known = ", ".join(tags)
                    yield (*chances, "tags", tag), f"no tip has the tag {tag!r}; tags: {known}"
            for question in group.wellbeing:
                if question not in library.wellbeing:
                    known = ", ".join(library.wellbeing)
                    yield (
                        ("groups", index, "wellbeing", question),
                        f"unknown wellbeing question {question!r}; questions: {known}",
                    )

    def _problem(self, path: KeyPath, message: str) -> Problem:
        if self.source is None:
            return Problem("cohort", 1, 1, format_path(path), message)
        return self.source.problem(path, message)


def load_cohort(path: Path) -> Cohort:
    """Read and validate a cohort file; CohortError names the file, line and key of each error."""
    source = read_yaml(path, str(path))
    if isinstance(source, Problem):
        raise CohortError([source])
    try:
        parsed = _CohortFile.model_validate(source.data)
    except ValidationError as error:
        raise CohortError(_problems(source, error)) from error
    names = [group.name for group in parsed.groups]
    repeated = [
        source.problem(("groups", index, "name"), f"group name {name!r} is used twice")
        for index, name in enumerate(names)
        if name in names[:index]
    ]
    if repeated:
        raise CohortError(repeated)
    return Cohort(parsed.name or path.stem, tuple(parsed.groups), source)


def _problems(source: YamlSource, error: ValidationError) -> list[Problem]:
    problems: list[Problem] = []
    for item in error.errors():
        path: KeyPath = tuple(item["loc"])
        problems.append(source.problem(path, _describe(item, path)))
    return problems


def _describe(item: Any, path: KeyPath) -> str:
    kind = item["type"]
    if kind == "extra_forbidden" and path:
        return f"unknown key {path[-1]!r}; see `nudgebot simulate --help` for the cohort format"
    if kind == "missing":
        return "required key is missing"
    if kind in {"model_type", "dict_type"}:
        return "expected a mapping of keys to values"
    if kind == "list_type":
        return "expected a list"
    if kind == "too_short":
        return "must not be empty"
    return str(item["msg"])
