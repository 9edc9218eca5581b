"""Text in several languages: a plain string, or a map of language code to string."""

from __future__ import annotations

from typing import TypeAlias

LocalizedText: TypeAlias = str | dict[str, str]


def language_of(code: str | None, default: str) -> str:
    """The primary language of a Telegram `language_code` ("pt-br" -> "pt"), or `default`."""
    if not code:
        return default
    return code.replace("_", "-").split("-", 1)[0].lower() or default


def pick(text: LocalizedText, language: str, default: str) -> str:
    """The text in `language`, falling back to `default`, then to any language present."""
    if isinstance(text, str):
        return text
    for candidate in (language, default):
        if candidate in text:
            return text[candidate]
    return next(iter(text.values()))


def variants(text: LocalizedText) -> dict[str | None, str]:
    """Each written form of `text` by language; None for a plain string, written once for all."""
    found: dict[str | None, str] = {None: text} if isinstance(text, str) else dict(text.items())
    return found
