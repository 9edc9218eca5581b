"""The run's outputs: the side-by-side table, summary.json and the did-it chart."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

SUMMARY_FILE = "summary.json"
CHART_FILE = "did_it_rate.png"
# Topics shown in the table: the policy's favourites (the full mix is in summary.json).
_TOP_TOPICS = 3


def write_summary(summary: dict[str, Any], out: Path) -> Path:
    """Write summary.json into `out` (created if missing); same summary, same bytes."""
    out.mkdir(parents=True, exist_ok=True)
    path = out / SUMMARY_FILE
    path.write_text(json.dumps(summary, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return path


def write_chart(summary: dict[str, Any], out: Path) -> Path:
    """Draw the did-it rate per day, one line per policy, into `out`/did_it_rate.png."""
    out.mkdir(parents=True, exist_ok=True)
    figure = Figure(figsize=(9, 5), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    for name, entry in summary["policies"].items():
        rates = entry["did_it_rate_by_day"]
        days = [day for day, rate in enumerate(rates, start=1) if rate is not None]
        axes.plot(days, [rate for rate in rates if rate is not None], label=name, linewidth=1.6)
    run = summary["run"]
    axes.set_title(
        f"Did-it rate per day: cohort {run['cohort']}, {run['users']} people, seed {run['seed']}"
    )
    axes.set_xlabel("day")
    axes.set_ylabel("tips done / tips sent")
    axes.set_ylim(bottom=0.0)
    axes.set_xlim(1, max(run["days"], 2))
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.grid(alpha=0.3)
    axes.legend()
    figure.tight_layout()
    path = out / CHART_FILE
    figure.savefig(path, format="png", metadata={"Software": None})
    return path


def format_table(summary: dict[str, Any], seconds: dict[str, float] | None = None) -> str:
    """The policies side by side, one column each, with the ratios the targets speak of."""
    policies: dict[str, dict[str, Any]] = summary["policies"]
    names = list(policies)
    rows: list[tuple[str, list[str]]] = [
        (
            "did-it rate, days 31-60",
            [_share(p["did_it_rate_days_31_60"]) for p in policies.values()],
        ),
        ("did-it rate, all days", [_share(p["did_it_rate_all_days"]) for p in policies.values()]),
        ("answer rate", [_share(p["answer_rate"]) for p in policies.values()]),
        ("auto-paused share", [_share(p["auto_paused_share"]) for p in policies.values()]),
        ("tips sent", [f"{p['tips_sent']:,}" for p in policies.values()]),
        ('"Not for me" answers', [f"{p['answers']['not_for_me']:,}" for p in policies.values()]),
    ]
    rows.extend(
        (f"topic #{rank + 1}", [_top_topic(p["topic_mix"], rank) for p in policies.values()])
        for rank in range(_TOP_TOPICS)
    )
    if seconds is not None:
        rows.append(("run time", [f"{seconds.get(name, 0.0):.0f} s" for name in names]))
    label_width = max(len(label) for label, _ in rows)
    widths = [
        max(len(name), *(len(values[i]) for _, values in rows)) for i, name in enumerate(names)
    ]
    lines = [
        " " * label_width
        + "".join(f"  {name:>{width}}" for name, width in zip(names, widths, strict=True))
    ]
    for label, values in rows:
        cells = "".join(f"  {value:>{width}}" for value, width in zip(values, widths, strict=True))
        lines.append(f"{label:<{label_width}}{cells}")
    lines.extend(_ratios(policies))
    run = summary["run"]
    lines.insert(
        0,
        f"cohort {run['cohort']}: {run['users']:,} people, {run['days']} days, seed {run['seed']}",
    )
    return "\n".join(lines)


def _ratios(policies: dict[str, dict[str, Any]]) -> list[str]:
    adaptive = policies.get("adaptive", {}).get("did_it_rate_days_31_60")
    if not adaptive:
        return []
    lines = []
    for other, how in (("random", "x"), ("oracle", "%")):
        rate = policies.get(other, {}).get("did_it_rate_days_31_60")
        if rate:
            ratio = f"{adaptive / rate:.2f}x" if how == "x" else f"{100 * adaptive / rate:.0f}%"
            lines.append(f"adaptive / {other}, days 31-60: {ratio}")
    return lines


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _top_topic(mix: dict[str, float], rank: int) -> str:
    ordered = sorted(mix.items(), key=lambda item: -item[1])
    if rank >= len(ordered) or ordered[rank][1] == 0.0:
        return "-"
    topic, share = ordered[rank]
    return f"{topic} {100 * share:.0f}%"
