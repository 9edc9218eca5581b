"""Scale: the dispatcher's database work at 10k, 100k and 1M subscribers, 1% of them due.

The design claims a tick costs what is due, not what is subscribed. This measures it with the
real code on a database built by the real migrations: `SubscriberRepository.due` (who is due)
and `Planner.plan_batch` plus `LeaseRepository.claim_due` (plan one batch, claim from the
outbox), each call in its own transaction that is rolled back, so every repetition sees the same
data. Each database is measured by a fresh process, so its memory reflects that size alone.

    .venv/bin/python -m bench.scale [--sizes 10000 100000 1000000] [--json PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench.plans import Recorder, Statement, explain
from bench.population import NOW, Population, build_database, sqlite_url
from bench.probes import machine, machine_markdown, memory_mib, run_measuring_child, summary_ms
from nudgebot.app import delivery_policy, tip_chooser
from nudgebot.config import Settings, bundled_path
from nudgebot.content import load_library
from nudgebot.db import create_engine, create_session_factory, reading
from nudgebot.db.repositories import LeaseRepository, SubscriberRepository
from nudgebot.delivery.planner import Planner
from tests.postgres import PostgresDatabases, postgres_databases

URL_VARIABLE = "BENCH_DATABASE_URL"  # the child's database: in the environment, not in `ps`
ROOT = Path(__file__).resolve().parent.parent
DEFAULTS = Settings.model_validate({})  # the shipped defaults, whatever .env says
BATCH = DEFAULTS.dispatch_batch_size
CLAIM = max(1, min(BATCH, math.ceil(DEFAULTS.send_rate * 2)))  # as build_bot sizes a claim
WARM_UP = 2  # first calls compile statements and fill caches: not what a running bot pays
CHILD_TIMEOUT_SECONDS = 900


# What each of plan_batch's lookups is, told by a piece of its SQL.
# First match wins, so the more specific pieces come first.
LOOKUPS = {"sum(topic_stats.successes)": "crowd_totals", "FROM topic_stats": "topic_stats",
           "INSERT INTO topic_stats": "topic_stats upsert", "answers.question_id": "recent_scores",
           "ORDER BY deliveries.subscriber_id, deliveries.local_date": "unanswered_streaks",
           "max(CASE WHEN": "tip_histories", "max(deliveries.due_at)": "latest_pending",
           "count(*)": "day_counts", "FROM broken_tips": "broken_tips"}  # fmt: skip


def lookup_name(sql: str, number: int) -> str:
    """A plan_batch lookup's repository method, from its SQL."""
    return next((name for piece, name in LOOKUPS.items() if piece in sql), f"lookup {number}")


class Calls:
    """The real calls a tick makes, each in a transaction of its own that is rolled back."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._library = load_library(bundled_path("messages"))
        self._planner = Planner(delivery_policy(DEFAULTS), tip_chooser(DEFAULTS, seed=1))

    async def fit_crowd(self) -> None:
        """The crowd's profiles, fitted before planning as the dispatcher does (not timed)."""
        async with reading(self._sessions) as session:
            await self._planner.refit_crowd(session, self._library, NOW)

    async def due(self) -> tuple[float, int]:
        """Who is due: seconds taken, rows found."""
        async with self._sessions() as session:
            began = time.perf_counter()
            found = await SubscriberRepository(session).due(NOW, BATCH)
            elapsed = time.perf_counter() - began
            await session.rollback()
        return elapsed, len(found)

    async def plan_and_claim(self) -> dict[str, float]:
        """Plan one batch, then claim from the outbox, as one tick's first two steps do."""
        async with self._sessions() as session:
            began = time.perf_counter()
            due = await self._planner.plan_batch(session, self._library, NOW, BATCH)
            planned = time.perf_counter()
            claimed = await LeaseRepository(session).claim_due(
                now=NOW, owner="bench", lease_until=NOW + timedelta(seconds=60), limit=CLAIM
            )
            done = time.perf_counter()
            await session.rollback()
        return {
            "plan": planned - began,
            "claim": done - planned,
            "due": due,
            "claimed": len(claimed),
        }

    async def plans(self, statements: dict[str, list[Statement]]) -> dict[str, Any]:
        """The plans of the recorded statements, each run on the data it met when recorded."""
        async with self._sessions() as session:
            plans = {"due": await explain(session, statements["due"][0])}
            for number, statement in enumerate(statements["plan"], start=1):
                name = f"plan: {lookup_name(statement[0], number)}"
                plans[name] = await explain(session, statement)
            # The claim's SELECT once a batch is planned and not yet claimed, as in a tick.
            await self._planner.plan_batch(session, self._library, NOW, BATCH)
            plans["claim_due"] = await explain(session, statements["claim"][0])
            await session.rollback()
        return plans


async def record_statements(calls: Calls, recorder: Recorder) -> dict[str, list[Statement]]:
    """The SELECTs of one due() and one plan + claim, grouped by the step that sent them."""
    recorder.on = True
    await calls.due()
    due = recorder.take()
    await calls.plan_and_claim()
    selects = recorder.take()
    recorder.on = False
    # plan_batch starts with the due query again, then looks its subscribers up by id; the
    # claim's first SELECT is the one that joins deliveries to subscribers.
    claim = next(i for i, (sql, _) in enumerate(selects) if "FROM deliveries JOIN" in sql)
    return {"due": due, "plan": selects[1:claim], "claim": selects[claim:]}


async def measure(url: str, repetitions: int) -> dict[str, Any]:
    """In this process: time the due query and plan + claim, EXPLAIN them, report memory."""
    engine = create_engine(url)  # the bot's engine: its pragmas, its BEGIN IMMEDIATE
    recorder = Recorder()
    event.listen(engine.sync_engine, "before_cursor_execute", recorder)
    calls = Calls(create_session_factory(engine))
    await calls.fit_crowd()
    for _ in range(WARM_UP):
        await calls.due()
        await calls.plan_and_claim()
    memory_before = memory_mib()
    statements = await record_statements(calls, recorder)
    due_runs: list[tuple[float, int]] = []
    runs: list[dict[str, float]] = []
    for _ in range(repetitions):
        due_runs.append(await calls.due())
        runs.append(await calls.plan_and_claim())
    memory_after = memory_mib()
    plans = await calls.plans(statements)
    await engine.dispose()
    return {
        "due_query": {**summary_ms([t for t, _ in due_runs]), "rows": due_runs[-1][1]},
        "plan_batch": {**summary_ms([r["plan"] for r in runs]), "rows": runs[-1]["due"]},
        "claim_due": {**summary_ms([r["claim"] for r in runs]), "rows": runs[-1]["claimed"]},
        "plan_and_claim": summary_ms([r["plan"] + r["claim"] for r in runs]),
        "memory_before_mib": memory_before,
        "memory_after_mib": memory_after,
        "plans": plans,
    }


def measure_in_child(url: str, repetitions: int) -> dict[str, Any]:
    """`measure` in a fresh interpreter, so memory is that database's alone."""
    command = [sys.executable, "-m", "bench.scale", "--measure", "--repetitions", str(repetitions)]
    result: dict[str, Any] = run_measuring_child(
        command, {**os.environ, URL_VARIABLE: url}, CHILD_TIMEOUT_SECONDS
    )
    return result


@contextmanager
def database(server: PostgresDatabases | None, folder: Path, size: int) -> Iterator[str]:
    """A fresh empty database on the server, or an SQLite file if none; removed afterwards."""
    if server is not None:
        url = server.empty()
        try:
            yield url
        finally:
            server.drop(url)
        return
    path = folder / f"scale-{size}.sqlite3"
    try:
        yield sqlite_url(path)
    finally:
        for leftover in folder.glob(f"{path.name}*"):  # with its -wal and -shm files
            leftover.unlink()


async def server_version(url: str) -> str:
    """The PostgreSQL server's version string."""
    engine = create_engine(url)
    async with engine.connect() as connection:
        version = str(await connection.scalar(text("SHOW server_version")))
    await engine.dispose()
    return version


def run(sizes: list[int], backends: list[str], repetitions: int, history: int) -> dict[str, Any]:
    """Build and measure every (backend, size); temporary databases are gone afterwards."""
    report: dict[str, Any] = {"machine": machine(), "repetitions": repetitions, "results": []}
    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="nudgebot-scale-")))
        for backend in backends:
            server = stack.enter_context(postgres_databases()) if backend == "postgresql" else None
            for size in sizes:
                population = Population(size, history_days=history)
                with database(server, folder, size) as url:
                    if server is not None:
                        report["machine"]["postgresql"] = asyncio.run(server_version(url))
                    built = asyncio.run(build_database(url, population))
                    print(f"{backend} {size}: built in {built.seconds:.1f} s", file=sys.stderr)
                    measured = measure_in_child(url, repetitions)
                report["results"].append(
                    {"backend": backend, "subscribers": size, "due": population.due,
                     "deliveries": built.deliveries, "build_seconds": built.seconds, **measured}
                )  # fmt: skip
    return report


def markdown(report: dict[str, Any]) -> str:
    """The report as Markdown tables, plus the query plans at the largest size."""
    lines = [
        f"Machine: {machine_markdown(report['machine'])}. Median / p95 of "
        f"{report['repetitions']} calls, each in its own rolled-back transaction; batch "
        f"{BATCH}, claim {CLAIM}.",
        "",
        "| backend | subscribers | due | build s | due() ms | plan batch ms | claim_due ms "
        "| plan+claim ms | RSS MiB before / after / peak |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in report["results"]:
        ms = " | ".join(
            f"{r[k]['median']:.2f} / {r[k]['p95']:.2f}"
            for k in ("due_query", "plan_batch", "claim_due", "plan_and_claim")
        )
        before, after = r["memory_before_mib"], r["memory_after_mib"]
        memory = f"{before['rss']:.0f} / {after['rss']:.0f} / {after['peak']:.0f}"
        lines.append(
            f"| {r['backend']} | {r['subscribers']:,} | {r['due']:,} | "
            f"{r['build_seconds']:.1f} | {ms} | {memory} |"
        )
    lines += ["", "Each statement alone (median of 5 runs) and its plan:", "",
              "| backend | subscribers | statement | ms | indexes used | tables read in full |",
              "|---|---:|---|---:|---|---|"]  # fmt: skip
    for r in report["results"]:
        for name, plan in r["plans"].items():
            used, full = ", ".join(plan["indexes"]) or "-", ", ".join(plan["full_scans"]) or "-"
            lines.append(
                f"| {r['backend']} | {r['subscribers']:,} | {name} | {plan['ms']:.2f} "
                f"| {used} | {full} |"
            )
    largest = max(r["subscribers"] for r in report["results"])
    for r in (r for r in report["results"] if r["subscribers"] == largest):
        for name in ("due", "claim_due", "plan: day_counts"):
            if name in r["plans"]:
                # The 200 ids of an IN list say nothing: keep the first few.
                plan = re.sub(
                    r"'\{((?:[^,}]+,){3})(?:[^,}]+,){5,}[^}]*\}'",
                    r"'{\1...}'",
                    "\n".join(r["plans"][name]["lines"]),
                )
                lines += ["", f"{r['backend']}, {largest:,}: `{name}`", "```", plan, "```"]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Parse the command line; run the whole benchmark, or (`--measure`) one child's part."""
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument(
        "--backends", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"]
    )
    parser.add_argument("--repetitions", type=int, default=20)
    parser.add_argument("--history-days", type=int, default=1, help="sent tips per subscriber")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    if arguments.measure:
        result = asyncio.run(measure(os.environ[URL_VARIABLE], arguments.repetitions))
        print(json.dumps(result))
        return 0
    report = run(
        arguments.sizes, arguments.backends, arguments.repetitions, arguments.history_days
    )
    if arguments.json:
        arguments.json.write_text(json.dumps(report, indent=2))
    print(markdown(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
