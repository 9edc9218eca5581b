"""One side of bench.baseline: the common design, one python-telegram-bot `run_daily` per nudge.

Such a bot keeps its schedule in APScheduler's in-memory job store, so at every start it must
read all subscribers and register a job for each. This does exactly that against the benchmark
database, then starts the Application the usual way (`initialize`, i.e. getMe against the local
sandbox, then `start`, which starts the JobQueue), and prints one JSON line. It imports only what
such a bot needs (PTB, SQLAlchemy), not nudgebot, so its memory is that design's alone.

    BENCH_DATABASE_URL=... BENCH_BOT_API_URL=http://127.0.0.1:PORT/bot \
        .venv/bin/python -m bench.startup_run_daily
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from datetime import time as wall_time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine
from telegram.ext import ApplicationBuilder, ContextTypes

from bench.probes import memory_mib

TOKEN = "1000000002:bench-run-daily"  # the sandbox accepts any token
SETTLE_SECONDS = 1.0  # after "ready": let the scheduler's first wake-ups happen, then look again


async def nudge(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Would send the day's tip to the job's chat; no job is due while the benchmark runs."""
    del context


async def start(url: str, api: str) -> dict[str, Any]:
    """Load, register, start; return the phases' durations and memory."""
    began = time.perf_counter()
    engine = create_async_engine(url)
    query = text("SELECT chat_id, timezone, nudge_times FROM subscribers WHERE status = 'active'")
    async with engine.connect() as connection:
        rows = (await connection.execute(query)).all()
    await engine.dispose()
    loaded = time.perf_counter()
    application = ApplicationBuilder().token(TOKEN).base_url(api).updater(None).build()
    await application.initialize()
    initialized = time.perf_counter()
    job_queue = application.job_queue
    assert job_queue is not None  # PTB's job-queue extra is installed
    zones: dict[str, ZoneInfo] = {}
    for chat_id, zone, nudge_times in rows:
        tz = zones.setdefault(zone, ZoneInfo(zone))
        for hhmm in json.loads(nudge_times):
            at = wall_time.fromisoformat(hhmm).replace(tzinfo=tz)
            job_queue.run_daily(nudge, time=at, chat_id=chat_id, name=f"nudge:{chat_id}:{hhmm}")
    registered = time.perf_counter()
    # Jobs added before the scheduler runs are only queued; starting it computes each one's
    # next run and files it in the job store. This is when the schedule really exists.
    await application.start()
    ready = time.perf_counter()
    ready_at = time.time()
    at_ready = memory_mib()
    await asyncio.sleep(SETTLE_SECONDS)
    settled = memory_mib()
    jobs = len(job_queue.scheduler.get_jobs())
    await application.stop()
    await application.shutdown()
    return {
        "design": "run_daily",
        "ready_at": ready_at,
        "in_process_seconds": ready - began,
        "phases": {
            "load subscribers": loaded - began,
            "build + getMe": initialized - loaded,
            "register jobs": registered - initialized,
            "start": ready - registered,
        },
        "memory_at_ready_mib": at_ready,
        "memory_settled_mib": settled,
        "scheduler_jobs": jobs,
    }


def main() -> None:
    """Run with the database and Bot API named in the environment; print the result."""
    result = asyncio.run(start(os.environ["BENCH_DATABASE_URL"], os.environ["BENCH_BOT_API_URL"]))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
