"""A tip as the subscriber sees it: Telegram HTML text plus its check-in buttons."""

from __future__ import annotations

import html
from dataclasses import dataclass

from nudgebot.content.library import ContentLibrary
from nudgebot.content.schema import Tip
from nudgebot.content.ui_keys import UiKey


@dataclass(frozen=True)
class Button:
    """A check-in button: what it says and which option it answers."""

    label: str
    option_id: str


@dataclass(frozen=True)
class RenderedTip:
    """The message text (Telegram HTML) and its buttons, in display order."""

    html: str
    buttons: tuple[Button, ...]


def render_tip(
    library: ContentLibrary, tip: Tip, language: str, chosen_option: str | None = None
) -> RenderedTip:
    """Render `tip` in `language`; with `chosen_option`, show which answer was recorded."""
    text = library.text
    topic = library.topics.get(tip.topic)
    heading = html.escape(text(tip.title, language), quote=False)
    if topic is not None:
        heading = f"{topic.emoji} {heading}"
    # Tip fields are admin-written Telegram HTML (validated at load), so they go in unescaped.
    parts = [
        f"<b>{heading}</b>",
        text(tip.text, language),
        _labelled(library, UiKey.TIP_TODAY, "action", text(tip.action, language), language),
        _labelled(library, UiKey.TIP_WHY, "why", text(tip.why, language), language),
    ]
    if tip.cautions is not None:
        caution = text(tip.cautions, language)
        parts.append(_labelled(library, UiKey.TIP_CAUTION, "caution", caution, language))
    checkin = library.checkin_for(tip)
    parts.append(f"<b>{text(checkin.question, language)}</b>")
    mark = library.ui_text(UiKey.CHECKIN_CHOSEN_MARK, language)
    buttons: list[Button] = []
    for option in checkin.options:
        label = text(option.label, language)
        if option.id == chosen_option:
            parts.append(library.ui_text(UiKey.CHECKIN_RECORDED, language, choice=label))
            label = f"{mark} {label}"
        buttons.append(Button(label, option.id))
    return RenderedTip("\n\n".join(parts), tuple(buttons))


def _labelled(
    library: ContentLibrary, key: UiKey, placeholder: str, value: str, language: str
) -> str:
    # The value is trusted HTML from the tip, so it is substituted after the UI text is built.
    template = library.text(library.ui[key], language)
    return template.replace("{" + placeholder + "}", value)
