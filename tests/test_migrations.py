"""Alembic migrations: they build exactly the models' schema; start-up checks the revision."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import insert, inspect, select, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from alembic import command
from nudgebot.app import open_database
from nudgebot.cli import main
from nudgebot.config import Settings
from nudgebot.content.limits import MAX_OPTION_ID_BYTES
from nudgebot.db import (
    Answer,
    Base,
    Delivery,
    DeliveryKind,
    DeliveryState,
    Subscriber,
    create_engine,
)
from nudgebot.db.migrations import (
    MIGRATION_LOCK_KEY,
    SchemaOutOfDateError,
    alembic_config,
    schema_status,
    upgrade,
)
from tests.factories import due_subscriber_rows


async def test_migrations_produce_exactly_the_models_schema(database_url: str) -> None:
    """After upgrading an empty database, Alembic finds no difference from the models."""

    def differences(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    await upgrade(database_url)
    engine = create_engine(database_url)
    try:
        async with engine.connect() as connection:
            diff = await connection.run_sync(differences)
    finally:
        await engine.dispose()

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


async def test_answers_hold_the_longest_option_id_the_content_allows(
    engine: AsyncEngine,
) -> None:
    """Any option id the content checks allow fits in an answer (PostgreSQL enforces lengths)."""
    now = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)
    longest = "o" * MAX_OPTION_ID_BYTES

    async with engine.begin() as connection:
        subscriber_id = (
            await connection.execute(
                insert(Subscriber).returning(Subscriber.id), due_subscriber_rows(1, 42, now)
            )
        ).scalar_one()
        delivery_id = await connection.scalar(
            insert(Delivery)
            .values(
                subscriber_id=subscriber_id,
                local_date=now.date(),
                slot="09:00",
                kind=DeliveryKind.TIP,
                state=DeliveryState.SENT,
                tip_id="a-tip",
                due_at=now,
                attempts=1,
                created_at=now,
            )
            .returning(Delivery.id)
        )
        await connection.execute(
            insert(Answer).values(
                delivery_id=delivery_id,
                subscriber_id=subscriber_id,
                option_id=longest,
                outcome="done",
                answered_at=now,
            )
        )
    async with engine.connect() as connection:
        stored = await connection.scalar(select(Answer.option_id))

    assert stored == longest


def settings_for(database_url: str, tmp_path: Path, **overrides: str) -> Settings:
    """Settings pointing at `database_url`, independent of the environment and any .env file."""
    return Settings.model_validate(
        {"NUDGEBOT_DATABASE_URL": database_url, "NUDGEBOT_DATA_DIR": str(tmp_path), **overrides}
    )


async def test_embedded_sqlite_is_upgraded_at_start(tmp_path: Path) -> None:
    """Opening an empty SQLite database brings it to the newest revision by itself."""
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'embedded.sqlite3'}"

    engine = await open_database(settings_for(database_url, tmp_path))

    status = await schema_status(engine, database_url)
    await engine.dispose()

    assert status.up_to_date
    assert status.current is not None


async def test_out_of_date_schema_is_refused_when_automatic_migration_is_off(
    database_url: str, tmp_path: Path
) -> None:
    """With NUDGEBOT_AUTO_MIGRATE=false an old schema stops the bot, with the fix."""
    settings = settings_for(database_url, tmp_path, NUDGEBOT_AUTO_MIGRATE="false")

    with pytest.raises(SchemaOutOfDateError, match="run `nudgebot db upgrade`"):
        await open_database(settings)


async def test_out_of_date_postgresql_schema_is_refused_naming_the_command(
    empty_postgres_url: str, tmp_path: Path
) -> None:
    """The bot refuses an unmigrated PostgreSQL database, names `nudgebot db upgrade` and leaves it alone."""
    settings = settings_for(empty_postgres_url, tmp_path)

    with pytest.raises(SchemaOutOfDateError, match="run `nudgebot db upgrade`"):
        await open_database(settings)

    assert await revision_of(empty_postgres_url) is None


async def test_db_upgrade_brings_postgresql_up_to_date(
    empty_postgres_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`nudgebot db upgrade` migrates the configured PostgreSQL database, and the bot then starts."""
    monkeypatch.chdir(tmp_path)  # away from the checkout's .env
    monkeypatch.setenv("NUDGEBOT_DATABASE_URL", empty_postgres_url)
    monkeypatch.setenv("NUDGEBOT_DATA_DIR", str(tmp_path))

    # The command runs its own event loop, as it does from a shell.
    status = await asyncio.to_thread(main, ["db", "upgrade"])

    head = ScriptDirectory.from_config(alembic_config(empty_postgres_url)).get_current_head()
    assert status == 0
    assert f"database revision: {head} (newest: {head})" in capsys.readouterr().out
    engine = await open_database(settings_for(empty_postgres_url, tmp_path))
    await engine.dispose()
    assert await revision_of(empty_postgres_url) == head


async def revision_of(database_url: str) -> str | None:
    """The Alembic revision a database is at, None when it was never migrated."""
    engine = create_engine(database_url)
    try:
        return (await schema_status(engine, database_url)).current
    finally:
        await engine.dispose()


async def test_an_upgrade_waits_for_one_already_running_on_postgresql(
    empty_postgres_url: str,
) -> None:
    """While another process migrates (holds the migration lock), an upgrade waits, then finishes."""
    other = create_engine(empty_postgres_url)
    try:
        async with other.connect() as connection:
            await connection.execute(
                text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
            )
            upgrading = asyncio.create_task(upgrade(empty_postgres_url))
            await until_it_waits_for_the_lock(connection, upgrading)
            migrated_meanwhile = await revision_of(empty_postgres_url)
            await connection.execute(
                text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY}
            )
        await upgrading
    finally:
        await other.dispose()

    assert migrated_meanwhile is None
    assert await revision_of(empty_postgres_url) is not None


async def until_it_waits_for_the_lock(
    connection: AsyncConnection, upgrade: asyncio.Task[None]
) -> None:
    """Return once a session is blocked on an advisory lock; fail if the upgrade ends first."""
    waiting = text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")
    while not await connection.scalar(waiting):
        assert not upgrade.done(), "the upgrade ran without waiting for the lock"
        await asyncio.sleep(0)  # let the upgrade's thread and loop get on


async def test_postgresql_sessions_run_in_utc_whatever_the_server_zone(
    empty_postgres_url: str,
) -> None:
    """Dates PostgreSQL derives from a time are UTC dates, as on SQLite (the test server runs in St. John's)."""
    engine = create_engine(empty_postgres_url)
    try:
        async with engine.connect() as connection:
            zone = await connection.scalar(text("SHOW timezone"))
            late_evening_utc = await connection.scalar(
                text("SELECT CAST(CAST('2026-06-01 23:30:00+00' AS timestamptz) AS date)")
            )
    finally:
        await engine.dispose()

    assert zone == "UTC"
    assert str(late_evening_utc) == "2026-06-01"


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


async def test_upgrade_carries_existing_subscribers_over(database_url: str) -> None:
    """A database at the first revision keeps its subscribers' nudge times on upgrade."""
    config = alembic_config(database_url)
    await asyncio.to_thread(command.upgrade, config, "0001")
    engine = create_engine(database_url)
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "INSERT INTO subscribers (chat_id, language, timezone, nudge_time, status,"
                " created_at, updated_at) VALUES (7, 'en', 'UTC', '07:30:00', 'active',"
                " '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            )
        )

    await upgrade(database_url)
    async with engine.connect() as connection:
        row = (
            await connection.execute(text("SELECT nudge_times, day_start FROM subscribers"))
        ).one()
    await engine.dispose()

    nudge_times = json.loads(row[0]) if isinstance(row[0], str) else row[0]
    assert nudge_times == ["07:30"]


async def test_every_migration_can_be_undone(engine: AsyncEngine, database_url: str) -> None:
    """Downgrading to nothing and upgrading again works from the newest revision."""
    config = alembic_config(database_url)

    await asyncio.to_thread(command.downgrade, config, "base")
    await asyncio.to_thread(command.upgrade, config, "head")

    status = await schema_status(engine, database_url)
    assert status.up_to_date
