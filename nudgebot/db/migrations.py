"""Schema migrations: upgrading to the newest revision, and checking a database is up to date."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from alembic import command
from nudgebot.config import bundled_path

# PostgreSQL advisory lock held while migrating: the letters of "nudgebot" read as one number.
MIGRATION_LOCK_KEY = int.from_bytes(b"nudgebot", "big")


def alembic_config(database_url: str) -> Config:
    """An Alembic configuration for our migrations folder and `database_url`."""
    config = Config()
    config.set_main_option("script_location", str(bundled_path("alembic")))
    # ConfigParser treats % as interpolation; a password may contain one.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


async def upgrade(database_url: str) -> None:
    """Apply every pending migration.

    Alembic's env.py runs its own event loop, so it goes to a worker thread.
    """
    await asyncio.to_thread(command.upgrade, alembic_config(database_url), "head")


@dataclass(frozen=True)
class SchemaStatus:
    """The database's revision next to the newest one the code knows."""

    current: str | None
    head: str | None

    @property
    def up_to_date(self) -> bool:
        """Whether no migration is pending."""
        return self.current == self.head


async def schema_status(engine: AsyncEngine, database_url: str) -> SchemaStatus:
    """Compare the database's Alembic revision with the code's head revision."""
    script = ScriptDirectory.from_config(alembic_config(database_url))

    def current(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with engine.connect() as connection:
        revision = await connection.run_sync(current)
    return SchemaStatus(current=revision, head=script.get_current_head())


class SchemaOutOfDateError(RuntimeError):
    """The database needs `nudgebot db upgrade` before the bot may use it."""

    def __init__(self, status: SchemaStatus) -> None:
        super().__init__(
            f"the database schema is at revision {status.current or 'none (empty database)'} "
            f"but this version of nudgebot needs {status.head}; "
            "run `nudgebot db upgrade` (with the same NUDGEBOT_DATABASE_URL) and start again"
        )
        self.status = status


async def prepare_schema(engine: AsyncEngine, database_url: str, *, auto_upgrade: bool) -> None:
    """Make sure the schema is current: upgrade it if allowed, otherwise refuse to go on."""
    status = await schema_status(engine, database_url)
    if status.up_to_date:
        return
    if not auto_upgrade:
        raise SchemaOutOfDateError(status)
    await upgrade(database_url)
