"""A tip as the subscriber sees it: Telegram HTML text plus its check-in buttons."""

from __future__ import annotations

import html
from collections.abc import Mapping
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
    tip_id: str = ""


@dataclass(frozen=True)
class RenderedWellbeing:
    """The wellbeing check-in as it stands: answers so far, and the next question's buttons.

    `question_id` is the question the buttons answer; None once every question is answered.
    """

    html: str
    buttons: tuple[Button, ...]
    question_id: str | None


@dataclass(frozen=True)
class RenderedNotice:
    """A message from the bot itself: `kind` says which (for logs and the simulation)."""

    kind: str
    html: str
    buttons: tuple[Button, ...] = ()


RESUME_OPTION = "resume"


def wellbeing_option(question_id: str, score: int) -> str:
    """The option id of one score button: "mood=4"."""
    return f"{question_id}={score}"


def parse_wellbeing_option(option_id: str) -> tuple[str, int] | None:
    """ "mood=4" -> ("mood", 4); None for anything that is not a 1-5 score button."""
    question_id, _, score = option_id.partition("=")
    if not question_id or score not in {"1", "2", "3", "4", "5"}:
        return None
    return question_id, int(score)


def render_tip(
    library: ContentLibrary, tip: Tip, language: str, chosen_option: str | None = None
) -> RenderedTip:
    """Render `tip` in `language`; with `chosen_option`, show which answer was recorded.

    A tip of the library is rendered once per language and answer and kept with the library:
    every send and every press renders one, for the same few hundred messages.
    """
    if library.tips.get(tip.id) is not tip:  # a tip from elsewhere: nothing to keep
        return _render_tip(library, tip, language, chosen_option)
    return library.derived(
        (RenderedTip, tip.id, language, chosen_option),
        lambda: _render_tip(library, tip, language, chosen_option),
    )


def _render_tip(
    library: ContentLibrary, tip: Tip, language: str, chosen_option: str | None
) -> RenderedTip:
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
    return RenderedTip("\n\n".join(parts), tuple(buttons), tip.id)


def render_wellbeing(
    library: ContentLibrary, language: str, answered: Mapping[str, int]
) -> RenderedWellbeing:
    """The wellbeing check-in with `answered` (question id -> score) filled in.

    One question at a time, in library order: each press edits the message to the next one, so
    the chat shows one short card instead of three. Kept with the library, as tips are.
    """
    key = (RenderedWellbeing, language, tuple(sorted(answered.items())))
    return library.derived(key, lambda: _render_wellbeing(library, language, answered))


def _render_wellbeing(
    library: ContentLibrary, language: str, answered: Mapping[str, int]
) -> RenderedWellbeing:
    text = library.text
    parts = [f"<b>{library.ui_text(UiKey.WELLBEING_INTRO, language)}</b>"]
    pending = None
    for question in library.wellbeing.values():
        asked = html.escape(text(question.question, language), quote=False)
        score = answered.get(question.id)
        if score is not None:
            label = html.escape(text(question.labels[score], language), quote=False)
            parts.append(f"{asked} <b>{score}</b> ({label})")
        elif pending is None:
            pending = question
            parts.append(f"<b>{asked}</b>")
    if pending is None:
        parts.append(library.ui_text(UiKey.WELLBEING_THANKS, language))
        return RenderedWellbeing("\n\n".join(parts), (), None)
    buttons = tuple(
        Button(
            f"{score} {text(pending.labels[score], language)}", wellbeing_option(pending.id, score)
        )
        for score in sorted(pending.labels)
    )
    return RenderedWellbeing("\n\n".join(parts), buttons, pending.id)


def render_dormant_notice(library: ContentLibrary, language: str) -> RenderedNotice:
    """ "I'll pause for now", with a button that brings the tips back."""
    resume = Button(library.ui_text(UiKey.BUTTON_RESUME, language), RESUME_OPTION)
    return RenderedNotice("dormant", library.ui_text(UiKey.DORMANT_NOTICE, language), (resume,))


def _labelled(
    library: ContentLibrary, key: UiKey, placeholder: str, value: str, language: str
) -> str:
    # The value is trusted HTML from the tip, so it is substituted after the UI text is built.
    template = library.text(library.ui[key], language)
    return template.replace("{" + placeholder + "}", value)
