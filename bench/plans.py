"""Query plans of the very statements the bot sends: recorded as they go out, then EXPLAINed.

Recording at the cursor (SQLAlchemy's before_cursor_execute) rather than rebuilding the queries
here means the plans are those of the repositories' SQL, bound values and all, on either backend.
"""

from __future__ import annotations

import re
import time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bench.probes import summary_ms

Statement = tuple[str, Any]  # SQL in the driver's parameter style, and its bound values
TIMED_RUNS = 5


class Recorder:
    """Keeps the SQL the repositories send, to EXPLAIN exactly those statements afterwards."""

    def __init__(self) -> None:
        self.on = False
        self.selects: list[Statement] = []

    def __call__(self, *args: Any) -> None:
        """The event's listener: (connection, cursor, statement, parameters, context, many)."""
        statement, parameters = args[2], args[3]
        if self.on and statement.lstrip().upper().startswith("SELECT"):
            self.selects.append((statement, parameters))

    def take(self) -> list[Statement]:
        """The SELECTs recorded since the last take."""
        taken, self.selects = self.selects, []
        return taken


async def explain(session: AsyncSession, statement: Statement) -> dict[str, Any]:
    """The plan of a recorded statement, and its own median time (the plan run alone)."""
    connection = await session.connection()
    sql, parameters = statement
    samples = []
    for _ in range(TIMED_RUNS):
        began = time.perf_counter()
        (await connection.exec_driver_sql(sql, parameters)).all()
        samples.append(time.perf_counter() - began)
    if connection.dialect.name == "sqlite":
        rows = await connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql, parameters)
        lines = [str(row[-1]) for row in rows]
    else:
        # ANALYZE runs it (inside a transaction rolled back later): actual rows, not estimates.
        explain = "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) "
        lines = [
            str(row[0]) for row in await connection.exec_driver_sql(explain + sql, parameters)
        ]
    return {"ms": summary_ms(samples)["median"], "lines": lines, **plan_facts(lines)}


def plan_facts(lines: list[str]) -> dict[str, list[str]]:
    """The indexes a plan uses and the tables it reads in full."""
    plan = "\n".join(lines)
    indexes = re.findall(
        r"USING (?:COVERING )?INDEX (\w+)|Index (?:Only )?Scan(?: Backward)? using (\w+)"
        r"|Bitmap Index Scan on (\w+)|(INTEGER PRIMARY KEY)",
        plan,
    )
    full = re.findall(r"\bSCAN (\w+)\b(?! USING)|Seq Scan on (\w+)", plan)
    return {"indexes": _names(indexes), "full_scans": _names(full)}


def _names(found: list[tuple[str, ...]]) -> list[str]:
    return sorted({name for group in found for name in group if name})
