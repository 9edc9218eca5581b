"""The composition root: builds the whole bot from Settings and runs its lifecycle."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import secrets
import signal
import socket
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path

import numpy as np
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes

from nudgebot.adaptation.bandit import AdaptivePolicy
from nudgebot.adaptation.learner import TipPolicy
from nudgebot.bot import (
    AdminAlerts,
    BotHandlers,
    PreviewHandlers,
    TelegramOutboxSender,
    publish_command_menu,
)
from nudgebot.bot.http_transport import AiohttpRequest
from nudgebot.bot.onboarding import OnboardingHandlers
from nudgebot.bot.personal_data import PersonalDataHandlers
from nudgebot.bot.progress_handlers import ProgressHandlers
from nudgebot.bot.safety import SafetyHandlers
from nudgebot.bot.settings_menu import SettingsHandlers
from nudgebot.config import Settings
from nudgebot.content import ContentLibrary, ContentStore, load_library
from nudgebot.content.reload import ContentReloader, ReloadOutcome
from nudgebot.db import create_engine, create_session_factory
from nudgebot.db.migrations import prepare_schema
from nudgebot.delivery import DeliveryPolicy, Dispatcher, DispatcherSettings
from nudgebot.delivery.learning import TipChooser
from nudgebot.delivery.rate_limiter import SharedRateLimiter
from nudgebot.delivery.send_rate import SendClock
from nudgebot.delivery.transport import OutboxSender
from nudgebot.scheduling import QuietHours
from nudgebot.services import (
    CheckinService,
    PauseService,
    Press,
    SubscriptionDefaults,
    SubscriptionService,
)
from nudgebot.services.onboarding import OnboardingService
from nudgebot.services.personal_data import PersonalDataService
from nudgebot.services.progress import ProgressService
from nudgebot.services.safety import SafetyService
from nudgebot.services.settings import SettingsService

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]
LONG_POLL_SECONDS = 10
# Concurrent requests to the Bot API: the dispatcher's send concurrency plus room for replies.
SEND_CONNECTIONS = 32
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]


class Role(StrEnum):
    """What one process does: `both` for a single process, or split across several."""

    BOTH = "both"
    SENDER = "sender"  # runs the dispatcher: plans and sends nudges
    UPDATES = "updates"  # receives Telegram updates and answers them

    @property
    def sends(self) -> bool:
        """Whether this process runs the dispatcher."""
        return self is not Role.UPDATES

    @property
    def receives_updates(self) -> bool:
        """Whether this process polls Telegram for updates (only one per bot may)."""
        return self is not Role.SENDER


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


@dataclass
class NudgeBot:
    """The assembled bot: the PTB application, the dispatcher and what they share."""

    application: Application  # type: ignore[type-arg]
    dispatcher: Dispatcher
    content: ContentStore
    reloader: ContentReloader
    alerts: AdminAlerts
    clock: Clock
    dispatch_interval: timedelta
    content_watch_interval: timedelta | None
    role: Role = Role.BOTH
    _started: bool = field(default=False, init=False)
    _last_reload_failed: bool = field(default=False, init=False)

    async def tick(self, _context: ContextTypes.DEFAULT_TYPE | None = None) -> None:
        """One dispatcher run (the repeating JobQueue job, and the wake-up after /start)."""
        await self.dispatcher.tick(self.clock())

    def wake_dispatcher(self) -> None:
        """Run a tick now instead of waiting for the next scheduled one.

        An updates-only worker has no dispatcher: a sender worker serves the subscriber at its
        next tick (within the dispatch interval).
        """
        job_queue = self.application.job_queue
        if self.role.sends and job_queue is not None:
            job_queue.run_once(self.tick, when=0, name="dispatch-now")

    async def watch_content(self, _context: ContextTypes.DEFAULT_TYPE | None = None) -> None:
        """Reload the content if a file changed since the last look."""
        outcome = self.reloader.reload_if_changed()
        if outcome is not None:
            await self._report_reload(outcome)

    async def reload_content(self) -> None:
        """Reload the content now (SIGHUP), changed or not."""
        await self._report_reload(self.reloader.reload())

    async def _report_reload(self, outcome: ReloadOutcome) -> None:
        if not outcome.applied:
            self._last_reload_failed = True
            await self.alerts.reload_failed(outcome.errors)
            return
        # Admins hear about a success only when it matters: it fixes a failure or retires tips.
        if self._last_reload_failed or outcome.retired_tips:
            library = self.content.library
            await self.alerts.reloaded(
                len(library.topics), len(library.tips), sorted(outcome.retired_tips)
            )
        self._last_reload_failed = False

    async def start(self) -> None:
        """Connect to the Bot API, publish the command menu, schedule ticks, start polling."""
        application = self.application
        await application.initialize()
        if self.role.receives_updates:
            await publish_command_menu(application.bot, self.content.library)
        job_queue = application.job_queue
        assert job_queue is not None
        if self.role.sends:
            # One repeating job for all subscribers; the database says who is due. A tick that
            # starts late (busy loop) still runs, but overdue runs are merged, never stacked.
            job_queue.run_repeating(
                self.tick,
                interval=self.dispatch_interval,
                first=0,
                name="dispatcher",
                job_kwargs={"misfire_grace_time": None, "coalesce": True, "max_instances": 1},
            )
        if self.content_watch_interval is not None:
            job_queue.run_repeating(
                self.watch_content, interval=self.content_watch_interval, name="content-watch"
            )
        with contextlib.suppress(NotImplementedError):  # no SIGHUP on every platform
            asyncio.get_running_loop().add_signal_handler(
                signal.SIGHUP, lambda: application.create_task(self.reload_content())
            )
        await application.start()
        if application.updater is not None:
            await application.updater.start_polling(
                allowed_updates=ALLOWED_UPDATES, timeout=LONG_POLL_SECONDS
            )
        self._started = True
        logger.info("nudgebot is running as @%s (%s)", application.bot.username, self.role)

    async def stop(self) -> None:
        """Stop polling and jobs, then release connections."""
        application = self.application
        with contextlib.suppress(NotImplementedError):
            asyncio.get_running_loop().remove_signal_handler(signal.SIGHUP)
        if self._started:
            if application.updater is not None:
                await application.updater.stop()
            await application.stop()
            self._started = False
        await application.shutdown()


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
        pauses=PauseService(sessions, policy),
        default_pause_days=settings.default_pause_days,
        clock=clock,
        wake_dispatcher=wake_dispatcher,
        answer_typed=onboarding.answer_typed,
    ).register(application)


@dataclass
class SimulatedDeployment:
    """The bot's services and dispatcher on their own database, for `nudgebot simulate`.

    Everything the live bot runs, minus Telegram: the outbox sends through the simulation's
    sender, and simulated people answer through the same services as the bot's handlers.
    """

    library: ContentLibrary
    subscriptions: SubscriptionService
    dispatcher: Dispatcher
    checkins: CheckinService

    async def subscribe(self, chat_id: int, language: str, now: datetime) -> None:
        """Someone sends /start."""
        await self.subscriptions.subscribe(chat_id, language, now)

    async def tick(self, now: datetime) -> None:
        """One dispatcher run: plan and send everything due at `now`."""
        await self.dispatcher.tick(now)

    async def answer_many(self, presses: Sequence[Press]) -> None:
        """Button presses, recorded in one transaction."""
        await self.checkins.answer_many(presses)

    async def reply(self, chat_id: int, now: datetime) -> None:
        """Someone writes anything (this ends a silence pause)."""
        await self.checkins.reply(chat_id, now)


@contextlib.asynccontextmanager
async def simulated_deployment(
    database_url: str,
    messages_dir: Path,
    policy: TipPolicy,
    seed: int | Sequence[int],
    sender: OutboxSender,
) -> AsyncIterator[SimulatedDeployment]:
    """A migrated database at `database_url` with the bot's services choosing by `policy`.

    Everyone lives in UTC with the default 09:00 nudge; the dispatcher plans and claims in
    large batches, since nothing is rate-limited without Telegram.
    """
    settings = Settings.model_validate(
        {
            "NUDGEBOT_DATABASE_URL": database_url,
            "NUDGEBOT_MESSAGES_DIR": str(messages_dir),
            "NUDGEBOT_AUTO_MIGRATE": "true",
        }
    )
    engine = await open_database(settings, scratch=True)
    try:
        sessions = create_session_factory(engine)
        content = ContentStore(load_library(settings.messages_dir))
        rules = delivery_policy(settings)
        chooser = TipChooser(policy, np.random.default_rng(seed))
        yield SimulatedDeployment(
            library=content.library,
            subscriptions=SubscriptionService(
                sessions,
                SubscriptionDefaults(settings.default_timezone, settings.default_nudge_time),
                content,
                rules,
                chooser,
            ),
            dispatcher=Dispatcher(
                sessions,
                content,
                sender,
                policy=rules,
                chooser=chooser,
                settings=DispatcherSettings(
                    owner="simulation", batch_size=1000, claim_size=2000, concurrency=256
                ),
                summaries=ProgressService(sessions, content, rules),
            ),
            checkins=CheckinService(sessions, content, rules),
        )
    finally:
        await engine.dispose()
