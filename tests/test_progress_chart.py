"""The /progress chart and its caption, drawn from progress reports built in the test."""

from __future__ import annotations

import io
from datetime import date, timedelta

import numpy as np
from matplotlib.image import imread

from nudgebot.adaptation.progress import DayRecord, habit_scores
from nudgebot.bot.progress_chart import (
    GUT_COLOUR,
    MOOD_COLOUR,
    chart_labels,
    render_progress_chart,
)
from nudgebot.bot.progress_handlers import progress_caption
from nudgebot.content import ContentLibrary
from nudgebot.sandbox.images import image_size
from nudgebot.services.progress import ProgressReport

END = date(2026, 6, 28)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def report_of(
    weeks: int,
    *,
    done: str = "yyn",
    topics: tuple[str, ...] = ("breathing", "sleep"),
    moods: bool = True,
    language: str = "en",
) -> ProgressReport:
    """`weeks` of daily tips cycling through `topics`, done as `done` repeats ('y' did it)."""
    start = END - timedelta(days=7 * weeks - 1)
    records = [
        DayRecord(start + timedelta(days=n), topics[n % len(topics)], done[n % len(done)] == "y")
        for n in range(7 * weeks)
    ]
    habits = habit_scores(records, (), start, END)
    counts = {topic: sum(r.done for r in records if r.topic == topic) for topic in topics}
    wellbeing = {
        "mood": tuple(float(2 + n % 4) for n in range(7 * weeks)),
        "gut_comfort": tuple(None if n % 3 else 3.0 for n in range(7 * weeks)),
    }
    return ProgressReport(
        language=language,
        start=start,
        end=END,
        habits=habits,
        done_by_topic=dict(sorted(counts.items(), key=lambda item: -item[1])),
        days_done=sum(r.done for r in records),
        answered=len(records),
        wellbeing=wellbeing if moods else {},
    )


def pixels_of(png: bytes, colour: str) -> int:
    """How many pixels of the image are exactly `colour` ("#rrggbb")."""
    image = imread(io.BytesIO(png), format="png")[:, :, :3]
    target = np.array([int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
    return int(np.all(np.abs(image - target) < 1 / 255, axis=2).sum())


def test_chart_is_a_phone_sized_png_under_200_kb_even_for_a_year(library: ContentLibrary) -> None:
    """Fifty-two weeks of daily data still make an 800 x 900 PNG well under 200 KB."""
    report = report_of(52, topics=("breathing", "sleep", "movement", "hydration", "stress"))

    png = render_progress_chart(report, chart_labels(library, "en", report))

    assert png.startswith(PNG_SIGNATURE)
    assert image_size(png) == (800, 900)
    assert len(png) < 200_000


def test_chart_draws_mood_and_gut_comfort_lines_when_answered(library: ContentLibrary) -> None:
    """Mood and gut comfort appear in their colours, and only when there are scores."""
    answered = report_of(4)
    silent = report_of(4, moods=False)

    with_scores = render_progress_chart(answered, chart_labels(library, "en", answered))
    without = render_progress_chart(silent, chart_labels(library, "en", silent))

    assert pixels_of(with_scores, MOOD_COLOUR) > 100
    assert pixels_of(with_scores, GUT_COLOUR) > 100
    assert pixels_of(without, MOOD_COLOUR) == 0
    assert pixels_of(without, GUT_COLOUR) == 0


def test_chart_without_a_single_tip_done_still_draws(library: ContentLibrary) -> None:
    """A window of misses shows empty panels with a note, not an error."""
    report = report_of(1, done="n", moods=False)

    png = render_progress_chart(report, chart_labels(library, "es", report))

    assert image_size(png) == (800, 900)


def test_chart_labels_speak_the_subscribers_language(library: ContentLibrary) -> None:
    """Title, topic names and month names come from messages/ in the subscriber's language."""
    report = report_of(4, language="es")

    labels = chart_labels(library, "es", report)

    assert labels.title == "Tu progreso en los últimos 28 días"
    assert labels.topics["breathing"] == "Respiración"
    assert labels.questions == {"mood": "Ánimo", "gut_comfort": "Bienestar intestinal"}
    assert labels.months[5] == "jun"


def test_caption_sums_up_days_done_streak_and_strongest_habit(library: ContentLibrary) -> None:
    """The caption gives the days with a "did it", the streak and the best one, the top topic."""
    report = report_of(4, done="yyyn", topics=("breathing",))

    caption = progress_caption(library, "en", report)

    assert caption == (
        "<b>Your last 28 days</b>\n"
        "✅ Days with a “Did it”: 21\n"
        "🔥 Streak: 0 (best: 3)\n"
        "🌟 Strongest habit: 🌬️ Breathing"
    )
