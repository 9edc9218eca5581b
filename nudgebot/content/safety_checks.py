"""Checks of the safety section: phrases that can match, replies in every language, valid HTML.

A mistake here is an error, never a warning: a crisis reply missing in someone's language, or a
phrase list that cannot match, fails people at the moment they most need the bot to be right.
The one exception is a country's crisis lines lacking a translation, which fall back to the
default language and still give the numbers.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Iterator, Mapping

from nudgebot.content.localized import LocalizedText
from nudgebot.content.merging import LibraryDraft
from nudgebot.content.placeholders import placeholder_problems, placeholders_of
from nudgebot.content.problems import Problem
from nudgebot.content.safety import phrase_key, phrase_problem
from nudgebot.content.schema import SafetySection
from nudgebot.content.yaml_source import KeyPath, format_path
from nudgebot.telegram_format import HtmlParseError, parse_html

_COUNTRY_CODE = re.compile(r"[A-Z]{2}")
_KINDS = ("crisis", "red_flag")
# Placeholders each text may use; the ones in REQUIRED must be there.
_ALLOWED: dict[KeyPath, frozenset[str]] = {
    ("crisis", "reply"): frozenset({"resources"}),
    ("red_flag", "reply"): frozenset({"days"}),
    ("admin_alert",): frozenset({"chat_id", "kind"}),
}
_REQUIRED: dict[KeyPath, str] = {("crisis", "reply"): "resources"}
_SAMPLE = "x"


def safety_problems(draft: LibraryDraft) -> list[Problem]:
    """Every problem in the library's safety section (none when it has no section)."""
    if draft.safety is None:
        return []
    checker = _SafetyChecker(draft, draft.safety)
    return list(checker.problems())


class _SafetyChecker:
    def __init__(self, draft: LibraryDraft, section: SafetySection) -> None:
        self._draft = draft
        self._section = section
        ui_languages = {
            lang for text in draft.ui.values() if isinstance(text, dict) for lang in text
        }
        # Everyone the bot can talk to must be answered in their language.
        self._languages = sorted({draft.default_language or "en", *ui_languages})

    def _at(self, path: KeyPath, message: str, *, warning: bool = False) -> Problem:
        return self._draft.locations.problem("setting", "safety", path, message, warning=warning)

    def problems(self) -> Iterator[Problem]:
        section = self._section
        yield from self._phrases("crisis", section.crisis.phrases, {})
        crisis_keys = {
            phrase_key(phrase): ("crisis", "phrases", language, index)
            for language, phrases in section.crisis.phrases.items()
            for index, phrase in enumerate(phrases)
        }
        yield from self._phrases("red_flag", section.red_flag.phrases, crisis_keys)
        yield from self._text(("crisis", "reply"), section.crisis.reply)
        yield from self._text(("red_flag", "reply"), section.red_flag.reply)
        # Admins read alerts in the default language, which `pick` falls back to.
        yield from self._text(("admin_alert",), section.admin_alert, required=False)
        yield from self._hold_topics()
        yield from self._resources()

    def _phrases(
        self,
        kind: str,
        by_language: Mapping[str, list[str]],
        other_kind: Mapping[str, KeyPath],
    ) -> Iterator[Problem]:
        for language in self._languages:
            if language not in by_language:
                yield self._at(
                    (kind, "phrases"),
                    f"no {language!r} phrases, though the bot speaks {language!r}",
                )
        for language, phrases in by_language.items():
            if not phrases:
                yield self._at((kind, "phrases", language), "must not be empty")
            seen: dict[str, int] = {}
            for index, phrase in enumerate(phrases):
                path = (kind, "phrases", language, index)
                problem = phrase_problem(phrase)
                key = phrase_key(phrase)
                if problem is not None:
                    yield self._at(path, f"{phrase!r} {problem}")
                elif key in seen:
                    earlier = format_path(("safety", kind, "phrases", language, seen[key]))
                    yield self._at(
                        path,
                        f"duplicate phrase {phrase!r}: {earlier} matches the same words once "
                        "capitals, accents and punctuation are ignored",
                    )
                elif key in other_kind:
                    crisis_phrase = format_path(("safety", *other_kind[key]))
                    yield self._at(
                        path,
                        f"{phrase!r} is also a crisis phrase ({crisis_phrase}); "
                        "crisis comes first, so it would never count as a red flag",
                    )
                seen.setdefault(key, index)

    def _text(
        self, path: KeyPath, value: LocalizedText, *, required: bool = True
    ) -> Iterator[Problem]:
        variants: dict[str | None, str] = (
            {None: value} if isinstance(value, str) else dict(value.items())
        )
        if required and isinstance(value, dict):
            for language in self._languages:
                if language not in value:
                    yield self._at(
                        path,
                        f"no {language!r} text: someone writing in {language!r} must be "
                        "answered in it",
                    )
        allowed = _ALLOWED.get(path, frozenset())
        for variant_language, text in variants.items():
            at = path if variant_language is None else (*path, variant_language)
            if not text.strip():
                yield self._at(at, "must not be empty")
                continue
            wrong = list(placeholder_problems(text, allowed, "text"))
            for message in wrong:
                yield self._at(at, message)
            if wrong:
                continue
            used = placeholders_of(text)
            if path in _REQUIRED and _REQUIRED[path] not in used:
                yield self._at(
                    at, f"must include {{{_REQUIRED[path]}}}, where the crisis lines go"
                )
            # A sample for every placeholder, so only the markup itself is judged here.
            yield from self._html(at, text.format(**dict.fromkeys(used, _SAMPLE)))

    def _html(self, path: KeyPath, markup: str) -> Iterator[Problem]:
        try:
            parse_html(markup)
        except HtmlParseError as error:
            character = len(markup.encode()[: error.byte_offset].decode(errors="ignore"))
            yield self._at(
                path,
                f"Telegram would refuse this HTML: {error.reason} at character {character + 1}",
            )

    def _hold_topics(self) -> Iterator[Problem]:
        topics = self._draft.topics
        for index, topic in enumerate(self._section.red_flag.hold_topics):
            if topic not in topics:
                close = difflib.get_close_matches(topic, list(topics), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                yield self._at(
                    ("red_flag", "hold_topics", index), f"unknown topic {topic!r}{hint}"
                )

    def _resources(self) -> Iterator[Problem]:
        resources = self._section.resources
        yield from self._text(("resources", "emergency"), resources.emergency)
        yield from self._covers(("resources", "languages"), resources.languages)
        for language, lines in resources.languages.items():
            yield from self._text(("resources", "languages", language), lines)
        for code, text in resources.countries.items():
            path = ("resources", "countries", code)
            if not _COUNTRY_CODE.fullmatch(code):
                yield self._at(
                    path,
                    f"{code!r} is not a country code: use two capital letters (ISO 3166), "
                    "such as GB or MX",
                )
            yield from self._text(path, text, required=False)
            if isinstance(text, dict):
                for language in self._languages:
                    if language not in text:
                        yield self._at(
                            path,
                            f"no {language!r} text; {language!r} speakers get the "
                            "default language",
                            warning=True,
                        )

    def _covers(self, path: KeyPath, by_language: Iterable[str]) -> Iterator[Problem]:
        present = set(by_language)
        for language in self._languages:
            if language not in present:
                yield self._at(
                    path,
                    f"no {language!r} crisis lines for someone whose country is unknown",
                )
