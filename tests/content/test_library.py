"""Loading messages/: the shipped library, and located errors for broken files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from nudgebot.content import ContentError, ContentLibrary, UiKey, load_library, render_tip
from tests.conftest import MESSAGES_DIR


@pytest.fixture
def messages(tmp_path: Path) -> Path:
    """A writable copy of the shipped messages/ folder."""
    target = tmp_path / "messages"
    shutil.copytree(MESSAGES_DIR, target)
    return target


def problems_of(directory: Path) -> list[str]:
    """The error lines loading `directory` reports."""
    with pytest.raises(ContentError) as caught:
        load_library(directory)
    return [str(problem) for problem in caught.value.problems]


def test_shipped_library_loads(library: ContentLibrary) -> None:
    """The library in messages/ is valid, with every UI string and topic the tips use."""
    assert len(library.tips) >= 10
    assert {tip.topic for tip in library.tips.values()} <= set(library.topics)
    assert set(UiKey) <= set(library.ui)


def test_yaml_syntax_error_names_file_line_and_column(messages: Path) -> None:
    """A YAML syntax error is reported at its file, line and column."""
    (messages / "broken.yaml").write_text("tips:\n  - id: x\n    title: a: b\n")

    assert problems_of(messages) == [
        "messages/broken.yaml:3:13: YAML syntax error: mapping values are not allowed here"
    ]


def test_unknown_key_suggests_the_likely_one(messages: Path) -> None:
    """A misspelt key is refused with its line and a 'did you mean'."""
    path = messages / "tips" / "starter.yaml"
    text = path.read_text().replace("    difficulty: 1\n", "    dificulty: 1\n", 1)
    path.write_text(text)
    line = text.splitlines().index("    dificulty: 1") + 1

    problems = problems_of(messages)

    assert (
        f"messages/tips/starter.yaml:{line}:5: tips[0].dificulty: "
        "unknown key 'dificulty'; did you mean 'difficulty'?" in problems
    )
    assert any(p.endswith("tips[0].difficulty: required key is missing") for p in problems)


def test_wrong_type_and_missing_field_are_located(messages: Path) -> None:
    """A wrong type points at the value, a missing field at its tip."""
    (messages / "extra.yaml").write_text(
        "tips:\n"
        "  - id: extra-tip\n"
        "    topic: sleep\n"
        "    title: Extra\n"
        "    text: Some text.\n"
        "    action: An action.\n"
        "    why: A reason.\n"
        "    difficulty: hard\n"
    )

    problems = problems_of(messages)

    assert (
        "messages/extra.yaml:8:5: tips[0].difficulty: "
        "Input should be a valid integer, unable to parse string as an integer" in problems
    )
    assert "messages/extra.yaml:2:5: tips[0].sources: required key is missing" in problems


def test_duplicate_tip_id_across_files_points_at_both(messages: Path) -> None:
    """Two tips with one id in different files: the second is refused, naming the first."""
    (messages / "dupe.yaml").write_text(
        "tips:\n"
        "  - id: breathing-four-six\n"
        "    topic: breathing\n"
        "    title: Again\n"
        "    text: Text.\n"
        "    action: Act.\n"
        "    why: Why.\n"
        "    difficulty: 1\n"
        "    sources: [x]\n"
    )

    line = (messages / "tips" / "starter.yaml").read_text().splitlines().index(
        "  - id: breathing-four-six"
    ) + 1

    problems = problems_of(messages)

    # Files load in name order, so dupe.yaml defines it first and starter.yaml repeats it.
    assert problems == [
        f"messages/tips/starter.yaml:{line}:5: tips[3].id: duplicate tip "
        "'breathing-four-six', first defined at messages/dupe.yaml:2:5"
    ]


def test_unknown_topic_and_tip_references_are_errors(messages: Path) -> None:
    """A tip naming a topic or follow-up that does not exist is refused at that key."""
    (messages / "refs.yaml").write_text(
        "tips:\n"
        "  - id: lonely\n"
        "    topic: astrology\n"
        "    title: T\n"
        "    text: Text.\n"
        "    action: Act.\n"
        "    why: Why.\n"
        "    difficulty: 1\n"
        "    follow_up: nowhere\n"
        "    sources: [x]\n"
    )

    assert problems_of(messages) == [
        "messages/refs.yaml:3:5: tips[0].topic: unknown topic 'astrology'",
        "messages/refs.yaml:9:5: tips[0].follow_up: unknown tip 'nowhere'",
    ]


def test_missing_ui_string_and_bad_placeholder_are_errors(messages: Path) -> None:
    """Every UI string the code uses must exist and use only its own placeholders."""
    path = messages / "ui.yaml"
    text = path.read_text()
    text = text.replace('  checkin_chosen_mark: "✅"\n', "")
    text = text.replace("Saved: {choice}", "Saved: {choise}")
    path.write_text(text)

    problems = problems_of(messages)

    assert "messages:1:1: ui.checkin_chosen_mark: missing UI string" in problems
    assert any(p.endswith("ui.checkin_changed: unknown placeholder {choise}") for p in problems)


def test_every_error_is_reported_at_once(messages: Path) -> None:
    """Several broken files give several problems in one report, not just the first."""
    (messages / "a.yaml").write_text("topics: [1, 2]\n")
    (messages / "b.yaml").write_text("tips: {\n")

    assert len(problems_of(messages)) >= 3


def test_tip_renders_in_the_subscriber_language_with_fallback(library: ContentLibrary) -> None:
    """UI parts follow the subscriber's language; an untranslated field falls back to English."""
    tip = library.tips["breathing-four-six"]

    spanish = render_tip(library, tip, "es")
    unknown = render_tip(library, tip, "xx")

    assert "<b>Hoy:</b>" in spanish.html
    assert [b.label for b in spanish.buttons] == ["Hecho", "Luego", "No es para mí"]
    assert "<b>Today:</b>" in unknown.html
    assert [b.label for b in unknown.buttons] == ["Did it", "Later", "Not for me"]


def test_chosen_option_is_marked(library: ContentLibrary) -> None:
    """A rendered tip with an answer marks that button and says what was recorded."""
    tip = library.tips["breathing-four-six"]

    rendered = render_tip(library, tip, "en", chosen_option="later")

    assert [b.label for b in rendered.buttons] == ["Did it", "✅ Later", "Not for me"]
    assert "Your answer: Later." in rendered.html
