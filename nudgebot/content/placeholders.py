"""The {placeholders} of content texts: which names a text uses, and what is wrong with them.

Texts are filled with `str.format(**values)`, and only plain, known names are safe there: an
empty `{}` or broken braces always fail, a format spec (`{minutes:d}`) fails as soon as the
value comes as text, and a conversion (`{name!r}`) shows the subscriber quotes. Each is
reported here, at load time, instead of showing when a subscriber is answered.
"""

from __future__ import annotations

import string
from collections.abc import Iterator


def placeholders_of(text: str) -> set[str]:
    """The names of the placeholders `text` uses (a text that passed `placeholder_problems`)."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def placeholder_problems(text: str, allowed: frozenset[str], noun: str) -> Iterator[str]:
    """What is wrong with the placeholders of `text`, which may use `allowed` (the `noun`
    names the text in the messages: "string", "text")."""
    try:
        fields = list(string.Formatter().parse(text))
    except ValueError as error:
        yield f"broken {{placeholder}}: {error}"
        return
    for _, name, spec, conversion in fields:
        if name is None:
            continue
        if not name:
            yield "an empty {} placeholder: name what goes there"
        elif spec or conversion:
            written = (
                name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "")
            )
            yield f"{{{written}}} takes no format or conversion: write {{{name}}}"
        elif name not in allowed:
            accepts = f" (this {noun} accepts {', '.join(sorted(allowed))})" if allowed else ""
            yield f"unknown placeholder {{{name}}}{accepts}"
