"""The real bot over real HTTP against an in-process sandbox, on a real SQLite database."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from nudgebot.app import NudgeBot, build_bot
from nudgebot.config import Settings
from nudgebot.sandbox import SandboxServer
from tests.clock import ManualClock
from tests.e2e.sandbox_client import SandboxClient

TOKEN = "4242:e2e-test-token"
# 07:00 UTC is 09:00 in Berlin in summer: the default nudge time of these subscribers.
START = datetime(2026, 6, 1, 6, 0, tzinfo=UTC)


@pytest.fixture
async def sandbox() -> AsyncIterator[SandboxServer]:
    """A sandbox Bot API server on a free loopback port."""
    server = SandboxServer("127.0.0.1", 0)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def client(sandbox: SandboxServer) -> AsyncIterator[SandboxClient]:
    """The control API of the sandbox."""
    control = SandboxClient(sandbox.base_url)
    yield control
    await control.close()


@pytest.fixture
def clock() -> ManualClock:
    """The bot's clock, moved by the tests."""
    return ManualClock(START)


def bot_settings(database_url: str, data_dir: Path, **overrides: str) -> Settings:
    """Settings for a bot under test; the dispatcher's own timer is slow so tests drive ticks."""
    return Settings.model_validate(
        {
            "NUDGEBOT_DATABASE_URL": database_url,
            "NUDGEBOT_DATA_DIR": str(data_dir),
            "NUDGEBOT_DEFAULT_TIMEZONE": "Europe/Berlin",
            "NUDGEBOT_DISPATCH_INTERVAL_SECONDS": "3600",
            # One simulated person taps through setup far faster than anyone would; pacing
            # each chat to one edit a second would only slow the tests. Tests of the limits
            # set their own rates.
            "NUDGEBOT_PER_CHAT_RATE": "50",
            **overrides,
        }
    )


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    """Settings for the bot under test (test modules may override this fixture)."""
    return bot_settings(database_url, tmp_path)


@pytest.fixture
async def bot(
    settings: Settings, engine: AsyncEngine, sandbox: SandboxServer, clock: ManualClock
) -> AsyncIterator[NudgeBot]:
    """The real bot, polling the sandbox."""
    nudgebot = build_bot(
        settings, engine, token=TOKEN, bot_api_url=sandbox.bot_api_url, clock=clock
    )
    await nudgebot.start()
    yield nudgebot
    await nudgebot.stop()
