"""Message text and captions as Telegram stores them: parsed, trimmed, within limits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nudgebot.sandbox.errors import bad_request
from nudgebot.telegram_format.html import HtmlParseError, parse_html
from nudgebot.telegram_format.utf16 import utf16_len

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024

# Markdown modes are valid in Telegram but not emulated: the text is kept verbatim, with
# no entities, so a bot that uses them still works here and shows its raw markup.
_PASSTHROUGH_MODES = frozenset({"markdown", "markdownv2"})


@dataclass(frozen=True)
class FormattedText:
    """Text (or a caption) with its entities in UTF-16 units, and the parse mode asked for."""

    text: str
    entities: list[dict[str, Any]]
    parse_mode: str | None


def format_text(
    source: str, parse_mode: str | None, explicit_entities: list[Any] | None
) -> FormattedText:
    """Parse `source` as Telegram would and trim surrounding whitespace, as Telegram does."""
    if explicit_entities is not None:
        text, entities = source, _checked_entities(explicit_entities)
    elif not parse_mode or parse_mode.lower() in _PASSTHROUGH_MODES:
        text, entities = source, []
    elif parse_mode.lower() == "html":
        try:
            parsed = parse_html(source)
        except HtmlParseError as error:
            raise bad_request(f"can't parse entities: {error}") from None
        text, entities = parsed.text, parsed.entities
    else:
        raise bad_request("unsupported parse_mode")
    text, entities = _trimmed(text, entities)
    return FormattedText(text, entities, parse_mode or None)


def message_text(source: str, parse_mode: str | None, entities: list[Any] | None) -> FormattedText:
    """A message's text: 1-4096 characters after entity parsing."""
    formatted = format_text(source, parse_mode, entities)
    if not formatted.text:
        raise bad_request("message text is empty")
    if len(formatted.text) > MAX_TEXT_LENGTH:
        raise bad_request("message is too long")
    return formatted


def caption_text(source: str, parse_mode: str | None, entities: list[Any] | None) -> FormattedText:
    """A media caption: 0-1024 characters after entity parsing."""
    formatted = format_text(source, parse_mode, entities)
    if len(formatted.text) > MAX_CAPTION_LENGTH:
        raise bad_request("message caption is too long")
    return formatted


def _checked_entities(entities: list[Any]) -> list[dict[str, Any]]:
    for entity in entities:
        valid = (
            isinstance(entity, dict)
            and isinstance(entity.get("type"), str)
            and _is_count(entity.get("offset"))
            and _is_count(entity.get("length"))
        )
        if not valid:
            raise bad_request("can't parse entities: each needs a type, offset and length")
    return [dict(entity) for entity in entities]


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _trimmed(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    stripped = text.strip()
    if stripped == text:
        return text, [e for e in entities if e["length"] > 0]
    shift = utf16_len(text[: len(text) - len(text.lstrip())])
    end = utf16_len(stripped)
    kept = []
    for entity in entities:
        start = max(entity["offset"] - shift, 0)
        stop = min(entity["offset"] + entity["length"] - shift, end)
        if stop > start:
            kept.append({**entity, "offset": start, "length": stop - start})
    return stripped, kept
