"""The `nudgebot` command line: run the bot, the sandbox, migrations, content checks and the
offline simulation. One module per subcommand, each adding its parser and running it."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from pydantic import ValidationError

from nudgebot import __version__
from nudgebot.cli import (
    content_command,
    db_command,
    run_command,
    sandbox_command,
    simulate_command,
)
from nudgebot.cli.process import EXIT_CONTENT_ERRORS, EXIT_SETUP_ERROR
from nudgebot.cli.simulate_command import ScratchDeployments
from nudgebot.config import Settings
from nudgebot.content import ContentError
from nudgebot.db.migrations import SchemaOutOfDateError

if TYPE_CHECKING:
    from nudgebot.cli.arguments import Commands


class Command(Protocol):
    """What each subcommand's module provides."""

    def add_parser(self, commands: Commands) -> None:
        """Add the subcommand, its options and help, to the table."""
        ...

    def execute(self, settings: Settings, arguments: argparse.Namespace) -> int:
        """Run the subcommand; its exit status."""
        ...


# Each subcommand's module, in the order --help lists them.
_COMMANDS: dict[str, Command] = {
    "run": run_command,
    "sandbox": sandbox_command,
    "db": db_command,
    "content": content_command,
    "simulate": simulate_command,
}

__all__ = ["Command", "ScratchDeployments", "build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="nudgebot",
        description="Daily gut-brain habit nudges on Telegram that adapt to check-in replies.",
        epilog="Settings come from environment variables and an optional .env file; "
        "see .env.example.",
    )
    parser.add_argument("--version", action="version", version=f"nudgebot {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in _COMMANDS.values():
        module.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `nudgebot` script; returns the exit status."""
    arguments = build_parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as error:
        print(f"nudgebot: invalid settings:\n{error}", file=sys.stderr)
        return EXIT_SETUP_ERROR
    try:
        status = _COMMANDS[arguments.command].execute(settings, arguments)
    except SchemaOutOfDateError as error:
        print(f"nudgebot: {error}", file=sys.stderr)
        return EXIT_SETUP_ERROR
    except ContentError as error:
        print(f"nudgebot: the content in messages/ has errors:\n{error}", file=sys.stderr)
        return EXIT_CONTENT_ERRORS
    except KeyboardInterrupt:
        return 130
    return status
