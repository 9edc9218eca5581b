"""The bot as `nudgebot simulate` runs it: services and dispatcher on a scratch database, the
simulation's sender in place of Telegram."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from nudgebot.adaptation.learner import TipPolicy
from nudgebot.app.wiring import delivery_policy, open_database
from nudgebot.config import Settings
from nudgebot.content import ContentLibrary, ContentStore, load_library
from nudgebot.db import create_session_factory
from nudgebot.delivery import Dispatcher, DispatcherSettings
from nudgebot.delivery.learning import TipChooser
from nudgebot.delivery.transport import OutboxSender
from nudgebot.services import CheckinService, Press, SubscriptionDefaults, SubscriptionService
from nudgebot.services.progress import ProgressService


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
