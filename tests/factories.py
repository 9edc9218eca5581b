"""Rows for tests and benchmarks that need many subscribers at once."""

from __future__ import annotations

from datetime import datetime, timedelta
from datetime import time as wall_time
from typing import Any

from nudgebot.app import tip_chooser
from nudgebot.config import Settings
from nudgebot.db import SubscriberStatus
from nudgebot.delivery.learning import TipChooser


def due_subscriber_rows(count: int, first_chat: int, now: datetime) -> list[dict[str, Any]]:
    """`count` active subscribers in UTC, all due a minute before `now`, chat ids consecutive.

    Tips only (no wellbeing check-in), with the nudge a minute before `now`: what is due is
    then that tip at any hour, never an evening check-in, so fan-out tests and benchmarks do not
    depend on the clock. (On a Sunday evening the weekly summary still takes the evening slot.)
    """
    nudge = (now - timedelta(minutes=1)).strftime("%H:%M")
    return [
        {
            "chat_id": first_chat + n,
            "language": "en",
            "timezone": "UTC",
            "nudge_times": [nudge],
            "wellbeing_enabled": False,
            "day_start": wall_time(0, 0),
            "status": SubscriberStatus.ACTIVE,
            "next_due_at": now - timedelta(minutes=1),
            "created_at": now,
            "updated_at": now,
        }
        for n in range(count)
    ]


def seeded_chooser(seed: int = 7) -> TipChooser:
    """The bot's adaptive tip chooser with a fixed seed, so a test's choices repeat."""
    return tip_chooser(Settings.model_validate({}), seed=seed)


class NoTelegram:
    """An outbox sender for tests that only plan: it fails the test if anything is sent."""

    async def send_tip(self, chat_id: int, delivery_id: int, tip: object) -> int:
        raise AssertionError("these tests plan deliveries but never send them")

    async def send_wellbeing(self, chat_id: int, delivery_id: int, checkin: object) -> int:
        raise AssertionError("these tests plan deliveries but never send them")

    async def send_notice(self, chat_id: int, delivery_id: int, notice: object) -> int:
        raise AssertionError("these tests plan deliveries but never send them")
