"""The /progress chart: habit scores, tips done per topic and wellbeing, drawn as one PNG.

Drawn with matplotlib's object API (a `Figure` on its own Agg canvas) rather than pyplot:
pyplot keeps a global list of open figures and a current backend, which a chart drawn in a
worker thread while other charts are drawn must not share. Every word on the image comes in
`ChartLabels`, already in the subscriber's language.
"""

from __future__ import annotations

import html
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from nudgebot.content import ContentLibrary, UiKey
from nudgebot.services.progress import ProgressReport

# A phone screen is taller than wide; 800 x 900 pixels stays sharp and well under 200 KB.
WIDTH_INCHES, HEIGHT_INCHES, DPI = 8.0, 9.0, 100
# The habit panel shows the overall line and the strongest few topics; more is spaghetti.
MAX_TOPIC_LINES = 4
MAX_DATE_TICKS = 8
MIN_BAR_ROWS = 4
# Beyond 13 weeks, wellbeing is drawn as weekly means over faint daily dots.
LONG_WINDOW_DAYS = 91
OVERALL_COLOUR = "#2f4f4f"
MOOD_COLOUR = "#e07a5f"
GUT_COLOUR = "#3d7ea6"
# Colour-blind friendly, and the same topic keeps its colour in both panels.
TOPIC_COLOURS = (
    "#0072b2",
    "#e69f00",
    "#009e73",
    "#cc79a7",
    "#56b4e9",
    "#d55e00",
    "#f0e442",
    "#999999",
    "#7f3c8d",
    "#11a579",
    "#3969ac",
)
_CHARTED_QUESTIONS = ("mood", "gut_comfort")
_TITLE_PAD = 6


@dataclass(frozen=True)
class ChartLabels:
    """Every word drawn on the chart, as plain text in one language."""

    title: str
    scores: str
    overall: str
    done: str
    nothing_done: str
    wellbeing: str
    no_wellbeing: str
    questions: Mapping[str, str]
    months: Sequence[str]
    topics: Mapping[str, str]


def chart_labels(library: ContentLibrary, language: str, report: ProgressReport) -> ChartLabels:
    """The chart's words in `language`; UI strings are Telegram HTML, the image wants text."""

    def ui(key: UiKey, **values: object) -> str:
        return html.unescape(library.ui_text(key, language, **values))

    months = ui(UiKey.PROGRESS_MONTHS).split()
    if len(months) != 12:  # a broken translation must not break the chart
        months = [str(number) for number in range(1, 13)]
    topics = {
        topic_id: html.unescape(library.text(topic.title, language))
        for topic_id, topic in library.topics.items()
    }
    return ChartLabels(
        title=ui(UiKey.PROGRESS_CHART_TITLE, days=len(report.days)),
        scores=ui(UiKey.PROGRESS_CHART_SCORES),
        overall=ui(UiKey.PROGRESS_CHART_OVERALL),
        done=ui(UiKey.PROGRESS_CHART_DONE),
        nothing_done=ui(UiKey.PROGRESS_CHART_NOTHING_DONE),
        wellbeing=ui(UiKey.PROGRESS_CHART_WELLBEING),
        no_wellbeing=ui(UiKey.PROGRESS_CHART_NO_WELLBEING),
        questions={
            "mood": ui(UiKey.PROGRESS_CHART_MOOD),
            "gut_comfort": ui(UiKey.PROGRESS_CHART_GUT_COMFORT),
        },
        months=months,
        topics=topics,
    )


def render_progress_chart(report: ProgressReport, labels: ChartLabels) -> bytes:
    """The chart as PNG bytes: habit scores, tips done per topic, mood and gut comfort.

    CPU-bound (0.13-0.17 s on a small 2-CPU machine): call it off the event loop.
    """
    # Fixed margins instead of a layout engine: it would measure every label on each draw and
    # double the render time; topic names sit inside the bars, so no label needs the room.
    figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI)
    FigureCanvasAgg(figure)
    figure.suptitle(labels.title, fontsize=14, fontweight="bold", y=0.985)
    scores_axes, done_axes, wellbeing_axes = figure.subplots(
        3,
        1,
        gridspec_kw={
            "height_ratios": [3, 2, 2],
            "left": 0.07,
            "right": 0.95,
            "top": 0.90,
            "bottom": 0.04,
            "hspace": 0.42,
        },
    )
    colours = {
        topic: TOPIC_COLOURS[n % len(TOPIC_COLOURS)]
        for n, topic in enumerate(sorted(report.done_by_topic))
    }
    _draw_scores(scores_axes, report, labels, colours)
    _draw_done(done_axes, report, labels, colours)
    _draw_wellbeing(wellbeing_axes, report, labels)
    buffer = io.BytesIO()
    # No metadata: the image carries nothing but the picture.
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _draw_scores(
    axes: Axes, report: ProgressReport, labels: ChartLabels, colours: Mapping[str, str]
) -> None:
    days = range(len(report.days))
    strongest = sorted(
        (t for t, s in report.habits.by_topic.items() if max(s.values, default=0) > 0),
        key=lambda topic: (-report.habits.by_topic[topic].final, topic),
    )[:MAX_TOPIC_LINES]
    for topic in strongest:
        values = [100 * value for value in report.habits.by_topic[topic].values]
        axes.plot(
            days,
            values,
            color=colours.get(topic, TOPIC_COLOURS[-1]),
            linewidth=1.6,
            label=labels.topics.get(topic, topic),
        )
    overall = [100 * value for value in report.habits.overall.values]
    axes.plot(days, overall, color=OVERALL_COLOUR, linewidth=3, label=labels.overall)
    axes.set_ylim(0, 100)
    axes.set_title(labels.scores, loc="left", fontsize=11, pad=_TITLE_PAD)
    _legend(axes, columns=3)
    axes.grid(axis="y", alpha=0.3)
    _date_axis(axes, report.days, labels.months)


def _draw_done(
    axes: Axes, report: ProgressReport, labels: ChartLabels, colours: Mapping[str, str]
) -> None:
    axes.set_title(labels.done, loc="left", fontsize=11, pad=_TITLE_PAD)
    counts = report.done_by_topic
    if not any(counts.values()):
        _empty(axes, labels.nothing_done)
        return
    # Most done at the top: barh draws the first bar at the bottom.
    topics = list(counts)[::-1]
    positions = range(len(topics))
    axes.barh(
        positions,
        [counts[topic] for topic in topics],
        height=0.75,
        color=[colours.get(topic, TOPIC_COLOURS[-1]) for topic in topics],
        alpha=0.45,
    )
    for position, topic in zip(positions, topics, strict=True):
        # The name inside the bar's row, the count after it: readable however short the bar.
        name = f"{labels.topics.get(topic, topic)}   {counts[topic]}"
        axes.annotate(
            name,
            (0, position),
            xytext=(6, 0),
            textcoords="offset points",
            va="center",
            fontsize=9,
            color="#222222",
        )
    axes.set_yticks([])
    # Room for at least MIN_BAR_ROWS rows, filled from the top: one topic is a bar, not a wall.
    axes.set_ylim(-0.6 - max(0, MIN_BAR_ROWS - len(topics)), len(topics) - 0.4)
    axes.set_xlim(0, max(max(counts.values()) * 1.05, 1))
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.spines[["top", "right", "left"]].set_visible(False)


def _draw_wellbeing(axes: Axes, report: ProgressReport, labels: ChartLabels) -> None:
    axes.set_title(labels.wellbeing, loc="left", fontsize=11, pad=_TITLE_PAD)
    colours = {"mood": MOOD_COLOUR, "gut_comfort": GUT_COLOUR}
    drawn = False
    for question in _CHARTED_QUESTIONS:
        series = report.wellbeing.get(question, ())
        # Connect the answered days: a day without a check-in is a gap in asking, not a drop.
        points = [(day, value) for day, value in enumerate(series) if value is not None]
        if not points:
            continue
        drawn = True
        xs, ys = [day for day, _ in points], [value for _, value in points]
        if len(series) <= LONG_WINDOW_DAYS:
            axes.plot(
                xs,
                ys,
                color=colours[question],
                linewidth=1.8,
                marker="o",
                markersize=4,
                label=labels.questions[question],
            )
            continue
        # Months of daily answers zigzag into a blur: faint dots for the days, and a line
        # for the mean of each week's answers to show the trend.
        axes.plot(
            xs, ys, linestyle="none", marker="o", markersize=2, alpha=0.3, color=colours[question]
        )
        weekly = _weekly_means(series)
        axes.plot(
            [day for day, _ in weekly],
            [mean for _, mean in weekly],
            color=colours[question],
            linewidth=2,
            label=labels.questions[question],
        )
    if not drawn:
        _empty(axes, labels.no_wellbeing)
        return
    axes.set_ylim(0.7, 5.3)
    axes.set_yticks([1, 2, 3, 4, 5])
    _legend(axes, columns=2)
    axes.grid(axis="y", alpha=0.3)
    _date_axis(axes, report.days, labels.months)


def _weekly_means(series: Sequence[float | None]) -> list[tuple[float, float]]:
    """(middle day, mean) of each 7-day block with an answer, counted back from the last day."""
    means = []
    for end in range(len(series), 0, -7):
        start = max(0, end - 7)
        block = [value for value in series[start:end] if value is not None]
        if block:
            means.append(((start + end - 1) / 2, sum(block) / len(block)))
    return means[::-1]


def _legend(axes: Axes, columns: int) -> None:
    # Above the plot, right-aligned across from the panel's title: never over a line.
    axes.legend(
        loc="lower right",
        bbox_to_anchor=(1.0, 1.0),
        fontsize=8,
        ncols=columns,
        frameon=False,
        borderaxespad=0.2,
    )


def _date_axis(axes: Axes, days: Sequence[date], months: Sequence[str]) -> None:
    # Ticks count back from today, so the last day (the one people look for) is labelled.
    step = max(1, math.ceil(len(days) / MAX_DATE_TICKS))
    if step > 1:
        step = 7 * math.ceil(step / 7) if len(days) > 14 else step
    ticks = list(range(len(days) - 1, -1, -step))[::-1]
    axes.set_xlim(-0.5, len(days) - 0.5)
    axes.set_xticks(ticks, [f"{days[t].day} {months[days[t].month - 1]}" for t in ticks])
    axes.tick_params(axis="x", labelsize=9)


def _empty(axes: Axes, message: str) -> None:
    axes.set_xticks([])
    axes.set_yticks([])
    for spine in axes.spines.values():
        spine.set_visible(False)
    axes.text(
        0.5,
        0.5,
        message,
        ha="center",
        va="center",
        fontsize=11,
        color="#666666",
        transform=axes.transAxes,
    )
