"""`nudgebot sandbox`: a local Bot API server on 127.0.0.1, the real bot against it, and a
terminal chat (or neither, for scripts)."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from nudgebot.app import NudgeBot, build_bot, open_database
from nudgebot.cli.process import freeze_startup_objects, until_signalled
from nudgebot.config import Settings
from nudgebot.log import configure_logging
from nudgebot.sandbox import SandboxConfig, SandboxServer, run_terminal_chat

if TYPE_CHECKING:
    from nudgebot.cli.arguments import Commands

# Any well-formed token works against the sandbox; this one says what it is.
SANDBOX_TOKEN = "1000000001:local-sandbox-token"  # noqa: S105 - not a secret


def add_parser(commands: Commands) -> None:
    """The `sandbox` subcommand and its options."""
    sandbox = commands.add_parser(
        "sandbox",
        help="run the bot against a local Telegram Bot API sandbox",
        description="Start a local Bot API server on 127.0.0.1 and the real bot against it, "
        "with a terminal chat where you are a subscriber.",
    )
    _add_options(sandbox)


def default_options() -> argparse.Namespace:
    """The sandbox's options, each at its default (`nudgebot run` without a token)."""
    parser = argparse.ArgumentParser(prog="nudgebot sandbox")
    _add_options(parser)
    return parser.parse_args([])


def _add_options(sandbox: argparse.ArgumentParser) -> None:
    mode = sandbox.add_mutually_exclusive_group()
    mode.add_argument(
        "--headless", action="store_true", help="server and bot, no chat (for scripts)"
    )
    mode.add_argument(
        "--server-only",
        action="store_true",
        help="just the server; run the bot separately with NUDGEBOT_BOT_API_URL",
    )
    sandbox.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    sandbox.add_argument("--port", type=int, default=8081, help="port to bind (default 8081)")
    sandbox.add_argument(
        "--user-id",
        type=int,
        default=1001,
        help="your Telegram user id in the chat (default 1001)",
    )
    sandbox.add_argument("--name", default="You", help="your first name in the chat (default You)")
    sandbox.add_argument(
        "--language", default="en", help="your Telegram language code (default en)"
    )
    telegram = sandbox.add_argument_group("Telegram's behaviour (also POST /sandbox/config)")
    telegram.add_argument(
        "--limits", action="store_true", help="answer 429 beyond the rates below, as Telegram does"
    )
    telegram.add_argument(
        "--global-rate", type=float, default=30.0, help="messages/s over all chats (default 30)"
    )
    telegram.add_argument(
        "--per-chat-rate", type=float, default=1.0, help="messages/s per chat (default 1)"
    )
    telegram.add_argument(
        "--error-rate", type=float, default=0.0, help="share of requests answered 5xx (0-1)"
    )
    telegram.add_argument(
        "--timeout-rate",
        type=float,
        default=0.0,
        help="share of requests left hanging until the client gives up (0-1)",
    )
    telegram.add_argument(
        "--drop-rate",
        type=float,
        default=0.0,
        help="share of connections dropped unanswered (0-1)",
    )
    telegram.add_argument(
        "--seed", type=int, default=None, help="makes the injected faults reproducible"
    )


def execute(settings: Settings, arguments: argparse.Namespace) -> int:
    """Serve the sandbox (and the bot, and the chat) until stopped."""
    interactive = not (arguments.headless or arguments.server_only)
    # In the terminal chat, log lines would bury the conversation: they go to a file.
    log_file = settings.data_dir / "sandbox.log" if interactive else None
    configure_logging(settings.log_level, [SANDBOX_TOKEN], log_file)
    asyncio.run(_serve_sandbox(settings, arguments, interactive, log_file))
    return 0


async def _serve_sandbox(
    settings: Settings,
    arguments: argparse.Namespace,
    interactive: bool,
    log_file: Path | None,
) -> None:
    try:
        config = SandboxConfig().with_changes(
            {
                "limits": arguments.limits,
                "global_per_second": arguments.global_rate,
                "per_chat_per_second": arguments.per_chat_rate,
                "error_rate": arguments.error_rate,
                "timeout_rate": arguments.timeout_rate,
                "drop_rate": arguments.drop_rate,
                "seed": arguments.seed,
            }
        )
    except (TypeError, ValueError) as error:
        raise SystemExit(f"nudgebot sandbox: {error}") from error
    server = SandboxServer(arguments.host, arguments.port, config=config)
    await server.start()
    bot: NudgeBot | None = None
    engine = None
    try:
        if not arguments.server_only:
            if interactive:
                # The person at the terminal is the admin of their own sandbox: /preview works.
                admins = (*settings.admin_ids, arguments.user_id)
                settings = settings.model_copy(update={"admin_ids": admins})
            engine = await open_database(settings)
            bot = build_bot(settings, engine, token=SANDBOX_TOKEN, bot_api_url=server.bot_api_url)
            await bot.start()
        freeze_startup_objects()
        print(f"nudgebot sandbox: Bot API at {server.bot_api_url}<token>/", flush=True)
        if interactive:
            print(f"Logs go to {log_file}. Database: {settings.resolved_database_url}", flush=True)
            await run_terminal_chat(
                server.base_url,
                user_id=arguments.user_id,
                first_name=arguments.name,
                language_code=arguments.language,
            )
        else:
            print(f"nudgebot sandbox: ready on {server.base_url}", flush=True)
            await until_signalled()
    finally:
        if bot is not None:
            await bot.stop()
        if engine is not None:
            await engine.dispose()
        await server.stop()
