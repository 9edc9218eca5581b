"""Alembic migrations: they build exactly the models' schema; start-up checks the revision."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from nudgebot.app import open_database
from nudgebot.config import Settings
from nudgebot.db import Base, create_engine
from nudgebot.db.migrations import SchemaOutOfDateError, schema_status


async def test_migrations_produce_exactly_the_models_schema(engine: AsyncEngine) -> None:
    """After upgrading an empty database, Alembic finds no difference from the models."""

    def differences(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    async with engine.connect() as connection:
        diff = await connection.run_sync(differences)

    assert diff == []


async def test_migrated_tables_have_the_due_index_and_unique_outbox_key(
    engine: AsyncEngine,
) -> None:
    """The dispatcher's index on next due time and the outbox's unique key exist."""

    def inspect_schema(connection: Connection) -> tuple[list[str], list[list[str]]]:
        inspector = inspect(connection)
        indexes = [ix["name"] or "" for ix in inspector.get_indexes("subscribers")]
        uniques = [
            list(uq["column_names"]) for uq in inspector.get_unique_constraints("deliveries")
        ]
        return indexes, uniques

    async with engine.connect() as connection:
        indexes, uniques = await connection.run_sync(inspect_schema)

    assert "ix_subscribers_next_due_at" in indexes
    assert ["subscriber_id", "local_date", "slot"] in uniques


def settings_for(database_url: str, tmp_path: Path, **overrides: str) -> Settings:
    """Settings pointing at `database_url`, independent of the environment and any .env file."""
    return Settings.model_validate(
        {"NUDGEBOT_DATABASE_URL": database_url, "NUDGEBOT_DATA_DIR": str(tmp_path), **overrides}
    )


async def test_embedded_sqlite_is_upgraded_at_start(database_url: str, tmp_path: Path) -> None:
    """Opening an empty SQLite database brings it to the newest revision by itself."""
    engine = await open_database(settings_for(database_url, tmp_path))

    status = await schema_status(engine, database_url)
    await engine.dispose()

    assert status.up_to_date
    assert status.current is not None


async def test_out_of_date_server_schema_is_refused_naming_the_command(
    database_url: str, tmp_path: Path
) -> None:
    """Without automatic migration an old schema stops the bot, with the fix."""
    settings = settings_for(database_url, tmp_path, NUDGEBOT_AUTO_MIGRATE="false")

    with pytest.raises(SchemaOutOfDateError, match="run `nudgebot db upgrade`"):
        await open_database(settings)


def test_server_databases_are_not_migrated_automatically(tmp_path: Path) -> None:
    """PostgreSQL is upgraded by the operator; SQLite by the bot."""
    server = settings_for("postgresql+asyncpg://nudgebot@127.0.0.1/nudgebot", tmp_path)
    embedded = settings_for(f"sqlite+aiosqlite:///{tmp_path}/x.sqlite3", tmp_path)

    assert not server.migrates_automatically
    assert embedded.migrates_automatically


async def test_engine_creates_the_sqlite_folder(tmp_path: Path) -> None:
    """The default SQLite file may live in a data folder that does not exist yet."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'new' / 'folder' / 'db.sqlite3'}"

    engine = create_engine(url)
    async with engine.connect():
        pass
    await engine.dispose()

    assert (tmp_path / "new" / "folder" / "db.sqlite3").exists()
