"""The async engine and session factory, with SQLite set up for safe concurrent use."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from nudgebot.db.inline_sqlite import inline_connector

SQLITE_BUSY_TIMEOUT_MS = 30_000
# The execution option marking a connection that only reads (see `reading`).
_READ_ONLY = "nudgebot_read_only"
POSTGRES_SESSION = {
    # Whatever zone the server runs in, anything the database derives from a time (a cast to
    # date or to text, date_trunc) is in UTC, as on SQLite, which stores UTC without a zone.
    "timezone": "UTC",
    # Names our connections in pg_stat_activity, so an operator can tell them apart.
    "application_name": "nudgebot",
}


def create_engine(url: str, *, scratch: bool = False) -> AsyncEngine:
    """An engine for `url`, set up for its kind of database.

    SQLite: creates the file's folder and applies our pragmas. PostgreSQL on asyncpg: sessions
    run in UTC and are named in pg_stat_activity.

    `scratch` (SQLite files only): a throwaway database that only this event loop uses, as in
    `nudgebot simulate`. It runs on the loop's own thread through one connection, and commits
    without waiting for the disk: losing it in a crash loses nothing of value.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() == "asyncpg":
        return create_async_engine(
            url, pool_pre_ping=True, connect_args={"server_settings": POSTGRES_SESSION}
        )
    if parsed.get_backend_name() != "sqlite":
        return create_async_engine(url, pool_pre_ping=True)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    if scratch:
        if not parsed.database or parsed.database == ":memory:":
            raise ValueError("a scratch database is a SQLite file")
        engine = create_async_engine(
            url,
            async_creator=inline_connector(parsed.database),
            # One connection: a second would wait for the first's write lock while blocking
            # the thread the first needs to finish. Sessions queue for it instead.
            pool_size=1,
            max_overflow=0,
        )
    else:
        engine = create_async_engine(url)
    _configure_sqlite(engine, durable=not scratch)
    return engine


def _configure_sqlite(engine: AsyncEngine, *, durable: bool) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Take transaction control from the driver so that "begin" below decides how to start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        if not durable:
            cursor.execute("PRAGMA synchronous=OFF")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        # BEGIN IMMEDIATE takes the write lock up front: SQLite's single writer then queues
        # transactions (waiting up to busy_timeout) instead of failing one that tries to upgrade
        # a read lock mid-way. This is our equivalent of PostgreSQL's row locks for claiming.
        # A session that only reads (`reading`) begins deferred: it never takes the write lock,
        # and with WAL the writers carry on while it reads.
        if connection.get_execution_options().get(_READ_ONLY):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")


@contextlib.asynccontextmanager
async def reading(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session for reads only, rolled back at the end: on SQLite its transaction takes no
    write lock, so a long read (the crowd's refit) holds up no check-in."""
    async with sessions() as session:
        # Set before the transaction begins, so that the begin hook sees it.
        await session.connection(execution_options={_READ_ONLY: True})
        yield session


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded values after commit (services return them to handlers)."""
    return async_sessionmaker(engine, expire_on_commit=False)
