"""The simulation's scratch database: SQLite on the event loop's thread, one connection."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy import text

from nudgebot.db import create_engine


async def test_sessions_take_turns_on_the_single_connection(tmp_path: Path) -> None:
    """Two tasks writing at once both commit: the second waits for the connection instead of
    blocking the loop on a write lock the first can then never release."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'scratch.sqlite3'}", scratch=True)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("CREATE TABLE notes (body TEXT)"))
        first_inside = asyncio.Event()

        async def write(body: str, *, linger: bool) -> None:
            async with engine.begin() as connection:
                await connection.execute(text("INSERT INTO notes VALUES (:b)"), {"b": body})
                if linger:
                    first_inside.set()
                    await asyncio.sleep(0)  # let the other task try its luck meanwhile

        async def write_second() -> None:
            await first_inside.wait()
            await write("second", linger=False)

        await asyncio.wait_for(
            asyncio.gather(write("first", linger=True), write_second()), timeout=10
        )

        async with engine.connect() as connection:
            rows = (await connection.execute(text("SELECT body FROM notes"))).scalars().all()
        assert rows == ["first", "second"]
    finally:
        await engine.dispose()


async def test_a_scratch_database_commits_without_waiting_for_the_disk(tmp_path: Path) -> None:
    """Nothing of value is lost with it, so it skips the sync the bot's database keeps."""
    scratch = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'a.sqlite3'}", scratch=True)
    durable = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'b.sqlite3'}")
    try:
        levels = []
        for engine in (scratch, durable):
            async with engine.connect() as connection:
                levels.append((await connection.execute(text("PRAGMA synchronous"))).scalar())
        assert levels[0] == 0  # OFF
        assert levels[1] != 0
    finally:
        await scratch.dispose()
        await durable.dispose()


def test_a_scratch_database_is_a_file() -> None:
    """An in-memory database has nothing to share between the engine's connections: refused."""
    with pytest.raises(ValueError, match="SQLite file"):
        create_engine("sqlite+aiosqlite:///:memory:", scratch=True)
