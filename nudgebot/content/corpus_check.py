"""`content check` measures the safety rules on the corpus and warns when recall fell.

The figures last accepted are kept in `safety-corpus/recall.json` (`content check
--record-safety-figures` writes them); an edit of safety.yaml that catches fewer of the corpus's
worrying messages, or flags more of its ordinary ones, than those figures is a warning that
names the messages now got wrong.
"""

from __future__ import annotations

import json
from pathlib import Path

from nudgebot.content.problems import Problem
from nudgebot.content.safety import SafetyRules
from nudgebot.content.safety_corpus import (
    CORPUS_FOLDER,
    Figure,
    measure,
    read_corpus,
)

# JSON, not YAML: every *.yaml under messages/ is read as content.
RECORD_FILE = "recall.json"
RECORDED_DIGITS = 4
TUNING = "tuning"
# How many wrongly screened messages a warning quotes.
_SHOWN = 5


def recorded_figures(corpus: Path) -> dict[str, dict[str, float]]:
    """`part kind language` -> {"recall", "false_alarms"} as last accepted (none: empty)."""
    try:
        data = json.loads((corpus / RECORD_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    # An entry edited by hand into something else is left out, not a crash.
    return {
        key: {
            name: value
            for name, value in figures.items()
            if isinstance(value, int | float) and not isinstance(value, bool)
        }
        for key, figures in data.items()
        if isinstance(figures, dict)
    }


def record_figures(figures: list[Figure], messages_dir: Path) -> Path:
    """Write `figures` as the ones accepted (after an improvement); returns the file written."""
    path = messages_dir / CORPUS_FOLDER / RECORD_FILE
    accepted = {
        figure_key(figure): {
            "recall": round(figure.recall, RECORDED_DIGITS),
            "false_alarms": round(figure.false_alarm_rate, RECORDED_DIGITS),
        }
        for figure in figures
    }
    path.write_text(json.dumps(accepted, indent=2) + "\n", encoding="utf-8")
    return path


def figure_key(figure: Figure) -> str:
    """How a figure is named in recall.json."""
    return f"{figure.part} {figure.kind.value} {figure.language}"


def corpus_figures(rules: SafetyRules, messages_dir: Path) -> tuple[list[Figure], list[Problem]]:
    """The rules' figures on `messages_dir`'s corpus (none without one), and a warning for each
    part, kind and language that does worse than recorded, naming the messages now got wrong."""
    corpus = messages_dir / CORPUS_FOLDER
    measured = measure(rules, read_corpus(corpus))
    recorded = recorded_figures(corpus)
    warnings = []
    for figure in measured.figures:
        was = recorded.get(figure_key(figure), {})
        # Compared as recorded: to four decimals.
        fell = round(figure.recall, RECORDED_DIGITS) < was.get("recall", 0.0)
        rose = round(figure.false_alarm_rate, RECORDED_DIGITS) > was.get("false_alarms", 1.0)
        if not (fell or rose):
            continue
        wrong = [
            m
            for m in measured.wrong
            if (m.part, m.kind, m.language) == (figure.part, figure.kind, figure.language)
        ]
        # Only tuning messages are quoted: the other parts are measured, never read.
        examples = (
            "; ".join(f"{m.where}: {m.text!r}" for m in wrong[:_SHOWN])
            if figure.part == TUNING
            else f"{len(wrong)} messages, not quoted: this part is measured, never read"
        )
        warnings.append(
            Problem(
                str(corpus / RECORD_FILE),
                1,
                1,
                figure_key(figure),
                f"the safety rules now reach {figure} (recorded: recall "
                f"{_shown(was, 'recall')}, false alarms {_shown(was, 'false_alarms')}); "
                f"got wrong: {examples}",
                "warning",
            )
        )
    return measured.figures, warnings


def _shown(recorded: dict[str, float], name: str) -> str:
    return f"{recorded[name]:.1%}" if name in recorded else "none recorded"
