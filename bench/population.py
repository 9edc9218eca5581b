"""Benchmark databases: the real migrations, then many subscribers (and their history) in bulk.

The ORM would need minutes per million rows. Rows go in as plain tuples, encoded by the models'
own bind processors (so SQLite stores times in exactly the format the bot compares against):
executemany in big chunks on SQLite, COPY on PostgreSQL. On SQLite the build alone runs without
a journal or fsync; the bot's WAL mode is put back at the end.
"""

from __future__ import annotations

import time
from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as wall_time
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, func, select, text
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from nudgebot.config import bundled_path
from nudgebot.content import load_library
from nudgebot.db import Delivery, DeliveryKind, DeliveryState, Subscriber, SubscriberStatus
from nudgebot.db.migrations import upgrade

# A fixed Monday, 09:30 UTC, outside the default quiet hours: the results do not depend on the
# hour the benchmark happens to run at, and every due subscriber can be planned and claimed.
NOW = datetime(2025, 6, 2, 9, 30, tzinfo=UTC)
NUDGE_TIME = "09:00"
# Rows per executemany: big enough that per-statement overhead vanishes, small enough that one
# chunk's dicts stay a few tens of MB.
CHUNK = 50_000
CHAT_ID_BASE = 10**9


@dataclass(frozen=True)
class Population:
    """Who is in a benchmark database."""

    subscribers: int
    # Every n-th subscriber is due (100 -> 1%); 0 -> nobody. Spread over the whole table rather
    # than the first rows, so due rows sit on as many pages as they would in real life.
    due_every: int = 100
    # Days of past deliveries per subscriber (one `sent` tip a day), so the outbox queries run
    # against a ledger that is as big as the subscriber table or bigger, as it soon is.
    history_days: int = 1

    @property
    def due(self) -> int:
        """How many subscribers are due at NOW."""
        return 0 if self.due_every <= 0 else len(range(0, self.subscribers, self.due_every))


@dataclass(frozen=True)
class BuildReport:
    """How long building one database took."""

    subscribers: int
    due: int
    deliveries: int
    seconds: float


def _next_due_at(index: int, population: Population) -> datetime:
    if population.due_every > 0 and index % population.due_every == 0:
        return NOW - timedelta(minutes=1 + index % 30)  # due during the last half hour
    # Everyone else is due within the next day, spread over it (as subscribers in many zones
    # would be), so the index is not one long run of equal keys.
    return NOW + timedelta(seconds=60 + (index * 7919) % 86_340)


class _Encoder:
    """Turns Python values into what the driver receives, with the models' own bind processors.

    Most columns hold a handful of distinct values, so each distinct value is encoded once: the
    per-row work is then a dict lookup, not SQLAlchemy's type processing (which alone would
    take about a minute per million subscribers).
    """

    def __init__(self, table: Table, dialect: Dialect) -> None:
        self._processors = {
            column.name: column.type.dialect_impl(dialect).bind_processor(dialect)
            for column in table.columns
        }
        self._cache: dict[tuple[str, Hashable], Any] = {}

    def __call__(self, column: str, value: Any, key: Hashable = None) -> Any:
        """`value` as the driver wants it; `key` stands for an unhashable value (a list)."""
        cache_key = (column, value if key is None else key)
        if cache_key not in self._cache:
            processor = self._processors[column]
            self._cache[cache_key] = value if processor is None else processor(value)
        return self._cache[cache_key]


def _subscriber_rows(
    encode: _Encoder, population: Population, span: range
) -> list[tuple[Any, ...]]:
    last_sent = datetime.combine(NOW.date() - timedelta(days=1), wall_time(9), UTC)
    constant = (
        encode("language", "en"),
        encode("timezone", "UTC"),
        encode("nudge_times", [NUDGE_TIME], key=NUDGE_TIME),
        encode("day_start", wall_time(0, 0)),
        encode("status", SubscriberStatus.ACTIVE),
    )
    stamps = (
        encode("last_message_at", last_sent if population.history_days else None),
        encode("created_at", NOW - timedelta(days=30)),
        encode("updated_at", NOW - timedelta(days=1)),
    )
    return [
        (
            index + 1,
            CHAT_ID_BASE + index,
            *constant,
            encode("next_due_at", _next_due_at(index, population)),
            *stamps,
        )
        for index in span
    ]


SUBSCRIBER_COLUMNS = (
    "id", "chat_id", "language", "timezone", "nudge_times", "day_start", "status",
    "next_due_at", "last_message_at", "created_at", "updated_at",
)  # fmt: skip


def _delivery_rows(
    encode: _Encoder, population: Population, tips: list[str], day: int, span: range
) -> list[tuple[Any, ...]]:
    local_date: date = NOW.date() - timedelta(days=day)
    at = encode("due_at", datetime.combine(local_date, wall_time(9), UTC))
    constant = (
        encode("local_date", local_date),
        NUDGE_TIME,
        encode("kind", DeliveryKind.TIP),
        encode("state", DeliveryState.SENT),
    )
    day_offset = (day - 1) * population.subscribers  # ids follow on from the previous day
    return [
        (
            day_offset + index + 1,
            index + 1,
            *constant,
            tips[(index + day) % len(tips)],
            at,
            1,
            index + 1,
            at,
            at,
        )
        for index in span
    ]


DELIVERY_COLUMNS = (
    "id", "subscriber_id", "local_date", "slot", "kind", "state", "tip_id", "due_at",
    "attempts", "telegram_message_id", "sent_at", "created_at",
)  # fmt: skip


def _chunks(total: int) -> Iterator[range]:
    for start in range(0, total, CHUNK):
        yield range(start, min(total, start + CHUNK))


async def _write(
    connection: AsyncConnection, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    if connection.dialect.name == "postgresql":
        # COPY: several times faster than even a pipelined executemany.
        driver = (await connection.get_raw_connection()).driver_connection  # asyncpg's own
        assert driver is not None
        await driver.copy_records_to_table(table, records=rows, columns=columns)
        return
    marks = ", ".join("?" for _ in columns)
    statement = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
    await connection.exec_driver_sql(statement, rows)


async def _fill(connection: AsyncConnection, population: Population) -> int:
    """Insert the subscribers and their history; return the number of deliveries."""
    tips = sorted(load_library(bundled_path("messages")).tips)
    dialect = connection.dialect
    encode = _Encoder(cast(Table, Subscriber.__table__), dialect)
    for span in _chunks(population.subscribers):
        rows = _subscriber_rows(encode, population, span)
        await _write(connection, "subscribers", SUBSCRIBER_COLUMNS, rows)
    encode = _Encoder(cast(Table, Delivery.__table__), dialect)
    for day in range(1, population.history_days + 1):
        for span in _chunks(population.subscribers):
            rows = _delivery_rows(encode, population, tips, day, span)
            await _write(connection, "deliveries", DELIVERY_COLUMNS, rows)
    return population.subscribers * population.history_days


async def _check_due(connection: AsyncConnection, population: Population) -> None:
    """The rows went in around the ORM: make sure the bot's own comparison sees them as meant."""
    due = await connection.scalar(
        select(func.count()).select_from(Subscriber).where(Subscriber.next_due_at <= NOW)
    )
    if due != population.due:
        raise RuntimeError(f"{due} subscribers due after the build, expected {population.due}")


async def build_database(url: str, population: Population) -> BuildReport:
    """Migrate the empty database at `url` and fill it; the schema is the bot's own."""
    began = time.perf_counter()
    await upgrade(url)
    backend = make_url(url).get_backend_name()
    engine = create_async_engine(url)
    try:
        async with engine.connect() as connection:
            if backend == "sqlite":
                # Build only: a crash would just mean building again.
                await connection.exec_driver_sql("PRAGMA journal_mode=OFF")
                await connection.exec_driver_sql("PRAGMA synchronous=OFF")
            deliveries = await _fill(connection, population)
            await connection.commit()
            await _check_due(connection, population)
            if backend == "postgresql":
                # Rows were inserted with explicit ids: move the id sequences past them, or the
                # planner's first insert would collide with the history.
                for table in ("subscribers", "deliveries"):
                    await connection.execute(
                        text(
                            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                            f"(SELECT coalesce(max(id), 0) + 1 FROM {table}), false)"
                        )
                    )
                # The throwaway server runs with autovacuum off; in production autovacuum
                # would have analysed tables this size long ago, so the planner gets stats.
                await connection.commit()
                autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
                await autocommit.exec_driver_sql("ANALYZE")
            else:
                # Back to the mode the bot runs in. SQLite gets no ANALYZE: the bot never runs
                # one, so the plans measured are the ones it would get.
                await connection.exec_driver_sql("PRAGMA journal_mode=WAL")
    finally:
        await engine.dispose()
    return BuildReport(
        subscribers=population.subscribers,
        due=population.due,
        deliveries=deliveries,
        seconds=time.perf_counter() - began,
    )


def sqlite_url(path: Path) -> str:
    """The aiosqlite URL of a database file."""
    return f"sqlite+aiosqlite:///{path}"
