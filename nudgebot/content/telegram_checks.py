"""Telegram's rules applied to the content: HTML it would refuse, messages it would cut."""

from __future__ import annotations

from collections.abc import Iterator

from nudgebot.content.library import ContentLibrary
from nudgebot.content.limits import MAX_MESSAGE_CHARS
from nudgebot.content.localized import LocalizedText, variants
from nudgebot.content.merging import Locations
from nudgebot.content.problems import Problem
from nudgebot.content.rendering import render_tip
from nudgebot.content.schema import Checkin
from nudgebot.content.ui_keys import PLACEHOLDERS, UiKey
from nudgebot.content.yaml_source import KeyPath
from nudgebot.telegram_format import HtmlParseError, parse_html, utf16_len

# Tip fields that are Telegram HTML (the title is plain text and escaped when rendered).
_HTML_TIP_FIELDS = ("text", "action", "why", "cautions")


def telegram_problems(library: ContentLibrary, where: Locations) -> Iterator[Problem]:
    """Every field Telegram's HTML parser would refuse, and every rendered tip over the limit."""
    for tip in library.tips.values():
        for name in _HTML_TIP_FIELDS:
            value = getattr(tip, name)
            if value is not None:
                yield from _html(where, ("tip", tip.id), (name,), value)
        if tip.checkin is not None:
            yield from _checkin_html(where, ("tip", tip.id), ("checkin",), tip.checkin)
        yield from _rendered_length(library, where, tip.id)
    yield from _checkin_html(where, ("setting", "tip_checkin"), (), library.tip_checkin)
    for key, text in library.ui.items():
        # Placeholders are filled before sending; a sample value keeps the markup honest.
        samples = dict.fromkeys(PLACEHOLDERS.get(UiKey(key), frozenset()), "x")
        yield from _html(where, ("ui", key), (), text, samples)


def _checkin_html(
    where: Locations, item: tuple[str, str], path: KeyPath, checkin: Checkin
) -> Iterator[Problem]:
    yield from _html(where, item, (*path, "question"), checkin.question)


def _html(
    where: Locations,
    item: tuple[str, str],
    path: KeyPath,
    value: LocalizedText,
    samples: dict[str, str] | None = None,
) -> Iterator[Problem]:
    for language, text in variants(value).items():
        markup = text.format(**samples) if samples else text
        try:
            parse_html(markup)
        except HtmlParseError as error:
            character = len(markup.encode()[: error.byte_offset].decode(errors="ignore"))
            in_language = f" ({language})" if language else ""
            yield where.problem(
                *item,
                path,
                f"Telegram would refuse this HTML{in_language}: {error.reason} "
                f"at character {character + 1}",
            )


def _rendered_length(library: ContentLibrary, where: Locations, tip_id: str) -> Iterator[Problem]:
    tip = library.tips[tip_id]
    languages = {library.default_language} | {
        language
        for name in ("title", *_HTML_TIP_FIELDS)
        if isinstance(value := getattr(tip, name), dict)
        for language in value
    }
    for language in sorted(languages):
        try:
            plain = parse_html(render_tip(library, tip, language).html).text
        except HtmlParseError:
            continue  # already reported field by field
        length = utf16_len(plain)
        if length > MAX_MESSAGE_CHARS:
            yield where.problem(
                "tip",
                tip_id,
                (),
                f"the rendered message is {length} characters in {language!r}; Telegram "
                f"accepts at most {MAX_MESSAGE_CHARS}",
            )
