"""Baseline: the design most PTB bots use, one `run_daily` job per subscriber, against nudgebot's
single repeating dispatcher job that asks the database who is due.

Both start against the same SQLite database of N subscribers and the same local Bot API sandbox
(127.0.0.1 only, started here), each in a fresh process so memory is not shared, alternating
which goes first. Measured: the time from spawning the process to "ready" (the JobQueue running
with the whole schedule), the same from the start of its main function, and resident memory at
ready and a second later. See bench/startup_run_daily.py and bench/startup_nudgebot.py.

    .venv/bin/python -m bench.baseline [--subscribers 100000] [--repeat 3] [--json PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from bench.population import Population, build_database, sqlite_url
from bench.probes import machine, machine_markdown, run_measuring_child
from tests.e2e.processes import NudgebotProcess, clean_environment, free_port

ROOT = Path(__file__).resolve().parent.parent
SIDES = {"run_daily": "bench.startup_run_daily", "nudgebot": "bench.startup_nudgebot"}
SANDBOX_START_SECONDS = 30
SIDE_TIMEOUT_SECONDS = 600


@contextmanager
def sandbox(folder: Path) -> Iterator[str]:
    """`nudgebot sandbox --server-only` on a free loopback port; yields its Bot API URL."""
    port = free_port()
    server = NudgebotProcess(
        ["sandbox", "--server-only", "--port", str(port)],
        clean_environment(folder),
        folder / "sandbox.log",
    )
    try:
        deadline = time.monotonic() + SANDBOX_START_SECONDS
        while "ready on" not in server.output():
            if server.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the sandbox did not start:\n{server.output()[-2000:]}")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/bot"
    finally:
        server.stop()


def run_side(design: str, url: str, api: str, folder: Path) -> dict[str, Any]:
    """Start one design in a fresh interpreter; its result plus the time from spawn to ready."""
    environment = clean_environment(folder, BENCH_DATABASE_URL=url, BENCH_BOT_API_URL=api)
    spawned = time.time()
    result: dict[str, Any] = run_measuring_child(
        [sys.executable, "-m", SIDES[design]], environment, SIDE_TIMEOUT_SECONDS
    )
    result["from_spawn_seconds"] = result.pop("ready_at") - spawned
    return result


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """Medians over the repeats of one design at one size."""
    median = statistics.median
    return {
        "runs": len(runs),
        "scheduler_jobs": runs[0]["scheduler_jobs"],
        "from_spawn_seconds": median(r["from_spawn_seconds"] for r in runs),
        "in_process_seconds": median(r["in_process_seconds"] for r in runs),
        "phases": {name: median(r["phases"][name] for r in runs) for name in runs[0]["phases"]},
        "rss_at_ready_mib": median(r["memory_at_ready_mib"]["rss"] for r in runs),
        "rss_settled_mib": median(r["memory_settled_mib"]["rss"] for r in runs),
        "peak_mib": median(r["memory_settled_mib"]["peak"] for r in runs),
    }


def run(sizes: list[int], repeat: int) -> dict[str, Any]:
    """Every size, every design, `repeat` times; the database and sandbox are removed after."""
    report: dict[str, Any] = {"machine": machine(), "repeat": repeat, "results": []}
    with tempfile.TemporaryDirectory(prefix="nudgebot-baseline-") as name:
        folder = Path(name)
        with sandbox(folder) as api:
            for size in sizes:
                path = folder / f"baseline-{size}.sqlite3"
                # Nobody due at NOW: a start-up comparison, not a sending one.
                population = Population(size, due_every=0, history_days=0)
                built = asyncio.run(build_database(sqlite_url(path), population))
                print(f"{size} subscribers: built in {built.seconds:.1f} s", file=sys.stderr)
                runs: dict[str, list[dict[str, Any]]] = {design: [] for design in SIDES}
                for number in range(repeat):
                    # Alternate who goes first, so neither always meets a warmer page cache.
                    order = list(SIDES) if number % 2 == 0 else list(reversed(SIDES))
                    for design in order:
                        runs[design].append(run_side(design, sqlite_url(path), api, folder))
                for design, design_runs in runs.items():
                    report["results"].append(
                        {"subscribers": size, "design": design, **summarise(design_runs),
                         "raw": design_runs}
                    )  # fmt: skip
                for leftover in folder.glob(f"{path.name}*"):
                    leftover.unlink()
    return report


def markdown(report: dict[str, Any]) -> str:
    """The comparison as a Markdown table, with each design's phases below it."""
    lines = [
        f"Machine: {machine_markdown(report['machine'])}. Medians of {report['repeat']} fresh "
        "processes per design, alternating which starts first.",
        "",
        "| subscribers | design | scheduler jobs | spawn → ready s | main() → ready s "
        "| RSS at ready MiB | RSS 1 s later MiB | peak RSS MiB |",
        "|---:|---|---:|---:|---:|---:|---:|---:|",
    ]
    lines.extend(
        f"| {r['subscribers']:,} | {r['design']} | {r['scheduler_jobs']:,} "
        f"| {r['from_spawn_seconds']:.2f} | {r['in_process_seconds']:.2f} "
        f"| {r['rss_at_ready_mib']:.0f} | {r['rss_settled_mib']:.0f} | {r['peak_mib']:.0f} |"
        for r in report["results"]
    )
    lines.append("")
    for r in report["results"]:
        phases = ", ".join(f"{name} {seconds:.3f} s" for name, seconds in r["phases"].items())
        lines.append(f"- {r['subscribers']:,}, {r['design']}: {phases}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Parse the command line, run, print Markdown (and write JSON if asked)."""
    parser = argparse.ArgumentParser(prog="python -m bench.baseline", description=__doc__)
    parser.add_argument("--subscribers", type=int, nargs="+", default=[100_000])
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes per design")
    parser.add_argument("--json", type=Path, help="also write the results here")
    arguments = parser.parse_args(argv)
    report = run(arguments.subscribers, arguments.repeat)
    if arguments.json:
        arguments.json.write_text(json.dumps(report, indent=2))
    print(markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
