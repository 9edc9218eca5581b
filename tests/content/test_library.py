"""The content library: the shipped one loads; texts render in the subscriber's language."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from nudgebot.content import ContentLibrary, UiKey, load_library, render_tip
from nudgebot.content.checks import REQUIRED_WELLBEING
from nudgebot.content.rendering import render_wellbeing


def test_shipped_library_loads_with_every_piece_the_code_uses(library: ContentLibrary) -> None:
    """messages/ is valid and has every UI string, wellbeing scale and topic tips refer to."""
    assert set(UiKey) <= set(library.ui)
    assert set(REQUIRED_WELLBEING) <= set(library.wellbeing)
    assert {tip.topic for tip in library.tips.values()} <= set(library.topics)


def test_tip_renders_in_the_subscriber_language(messages: Path) -> None:
    """A translated tip renders fully in Spanish, buttons included."""
    library = load_library(messages)

    rendered = render_tip(library, library.tips["sample-walk"], "es")

    assert "Un paseo corto" in rendered.html
    assert "<b>Hoy:</b> Después de comer" in rendered.html
    assert [b.label for b in rendered.buttons] == ["Hecho", "Luego", "No es para mí"]


def test_untranslated_fields_fall_back_to_the_default_language(messages: Path) -> None:
    """A Spanish subscriber sees Spanish UI around an English-only tip; other languages get English."""
    library = load_library(messages)
    tip = library.tips["sample-stairs"]

    spanish = render_tip(library, tip, "es")
    unknown = render_tip(library, tip, "xx")

    assert "<b>Hoy:</b> When I reach a lift" in spanish.html
    assert "<b>Today:</b> When I reach a lift" in unknown.html
    assert [b.label for b in unknown.buttons] == ["Did it", "Later", "Not for me"]


def test_chosen_option_is_marked(messages: Path) -> None:
    """A rendered tip with an answer marks that button and says what was recorded."""
    library = load_library(messages)

    rendered = render_tip(library, library.tips["sample-walk"], "en", chosen_option="later")

    assert [b.label for b in rendered.buttons] == ["Did it", "✅ Later", "Not for me"]
    assert "Your answer: Later." in rendered.html


def test_titles_are_escaped_but_tip_html_is_kept(messages: Path) -> None:
    """A title is plain text (escaped); the tip's own fields are Telegram HTML (kept)."""
    sample = messages / "tips" / "sample.yaml"
    sample.write_text(
        sample.read_text()
        .replace("title: Take the stairs", "title: Stairs & steps")
        .replace("text: Short bursts", "text: <i>Short</i> bursts")
    )
    library = load_library(messages)

    rendered = render_tip(library, library.tips["sample-stairs"], "en")

    assert "Stairs &amp; steps" in rendered.html
    assert "<i>Short</i> bursts" in rendered.html


def test_a_rendered_tip_is_kept_with_its_library_only(messages: Path) -> None:
    """Rendering a tip twice gives the kept message; a reloaded library with the tip edited,
    and an edited copy of the tip not in the library (a preview), render their own text."""
    library = load_library(messages)
    tip = library.tips["sample-walk"]
    first = render_tip(library, tip, "en")
    edited = tip.model_copy(update={"text": "A brand new text."})
    reloaded = replace(library, tips={**library.tips, tip.id: edited})

    assert render_tip(library, tip, "en") is first
    assert "A brand new text." in render_tip(reloaded, edited, "en").html
    assert "A brand new text." in render_tip(library, edited, "en").html
    assert render_tip(library, tip, "en") is first
    assert render_tip(library, tip, "en", chosen_option="later") != first


def test_the_wellbeing_check_in_renders_its_answers_whatever_their_order(
    library: ContentLibrary,
) -> None:
    """The check-in as it stands depends on the answers, not on the order they came in; a
    library kept render is the same message as a fresh one."""
    forward = render_wellbeing(library, "en", {"mood": 2, "gut_comfort": 4})
    backward = render_wellbeing(library, "en", {"gut_comfort": 4, "mood": 2})
    fresh = render_wellbeing(replace(library), "en", {"gut_comfort": 4, "mood": 2})

    assert forward is backward
    assert fresh == forward
    assert forward.question_id == "sleep_quality"
