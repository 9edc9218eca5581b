"""Fixtures: a sandbox server on a free loopback port and clients for its two faces."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from nudgebot.sandbox import SandboxServer
from tests.sandbox.sandbox_clients import BotApiClient, ControlClient


@pytest.fixture
async def server() -> AsyncIterator[SandboxServer]:
    """A started sandbox, stopped after the test."""
    sandbox = SandboxServer()
    await sandbox.start()
    yield sandbox
    await sandbox.stop()


@pytest.fixture
async def http(server: SandboxServer) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client pointed at the sandbox."""
    async with httpx.AsyncClient(base_url=server.base_url, timeout=10.0) as client:
        yield client


@pytest.fixture
def bot(http: httpx.AsyncClient) -> BotApiClient:
    """Raw Bot API access with token 123:abc."""
    return BotApiClient(http)


@pytest.fixture
def control(http: httpx.AsyncClient) -> ControlClient:
    """The control API."""
    return ControlClient(http)
