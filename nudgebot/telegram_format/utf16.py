"""UTF-16 code units: the unit Telegram measures entity offsets and lengths in."""

from __future__ import annotations


def utf16_len(text: str) -> int:
    """How many UTF-16 code units `text` takes (characters outside the BMP count twice)."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def utf16_to_index(text: str, units: int) -> int:
    """The Python string index that sits `units` UTF-16 code units into `text`."""
    seen = 0
    for index, char in enumerate(text):
        if seen >= units:
            return index
        seen += 2 if ord(char) > 0xFFFF else 1
    return len(text)
