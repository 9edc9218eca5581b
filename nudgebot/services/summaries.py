"""The weekly summary: what it holds, and its text in the subscriber's language."""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from nudgebot.adaptation.insights import Pairing
from nudgebot.content.library import ContentLibrary
from nudgebot.content.ui_keys import UiKey

# How each paired question is named inside the pairing sentence ("your mood averaged ...").
MEASURES = {"mood": UiKey.WEEKLY_SUMMARY_MOOD, "gut_comfort": UiKey.WEEKLY_SUMMARY_GUT_COMFORT}
# A streak of one day is just a day; it is worth a line from two in a row.
MIN_STREAK_SHOWN = 2
# Enough for the point to land without turning a friendly message into a table.
MAX_PAIRINGS_SHOWN = 3


@dataclass(frozen=True)
class WeeklySummary:
    """The 7 days from `start` to `end` (today): tips done per topic (most first) and the best
    streak; and the wellbeing pairings over the last `pairing_days` (largest differences first).
    """

    language: str
    start: date
    end: date
    done_by_topic: Mapping[str, int]
    best_streak: int
    pairings: tuple[Pairing, ...]
    pairing_days: int


def topic_label(library: ContentLibrary, topic_id: str, language: str) -> str:
    """A topic's emoji and title as plain text, or its id for a topic no longer in the library."""
    topic = library.topics.get(topic_id)
    if topic is None:
        return topic_id
    return f"{topic.emoji} {html.unescape(library.text(topic.title, language))}"


def format_mean(library: ContentLibrary, language: str, value: float) -> str:
    """A mean score with one decimal, written with the language's decimal point (3.9, 3,9)."""
    point = html.unescape(library.ui_text(UiKey.PROGRESS_DECIMAL_POINT, language))
    return f"{value:.1f}".replace(".", point)


def render_weekly_summary(library: ContentLibrary, language: str, summary: WeeklySummary) -> str:
    """The summary as Telegram HTML: the week, then the pairings with their caveat.

    Pairings for a question without a wording (see MEASURES) are left out, so the service may
    pair more questions than this text knows how to say.
    """
    lines = [library.ui_text(UiKey.WEEKLY_SUMMARY_TITLE, language), ""]
    total = sum(summary.done_by_topic.values())
    if total:
        lines.append(library.ui_text(UiKey.WEEKLY_SUMMARY_DONE, language, count=total))
        lines.extend(
            library.ui_text(
                UiKey.WEEKLY_SUMMARY_TOPIC,
                language,
                topic=topic_label(library, topic, language),
                count=count,
            )
            for topic, count in summary.done_by_topic.items()
            if count
        )
    else:
        lines.append(library.ui_text(UiKey.WEEKLY_SUMMARY_NOTHING_DONE, language))
    if summary.best_streak >= MIN_STREAK_SHOWN:
        lines.append(
            library.ui_text(UiKey.WEEKLY_SUMMARY_STREAK, language, streak=summary.best_streak)
        )
    pairings = [p for p in summary.pairings if p.question_id in MEASURES][:MAX_PAIRINGS_SHOWN]
    if pairings:
        lines.extend(
            [
                "",
                library.ui_text(
                    UiKey.WEEKLY_SUMMARY_PAIRING_INTRO, language, days=summary.pairing_days
                ),
            ]
        )
        lines.extend(_pairing_line(library, language, pairing) for pairing in pairings)
        lines.extend(["", library.ui_text(UiKey.WEEKLY_SUMMARY_CAVEAT, language)])
    lines.extend(["", library.ui_text(UiKey.WEEKLY_SUMMARY_FOOTER, language)])
    return "\n".join(lines)


def _pairing_line(library: ContentLibrary, language: str, pairing: Pairing) -> str:
    topic = library.topics.get(pairing.topic)
    title = library.text(topic.title, language) if topic is not None else pairing.topic
    # ui_text escapes the values it fills in: pass plain text, not an already escaped string.
    measure = html.unescape(library.ui_text(MEASURES[pairing.question_id], language))
    return library.ui_text(
        UiKey.WEEKLY_SUMMARY_PAIRING,
        language,
        topic=html.unescape(title),
        measure=measure,
        with_mean=format_mean(library, language, pairing.mean_with),
        with_days=pairing.days_with,
        without_mean=format_mean(library, language, pairing.mean_without),
        without_days=pairing.days_without,
    )
