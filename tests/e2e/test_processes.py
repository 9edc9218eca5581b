"""The `nudgebot` command as separate processes: sandbox modes, restarts, and a clean log."""

from __future__ import annotations

import shutil
import signal
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from tests.conftest import MESSAGES_DIR
from tests.e2e import onboarding_steps
from tests.e2e.processes import NudgebotProcess, clean_environment, free_port
from tests.e2e.sandbox_client import SandboxClient, button_data, wait_until

SECRET_TOKEN = "987654321:AAH-very-secret-token_do-not-log"
USER = 5005


async def wait_for_output(process: NudgebotProcess, text: str) -> None:
    """Wait until the process has printed `text` (or fail if it exits first)."""

    async def read() -> str:
        if process.process.poll() is not None:
            raise AssertionError(f"process exited early:\n{process.output()}")
        return process.output()

    await wait_until(read, lambda output: text in output)


@pytest.fixture
def port() -> int:
    """A free loopback port for the sandbox."""
    return free_port()


@pytest.fixture
def processes() -> Iterator[list[NudgebotProcess]]:
    """Processes started by a test, killed at the end whatever happens."""
    started: list[NudgebotProcess] = []
    yield started
    for process in started:
        process.kill()


@pytest.fixture
async def server(
    tmp_path: Path, port: int, processes: list[NudgebotProcess]
) -> AsyncIterator[SandboxClient]:
    """`nudgebot sandbox --server-only` running on its own, and a client for it."""
    process = NudgebotProcess(
        ["sandbox", "--server-only", "--port", str(port)],
        clean_environment(tmp_path),
        tmp_path / "server.log",
    )
    processes.append(process)
    await wait_for_output(process, "ready on")
    client = SandboxClient(f"http://127.0.0.1:{port}")
    yield client
    await client.close()


def start_bot(
    tmp_path: Path, port: int, processes: list[NudgebotProcess], log_name: str
) -> NudgebotProcess:
    """`nudgebot run` with a token, pointed at the sandbox, logging everything (DEBUG)."""
    environment = clean_environment(
        tmp_path,
        TELEGRAM_BOT_TOKEN=SECRET_TOKEN,
        NUDGEBOT_BOT_API_URL=f"http://127.0.0.1:{port}/bot",
        NUDGEBOT_LOG_LEVEL="DEBUG",
    )
    process = NudgebotProcess(["run"], environment, tmp_path / log_name)
    processes.append(process)
    return process


async def test_run_against_a_server_only_sandbox_and_survive_a_restart(
    tmp_path: Path, port: int, processes: list[NudgebotProcess], server: SandboxClient
) -> None:
    """`nudgebot run` works against the sandbox, stops cleanly, and restarts with its data."""
    first = start_bot(tmp_path, port, processes, "bot-1.log")
    tip = await onboarding_steps.subscribe(server, USER, first_name="Op")
    first_exit = first.stop()

    second = start_bot(tmp_path, port, processes, "bot-2.log")
    await server.press(USER, tip["message_id"], button_data(tip)[0])
    await server.wait_for_call("editMessageText", lambda c: "Your answer" in c["params"]["text"])
    await server.say(USER, "/start")
    messages = await server.wait_for_messages(USER, 3)
    second_exit = second.stop()

    assert first_exit == 0
    assert second_exit == 0
    assert "✅" in str(messages[1]["reply_markup"])  # the restarted bot knew the old delivery
    assert len(messages) == 3  # a second /start shows the settings but sends no second tip


async def test_bot_token_never_appears_in_the_log(
    tmp_path: Path, port: int, processes: list[NudgebotProcess], server: SandboxClient
) -> None:
    """Even at DEBUG, where every request URL is logged, the token is redacted."""
    bot = start_bot(tmp_path, port, processes, "bot.log")
    await onboarding_steps.subscribe(server, USER)
    bot.stop()

    log = bot.output()
    assert "<redacted-token>" in log  # request lines were logged, with the token replaced
    assert SECRET_TOKEN not in log
    assert SECRET_TOKEN.split(":")[1] not in log


async def test_sighup_reloads_the_content(
    tmp_path: Path, port: int, processes: list[NudgebotProcess], server: SandboxClient
) -> None:
    """`kill -HUP` makes a running bot load its edited content at once."""
    messages = tmp_path / "messages"
    shutil.copytree(MESSAGES_DIR, messages)
    environment = clean_environment(
        tmp_path,
        TELEGRAM_BOT_TOKEN=SECRET_TOKEN,
        NUDGEBOT_BOT_API_URL=f"http://127.0.0.1:{port}/bot",
        NUDGEBOT_MESSAGES_DIR=str(messages),
        NUDGEBOT_CONTENT_WATCH_SECONDS="0",
    )
    bot = NudgebotProcess(["run"], environment, tmp_path / "bot.log")
    processes.append(bot)
    await wait_for_output(bot, "nudgebot is running")
    ui = messages / "ui.yaml"
    ui.write_text(ui.read_text().replace("I don't know that command.", "Unknown command!"))

    bot.process.send_signal(signal.SIGHUP)
    await wait_for_output(bot, "content reloaded")
    await server.say(USER, "/dance")
    [reply] = await server.wait_for_messages(USER, 1)
    bot.stop()

    assert reply["text"].startswith("Unknown command!")


async def test_headless_sandbox_serves_a_subscriber(
    tmp_path: Path, port: int, processes: list[NudgebotProcess]
) -> None:
    """`nudgebot sandbox --headless` runs server and bot together for scripts."""
    process = NudgebotProcess(
        ["sandbox", "--headless", "--port", str(port)],
        clean_environment(tmp_path),
        tmp_path / "headless.log",
    )
    processes.append(process)
    await wait_for_output(process, "ready on")
    client = SandboxClient(f"http://127.0.0.1:{port}")

    tip = await onboarding_steps.subscribe(client, USER)
    await client.close()
    exit_status = process.stop()

    assert len(button_data(tip)) == 3
    assert exit_status == 0
    assert (tmp_path / "nudgebot.sqlite3").exists()  # the default embedded database
