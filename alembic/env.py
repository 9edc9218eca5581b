"""Alembic environment: runs migrations on our async engine (SQLite or PostgreSQL)."""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from sqlalchemy.engine import Connection

from alembic import context
from nudgebot.config import Settings
from nudgebot.db.engine import create_engine
from nudgebot.db.migrations import MIGRATION_LOCK_KEY
from nudgebot.db.models import Base

config = context.config
target_metadata = Base.metadata


def _database_url() -> str:
    # `nudgebot db upgrade` passes the URL in; a bare `alembic` call falls back to the settings.
    return config.get_main_option("sqlalchemy.url") or Settings().resolved_database_url


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        compare_type=True,
        # SQLite cannot ALTER most things; batch mode rebuilds tables so migrations stay portable.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Two upgrades at once (two deploys, two operators) would both create the same
            # tables and one would fail half-way. Under this lock the second waits; Alembic
            # reads the revision only after it, so the second then finds nothing to do. The
            # lock goes with the transaction, whatever happens.
            connection.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY}
            )
        context.run_migrations()


async def _run_online() -> None:
    engine = create_engine(_database_url())
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=_database_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_online())
