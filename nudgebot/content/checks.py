"""Checks that need the whole library: references, cycles, declarations, check-ins, languages."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator

from nudgebot.content.limits import MAX_BUTTON_LABEL_CHARS, MAX_OPTION_ID_BYTES
from nudgebot.content.localized import LocalizedText, variants
from nudgebot.content.merging import LibraryDraft, Locations
from nudgebot.content.placeholders import placeholder_problems
from nudgebot.content.problems import Problem
from nudgebot.content.safety_checks import safety_problems
from nudgebot.content.schema import Checkin, Tip
from nudgebot.content.ui_keys import PLACEHOLDERS, UiKey
from nudgebot.content.yaml_source import KeyPath

REQUIRED_WELLBEING = ("mood", "gut_comfort", "sleep_quality")
_UI_KEYS = {key.value for key in UiKey}
# "After I pour my coffee, I will ..." - an implementation intention, the style tips use.
_ACTION_STYLE = re.compile(
    r"^(After|When|Before|As soon as|The next time|While|Once|Whenever) I\b.*\bI will\b", re.S
)
_TIP_TEXT_FIELDS = ("title", "text", "action", "why", "cautions")


def check_library(draft: LibraryDraft) -> list[Problem]:
    """Every problem only the merged library reveals (errors and warnings)."""
    where = draft.locations
    problems = list(draft.problems)
    problems.extend(_missing_pieces(draft))
    for tip in draft.tips.values():
        problems.extend(_tip_references(draft, tip))
        problems.extend(_tip_texts(where, tip))
        if tip.checkin is not None:
            problems.extend(_checkin(where, ("tip", tip.id), ("checkin",), tip.checkin))
    problems.extend(_wellbeing_references(draft))
    problems.extend(_cycles(draft))
    if draft.tip_checkin is not None:
        problems.extend(_checkin(where, ("setting", "tip_checkin"), (), draft.tip_checkin))
    problems.extend(_ui(draft))
    problems.extend(safety_problems(draft))
    problems.extend(_language_gaps(draft))
    return problems


def _missing_pieces(draft: LibraryDraft) -> Iterator[Problem]:
    if not draft.tips:
        yield Problem("messages", 1, 1, "tips", "the library has no tips")
    if draft.tip_checkin is None:
        yield Problem("messages", 1, 1, "tip_checkin", "no default tip_checkin is defined")
    for question in REQUIRED_WELLBEING:
        if question not in draft.wellbeing:
            yield Problem("messages", 1, 1, f"wellbeing.{question}", "missing wellbeing check-in")
    for key in UiKey:
        if key.value not in draft.ui:
            yield Problem("messages", 1, 1, f"ui.{key.value}", "missing UI string")


def _suggest(name: str, known: Iterable[str]) -> str:
    # Case-insensitive, so a title typed in other capitals still finds its match.
    by_folded = {candidate.casefold(): candidate for candidate in known}
    close = difflib.get_close_matches(name.casefold(), list(by_folded), n=1)
    return f"; did you mean {by_folded[close[0]]!r}?" if close else ""


def _tip_references(draft: LibraryDraft, tip: Tip) -> Iterator[Problem]:
    at = draft.locations.problem
    if tip.topic not in draft.topics:
        yield at(
            "tip",
            tip.id,
            ("topic",),
            f"unknown topic {tip.topic!r}{_suggest(tip.topic, draft.topics)}",
        )
    for reference in ("follow_up", "prerequisite"):
        target = getattr(tip, reference)
        if target == tip.id:
            yield at("tip", tip.id, (reference,), "a tip cannot refer to itself")
        elif target is not None and target not in draft.tips:
            yield at(
                "tip",
                tip.id,
                (reference,),
                f"unknown tip {target!r}{_suggest(target, draft.tips)}",
            )
    for index, tag in enumerate(tip.tags):
        if tag not in draft.tags:
            yield at(
                "tip",
                tip.id,
                ("tags", index),
                f"undeclared tag {tag!r}{_suggest(tag, draft.tags)}",
            )
    for index, title in enumerate(tip.sources):
        if title not in draft.sources:
            message = f"undeclared source {title!r}{_suggest(title, draft.sources)}"
            yield at("tip", tip.id, ("sources", index), message)


def _wellbeing_references(draft: LibraryDraft) -> Iterator[Problem]:
    at = draft.locations.problem
    for question in draft.wellbeing.values():
        if question.when_low is None:
            continue
        for index, topic in enumerate(question.when_low.raise_topics):
            if topic not in draft.topics:
                message = f"unknown topic {topic!r}{_suggest(topic, draft.topics)}"
                yield at("wellbeing", question.id, ("when_low", "raise_topics", index), message)
        for index, tag in enumerate(question.when_low.avoid_tags):
            if tag not in draft.tags:
                message = f"undeclared tag {tag!r}{_suggest(tag, draft.tags)}"
                yield at("wellbeing", question.id, ("when_low", "avoid_tags", index), message)


def _tip_texts(where: Locations, tip: Tip) -> Iterator[Problem]:
    for name in _TIP_TEXT_FIELDS:
        value = getattr(tip, name)
        if value is not None:
            yield from _empty_text(where, ("tip", tip.id), (name,), value)
    action = tip.action if isinstance(tip.action, str) else tip.action.get("en", "")
    if action and not _ACTION_STYLE.match(action):
        yield where.problem(
            "tip",
            tip.id,
            ("action",),
            'should read like "After I ..., I will ..." (one concrete step for today)',
            warning=True,
        )


def _empty_text(
    where: Locations, item: tuple[str, str], path: KeyPath, value: LocalizedText
) -> Iterator[Problem]:
    for language, text in variants(value).items():
        if not text.strip():
            suffix = path if language is None else (*path, language)
            yield where.problem(*item, suffix, "must not be empty")


def _checkin(
    where: Locations, item: tuple[str, str], path: KeyPath, checkin: Checkin
) -> Iterator[Problem]:
    at = where.problem
    yield from _empty_text(where, item, (*path, "question"), checkin.question)
    for index, option in enumerate(checkin.options):
        size = len(option.id.encode())
        if size > MAX_OPTION_ID_BYTES:
            yield at(
                *item,
                (*path, "options", index, "id"),
                f"option id is {size} bytes; button callback data would pass Telegram's 64-byte "
                f"limit (option ids may have at most {MAX_OPTION_ID_BYTES})",
            )
        labels = [option.label] if isinstance(option.label, str) else list(option.label.values())
        for label in labels:
            if not label.strip():
                yield at(*item, (*path, "options", index, "label"), "must not be empty")
            elif len(label) > MAX_BUTTON_LABEL_CHARS:
                yield at(
                    *item,
                    (*path, "options", index, "label"),
                    f"button label {label!r} is {len(label)} characters; phones cut labels "
                    f"longer than {MAX_BUTTON_LABEL_CHARS}",
                )


def _cycles(draft: LibraryDraft) -> Iterator[Problem]:
    """A prerequisite chain that loops back means none of its tips could ever be sent."""
    reported: set[str] = set()
    for start in draft.tips:
        chain = [start]
        current = draft.tips[start].prerequisite
        while current is not None and current in draft.tips and current not in chain:
            chain.append(current)
            current = draft.tips[current].prerequisite
        if current == start and start not in reported:
            reported.update(chain)
            loop = " -> ".join([*chain, start])
            yield draft.locations.problem(
                "tip", start, ("prerequisite",), f"prerequisite cycle: {loop}"
            )


def _ui(draft: LibraryDraft) -> Iterator[Problem]:
    for key, text in draft.ui.items():
        if key not in _UI_KEYS:
            yield draft.locations.problem(
                "ui", key, (), f"unknown UI string{_suggest(key, _UI_KEYS)}"
            )
            continue
        yield from _empty_text(draft.locations, ("ui", key), (), text)
        allowed = PLACEHOLDERS.get(UiKey(key), frozenset())
        for variant in [text] if isinstance(text, str) else text.values():
            for message in placeholder_problems(variant, allowed, "string"):
                yield draft.locations.problem("ui", key, (), message)


def _languages(values: Iterable[LocalizedText | None]) -> set[str]:
    return {lang for value in values if isinstance(value, dict) for lang in value}


def _gaps(
    where: Locations, item: tuple[str, str], fields: dict[KeyPath, LocalizedText | None]
) -> Iterator[Problem]:
    """Fields lacking a language their siblings have: a translation was probably forgotten."""
    present = _languages(fields.values())
    for path, value in fields.items():
        if value is None:
            continue
        have = set(value) if isinstance(value, dict) else set()
        for language in sorted(present - have):
            yield where.problem(
                *item,
                path,
                f"no {language!r} text, though sibling fields have one",
                warning=True,
            )


def _language_gaps(draft: LibraryDraft) -> Iterator[Problem]:
    for tip in draft.tips.values():
        fields: dict[KeyPath, LocalizedText | None] = {
            (name,): getattr(tip, name) for name in _TIP_TEXT_FIELDS
        }
        yield from _gaps(draft.locations, ("tip", tip.id), fields)
    for topic in draft.topics.values():
        yield from _gaps(
            draft.locations,
            ("topic", topic.id),
            {("title",): topic.title, ("description",): topic.description},
        )
    for question in draft.wellbeing.values():
        fields = {("question",): question.question}
        fields.update({("labels", score): label for score, label in question.labels.items()})
        yield from _gaps(draft.locations, ("wellbeing", question.id), fields)
    # UI strings are siblings too: one untranslated string in a translated bot stands out.
    ui_languages = _languages(draft.ui.values())
    for key, text in draft.ui.items():
        if isinstance(text, dict):
            for language in sorted(ui_languages - set(text)):
                yield draft.locations.problem(
                    "ui",
                    key,
                    (),
                    f"no {language!r} text, though other UI strings have one",
                    warning=True,
                )
