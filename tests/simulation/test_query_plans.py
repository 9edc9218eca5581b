"""How SQLite plans every statement a simulated run executes: none may read the history through
the outbox's state index, or scan a table that grows with the audience.

SQLite keeps no statistics, so for "these subscribers, in state 'sent'" it may judge the
(state, due_at) index the more selective and walk every sent message of the deployment: fast in
a small test, a cost growing with days x people in a real one. Planning, recording, sending and
the weekly summaries all run here, as in `nudgebot simulate`, and each distinct SELECT is planned
again on the database the run leaves behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import AsyncIterator, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

from nudgebot.adaptation.learner import TipPolicy
from nudgebot.app import simulated_deployment
from nudgebot.config import bundled_path
from nudgebot.content import load_library
from nudgebot.simulation import run_simulation
from nudgebot.simulation.days import Deployment
from nudgebot.simulation.telegram import SimulatedTelegram
from tests.simulation.cohorts import cohort_from

# Quiet people (so some go silent, then dormant) and keen ones (so "Later" and "Not for me"
# come up), over a Sunday: every kind of planning, press and summary happens.
COHORT = """\
name: plans
groups:
  - name: keen
    count: 30
    answer_probability: 0.9
    do_probability: {default: 0.5}
  - name: quiet
    count: 20
    answer_probability: 0.2
    do_probability: {default: 0.2}
"""
# Delivery states that make up the history rather than the outbox: a lookup by one of them
# through the state index reads the whole deployment's past.
HISTORY_STATES = {"sent", "failed", "skipped", "unknown"}
GROWING_TABLES = ("deliveries", "answers", "topic_stats", "subscribers", "notes")


def test_no_statement_of_a_simulated_run_walks_the_history(tmp_path: Path) -> None:
    """Each SELECT the bot runs in eight simulated days with fifty people: the ones filtering
    on a history state go through another index than (state, due_at), and none scans a table
    that grows with subscribers or days."""
    database = tmp_path / "run.sqlite3"
    statements: dict[str, Sequence[Any]] = {}

    def keep(
        _conn: object, _cursor: object, sql: str, params: Any, _context: object, many: bool
    ) -> None:
        if sql.lstrip().upper().startswith("SELECT") and sql not in statements:
            statements[sql] = params[0] if many else params

    @contextlib.asynccontextmanager
    async def deployments(
        policy: TipPolicy, sender: SimulatedTelegram, shard: int
    ) -> AsyncIterator[Deployment]:
        url = f"sqlite+aiosqlite:///{database}"
        async with simulated_deployment(
            url, bundled_path("messages"), policy, (3, shard), sender
        ) as deployment:
            # From here on: the migrations' statements before it ran on older schemas.
            event.listen(Engine, "before_cursor_execute", keep)
            try:
                yield deployment
            finally:
                event.remove(Engine, "before_cursor_execute", keep)

    asyncio.run(
        run_simulation(
            cohort_from(tmp_path, COHORT),
            load_library(bundled_path("messages")),
            ["adaptive"],
            deployments,
            days=8,
            seed=3,
        )
    )
    with contextlib.closing(sqlite3.connect(database)) as connection:
        plans = {
            sql: " | ".join(
                str(row[-1]) for row in connection.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            )
            for sql, params in statements.items()
        }

    through_state = [
        (sql, plan)
        for sql, plan in plans.items()
        if "ix_deliveries_state_due_at" in plan and HISTORY_STATES & set(map(str, statements[sql]))
    ]
    scanning = [
        (sql, plan)
        for sql, plan in plans.items()
        if any(f"SCAN {table}" in plan for table in GROWING_TABLES)
    ]
    assert len(plans) > 20  # the run planned, sent, recorded and summarised
    assert any("local_date BETWEEN" in sql for sql in plans)  # a Sunday's summaries
    assert through_state == []
    assert scanning == []
