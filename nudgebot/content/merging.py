"""Merging the files of `messages/` into one draft library, remembering where each item is."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TypeVar

from nudgebot.content.localized import LocalizedText
from nudgebot.content.problems import Problem
from nudgebot.content.schema import (
    Checkin,
    ContentFile,
    SafetySection,
    Tip,
    Topic,
    WellbeingQuestion,
    WellbeingSchedule,
)
from nudgebot.content.yaml_source import KeyPath, YamlSource

T = TypeVar("T")


@dataclass
class Locations:
    """Where each named item was defined, so whole-library checks can point at it."""

    _where: dict[tuple[str, str], tuple[YamlSource, KeyPath]] = field(default_factory=dict)

    def record(self, kind: str, ident: str, source: YamlSource, path: KeyPath) -> str | None:
        """Remember an item; if it was defined before, return where (as file:line:column)."""
        earlier = self._where.get((kind, ident))
        if earlier is not None:
            first_source, first_path = earlier
            line, column = first_source.position(first_path)
            return f"{first_source.file}:{line}:{column}"
        self._where[(kind, ident)] = (source, path)
        return None

    def where(self, kind: str, ident: str, suffix: KeyPath) -> str:
        """`file:line` of `suffix` inside the item `ident` of `kind`."""
        source, path = self._where[(kind, ident)]
        line, _column = source.position((*path, *suffix))
        return f"{source.file}:{line}"

    def problem(
        self, kind: str, ident: str, suffix: KeyPath, message: str, *, warning: bool = False
    ) -> Problem:
        """A problem at `suffix` inside the item `ident` of `kind`."""
        source, path = self._where[(kind, ident)]
        return source.problem((*path, *suffix), message, warning=warning)


@dataclass
class LibraryDraft:
    """Everything read so far, before the whole-library checks."""

    default_language: str | None = None
    topics: dict[str, Topic] = field(default_factory=dict)
    tips: dict[str, Tip] = field(default_factory=dict)
    tip_checkin: Checkin | None = None
    wellbeing: dict[str, WellbeingQuestion] = field(default_factory=dict)
    wellbeing_checkin: WellbeingSchedule | None = None
    ui: dict[str, LocalizedText] = field(default_factory=dict)
    safety: SafetySection | None = None
    tags: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)
    locations: Locations = field(default_factory=Locations)
    problems: list[Problem] = field(default_factory=list)

    def add(self, source: YamlSource, content: ContentFile) -> None:
        """Merge one validated file; a second definition of any id is an error."""
        if content.default_language and self._first(
            "setting", "default_language", source, ("default_language",)
        ):
            self.default_language = content.default_language
        if content.tip_checkin and self._first("setting", "tip_checkin", source, ("tip_checkin",)):
            self.tip_checkin = content.tip_checkin
        if content.wellbeing_checkin and self._first(
            "setting", "wellbeing_checkin", source, ("wellbeing_checkin",)
        ):
            self.wellbeing_checkin = content.wellbeing_checkin
        if content.safety and self._first("setting", "safety", source, ("safety",)):
            self.safety = content.safety
        self.tags.update(self._new("tag", "tags", source, [(t.id, t) for t in content.tags]))
        self.sources.update(
            self._new("source", "sources", source, [(s.title, s) for s in content.sources])
        )
        self.topics.update(
            self._new("topic", "topics", source, [(t.id, t) for t in content.topics])
        )
        self.tips.update(self._new("tip", "tips", source, [(t.id, t) for t in content.tips]))
        self.wellbeing.update(
            self._new("wellbeing", "wellbeing", source, [(w.id, w) for w in content.wellbeing])
        )
        for key, text in content.ui.items():
            if self._first("ui", key, source, ("ui", key)):
                self.ui[key] = text

    def _new(
        self, kind: str, section: str, source: YamlSource, items: list[tuple[str, T]]
    ) -> dict[str, T]:
        """The items of a list section defined for the first time (in file order)."""
        fresh: dict[str, T] = {}
        for index, (ident, item) in enumerate(items):
            if self._first(kind, ident, source, (section, index)):
                fresh[ident] = item
        return fresh

    def _first(self, kind: str, ident: str, source: YamlSource, path: KeyPath) -> bool:
        earlier = self.locations.record(kind, ident, source, path)
        if earlier is None:
            return True
        # Point at the id itself where there is one, at the item otherwise.
        id_path = (*path, "id") if (*path, "id") in source.positions else path
        self.problems.append(
            source.problem(id_path, f"duplicate {kind} {ident!r}, first defined at {earlier}")
        )
        return False
