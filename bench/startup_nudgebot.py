"""One side of bench.baseline: nudgebot, one repeating dispatcher job that reads the database.

Starts a sender the way `nudgebot run --role sender` does (open and check the database,
`build_bot`, `NudgeBot.start`: getMe against the local sandbox, the dispatcher and content-watch
jobs, the JobQueue), and prints one JSON line. Its clock is the benchmark's fixed NOW, at which
nobody in the database is due: the first tick runs for real and finds nothing to send.

    BENCH_DATABASE_URL=... BENCH_BOT_API_URL=http://127.0.0.1:PORT/bot \
        .venv/bin/python -m bench.startup_nudgebot
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from typing import Any

from bench.population import NOW
from bench.probes import memory_mib
from nudgebot.app import Role, build_bot, open_database
from nudgebot.config import Settings

TOKEN = "1000000003:bench-nudgebot"  # the sandbox accepts any token
SETTLE_SECONDS = 1.0  # after "ready": the first tick runs (first=0), then memory is read again


async def start(url: str, api: str) -> dict[str, Any]:
    """Open, build, start; return the phases' durations and memory."""
    began = time.perf_counter()
    settings = Settings.model_validate({"NUDGEBOT_DATABASE_URL": url})  # not .env, not os.environ
    engine = await open_database(settings)
    opened = time.perf_counter()
    bot = build_bot(
        settings, engine, token=TOKEN, bot_api_url=api, clock=lambda: NOW, role=Role.SENDER
    )
    built = time.perf_counter()
    await bot.start()
    ready = time.perf_counter()
    ready_at = time.time()
    at_ready = memory_mib()
    await asyncio.sleep(SETTLE_SECONDS)
    settled = memory_mib()
    # One more tick, timed: what every dispatch interval costs with nobody due.
    tick_began = time.perf_counter()
    await bot.tick()
    tick = time.perf_counter() - tick_began
    job_queue = bot.application.job_queue
    assert job_queue is not None
    jobs = len(job_queue.scheduler.get_jobs())
    await bot.stop()
    await engine.dispose()
    return {
        "design": "nudgebot",
        "ready_at": ready_at,
        "in_process_seconds": ready - began,
        "phases": {
            "open database": opened - began,
            "build_bot": built - opened,
            "start (getMe, jobs)": ready - built,
            "one tick, nobody due": tick,
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
