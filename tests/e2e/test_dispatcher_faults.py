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

from nudgebot.app import delivery_policy
from nudgebot.bot import TelegramOutboxSender
from nudgebot.config import Settings
from nudgebot.content import ContentStore
from nudgebot.db import Delivery, DeliveryState, Subscriber, SubscriberStatus
from nudgebot.db.repositories import BrokenTipRepository, LeaseRepository
from nudgebot.delivery import Dispatcher, DispatcherSettings
from nudgebot.sandbox import SandboxServer
from nudgebot.services import PauseService, SubscriptionDefaults, SubscriptionService
from tests.e2e.conftest import TOKEN
from tests.e2e.sandbox_client import SandboxClient
from tests.factories import seeded_chooser

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


POLICY = delivery_policy(Settings.model_validate({}))


class RecordedAlerts:
    """Collects broken-tip alerts, the way admins would receive them."""

    def __init__(self) -> None:
        self.received: list[tuple[str, str]] = []

    async def __call__(self, tip_id: str, reason: str) -> None:
        self.received.append((tip_id, reason))


@pytest.fixture
def alerts() -> RecordedAlerts:
    """The admins' inbox for broken tips."""
    return RecordedAlerts()


@pytest.fixture
def dispatcher(
    sessions: async_sessionmaker[AsyncSession],
    content: ContentStore,
    telegram_bot: Bot,
    alerts: RecordedAlerts,
) -> Dispatcher:
    """The outbox dispatcher sending through the real Bot."""
    return Dispatcher(
        sessions,
        content,
        TelegramOutboxSender(telegram_bot),
        policy=POLICY,
        chooser=seeded_chooser(),
        settings=DispatcherSettings(owner="worker-1"),
        broken_tip_alert=alerts,
    )


@pytest.fixture
async def subscribed(sessions: async_sessionmaker[AsyncSession], content: ContentStore) -> None:
    """One subscriber whose first tip is queued, due now."""
    service = SubscriptionService(
        sessions, SubscriptionDefaults("UTC", NOW.time()), content, POLICY, seeded_chooser()
    )
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
        await LeaseRepository(session).claim_due(
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
    planned = await the_delivery(sessions)
    library = content.library
    remaining = {tip_id: tip for tip_id, tip in library.tips.items() if tip_id != planned.tip_id}
    content.replace(replace(library, tips=remaining))

    await dispatcher.tick(NOW)

    assert (await the_delivery(sessions)).state is DeliveryState.SKIPPED
    assert await send_attempts(client) == 0


@pytest.mark.usefixtures("subscribed")
async def test_a_tip_telegram_refuses_is_retired_and_the_next_tip_sent(
    dispatcher: Dispatcher,
    content: ContentStore,
    client: SandboxClient,
    sessions: async_sessionmaker[AsyncSession],
    alerts: RecordedAlerts,
) -> None:
    """Telegram refusing a tip's HTML marks it broken, alerts admins, and sends the next tip."""
    planned = await the_delivery(sessions)
    library = content.library
    broken = library.tips[planned.tip_id or ""].model_copy(update={"text": "<blink>Hi</blink>"})
    content.replace(replace(library, tips={**library.tips, planned.tip_id or "": broken}))

    report = await dispatcher.tick(NOW)

    delivery = await the_delivery(sessions)
    sends = [c for c in await client.calls() if c["method"] == "sendMessage"]
    assert [c["status"] for c in sends] == [400, 200]
    assert report.sent == 1
    assert delivery.state is DeliveryState.SENT
    assert delivery.tip_id != planned.tip_id
    assert [tip_id for tip_id, _ in alerts.received] == [planned.tip_id]
    assert "can't parse entities" in alerts.received[0][1].lower()
    async with sessions() as session:
        assert await BrokenTipRepository(session).ids() == {planned.tip_id}


@pytest.mark.usefixtures("subscribed")
async def test_a_paused_subscriber_receives_nothing_even_if_queued(
    dispatcher: Dispatcher, client: SandboxClient, sessions: async_sessionmaker[AsyncSession]
) -> None:
    """Whatever is in the outbox, a paused subscriber's messages are not claimed."""
    async with sessions.begin() as session:
        subscriber = (await session.scalars(select(Subscriber))).one()
        subscriber.status = SubscriberStatus.PAUSED  # paused without the usual clean-up

    report = await dispatcher.tick(NOW)

    assert report.claimed == 0
    assert await send_attempts(client) == 0


async def test_a_pause_ending_sends_a_welcome_back(
    dispatcher: Dispatcher,
    client: SandboxClient,
    sessions: async_sessionmaker[AsyncSession],
    content: ContentStore,
) -> None:
    """When a pause runs out, the subscriber first hears "welcome back", then nudges resume."""
    await SubscriptionService(
        sessions, SubscriptionDefaults("UTC", NOW.time()), content, POLICY, seeded_chooser()
    ).subscribe(CHAT, "en", NOW)
    await dispatcher.tick(NOW)
    await PauseService(sessions, content, POLICY).pause(CHAT, 2, NOW)

    await dispatcher.tick(NOW + timedelta(days=1))
    at_end = await dispatcher.tick(NOW + timedelta(days=2))  # 07:00 UTC: still quiet hours
    after_quiet = await dispatcher.tick(NOW + timedelta(days=2, hours=1))

    texts = [m["text"] for m in await client.messages(CHAT)]
    assert (at_end.planned, at_end.sent, after_quiet.sent) == (1, 0, 1)
    assert len(texts) == 2
    assert texts[1].startswith("Welcome back! Your pause is over")
