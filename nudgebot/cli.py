"""The `nudgebot` command line: run the bot, the sandbox, migrations and content checks."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import os
import signal
import sys
import tempfile
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from nudgebot import __version__
from nudgebot.adaptation.learner import TipPolicy
from nudgebot.app import NudgeBot, Role, build_bot, open_database, simulated_deployment
from nudgebot.config import Settings
from nudgebot.content import ContentError, load_library, render_tip
from nudgebot.content.coverage import translation_coverage
from nudgebot.db import create_engine
from nudgebot.db.migrations import SchemaOutOfDateError, SchemaStatus, schema_status, upgrade
from nudgebot.log import configure_logging
from nudgebot.sandbox import SandboxConfig, SandboxServer, run_terminal_chat
from nudgebot.simulation import (
    COHORT_FORMAT,
    PEOPLE_PER_SHARD,
    POLICY_NAMES,
    CohortError,
    DayProgress,
    Deployment,
    SimulatedTelegram,
    format_table,
    load_cohort,
    run_simulation,
    write_chart,
    write_summary,
)
from nudgebot.simulation.behaviour import PEOPLE_MODEL
from nudgebot.telegram_format import parse_html

# Any well-formed token works against the sandbox; this one says what it is.
SANDBOX_TOKEN = "1000000001:local-sandbox-token"  # noqa: S105 - not a secret
EXIT_CONTENT_ERRORS = 1
EXIT_SETUP_ERROR = 2


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

    sandbox = commands.add_parser(
        "sandbox",
        help="run the bot against a local Telegram Bot API sandbox",
        description="Start a local Bot API server on 127.0.0.1 and the real bot against it, "
        "with a terminal chat where you are a subscriber.",
    )
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

    db = commands.add_parser("db", help="database schema migrations")
    db_commands = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_commands.add_parser("upgrade", help="apply every pending migration")
    db_commands.add_parser("status", help="show the database's revision and the newest one")

    content = commands.add_parser("content", help="the content library in messages/")
    content_commands = content.add_subparsers(
        dest="content_command", required=True, metavar="ACTION"
    )
    check = content_commands.add_parser(
        "check", help="validate the library and report every problem as file:line:column"
    )
    check.add_argument(
        "directory", nargs="?", type=Path, help="content folder (default NUDGEBOT_MESSAGES_DIR)"
    )
    check.add_argument("--json", action="store_true", help="print a JSON report")
    preview = content_commands.add_parser(
        "preview", help="print a tip as a subscriber would see it, with its buttons"
    )
    preview.add_argument("tip_id", help="the tip's id")
    preview.add_argument("--lang", default=None, help="language code (default: the library's)")
    preview.add_argument(
        "--dir", type=Path, default=None, help="content folder (default NUDGEBOT_MESSAGES_DIR)"
    )
    _add_simulate_parser(commands)
    return parser


def _add_simulate_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    simulate = commands.add_parser(
        "simulate",
        help="compare tip policies offline on a synthetic cohort",
        description="Run the real tip selection and answer recording, with a simulated clock "
        "and a temporary database per policy, against simulated subscribers described by a "
        "cohort file. Prints the policies side by side and writes summary.json and "
        "did_it_rate.png to --out. People are split into shards of about "
        f"{PEOPLE_PER_SHARD:,} (one below {2 * PEOPLE_PER_SHARD:,} people), each with its own "
        "bot and database; shards run side by side in --processes. Same seed and cohort size, "
        "same results, however many processes.",
        epilog=COHORT_FORMAT + "\n" + PEOPLE_MODEL,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    simulate.add_argument(
        "--cohort", type=Path, required=True, metavar="FILE", help="cohort file (YAML or JSON)"
    )
    simulate.add_argument("--days", type=_positive, default=60, help="simulated days (default 60)")
    simulate.add_argument(
        "--policy",
        action="append",
        choices=POLICY_NAMES,
        help="a policy to run; repeat for several (default: all of them, side by side)",
    )
    simulate.add_argument("--seed", type=_not_negative, default=0, help="random seed (default 0)")
    simulate.add_argument(
        "--users",
        type=_positive,
        default=None,
        metavar="N",
        help="simulate N people in all, each group keeping its share (default: the file's counts)",
    )
    simulate.add_argument(
        "--processes",
        type=_positive,
        default=os.cpu_count() or 1,
        metavar="N",
        help="processes running a policy's shards side by side (default: the CPUs, "
        f"{os.cpu_count() or 1} here); speed only, the results do not change",
    )
    simulate.add_argument(
        "--out",
        type=Path,
        default=Path("simulation-results"),
        metavar="DIR",
        help="where summary.json and did_it_rate.png go (default simulation-results)",
    )


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _not_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative, not {value}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `nudgebot` script; returns the exit status."""
    arguments = build_parser().parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as error:
        print(f"nudgebot: invalid settings:\n{error}", file=sys.stderr)
        return EXIT_SETUP_ERROR
    try:
        match arguments.command:
            case "run":
                return _run(settings, Role(arguments.role))
            case "sandbox":
                return _sandbox(settings, arguments)
            case "db":
                return _db(settings, arguments.db_command)
            case "simulate":
                return _simulate(settings, arguments)
            case _ if arguments.content_command == "preview":
                return _content_preview(settings, arguments)
            case _:
                return _content_check(settings, arguments.directory, as_json=arguments.json)
    except SchemaOutOfDateError as error:
        print(f"nudgebot: {error}", file=sys.stderr)
        return EXIT_SETUP_ERROR
    except ContentError as error:
        print(f"nudgebot: the content in messages/ has errors:\n{error}", file=sys.stderr)
        return EXIT_CONTENT_ERRORS
    except KeyboardInterrupt:
        return 130


def _run(settings: Settings, role: Role) -> int:
    token = settings.token
    if token is None:
        print(
            "No TELEGRAM_BOT_TOKEN set: starting the local sandbox instead of Telegram.",
            file=sys.stderr,
        )
        return _sandbox(settings, build_parser().parse_args(["sandbox"]))
    configure_logging(settings.log_level, [token])
    asyncio.run(_serve_bot(settings, token, settings.bot_api_url, role))
    return 0


async def _serve_bot(settings: Settings, token: str, bot_api_url: str, role: Role) -> None:
    engine = await open_database(settings)
    bot = build_bot(settings, engine, token=token, bot_api_url=bot_api_url, role=role)
    try:
        await bot.start()
        _freeze_startup_objects()
        await _until_signalled()
    finally:
        await bot.stop()
        await engine.dispose()


def _sandbox(settings: Settings, arguments: argparse.Namespace) -> int:
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
        _freeze_startup_objects()
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
            await _until_signalled()
    finally:
        if bot is not None:
            await bot.stop()
        if engine is not None:
            await engine.dispose()
        await server.stop()


def _freeze_startup_objects() -> None:
    """Keep everything loaded at start-up out of the garbage collector's full passes.

    Modules, the content library and the application are long-lived; scanning them in every
    full collection caused pauses of a few hundred milliseconds, long enough to bunch sends
    into a burst that Telegram's per-second limit refuses.
    """
    gc.collect()
    gc.freeze()


async def _until_signalled() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # not available on every platform
            loop.add_signal_handler(signum, stop.set)
    await stop.wait()


def _db(settings: Settings, action: str) -> int:
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


def _content_check(settings: Settings, directory: Path | None, *, as_json: bool) -> int:
    folder = directory or settings.messages_dir
    try:
        library = load_library(folder)
    except ContentError as error:
        errors, warnings, library_or_none = error.problems, error.warnings, None
    else:
        errors, warnings, library_or_none = [], library.warnings, library
    coverage = translation_coverage(library_or_none) if library_or_none else []
    topics = len(library_or_none.topics) if library_or_none else 0
    tips = len(library_or_none.tips) if library_or_none else 0
    if as_json:
        report = {
            "topics": topics,
            "tips": tips,
            "errors": [str(problem) for problem in errors],
            "warnings": [str(problem) for problem in warnings],
            "coverage": {
                entry.language: {
                    "ui_strings": list(entry.ui_strings),
                    "topics": list(entry.topics),
                    "tips": list(entry.tips),
                }
                for entry in coverage
            },
        }
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return EXIT_CONTENT_ERRORS if errors else 0
    for problem in errors:
        print(problem)
    for problem in warnings:
        print(f"{problem} (warning)")
    counts = f"{len(errors)} errors, {len(warnings)} warnings"
    print(f"{folder}: {topics} topics, {tips} tips, {counts}")
    if coverage:
        print("translations (fully written / all):")
        for entry in coverage:
            print(f"  {entry}")
    return EXIT_CONTENT_ERRORS if errors else 0


def _simulate(settings: Settings, arguments: argparse.Namespace) -> int:
    library = load_library(settings.messages_dir)
    try:
        cohort = load_cohort(arguments.cohort)
        if arguments.users is not None:
            cohort = cohort.with_users(arguments.users)
        cohort.check_against(library)
    except (CohortError, ValueError) as error:
        print(f"nudgebot simulate: the cohort cannot be used:\n{error}", file=sys.stderr)
        return EXIT_SETUP_ERROR

    result = asyncio.run(
        run_simulation(
            cohort,
            library,
            arguments.policy or POLICY_NAMES,
            ScratchDeployments(settings.messages_dir, arguments.seed),
            days=arguments.days,
            seed=arguments.seed,
            progress=DayProgress(sys.stderr),
            processes=arguments.processes,
        )
    )
    summary = write_summary(result.summary, arguments.out)
    chart = write_chart(result.summary, arguments.out)
    print(format_table(result.summary, result.seconds))
    print(f"wrote {summary} and {chart}")
    return 0


@dataclass(frozen=True)
class ScratchDeployments:
    """Opens the bot on a fresh SQLite file per policy and shard, removed when its run ends.

    A class rather than a closure so that it can be sent to the processes running shards.
    """

    messages_dir: Path
    seed: int

    @contextlib.asynccontextmanager
    async def __call__(
        self, policy: TipPolicy, sender: SimulatedTelegram, shard: int
    ) -> AsyncIterator[Deployment]:
        """The bot for one shard, its choices drawn from the seed's stream for that shard."""
        with tempfile.TemporaryDirectory(prefix="nudgebot-simulate-") as scratch:
            url = f"sqlite+aiosqlite:///{Path(scratch) / 'simulation.sqlite3'}"
            async with simulated_deployment(
                url, self.messages_dir, policy, (self.seed, shard), sender
            ) as deployment:
                yield deployment


def _content_preview(settings: Settings, arguments: argparse.Namespace) -> int:
    library = load_library(arguments.dir or settings.messages_dir)
    tip = library.tips.get(arguments.tip_id)
    if tip is None:
        print(f"nudgebot: no tip with the id {arguments.tip_id!r}", file=sys.stderr)
        return EXIT_SETUP_ERROR
    language = arguments.lang or library.default_language
    rendered = render_tip(library, tip, language)
    print(parse_html(rendered.html).text)
    print()
    print("  ".join(f"[{button.label}]" for button in rendered.buttons))
    return 0
