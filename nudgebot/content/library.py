"""The content library: every file in `messages/` loaded, merged and cross-checked."""

from __future__ import annotations

import difflib
import html
import string
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from nudgebot.content import schema
from nudgebot.content.localized import LocalizedText, pick
from nudgebot.content.problems import ContentError, Problem
from nudgebot.content.schema import Checkin, ContentFile, Tip, Topic
from nudgebot.content.ui_keys import PLACEHOLDERS, UiKey
from nudgebot.content.yaml_source import KeyPath, YamlSource, read_yaml

DEFAULT_LANGUAGE = "en"


@dataclass(frozen=True)
class ContentLibrary:
    """A validated, immutable library; replaced whole on reload, never edited in place."""

    default_language: str
    topics: dict[str, Topic]
    tips: dict[str, Tip]
    tip_checkin: Checkin
    ui: dict[str, LocalizedText]
    warnings: list[Problem] = field(default_factory=list)

    def text(self, value: LocalizedText, language: str) -> str:
        """A localized field in `language`, with the library's default as the fallback."""
        return pick(value, language, self.default_language)

    def ui_text(self, key: UiKey, language: str, **values: object) -> str:
        """A UI string in `language`; values are HTML-escaped, as UI strings are Telegram HTML."""
        template = self.text(self.ui[key], language)
        escaped = {name: html.escape(str(value), quote=False) for name, value in values.items()}
        return template.format(**escaped) if values else template

    def checkin_for(self, tip: Tip) -> Checkin:
        """The tip's own check-in, or the library's default one."""
        return tip.checkin or self.tip_checkin


def load_library(directory: Path) -> ContentLibrary:
    """Load and check every `*.yaml` file under `directory`; ContentError lists all errors."""
    sources, problems = _read_all(directory)
    files: list[tuple[YamlSource, ContentFile]] = []
    for source in sources:
        try:
            files.append((source, ContentFile.model_validate(source.data)))
        except ValidationError as error:
            problems.extend(_validation_problems(source, error))
    builder = _Builder()
    for source, content in files:
        builder.add(source, content)
    problems.extend(builder.check())
    errors = [problem for problem in problems if problem.severity == "error"]
    if errors:
        raise ContentError(errors)
    return ContentLibrary(
        default_language=builder.default_language or DEFAULT_LANGUAGE,
        topics=builder.topics,
        tips=builder.tips,
        tip_checkin=builder.tip_checkin or _never(),
        ui=builder.ui,
        warnings=[problem for problem in problems if problem.severity == "warning"],
    )


def _never() -> Checkin:
    raise AssertionError("check() reports a missing tip_checkin as an error")


def _read_all(directory: Path) -> tuple[list[YamlSource], list[Problem]]:
    if not directory.is_dir():
        return [], [Problem(str(directory), 1, 1, "", "content directory does not exist")]
    paths = sorted(path for pattern in ("*.yaml", "*.yml") for path in directory.rglob(pattern))
    if not paths:
        return [], [Problem(str(directory), 1, 1, "", "no *.yaml files in the directory")]
    sources: list[YamlSource] = []
    problems: list[Problem] = []
    for path in paths:
        result = read_yaml(path, str(path.relative_to(directory.parent)))
        if isinstance(result, Problem):
            problems.append(result)
        else:
            sources.append(result)
    return sources, problems


_KNOWN_KEYS: set[str] = {
    name
    for model in (ContentFile, Topic, Tip, Checkin, schema.CheckinOption)
    for name in model.model_fields
}


def _validation_problems(source: YamlSource, error: ValidationError) -> Iterator[Problem]:
    seen: set[tuple[KeyPath, str]] = set()
    for item in error.errors():
        # A LocalizedText field reports one error per union member ("str", "dict[str,str]").
        path: KeyPath = tuple(part for part in item["loc"] if part not in _UNION_MEMBERS)
        if len(path) < len(item["loc"]):
            message = "expected a text, or a map of language code to text"
        else:
            message = _describe(item)
        if item["type"] == "extra_forbidden" and path and isinstance(path[-1], str):
            close = difflib.get_close_matches(path[-1], _KNOWN_KEYS, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            message = f"unknown key {path[-1]!r}{hint}"
        if (path, message) not in seen:
            seen.add((path, message))
            yield source.problem(path, message)


_UNION_MEMBERS = {"str", "dict[str,str]"}
_UI_KEYS = {key.value for key in UiKey}


def _describe(item: Any) -> str:
    kind = item["type"]
    if kind == "missing":
        return "required key is missing"
    if kind in {"model_type", "dict_type"}:
        return "expected a mapping of keys to values"
    if kind == "list_type":
        return "expected a list"
    return str(item["msg"]).removeprefix("Value error, ")


class _Builder:
    """Merges files and runs the checks that need the whole library."""

    def __init__(self) -> None:
        self.default_language: str | None = None
        self.topics: dict[str, Topic] = {}
        self.tips: dict[str, Tip] = {}
        self.tip_checkin: Checkin | None = None
        self.ui: dict[str, LocalizedText] = {}
        self.tags: set[str] = set()
        self.sources: set[str] = set()
        self._where: dict[tuple[str, str], tuple[YamlSource, KeyPath]] = {}
        self._problems: list[Problem] = []

    def add(self, source: YamlSource, content: ContentFile) -> None:
        if content.default_language:
            self.default_language = content.default_language
        if content.tip_checkin:
            self._first("tip_checkin", "tip_checkin", source, ("tip_checkin",))
            self.tip_checkin = content.tip_checkin
        for index, tag in enumerate(content.tags):
            if self._first("tag", tag.id, source, ("tags", index, "id")):
                self.tags.add(tag.id)
        for index, article in enumerate(content.sources):
            if self._first("source", article.title, source, ("sources", index, "title")):
                self.sources.add(article.title)
        for index, topic in enumerate(content.topics):
            if self._first("topic", topic.id, source, ("topics", index, "id")):
                self.topics[topic.id] = topic
        for index, tip in enumerate(content.tips):
            if self._first("tip", tip.id, source, ("tips", index, "id")):
                self.tips[tip.id] = tip
        for key, text in content.ui.items():
            if self._first("ui", key, source, ("ui", key)):
                self.ui[key] = text

    def _first(self, kind: str, ident: str, source: YamlSource, path: KeyPath) -> bool:
        earlier = self._where.get((kind, ident))
        if earlier is not None:
            first_source, first_path = earlier
            line, column = first_source.position(first_path)
            self._problems.append(
                source.problem(
                    path,
                    f"duplicate {kind} {ident!r}, first defined at "
                    f"{first_source.file}:{line}:{column}",
                )
            )
            return False
        self._where[(kind, ident)] = (source, path)
        return True

    def _problem_at(self, kind: str, ident: str, suffix: KeyPath, message: str) -> Problem:
        source, path = self._where[(kind, ident)]
        return source.problem((*path[:-1], *suffix), message)

    def check(self) -> list[Problem]:
        problems = self._problems
        if not self.tips:
            problems.append(Problem("messages", 1, 1, "tips", "the library has no tips"))
        if self.tip_checkin is None:
            problems.append(
                Problem("messages", 1, 1, "tip_checkin", "no default tip_checkin is defined")
            )
        for tip in self.tips.values():
            if tip.topic not in self.topics:
                problems.append(
                    self._problem_at("tip", tip.id, ("topic",), f"unknown topic {tip.topic!r}")
                )
            for reference in ("follow_up", "prerequisite"):
                target = getattr(tip, reference)
                if target is not None and target not in self.tips:
                    problems.append(
                        self._problem_at("tip", tip.id, (reference,), f"unknown tip {target!r}")
                    )
            problems.extend(self._check_declared(tip.id, "tags", tip.tags, self.tags, "tag"))
            problems.extend(
                self._check_declared(tip.id, "sources", tip.sources, self.sources, "source")
            )
        problems.extend(self._check_ui())
        return problems

    def _check_declared(
        self, tip_id: str, key: str, used: list[str], declared: set[str], kind: str
    ) -> Iterator[Problem]:
        for index, name in enumerate(used):
            if name not in declared:
                close = difflib.get_close_matches(name, declared, n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                yield self._problem_at(
                    "tip", tip_id, (key, index), f"undeclared {kind} {name!r}{hint}"
                )

    def _check_ui(self) -> Iterator[Problem]:
        for required in UiKey:
            if required.value not in self.ui:
                yield Problem("messages", 1, 1, f"ui.{required.value}", "missing UI string")
        for key, text in self.ui.items():
            if key not in _UI_KEYS:
                close = difflib.get_close_matches(key, [k.value for k in UiKey], n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                yield self._problem_at("ui", key, (key,), f"unknown UI string{hint}")
                continue
            allowed = PLACEHOLDERS.get(UiKey(key), frozenset())
            for variant in [text] if isinstance(text, str) else text.values():
                used = {name for _, name, _, _ in string.Formatter().parse(variant) if name}
                for name in sorted(used - allowed):
                    yield self._problem_at("ui", key, (key,), f"unknown placeholder {{{name}}}")
