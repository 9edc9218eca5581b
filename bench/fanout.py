"""Fan-out benchmarks: end-to-end throughput with Telegram's limits off, and the sustained rate
with them on.

Everything is real: sender workers are `nudgebot run --role sender` processes, the sandbox is
`nudgebot sandbox --server-only` in its own process, the database is a migrated SQLite file or
a throwaway PostgreSQL server. The sandbox's call log is what counts: messages per second from
the first send to the last, 429 answers, and chats that got more than one message.

    .venv/bin/python -m bench.fanout throughput --messages 20000
    .venv/bin/python -m bench.fanout limits --messages 3000
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, insert, select

from nudgebot.db import Delivery, DeliveryState, Subscriber, create_engine
from nudgebot.db.migrations import upgrade
from tests.e2e.processes import free_port
from tests.factories import due_subscriber_rows
from tests.postgres import postgres_databases

TOKEN = "777:bench-token"
FIRST_CHAT = 1_000_000
FINAL_STATES = (DeliveryState.SENT, DeliveryState.FAILED, DeliveryState.UNKNOWN)


@dataclass(frozen=True)
class Outcome:
    """One benchmark configuration's result."""

    name: str
    database: str
    workers: int
    messages: int
    seconds: float
    per_second: float
    busiest_second: int
    rejected_429: int
    chats_with_two: int


def environment(database_url: str, port: int, rate: float, paid: bool) -> dict[str, str]:
    """A sender worker's settings: no quiet hours (a benchmark runs at any hour), fast ticks."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith(("NUDGEBOT_", "TELEGRAM_"))}
    return {
        **kept,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "NUDGEBOT_BOT_API_URL": f"http://127.0.0.1:{port}/bot",
        "NUDGEBOT_DATABASE_URL": database_url,
        "NUDGEBOT_SEND_RATE": str(rate),
        "NUDGEBOT_PAID_BROADCAST": "true" if paid else "false",
        "NUDGEBOT_QUIET_HOURS": "00:00-00:00",
        "NUDGEBOT_DISPATCH_INTERVAL_SECONDS": "0.2",
        "NUDGEBOT_CONTENT_WATCH_SECONDS": "0",
        "NUDGEBOT_LOG_LEVEL": "WARNING",
    }


@contextlib.contextmanager
def processes(commands: list[list[str]], env: dict[str, str], logs: Path) -> Iterator[None]:
    """Start `nudgebot` processes and always stop them."""
    started = []
    for index, command in enumerate(commands):
        with (logs / f"process-{index}.log").open("wb") as log:
            started.append(
                subprocess.Popen(
                    [sys.executable, "-m", "nudgebot", *command],
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    cwd=logs,
                )
            )
    try:
        yield
    finally:
        for process in started:
            process.terminate()
        for process in started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


async def prepare(database_url: str, count: int) -> None:
    """Migrate the database and add `count` subscribers who are all due now."""
    await upgrade(database_url)
    engine = create_engine(database_url)
    rows = due_subscriber_rows(count, FIRST_CHAT, datetime.now(UTC))
    async with engine.begin() as connection:
        for start in range(0, count, 5000):
            await connection.execute(insert(Subscriber), rows[start : start + 5000])
    await engine.dispose()


async def wait_until_sent(database_url: str, count: int, limit: float) -> None:
    """Poll the database (cheaply, twice a second) until every delivery is final."""
    engine = create_engine(database_url)
    deadline = time.monotonic() + limit
    try:
        while time.monotonic() < deadline:
            async with engine.connect() as connection:
                done = await connection.scalar(
                    select(func.count()).where(Delivery.state.in_(FINAL_STATES))
                )
            if (done or 0) >= count:
                return
            await asyncio.sleep(0.5)
        raise TimeoutError(f"not all {count} deliveries finished within {limit:.0f} s")
    finally:
        await engine.dispose()


def wait_for_sandbox(port: int, limit: float = 30.0) -> None:
    """Return once the sandbox process answers on its control API."""
    deadline = time.monotonic() + limit
    while True:
        try:
            httpx.get(f"http://127.0.0.1:{port}/sandbox/config", timeout=1).raise_for_status()
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)  # polling for the process to be up, not waiting for time
        else:
            return


def read_calls(port: int) -> list[dict[str, Any]]:
    """The sandbox's whole call log (read once, at the end)."""
    response = httpx.get(f"http://127.0.0.1:{port}/sandbox/calls", timeout=120)
    response.raise_for_status()
    return [call for call in response.json() if call["method"] == "sendMessage"]


def measure(
    name: str,
    *,
    database: str,
    database_url: str,
    workers: int,
    count: int,
    rate: float,
    limits: bool,
    logs: Path,
) -> Outcome:
    """Run one configuration and read the result off the sandbox's call log."""
    asyncio.run(prepare(database_url, count))
    port = free_port()
    server = ["sandbox", "--server-only", "--port", str(port)]
    if limits:
        server.append("--limits")
    env = environment(database_url, port, rate, paid=rate > 30)
    with processes([server], env, logs):
        wait_for_sandbox(port)
        with processes([["run", "--role", "sender"]] * workers, env, logs):
            asyncio.run(wait_until_sent(database_url, count, limit=count / 5 + 120))
        calls = read_calls(port)
    accepted = sorted(call["at"] for call in calls if call["status"] == 200)
    seconds = accepted[-1] - accepted[0]
    per_chat = Counter(call["params"]["chat_id"] for call in calls if call["status"] == 200)
    return Outcome(
        name=name,
        database=database,
        workers=workers,
        messages=len(accepted),
        seconds=round(seconds, 2),
        per_second=round((len(accepted) - 1) / seconds, 1),
        busiest_second=busiest_second(accepted),
        rejected_429=sum(1 for call in calls if call["status"] == 429),
        chats_with_two=sum(1 for n in per_chat.values() if n > 1),
    )


def busiest_second(times: list[float]) -> int:
    """The most arrivals within any one-second window (times sorted)."""
    most, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


def run(
    kind: str, count: int, workers: list[int], databases: list[str], rates: list[float]
) -> list[Outcome]:
    """Every requested configuration, side by side in one run."""
    results = []
    with (
        tempfile.TemporaryDirectory(prefix="nudgebot-bench-") as folder,
        contextlib.ExitStack() as stack,
    ):
        root = Path(folder)
        postgres = stack.enter_context(postgres_databases()) if "postgresql" in databases else None
        runs = [(d, r, w) for d in databases for r in rates for w in workers]
        for database, chosen, worker_count in runs:
            logs = root / f"{kind}-{database}-{chosen:g}-{worker_count}"
            logs.mkdir()
            if database == "sqlite":
                url = f"sqlite+aiosqlite:///{logs / 'bench.sqlite3'}"
            else:
                assert postgres is not None
                url = postgres.empty()
            limits = kind == "limits"
            name = f"limits {'on' if limits else 'off'}, {chosen:g}/s configured"
            results.append(
                measure(
                    name,
                    database=database,
                    database_url=url,
                    workers=worker_count,
                    count=count,
                    rate=chosen,
                    limits=limits,
                    logs=logs,
                )
            )
            if postgres is not None and database == "postgresql":
                postgres.drop(url)
    return results


def table(results: list[Outcome]) -> str:
    """The results as a Markdown table."""
    lines = [
        "| run | database | sender workers | messages | seconds | messages/s | busiest second "
        "| 429s | chats with two |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {r.name} | {r.database} | {r.workers} | {r.messages} | {r.seconds} | "
        f"{r.per_second} | {r.busiest_second} | {r.rejected_429} | {r.chats_with_two} |"
        for r in results
    ]
    return "\n".join(lines)


def main() -> None:
    """Parse arguments, run, print the table (and write JSON if asked)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kind", choices=["throughput", "limits"])
    parser.add_argument("--messages", type=int, default=None)
    parser.add_argument("--workers", type=int, nargs="+", default=None)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument(
        "--rates",
        type=float,
        nargs="+",
        default=None,
        help="NUDGEBOT_SEND_RATE values to compare (default 1000 and 5000 for throughput: "
        "Telegram's paid ceiling, and above it to find the bot's own capacity; 29 for limits)",
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    arguments = parser.parse_args()
    throughput = arguments.kind == "throughput"
    count = arguments.messages or (20000 if throughput else 3000)
    workers = arguments.workers or ([1, 2] if throughput else [1])
    rates = arguments.rates or ([1000.0, 5000.0] if throughput else [29.0])
    results = run(arguments.kind, count, workers, arguments.databases, rates)
    print(table(results))
    if arguments.json:
        arguments.json.write_text(json.dumps([asdict(r) for r in results], indent=2))


if __name__ == "__main__":
    main()
