"""`nudgebot content check`, `screen` and `preview` as an admin runs them."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from nudgebot.cli import main
from tests.conftest import MESSAGES_DIR


def test_check_of_a_valid_library_exits_zero_with_counts_and_coverage(
    messages: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A valid folder exits 0 and says how much of it each language covers."""
    status = main(["content", "check", str(messages)])

    out = capsys.readouterr().out
    assert status == 0
    assert f"{messages}: 11 topics, 2 tips, 0 errors, 0 warnings" in out
    assert "es: UI strings" in out


def test_check_reports_every_error_and_exits_non_zero(
    messages: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Errors print one per line, compiler-style, and the exit status is 1."""
    (messages / "extra.yaml").write_text("tips:\n  - id: x\n    title: a: b\n")
    (messages / "more.yaml").write_text("topics: 5\n")

    status = main(["content", "check", str(messages)])

    lines = capsys.readouterr().out.splitlines()
    assert status == 1
    assert lines[:2] == [
        "messages/extra.yaml:3:13: YAML syntax error: mapping values are not allowed here",
        "messages/more.yaml:1:1: topics: expected a list",
    ]


def test_check_json_has_the_documented_shape(
    messages: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--json gives topics, tips, errors and warnings (coverage and the safety corpus's
    figures too) for scripts."""
    (messages / "extra.yaml").write_text("ui:\n  greting: Hi\n")

    status = main(["content", "check", str(messages), "--json"])

    report = json.loads(capsys.readouterr().out)
    assert status == 1
    assert set(report) == {"topics", "tips", "errors", "warnings", "coverage", "safety_corpus"}
    assert report["errors"] == [
        "messages/extra.yaml:2:3: ui.greting: unknown UI string; did you mean 'greeting'?"
    ]


def test_screen_prints_a_verdict_per_line_with_the_rule_that_decided(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`content screen --json` reads standard input and answers each line: verdict, level and
    the file:line of the rule, or nulls for an ordinary message."""
    monkeypatch.setattr(
        "sys.stdin", io.StringIO("I can't do this anymore\nmy stools look like tar\nnice walk\n")
    )

    status = main(["content", "screen", str(MESSAGES_DIR), "--json"])

    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert status == 0
    assert [(line["verdict"], line["level"]) for line in lines] == [
        ("crisis", "ask"),
        ("red_flag", "sure"),
        (None, None),
    ]
    assert lines[0]["rule"].startswith("messages/safety.yaml:")
    assert lines[2]["rule"] is None


def test_preview_prints_the_tip_and_its_buttons(
    messages: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A preview is the message as the subscriber reads it, in the asked language."""
    status = main(["content", "preview", "sample-walk", "--lang", "es", "--dir", str(messages)])

    out = capsys.readouterr().out
    assert status == 0
    assert "Un paseo corto" in out
    assert "<b>" not in out
    assert out.rstrip().endswith("[Hecho]  [Luego]  [No es para mí]")


def test_preview_of_an_unknown_tip_fails_clearly(
    messages: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An unknown id is an error that names it."""
    status = main(["content", "preview", "nope", "--dir", str(messages)])

    assert status == 2
    assert "no tip with the id 'nope'" in capsys.readouterr().err
