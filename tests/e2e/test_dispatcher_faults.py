"""The outbox under Telegram's failures: real PTB Bot, real HTTP, the sandbox injecting faults."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram import Bot
from telegram.request import HTTPXRequest

from nudgebot.bot import TelegramTipSender
from nudgebot.content import ContentStore
from nudgebot.db import Delivery, DeliveryState
from nudgebot.db.repositories import DeliveryRepository
from nudgebot.delivery import Dispatcher, DispatcherSettings
from nudgebot.sandbox import SandboxServer
from nudgebot.services import SubscriptionDefaults, SubscriptionService
from tests.e2e.conftest import TOKEN
from tests.e2e.sandbox_client import SandboxClient

NOW = datetime(2026, 6, 1, 7, 0, tzinfo=UTC)
CHAT = 3003
# Short client timeouts so a hanging request costs the test half a second, not the default 5.
CLIENT_TIMEOUT = 0.5


@pytest.fixture
async def telegram_bot(sandbox: SandboxServer) -> AsyncIterator[Bot]:
    """A python-telegram-bot Bot talking to the sandbox."""
    request = HTTPXRequest(
        read_timeout=CLIENT_TIMEOUT, write_timeout=CLIENT_TIMEOUT, connect_timeout=CLIENT_TIMEOUT
    )
    bot = Bot(TOKEN, base_url=sandbox.bot_api_url, request=request)
    await bot.initialize()
    yield bot
    await bot.shutdown()


@pytest.fixture
def dispatcher(
    sessions: async_sessionmaker[AsyncSession], content: ContentStore, telegram_bot: Bot
) -> Dispatcher:
    """The outbox dispatcher sending through the real Bot."""
    return Dispatcher(
        sessions, content, TelegramTipSender(telegram_bot), DispatcherSettings(owner="worker-1")
    )


@pytest.fixture
async def subscribed(sessions: async_sessionmaker[AsyncSession]) -> None:
    """One subscriber, due now."""
    service = SubscriptionService(sessions, SubscriptionDefaults("UTC", NOW.time()))
    await service.subscribe(CHAT, "en", NOW)


async def configure(sandbox: SandboxServer, **config: object) -> None:
    """Change the sandbox's limits and faults."""
    async with httpx.AsyncClient(base_url=sandbox.base_url) as http:
        response = await http.post("/sandbox/config", json=config)
        response.raise_for_status()


async def the_delivery(sessions: async_sessionmaker[AsyncSession]) -> Delivery:
    """The only delivery in the database."""
    async with sessions() as session:
        return (await session.scalars(select(Delivery))).one()


async def send_attempts(client: SandboxClient) -> int:
    """How many sendMessage calls reached the sandbox."""
    return [c["method"] for c in await client.calls()].count("sendMessage")


@pytest.mark.usefixtures("subscribed")
async def test_server_error_is_retried_later_then_sent(
    dispatcher: Dispatcher,
    sandbox: SandboxServer,
    client: SandboxClient,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """A 5xx puts the delivery back in the queue with a backoff; the next try sends it."""
    await configure(sandbox, error_rate=1.0, seed=1)
    first = await dispatcher.tick(NOW)
    waiting = await the_delivery(sessions)
    await configure(sandbox, error_rate=0.0)
    too_soon = await dispatcher.tick(NOW + timedelta(milliseconds=500))
    later = await dispatcher.tick(NOW + timedelta(seconds=3))

    assert (first.retried, too_soon.claimed, later.sent) == (1, 0, 1)
    assert waiting.state is DeliveryState.PLANNED
    assert waiting.due_at == NOW + timedelta(seconds=2)
    assert (await the_delivery(sessions)).state is DeliveryState.SENT
    assert await send_attempts(client) == 2


@pytest.mark.usefixtures("subscribed")
async def test_timeout_is_recorded_unknown_and_never_resent(
    dispatcher: Dispatcher,
    sandbox: SandboxServer,
    client: SandboxClient,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """A send that timed out may have arrived, so it is marked unknown and not tried again."""
    await configure(sandbox, timeout_rate=1.0, seed=1)
    report = await dispatcher.tick(NOW)
    await configure(sandbox, timeout_rate=0.0)
    await dispatcher.tick(NOW + timedelta(hours=1))

    delivery = await the_delivery(sessions)
    assert report.unknown == 1
    assert delivery.state is DeliveryState.UNKNOWN
    assert await send_attempts(client) == 1


@pytest.mark.usefixtures("subscribed")
async def test_a_dead_workers_claim_expires_to_unknown_without_a_resend(
    dispatcher: Dispatcher, client: SandboxClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """A row left `sending` by a worker that died is never sent again once its lease expires."""
    await dispatcher.plan_due(NOW)
    async with sessions.begin() as session:
        await DeliveryRepository(session).claim_due(
            now=NOW, owner="worker-that-died", lease_until=NOW + timedelta(seconds=60), limit=10
        )

    during_lease = await dispatcher.tick(NOW + timedelta(seconds=30))
    after_lease = await dispatcher.tick(NOW + timedelta(seconds=61))

    delivery = await the_delivery(sessions)
    assert (during_lease.unknown, after_lease.unknown) == (0, 1)
    assert delivery.state is DeliveryState.UNKNOWN
    assert delivery.failure_reason == "lease expired while sending"
    assert await send_attempts(client) == 0


@pytest.mark.usefixtures("subscribed")
async def test_a_tip_retired_before_sending_is_skipped(
    dispatcher: Dispatcher,
    content: ContentStore,
    client: SandboxClient,
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """If the planned tip disappears from the library, the delivery is skipped, not sent."""
    await dispatcher.plan_due(NOW)
    planned = await the_delivery(sessions)
    library = content.library
    remaining = {tip_id: tip for tip_id, tip in library.tips.items() if tip_id != planned.tip_id}
    content.replace(replace(library, tips=remaining))

    await dispatcher.tick(NOW)

    assert (await the_delivery(sessions)).state is DeliveryState.SKIPPED
    assert await send_attempts(client) == 0


@pytest.mark.usefixtures("subscribed")
async def test_html_telegram_refuses_fails_the_delivery_with_the_reason(
    dispatcher: Dispatcher, content: ContentStore, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """A tip Telegram cannot parse (past our own checks) is recorded failed with the reason."""
    await dispatcher.plan_due(NOW)
    planned = await the_delivery(sessions)
    library = content.library
    broken = library.tips[planned.tip_id].model_copy(update={"text": "<blink>Hi</blink>"})
    content.replace(replace(library, tips={**library.tips, planned.tip_id: broken}))

    report = await dispatcher.tick(NOW)

    delivery = await the_delivery(sessions)
    assert report.failed == 1
    assert delivery.state is DeliveryState.FAILED
    assert delivery.failure_reason is not None
    assert "can't parse entities" in delivery.failure_reason.lower()
