"""Turning pydantic's validation errors into located, admin-readable problems."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, ValidationError

from nudgebot.content import schema
from nudgebot.content.problems import Problem
from nudgebot.content.yaml_source import KeyPath, YamlSource

_MODELS: tuple[type[BaseModel], ...] = (
    schema.ContentFile,
    schema.Topic,
    schema.Tip,
    schema.Checkin,
    schema.CheckinOption,
    schema.WellbeingQuestion,
    schema.TagDefinition,
    schema.SourceDefinition,
    schema.SafetySection,
    schema.CrisisRules,
    schema.RedFlagRules,
    schema.CrisisResources,
)
_KNOWN_KEYS = sorted({name for model in _MODELS for name in model.model_fields})
# A LocalizedText field reports one error per union member; these name the members.
_UNION_MEMBERS = {"str", "dict[str,str]"}
_TEXT_EXPECTED = {"string_type", "dict_type"}


def schema_problems(source: YamlSource, error: ValidationError) -> Iterator[Problem]:
    """One problem per distinct (key path, message) in `error`, located in `source`."""
    seen: set[tuple[KeyPath, str]] = set()
    for item in error.errors():
        path: KeyPath = tuple(part for part in item["loc"] if part not in _UNION_MEMBERS)
        if isinstance(item["input"], bool) and item["type"] in _TEXT_EXPECTED:
            message = (
                "YAML reads an unquoted Yes/No/On/Off as true or false; put the text in quotes"
            )
        elif len(path) < len(item["loc"]):
            message = "expected a text, or a map of language code to text"
        else:
            message = _describe(item, path)
        if (path, message) not in seen:
            seen.add((path, message))
            yield source.problem(path, message)


def _describe(item: Any, path: KeyPath) -> str:
    kind = item["type"]
    if kind == "extra_forbidden" and path and isinstance(path[-1], str):
        close = difflib.get_close_matches(path[-1], _KNOWN_KEYS, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return f"unknown key {path[-1]!r}{hint}"
    if kind == "missing":
        return "required key is missing"
    if kind in {"model_type", "dict_type", "model_attributes_type"}:
        return "expected a mapping of keys to values"
    if kind == "list_type":
        return "expected a list"
    if kind == "string_pattern_mismatch":
        allowed = "lowercase letters, digits, '-' and '_'"
        if "-" not in item["ctx"]["pattern"]:
            allowed = "lowercase letters, digits and '_'"
        return f"{item['input']!r} is not a valid id: use only {allowed}"
    if kind == "too_short" and "List" in item["msg"]:
        return "must not be empty"
    return str(item["msg"]).removeprefix("Value error, ")
