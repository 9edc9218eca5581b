"""`nudgebot db`: the database schema's migrations and revision."""

from __future__ import annotations

import argparse
import asyncio
from typing import TYPE_CHECKING

from nudgebot.config import Settings
from nudgebot.db import create_engine
from nudgebot.db.migrations import SchemaStatus, schema_status, upgrade

if TYPE_CHECKING:
    from nudgebot.cli.arguments import Commands


def add_parser(commands: Commands) -> None:
    """The `db` subcommand and its actions."""
    db = commands.add_parser("db", help="database schema migrations")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser("upgrade", help="apply every pending migration")
    db_commands.add_parser("status", help="show the database's revision and the newest one")


def execute(settings: Settings, arguments: argparse.Namespace) -> int:
    """Apply pending migrations (`upgrade`), then show the revision."""
    action = arguments.db_command
    url = settings.resolved_database_url
    if action == "upgrade":
        asyncio.run(upgrade(url))
    status = asyncio.run(_status(url))
    print(f"database revision: {status.current or 'none'} (newest: {status.head})")
    return 0


async def _status(url: str) -> SchemaStatus:
    engine = create_engine(url)
    try:
        return await schema_status(engine, url)
    finally:
        await engine.dispose()
