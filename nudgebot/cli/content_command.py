"""`nudgebot content`: check the content library, or preview a tip as a subscriber sees it."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from nudgebot.cli.process import EXIT_CONTENT_ERRORS, EXIT_SETUP_ERROR
from nudgebot.config import Settings
from nudgebot.content import ContentError, load_library, render_tip
from nudgebot.content.corpus_check import corpus_figures, record_figures
from nudgebot.content.coverage import translation_coverage
from nudgebot.telegram_format import parse_html

if TYPE_CHECKING:
    from nudgebot.cli.arguments import Commands


def add_parser(commands: Commands) -> None:
    """The `content` subcommand and its actions."""
    content = commands.add_parser("content", help="the content library in messages/")
    content_commands = content.add_subparsers(
        dest="content_command", required=True, metavar="ACTION"
    )
    check = content_commands.add_parser(
        "check", help="validate the library and report every problem as file:line:column"
    )
    check.add_argument(
        "directory", nargs="?", type=Path, help="content folder (default NUDGEBOT_MESSAGES_DIR)"
    )
    check.add_argument("--json", action="store_true", help="print a JSON report")
    check.add_argument(
        "--record-safety-figures",
        action="store_true",
        help="accept the safety rules' figures on the corpus: later checks warn below them",
    )
    screen = content_commands.add_parser(
        "screen",
        help="read messages from standard input, one per line, and print the safety verdict "
        "of each (try an edit of safety.yaml before it goes live)",
    )
    screen.add_argument(
        "directory", nargs="?", type=Path, help="content folder (default NUDGEBOT_MESSAGES_DIR)"
    )
    screen.add_argument("--json", action="store_true", help="print one JSON object per line")
    preview = content_commands.add_parser(
        "preview", help="print a tip as a subscriber would see it, with its buttons"
    )
    preview.add_argument("tip_id", help="the tip's id")
    preview.add_argument("--lang", default=None, help="language code (default: the library's)")
    preview.add_argument(
        "--dir", type=Path, default=None, help="content folder (default NUDGEBOT_MESSAGES_DIR)"
    )


def execute(settings: Settings, arguments: argparse.Namespace) -> int:
    """Run the chosen action; the exit status says whether the library has errors."""
    if arguments.content_command == "preview":
        return _preview(settings, arguments)
    if arguments.content_command == "screen":
        return _screen(settings, arguments.directory, as_json=arguments.json)
    return _check(
        settings,
        arguments.directory,
        as_json=arguments.json,
        record=arguments.record_safety_figures,
    )


def _check(settings: Settings, directory: Path | None, *, as_json: bool, record: bool) -> int:
    folder = directory or settings.messages_dir
    try:
        library = load_library(folder)
    except ContentError as error:
        errors, warnings, library_or_none = error.problems, error.warnings, None
    else:
        errors, warnings, library_or_none = [], library.warnings, library
    coverage = translation_coverage(library_or_none) if library_or_none else []
    figures, corpus_warnings = (
        corpus_figures(library_or_none.safety, folder) if library_or_none else ([], [])
    )
    if record and figures and not errors:
        written = record_figures(figures, folder)
        corpus_warnings = []
        print(f"recorded the safety figures in {written}", file=sys.stderr)
    elif record and errors:
        print("nudgebot: safety figures not recorded: fix the errors first", file=sys.stderr)
    elif record:
        print(f"nudgebot: no safety corpus under {folder} to record", file=sys.stderr)
    warnings = [*warnings, *corpus_warnings]
    topics = len(library_or_none.topics) if library_or_none else 0
    tips = len(library_or_none.tips) if library_or_none else 0
    if as_json:
        report = {
            "topics": topics,
            "tips": tips,
            "errors": [str(problem) for problem in errors],
            "warnings": [str(problem) for problem in warnings],
            "coverage": {
                entry.language: {
                    "ui_strings": list(entry.ui_strings),
                    "topics": list(entry.topics),
                    "tips": list(entry.tips),
                }
                for entry in coverage
            },
            "safety_corpus": [
                {
                    "part": figure.part,
                    "kind": figure.kind.value,
                    "language": figure.language,
                    "recall": round(figure.recall, 4),
                    "false_alarms": round(figure.false_alarm_rate, 4),
                }
                for figure in figures
            ],
        }
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return EXIT_CONTENT_ERRORS if errors else 0
    for problem in errors:
        print(problem)
    for problem in warnings:
        print(f"{problem} (warning)")
    counts = f"{len(errors)} errors, {len(warnings)} warnings"
    print(f"{folder}: {topics} topics, {tips} tips, {counts}")
    if coverage:
        print("translations (fully written / all):")
        for entry in coverage:
            print(f"  {entry}")
    if figures:
        print("safety rules on the corpus (recall: worrying messages caught; false alarms:")
        print("ordinary look-alikes flagged):")
        for figure in figures:
            print(f"  {figure}")
    return EXIT_CONTENT_ERRORS if errors else 0


def _preview(settings: Settings, arguments: argparse.Namespace) -> int:
    library = load_library(arguments.dir or settings.messages_dir)
    tip = library.tips.get(arguments.tip_id)
    if tip is None:
        print(f"nudgebot: no tip with the id {arguments.tip_id!r}", file=sys.stderr)
        return EXIT_SETUP_ERROR
    language = arguments.lang or library.default_language
    rendered = render_tip(library, tip, language)
    print(parse_html(rendered.html).text)
    print()
    print("  ".join(f"[{button.label}]" for button in rendered.buttons))
    return 0


def _screen(settings: Settings, directory: Path | None, *, as_json: bool) -> int:
    library = load_library(directory or settings.messages_dir)
    for line in sys.stdin:
        text = line.rstrip("\n")
        screening = library.safety.screen(text)
        verdict = screening.verdict
        found = [f for f in (screening.crisis, screening.red_flag) if f is not None]
        if as_json:
            print(
                json.dumps(
                    {
                        "text": text,
                        "verdict": verdict.kind.value if verdict else None,
                        "level": verdict.level.value if verdict else None,
                        "rule": verdict.rule if verdict else None,
                        # Each kind found, as the bot answers them all.
                        "findings": [
                            {"verdict": f.kind.value, "level": f.level.value, "rule": f.rule}
                            for f in found
                        ],
                    },
                    ensure_ascii=False,
                ),
                flush=True,
            )
        elif verdict is None:
            print(f"-\t\t{text}", flush=True)
        else:
            print(
                f"{verdict.kind.value}\t{verdict.level.value}\t{text}\t({verdict.rule})",
                flush=True,
            )
    return 0
