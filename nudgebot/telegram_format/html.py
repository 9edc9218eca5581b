"""Telegram's HTML parse mode: the accepted tag subset, turned into plain text and entities.

The parser is deliberately a little stricter than Telegram's own in two places, so that
text the sandbox accepts is text Telegram accepts: a bare `&` in text must be written
`&amp;` (Telegram lets some through), and entities that Telegram would silently drop
for bad nesting (a bold inside code, a link inside a link, a quote inside a quote) are
refused. Attribute values follow Telegram: an `&` that starts no entity stays literal,
so `href="https://x.org/?a=1&b=2"` works.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from nudgebot.telegram_format.utf16 import utf16_len

_FORMATTING_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "tg-spoiler": "spoiler",
}
_SUPPORTED_TAGS = frozenset(
    {*_FORMATTING_TAGS, "span", "a", "tg-emoji", "code", "pre", "blockquote"}
)
_QUOTES = frozenset({"blockquote", "expandable_blockquote"})
# Entities that, by Telegram's rules, can neither contain nor sit inside each other.
_EXCLUSIVE = frozenset({"text_link", "text_mention", "custom_emoji", "code", "pre"})
_VERBATIM = frozenset({"code", "pre"})

_TAG_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]*")
_ATTR_NAME = re.compile(r"[A-Za-z0-9_-]+")
_UNQUOTED_VALUE = re.compile(r"[^\s>]+")
_PLAIN_RUN = re.compile(r"[^<&]+")
_ENTITY = re.compile(r"&(?:#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]*);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class HtmlParseError(ValueError):
    """Markup Telegram refuses; the message reads like Telegram's description."""

    def __init__(self, reason: str, byte_offset: int) -> None:
        super().__init__(f"{reason} at byte offset {byte_offset}")
        self.reason = reason
        self.byte_offset = byte_offset


@dataclass(frozen=True)
class ParsedText:
    """The text a user sees and the entities that format it (UTF-16 offsets)."""

    text: str
    entities: list[dict[str, Any]]


@dataclass
class _OpenTag:
    name: str
    entity: dict[str, Any] | None
    start: int  # UTF-16 offset in the output where the entity begins
    byte_offset: int
    order: int
    holds_language: bool = False


def parse_html(source: str) -> ParsedText:
    """Parse Telegram HTML; raise `HtmlParseError` for anything Telegram would refuse."""
    return _Parser(source).run()


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.index = 0
        self.pieces: list[str] = []
        self.position = 0
        self.stack: list[_OpenTag] = []
        self.done: list[tuple[int, int, int, dict[str, Any]]] = []
        self.opened = 0

    def run(self) -> ParsedText:
        while self.index < len(self.source):
            char = self.source[self.index]
            if char == "<":
                self._tag()
            elif char == "&":
                self._emit(self._text_entity())
            else:
                run = _PLAIN_RUN.match(self.source, self.index)
                assert run is not None
                self._emit(run.group())
                self.index = run.end()
        if self.stack:
            top = self.stack[-1]
            raise HtmlParseError(
                f'Can\'t find end tag corresponding to start tag "{top.name}"', top.byte_offset
            )
        self.done.sort(key=lambda item: item[:3])
        return ParsedText("".join(self.pieces), [entity for *_, entity in self.done])

    def _emit(self, text: str) -> None:
        self.pieces.append(text)
        self.position += utf16_len(text)

    def _bytes_at(self, index: int) -> int:
        return len(self.source[:index].encode("utf-8"))

    def _fail(self, reason: str, index: int) -> HtmlParseError:
        return HtmlParseError(reason, self._bytes_at(index))

    def _text_entity(self) -> str:
        start = self.index
        match = _ENTITY.match(self.source, start)
        if match is None:
            raise self._fail('Unescaped "&" (write &amp;)', start)
        decoded = _decode_entity(match.group())
        if decoded is None:
            raise self._fail(f'Unsupported HTML entity "{match.group()}"', start)
        self.index = match.end()
        return decoded

    def _tag(self) -> None:
        start = self.index
        if self.source.startswith("</", start):
            self._end_tag(start)
            return
        name_match = _TAG_NAME.match(self.source, start + 1)
        if name_match is None:
            raise self._fail('Unescaped "<" (write &lt;)', start)
        name = name_match.group().lower()
        if name not in _SUPPORTED_TAGS:
            raise self._fail(f'Unsupported start tag "{name}"', start)
        self.index = name_match.end()
        attributes = self._attributes(start, name)
        self._open(name, attributes, start)

    def _attributes(self, start: int, tag: str) -> dict[str, str]:
        attributes: dict[str, str] = {}
        source = self.source
        while True:
            while self.index < len(source) and source[self.index].isspace():
                self.index += 1
            if self.index >= len(source):
                raise self._fail("Unclosed start tag", start)
            if source[self.index] == ">":
                self.index += 1
                return attributes
            name_match = _ATTR_NAME.match(source, self.index)
            if name_match is None:
                raise self._fail(f'Empty attribute name in the tag "{tag}"', start)
            self.index = name_match.end()
            attributes[name_match.group().lower()] = self._attribute_value(start)

    def _attribute_value(self, start: int) -> str:
        source = self.source
        if not source.startswith("=", self.index):
            return ""
        self.index += 1
        if self.index < len(source) and source[self.index] in "\"'":
            quote = source[self.index]
            end = source.find(quote, self.index + 1)
            if end < 0:
                raise self._fail("Unclosed start tag", start)
            raw = source[self.index + 1 : end]
            self.index = end + 1
        else:
            value_match = _UNQUOTED_VALUE.match(source, self.index)
            if value_match is None:
                raise self._fail("Unclosed start tag", start)
            raw = value_match.group()
            self.index = value_match.end()
        return _ENTITY.sub(lambda m: _decode_entity(m.group()) or m.group(), raw)

    def _open(self, name: str, attributes: dict[str, str], start: int) -> None:
        byte_offset = self._bytes_at(start)
        parent = self.stack[-1] if self.stack else None
        if (
            name == "code"
            and parent is not None
            and parent.name == "pre"
            and not parent.holds_language
            and parent.start == self.position
        ):
            parent.holds_language = True
            language = attributes.get("class", "")
            if language.startswith("language-") and parent.entity is not None:
                parent.entity["language"] = language.removeprefix("language-")
            self._push(name, None, byte_offset)
            return
        entity = self._entity_for(name, attributes, start)
        if entity is not None:
            self._check_nesting(name, entity["type"], start)
        self._push(name, entity, byte_offset)

    def _push(self, name: str, entity: dict[str, Any] | None, byte_offset: int) -> None:
        self.opened += 1
        self.stack.append(_OpenTag(name, entity, self.position, byte_offset, self.opened))

    def _entity_for(self, name: str, attrs: dict[str, str], start: int) -> dict[str, Any] | None:
        if name in _FORMATTING_TAGS:
            return {"type": _FORMATTING_TAGS[name]}
        if name == "span":
            if attrs.get("class") != "tg-spoiler":
                raise self._fail('Tag "span" must have class "tg-spoiler"', start)
            return {"type": "spoiler"}
        if name == "a":
            # Telegram makes no entity for a link without a target; the text stays.
            href = attrs.get("href", "")
            return {"type": "text_link", "url": href} if href else None
        if name == "tg-emoji":
            emoji_id = attrs.get("emoji-id", "")
            if not emoji_id:
                raise self._fail('Tag "tg-emoji" must have attribute "emoji-id"', start)
            return {"type": "custom_emoji", "custom_emoji_id": emoji_id}
        if name == "blockquote":
            return {"type": "expandable_blockquote" if "expandable" in attrs else "blockquote"}
        return {"type": name}  # code, pre

    def _check_nesting(self, name: str, kind: str, start: int) -> None:
        for outer in reversed(self.stack):
            outer_kind = outer.entity["type"] if outer.entity else None
            if outer_kind in _VERBATIM or (kind in _EXCLUSIVE and outer_kind in _EXCLUSIVE):
                raise self._fail(f'Tag "{name}" can\'t be used inside "{outer.name}"', start)
            if kind in _QUOTES and outer_kind in _QUOTES:
                raise self._fail("Blockquotes can't be nested", start)

    def _end_tag(self, start: int) -> None:
        close = self.source.find(">", start)
        if close < 0:
            raise self._fail("Unclosed end tag", start)
        name = self.source[start + 2 : close].strip().lower()
        self.index = close + 1
        if not self.stack:
            raise self._fail(f'Unexpected end tag "</{name}>"', start)
        top = self.stack[-1]
        if top.name != name:
            raise self._fail(f'Expected end tag "</{top.name}>", found "</{name}>"', start)
        self.stack.pop()
        length = self.position - top.start
        if top.entity is not None and length > 0:
            entity = {"type": top.entity["type"], "offset": top.start, "length": length}
            entity.update((k, v) for k, v in top.entity.items() if k != "type")
            self.done.append((top.start, -length, top.order, entity))


def _decode_entity(entity: str) -> str | None:
    body = entity[1:-1]
    if body.startswith(("#x", "#X")):
        code = int(body[2:], 16)
    elif body.startswith("#"):
        code = int(body[1:])
    else:
        return _NAMED.get(body)
    if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        return None
    return chr(code)
