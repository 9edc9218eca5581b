"""Checks of the safety section: rules that compile, replies in every language, valid HTML.

A mistake here is an error, never a warning: a crisis reply missing in someone's language, or a
rule that cannot match, fails people at the moment they most need the bot to be right. The one
exception is a country's crisis lines lacking a translation, which fall back to the default
language and still give the numbers.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping

from nudgebot.content.limits import MAX_BUTTON_LABEL_CHARS
from nudgebot.content.localized import LocalizedText, variants
from nudgebot.content.merging import LibraryDraft
from nudgebot.content.placeholders import placeholder_problems, placeholders_of
from nudgebot.content.problems import Problem
from nudgebot.content.schema import SafetySection, ScreenedKind, ScreenRule
from nudgebot.content.screening import CompiledRule, RuleCompiler, RuleSyntaxError
from nudgebot.content.wording import spelling_table
from nudgebot.content.yaml_source import KeyPath, format_path
from nudgebot.telegram_format import HtmlParseError, parse_html

_COUNTRY_CODE = re.compile(r"[A-Z]{2}")
_LEVELS = ("sure", "ask", "look_alikes")
_QUESTION_PARTS = ("text", "help_button", "fine_button", "fine_reply")
# Placeholders each text may use; the ones in REQUIRED must be there.
_ALLOWED: dict[KeyPath, frozenset[str]] = {
    ("crisis", "reply"): frozenset({"resources"}),
    ("red_flag", "hold_note"): frozenset({"days"}),
    ("admin_alerts", "crisis"): frozenset({"chat_id"}),
    ("admin_alerts", "help_asked"): frozenset({"chat_id"}),
}
_REQUIRED: dict[KeyPath, str] = {("crisis", "reply"): "resources"}
_SAMPLE = "x"
RuleKey = tuple[str, ...]


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
        self._compiler = RuleCompiler(section.groups, spelling_table(section.spellings))
        ui_languages = {
            lang for text in draft.ui.values() if isinstance(text, dict) for lang in text
        }
        # Everyone the bot can talk to must be answered in their language.
        self._languages = sorted({draft.default_language or "en", *ui_languages})

    def _at(self, path: KeyPath, message: str, *, warning: bool = False) -> Problem:
        return self._draft.locations.problem("setting", "safety", path, message, warning=warning)

    def problems(self) -> Iterator[Problem]:
        section = self._section
        yield from self._spellings()
        yield from self._groups()
        crisis_keys: dict[RuleKey, KeyPath] = {}
        yield from self._rules("crisis", section.crisis, {}, crisis_keys)
        yield from self._rules("red_flag", section.red_flag, crisis_keys, {})
        if section.negation is not None:
            for index, phrase in enumerate(section.negation.ignore):
                yield from self._compiles(phrase, ("negation", "ignore", index))
        for kind, rules in (("crisis", section.crisis), ("red_flag", section.red_flag)):
            yield from self._text((kind, "reply"), rules.reply)
            for part in _QUESTION_PARTS:
                yield from self._text((kind, "question", part), getattr(rules.question, part))
            yield from self._label((kind, "question", "help_button"), rules.question.help_button)
            yield from self._label((kind, "question", "fine_button"), rules.question.fine_button)
        # Admins read alerts in the default language, which `pick` falls back to.
        alerts = section.admin_alerts
        yield from self._text(("admin_alerts", "crisis"), alerts.crisis, required=False)
        yield from self._text(("admin_alerts", "help_asked"), alerts.help_asked, required=False)
        yield from self._text(("red_flag", "hold_note"), section.red_flag.hold_note)
        yield from self._holds()
        yield from self._resources()

    def _spellings(self) -> Iterator[Problem]:
        for typed, standard in self._section.spellings.items():
            [(key, words)] = spelling_table({typed: standard}).items()
            if not key or " " in key:
                yield self._at(("spellings", typed), f"{typed!r} must be one word, as typed")
            elif not words:
                yield self._at(("spellings", typed), "must stand for at least one word")

    def _groups(self) -> Iterator[Problem]:
        for name, entries in self._section.groups.items():
            if not entries:
                yield self._at(("groups", name), "must not be empty")
            for index, entry in enumerate(entries):
                if "{" in entry:
                    yield self._at(("groups", name, index), "a group entry cannot use a group")
                else:
                    yield from self._compiles(entry, ("groups", name, index))

    def _compiles(self, rule: ScreenRule, path: KeyPath) -> Iterator[Problem]:
        compiled = self._compiled(rule, path)
        if isinstance(compiled, Problem):
            yield compiled

    def _compiled(self, rule: ScreenRule, path: KeyPath) -> CompiledRule | Problem:
        """The rule compiled, or the problem that kept it from compiling."""
        try:
            return self._compiler.compile(rule, "")
        except RuleSyntaxError as error:
            return self._at(path, f"{rule!r}: {error}" if isinstance(rule, str) else str(error))

    def _rules(
        self,
        kind: str,
        rules: ScreenedKind,
        other_kind: Mapping[RuleKey, KeyPath],
        keys: dict[RuleKey, KeyPath],
    ) -> Iterator[Problem]:
        for language in self._languages:
            if not rules.sure.get(language):
                yield self._at(
                    (kind, "sure"), f"no {language!r} rules, though the bot speaks {language!r}"
                )
        for level in _LEVELS:
            by_language: Mapping[str, list[ScreenRule]] = getattr(rules, level)
            for language, listed in by_language.items():
                for index, rule in enumerate(listed):
                    path = (kind, level, language, index)
                    compiled = self._compiled(rule, path)
                    if isinstance(compiled, Problem):
                        yield compiled
                    else:
                        key = (level, *RuleCompiler.key(compiled))
                        yield from self._unique(path, key, keys, other_kind)

    def _unique(
        self,
        path: KeyPath,
        key: RuleKey,
        keys: dict[RuleKey, KeyPath],
        other_kind: Mapping[RuleKey, KeyPath],
    ) -> Iterator[Problem]:
        if key in keys:
            earlier = format_path(("safety", *keys[key]))
            yield self._at(
                path,
                f"duplicate rule: {earlier} matches the same words once capitals, accents, "
                "punctuation and spellings are ignored",
            )
        elif key in other_kind:
            crisis_rule = format_path(("safety", *other_kind[key]))
            yield self._at(
                path,
                f"also a crisis rule ({crisis_rule}); crisis comes first, so it would never "
                "count as a red flag",
            )
        keys.setdefault(key, path)

    def _label(self, path: KeyPath, value: LocalizedText) -> Iterator[Problem]:
        for language, label in variants(value).items():
            if len(label) > MAX_BUTTON_LABEL_CHARS:
                yield self._at(
                    path if language is None else (*path, language),
                    f"a button label of {len(label)} characters, longer than "
                    f"{MAX_BUTTON_LABEL_CHARS}",
                )

    def _text(
        self, path: KeyPath, value: LocalizedText, *, required: bool = True
    ) -> Iterator[Problem]:
        if required and isinstance(value, dict):
            for language in self._languages:
                if language not in value:
                    yield self._at(
                        path,
                        f"no {language!r} text: someone writing in {language!r} must be "
                        "answered in it",
                    )
        allowed = _ALLOWED.get(path, frozenset())
        for variant_language, text in variants(value).items():
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

    def _holds(self) -> Iterator[Problem]:
        red_flag = self._section.red_flag
        for field, known, noun in (
            ("hold_topics", set(self._draft.topics), "topic"),
            ("hold_tags", self._draft.tags, "tag"),
        ):
            for index, name in enumerate(getattr(red_flag, field)):
                if name not in known:
                    close = difflib.get_close_matches(name, list(known), n=1)
                    hint = f"; did you mean {close[0]!r}?" if close else ""
                    yield self._at(("red_flag", field, index), f"unknown {noun} {name!r}{hint}")

    def _resources(self) -> Iterator[Problem]:
        resources = self._section.resources
        yield from self._text(("resources", "emergency"), resources.emergency)
        yield from self._text(("resources", "elsewhere"), resources.elsewhere)
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
