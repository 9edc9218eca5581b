"""`nudgebot run`: the bot against Telegram, or the local sandbox when no token is set."""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import TYPE_CHECKING

from nudgebot.app import Role, build_bot, open_database
from nudgebot.cli import sandbox_command
from nudgebot.cli.process import freeze_startup_objects, until_signalled
from nudgebot.config import Settings
from nudgebot.log import configure_logging

if TYPE_CHECKING:
    from nudgebot.cli.arguments import Commands


def add_parser(commands: Commands) -> None:
    """The `run` subcommand and its options."""
    run = commands.add_parser(
        "run",
        help="run the bot",
        description="Run the bot against Telegram (or NUDGEBOT_BOT_API_URL). With no "
        "TELEGRAM_BOT_TOKEN set, start the local sandbox with a terminal chat instead.",
    )
    run.add_argument(
        "--role",
        choices=[role.value for role in Role],
        default=Role.BOTH.value,
        help="both (default): one process does everything; sender: only plan and send "
        "nudges (run as many as you like); updates: only receive and answer Telegram updates "
        "(exactly one per bot)",
    )


def execute(settings: Settings, arguments: argparse.Namespace) -> int:
    """Serve the bot until stopped; the sandbox instead when no token is set."""
    role = Role(arguments.role)
    token = settings.token
    if token is None:
        print(
            "No TELEGRAM_BOT_TOKEN set: starting the local sandbox instead of Telegram.",
            file=sys.stderr,
        )
        return sandbox_command.execute(settings, sandbox_command.default_options())
    configure_logging(settings.log_level, [token])
    asyncio.run(_serve_bot(settings, token, settings.bot_api_url, role))
    return 0


async def _serve_bot(settings: Settings, token: str, bot_api_url: str, role: Role) -> None:
    engine = await open_database(settings)
    bot = build_bot(settings, engine, token=token, bot_api_url=bot_api_url, role=role)
    try:
        await bot.start()
        freeze_startup_objects()
        await until_signalled()
    finally:
        await bot.stop()
        await engine.dispose()
