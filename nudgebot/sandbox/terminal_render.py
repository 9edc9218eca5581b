"""How the terminal chat shows a bot message: formatted text, media lines, numbered buttons."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nudgebot.telegram_format.utf16 import utf16_to_index

_RESET = "\x1b[0m"
_ANSI = {
    "bold": "\x1b[1m",
    "italic": "\x1b[3m",
    "underline": "\x1b[4m",
    "strikethrough": "\x1b[9m",
    "spoiler": "\x1b[7m",
    "code": "\x1b[36m",
    "pre": "\x1b[36m",
    "text_link": "\x1b[34m",
}
_INDENT = "     "


@dataclass(frozen=True)
class Button:
    """A button as the terminal offers it: what it says and what pressing it does."""

    label: str
    kind: str  # "callback", "url", "reply" or "unsupported"
    value: str


def render_text(text: str, entities: list[dict[str, Any]], *, color: bool) -> str:
    """The text with its entities as ANSI styles (when `color`), links followed by their URL."""
    styles: list[set[str]] = [set() for _ in text]
    notes: dict[int, list[str]] = {}
    for entity in entities:
        start = utf16_to_index(text, entity.get("offset", 0))
        end = utf16_to_index(text, entity.get("offset", 0) + entity.get("length", 0))
        code = _ANSI.get(entity.get("type", ""))
        if color and code:
            for index in range(start, end):
                styles[index].add(code)
        if entity.get("type") == "text_link" and entity.get("url"):
            notes.setdefault(end, []).append(f" ({entity['url']})")
    pieces: list[str] = []
    active: set[str] = set()
    for index in range(len(text) + 1):
        wanted = styles[index] if index < len(text) else set()
        if index in notes or wanted != active:
            if active:
                pieces.append(_RESET)
                active = set()
            pieces.extend(notes.get(index, []))
        if wanted != active:
            pieces.extend(sorted(wanted))
            active = set(wanted)
        if index < len(text):
            pieces.append(text[index])
    return "".join(pieces)


def buttons_of(markup: dict[str, Any] | None) -> list[list[Button]]:
    """The rows of buttons a reply markup offers, inline or reply keyboard."""
    if not markup:
        return []
    if "inline_keyboard" in markup:
        return [[_inline_button(b) for b in row] for row in markup["inline_keyboard"]]
    if "keyboard" in markup:
        return [[_reply_button(b) for b in row] for row in markup["keyboard"]]
    return []


def render_message(
    message: dict[str, Any], *, color: bool, first_number: int = 1
) -> tuple[str, list[Button]]:
    """The lines for one listed bot message, and its buttons numbered from `first_number`."""
    header = "bot (edited):" if message.get("edited") else "bot:"
    parts: list[str] = []
    if message.get("photo"):
        largest = message["photo"][-1]
        size = _human_size(largest.get("file_size", 0))
        parts.append(f"[photo {largest['width']}x{largest['height']}, {size}]")
    if message.get("document"):
        document = message["document"]
        name = document.get("file_name") or "file"
        parts.append(f"[document {name}, {_human_size(document.get('file_size', 0))}]")
    body = message.get("text") or message.get("caption")
    if body:
        parts.append(render_text(body, message.get("entities") or [], color=color))
    lines = "\n".join(parts).splitlines() or [""]
    rendered = [f"{header} {lines[0]}", *(_INDENT + line for line in lines[1:])]
    buttons: list[Button] = []
    for row in buttons_of(message.get("reply_markup")):
        labels = []
        for button in row:
            buttons.append(button)
            labels.append(f"[{first_number + len(buttons) - 1}] {button.label}")
        rendered.append(_INDENT + "  ".join(labels))
    return "\n".join(rendered), buttons


def _inline_button(button: dict[str, Any]) -> Button:
    label = str(button.get("text", "?"))
    if "callback_data" in button:
        return Button(label, "callback", str(button["callback_data"]))
    if "url" in button:
        return Button(label, "url", str(button["url"]))
    return Button(label, "unsupported", "")


def _reply_button(button: Any) -> Button:
    label = str(button.get("text", "?") if isinstance(button, dict) else button)
    return Button(label, "reply", label)


def _human_size(size: int) -> str:
    kilobytes = size / 1024
    if kilobytes >= 1024:
        return f"{kilobytes / 1024:.1f} MB"
    return f"{max(1, round(kilobytes))} KB"
