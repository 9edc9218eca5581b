"""The running bot: the PTB application and the dispatcher, started, ticking and stopped."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from telegram import Update
from telegram.ext import Application, ContextTypes

from nudgebot.bot import AdminAlerts, publish_command_menu
from nudgebot.content import ContentStore
from nudgebot.content.reload import ContentReloader, ReloadOutcome
from nudgebot.delivery import Dispatcher

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]
LONG_POLL_SECONDS = 10
# Concurrent requests to the Bot API: the dispatcher's send concurrency plus room for replies.
SEND_CONNECTIONS = 32
# Edits too: the safety screen answers crisis words added by editing a message.
ALLOWED_UPDATES = [Update.MESSAGE, Update.EDITED_MESSAGE, Update.CALLBACK_QUERY]


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
