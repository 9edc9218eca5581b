"""Building the bot from Settings: the database, content, services, dispatcher and handlers."""

from __future__ import annotations

import logging
import math
import os
import secrets
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import numpy as np
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram.ext import Application, ApplicationBuilder

from nudgebot.adaptation.bandit import AdaptivePolicy
from nudgebot.app.lifecycle import SEND_CONNECTIONS, Clock, NudgeBot, Role
from nudgebot.bot import AdminAlerts, BotHandlers, PreviewHandlers, TelegramOutboxSender
from nudgebot.bot.http_transport import AiohttpRequest
from nudgebot.bot.onboarding import OnboardingHandlers
from nudgebot.bot.personal_data import PersonalDataHandlers
from nudgebot.bot.progress_handlers import ProgressHandlers
from nudgebot.bot.safety import SafetyHandlers
from nudgebot.bot.settings_menu import SettingsHandlers
from nudgebot.config import Settings
from nudgebot.content import ContentStore, load_library
from nudgebot.content.reload import ContentReloader
from nudgebot.db import create_engine, create_session_factory
from nudgebot.db.migrations import prepare_schema
from nudgebot.delivery import DeliveryPolicy, Dispatcher, DispatcherSettings
from nudgebot.delivery.learning import TipChooser
from nudgebot.delivery.rate_limiter import SharedRateLimiter
from nudgebot.delivery.send_rate import SendClock
from nudgebot.scheduling import QuietHours
from nudgebot.services import (
    CheckinService,
    PauseService,
    SubscriptionDefaults,
    SubscriptionService,
)
from nudgebot.services.onboarding import OnboardingService
from nudgebot.services.personal_data import PersonalDataService
from nudgebot.services.progress import ProgressService
from nudgebot.services.safety import SafetyService
from nudgebot.services.settings import SettingsService

logger = logging.getLogger(__name__)


def utc_now() -> datetime:
    """The real clock."""
    return datetime.now(UTC)


def worker_identity() -> str:
    """A lease owner name unique to this process: host, pid and a random suffix."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(3)}"


async def open_database(settings: Settings, *, scratch: bool = False) -> AsyncEngine:
    """Connect, and make sure the schema is current (upgrading embedded SQLite by itself).

    `scratch`: a throwaway SQLite file for this event loop only (see `create_engine`).
    """
    url = settings.resolved_database_url
    engine = create_engine(url, scratch=scratch)
    try:
        await prepare_schema(engine, url, auto_upgrade=settings.migrates_automatically)
    except BaseException:
        await engine.dispose()
        raise
    return engine


def delivery_policy(settings: Settings) -> DeliveryPolicy:
    """The deployment's delivery rules from the settings."""
    return DeliveryPolicy(
        quiet=QuietHours(*settings.quiet_window),
        min_gap=timedelta(minutes=settings.min_gap_minutes),
        daily_budget=settings.daily_budget,
        later_delay=timedelta(minutes=settings.later_delay_minutes),
    )


def tip_chooser(settings: Settings, seed: int | None = None) -> TipChooser:
    """The adaptive tip policy with the deployment's exploration floor."""
    policy = AdaptivePolicy(epsilon=settings.exploration_floor)
    return TipChooser(policy, np.random.default_rng(seed))


def build_bot(
    settings: Settings,
    engine: AsyncEngine,
    *,
    token: str,
    bot_api_url: str,
    clock: Clock = utc_now,
    role: Role = Role.BOTH,
) -> NudgeBot:
    """Wire content, services, the dispatcher and the handlers into one NudgeBot."""
    content = ContentStore(load_library(settings.messages_dir))
    for warning in content.library.warnings:
        logger.warning("content: %s", warning)
    sessions = create_session_factory(engine)
    # One send budget for the whole deployment, shared through the database.
    limiter = SharedRateLimiter(
        SendClock(sessions, settings.send_rate), settings.send_rate, settings.per_chat_rate
    )
    builder = (
        ApplicationBuilder()
        .token(token)
        .base_url(bot_api_url)
        .rate_limiter(limiter)
        .request(AiohttpRequest(connection_pool_size=SEND_CONNECTIONS))
        # One connection for the long poll; PTB adds the poll's own timeout to the read timeout.
        .get_updates_request(AiohttpRequest(connection_pool_size=1))
    )
    if not role.receives_updates:
        builder = builder.updater(None)
    application = builder.build()
    policy = delivery_policy(settings)
    chooser = tip_chooser(settings)
    alerts = AdminAlerts(application.bot, content, settings.admin_ids)
    progress = ProgressService(sessions, content, policy)
    dispatcher = Dispatcher(
        sessions,
        content,
        TelegramOutboxSender(application.bot, paid_broadcast=settings.paid_broadcast),
        policy=policy,
        chooser=chooser,
        settings=DispatcherSettings(
            owner=worker_identity(),
            batch_size=settings.dispatch_batch_size,
            # About two seconds of sending at the deployment's rate.
            claim_size=max(
                1, min(settings.dispatch_batch_size, math.ceil(settings.send_rate * 2))
            ),
            lease=timedelta(seconds=settings.send_lease_seconds),
        ),
        broken_tip_alert=alerts.tip_broken,
        summaries=progress,
    )
    watch = settings.content_watch_seconds
    nudgebot = NudgeBot(
        application=application,
        dispatcher=dispatcher,
        content=content,
        reloader=ContentReloader(content, settings.messages_dir),
        alerts=alerts,
        clock=clock,
        dispatch_interval=timedelta(seconds=settings.dispatch_interval_seconds),
        content_watch_interval=timedelta(seconds=watch) if watch > 0 else None,
        role=role,
    )
    register_handlers(
        application,
        Wiring(settings, content, sessions, policy, chooser, alerts, progress, clock),
        nudgebot.wake_dispatcher,
    )
    return nudgebot


@dataclass(frozen=True)
class Wiring:
    """What the update handlers are built from."""

    settings: Settings
    content: ContentStore
    sessions: async_sessionmaker[AsyncSession]
    policy: DeliveryPolicy
    chooser: TipChooser
    alerts: AdminAlerts
    progress: ProgressService
    clock: Clock


def register_handlers(
    application: Application,  # type: ignore[type-arg]
    wiring: Wiring,
    wake_dispatcher: Callable[[], None],
) -> None:
    """Every update handler, in the order that decides who sees an update first."""
    content, sessions, policy, clock = wiring.content, wiring.sessions, wiring.policy, wiring.clock
    settings = wiring.settings
    # Previews first: their button data would otherwise reach the check-in handler.
    PreviewHandlers(content, settings.admin_ids).register(application)
    # Safety first among the rest: crisis language and gut red flags are answered before
    # anything else reads the text (it runs in an earlier handler group).
    SafetyHandlers(content, SafetyService(sessions, content), wiring.alerts, clock).register(
        application
    )
    defaults = SubscriptionDefaults(settings.default_timezone, settings.default_nudge_time)
    # /start's guided setup and the settings menu; typed answers reach them through BotHandlers.
    onboarding = OnboardingHandlers(
        content,
        OnboardingService(sessions, content, policy, wiring.chooser, defaults),
        clock,
        wake_dispatcher,
    )
    onboarding.register(application)
    SettingsHandlers(
        content, SettingsService(sessions, content, policy), clock, onboarding.start
    ).register(application)
    ProgressHandlers(content, wiring.progress, clock).register(application)
    PersonalDataHandlers(content, PersonalDataService(sessions, content), clock).register(
        application
    )
    # The catch-alls (unknown commands, free text, stickers...) come last.
    BotHandlers(
        content=content,
        subscriptions=SubscriptionService(sessions, defaults, content, policy, wiring.chooser),
        checkins=CheckinService(sessions, content, policy),
        pauses=PauseService(sessions, content, policy),
        default_pause_days=settings.default_pause_days,
        clock=clock,
        wake_dispatcher=wake_dispatcher,
        answer_typed=onboarding.answer_typed,
    ).register(application)
