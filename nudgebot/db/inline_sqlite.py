"""SQLite on the event loop's own thread, for a throwaway database nothing else waits on.

aiosqlite runs each call on a worker thread and wakes the event loop when it is done: right for
the bot, whose loop must keep serving Telegram while the disk works. `nudgebot simulate` has
nothing else to serve, and on a virtual machine each hand-off between the threads costs about
0.1 ms, several per statement (execute, fetch, close): more than the statement itself. This
stand-in for an aiosqlite connection makes the same calls directly, as awaitables that never
suspend, so SQLAlchemy's aiosqlite dialect, and the bot's code above it, run unchanged.

Only one connection may exist (the engine's pool holds one): a second one would wait for the
first's write lock while blocking the very thread the first needs to finish.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable
from typing import Any


class InlineCursor:
    """An aiosqlite cursor's interface over a sqlite3 cursor, run in place."""

    def __init__(self, cursor: sqlite3.Cursor) -> None:
        self._cursor = cursor

    async def __aenter__(self) -> InlineCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        self._cursor.close()

    @property
    def description(self) -> Any:
        """The result's columns (DB-API)."""
        return self._cursor.description

    @property
    def rowcount(self) -> int:
        """Rows changed by the last statement (DB-API)."""
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        """The id of the last inserted row (DB-API)."""
        return self._cursor.lastrowid

    @property
    def arraysize(self) -> int:
        """Rows per fetchmany (DB-API)."""
        return self._cursor.arraysize

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        self._cursor.arraysize = value

    async def execute(self, sql: str, parameters: Any = ()) -> InlineCursor:
        """Run one statement."""
        self._cursor.execute(sql, parameters)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> InlineCursor:
        """Run one statement for each set of parameters."""
        self._cursor.executemany(sql, parameters)
        return self

    async def fetchone(self) -> Any:
        """The next row, or None."""
        return self._cursor.fetchone()

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        """Up to `size` more rows."""
        return self._cursor.fetchmany(self._cursor.arraysize if size is None else size)

    async def fetchall(self) -> list[Any]:
        """Every remaining row."""
        return self._cursor.fetchall()

    async def close(self) -> None:
        """Release the cursor."""
        self._cursor.close()


class _InPlaceQueue:
    """What SQLAlchemy's dialect puts work on to set the isolation level: done at once."""

    def __init__(self) -> None:
        self.put_nowait = self._run

    @staticmethod
    def _run(item: tuple[Any, Callable[[], Any]]) -> None:
        future, function = item
        try:
            future.set_result(function())
        except Exception as error:
            future.set_exception(error)


class InlineConnection:
    """An aiosqlite connection's interface over a sqlite3 connection, run in place."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        # The names SQLAlchemy's aiosqlite dialect reaches for (it checks `_connection` before
        # committing, and sets the isolation level through `_tx` and `_conn`).
        self._conn: sqlite3.Connection | None = connection
        self._connection: sqlite3.Connection | None = connection
        self._tx = _InPlaceQueue()

    @property
    def isolation_level(self) -> str | None:
        """sqlite3's transaction handling (the engine takes it over: None)."""
        return self._open().isolation_level

    def cursor(self) -> InlineCursor:
        """A new cursor (entered with `async with` by the dialect)."""
        return InlineCursor(self._open().cursor())

    async def commit(self) -> None:
        """Commit the open transaction."""
        self._open().commit()

    async def rollback(self) -> None:
        """Roll back the open transaction."""
        self._open().rollback()

    async def create_function(self, *args: Any, **kwargs: Any) -> None:
        """Register a SQL function (DB-API extension)."""
        self._open().create_function(*args, **kwargs)

    async def close(self) -> None:
        """Close the connection; closing twice is harmless."""
        self.stop()

    def stop(self) -> None:
        """Close at once (what SQLAlchemy calls to terminate a connection)."""
        if self._conn is not None:
            self._conn.close()
            # Both names: the dialect skips commit and rollback once `_connection` is gone.
            self._conn = None
            self._connection = None

    def _open(self) -> sqlite3.Connection:
        if self._conn is None:
            raise ValueError("no active connection")
        return self._conn


def inline_connector(path: str) -> Callable[[], Any]:
    """The `async_creator` for an engine on the SQLite file at `path`."""

    async def connect() -> InlineConnection:
        return InlineConnection(sqlite3.connect(path, check_same_thread=False))

    return connect
