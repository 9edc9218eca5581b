"""The dispatcher tick: plan what is due, claim it under a lease, send it, record each outcome."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.error import TelegramError

from nudgebot.adaptation import choose_tip
from nudgebot.content.rendering import render_tip
from nudgebot.content.store import ContentStore
from nudgebot.db.models import DeliveryState
from nudgebot.db.repositories import ClaimedDelivery, DeliveryRepository, SubscriberRepository
from nudgebot.delivery.errors import FailureKind, SendFailure, classify
from nudgebot.delivery.transport import TipSender
from nudgebot.scheduling import local_date, next_nudge_at

logger = logging.getLogger(__name__)

DAILY_TIP_SLOT = "tip"
MAX_SEND_ATTEMPTS = 5


@dataclass
class TickReport:
    """What one tick did, for logs and tests."""

    planned: int = 0
    claimed: int = 0
    sent: int = 0
    failed: int = 0
    retried: int = 0
    unknown: int = 0


@dataclass(frozen=True)
class DispatcherSettings:
    """Knobs of the dispatcher."""

    owner: str
    batch_size: int = 200
    lease: timedelta = timedelta(seconds=60)
    concurrency: int = 16


class Dispatcher:
    """Runs the outbox. Safe to run in several ticks or processes at once: rows are claimed."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        content: ContentStore,
        sender: TipSender,
        settings: DispatcherSettings,
    ) -> None:
        self._sessions = sessions
        self._content = content
        self._sender = sender
        self._settings = settings

    async def tick(self, now: datetime) -> TickReport:
        """Plan every due subscriber's tip, then send every due delivery."""
        report = TickReport()
        while (planned := await self.plan_due(now)) > 0:
            report.planned += planned
        async with self._sessions.begin() as session:
            report.unknown += await DeliveryRepository(session).expire_leases(now)
        limit = asyncio.Semaphore(self._settings.concurrency)

        async def send_one(item: ClaimedDelivery) -> None:
            async with limit:
                await self._send(item, now, report)

        while claimed := await self._claim(now):
            report.claimed += len(claimed)
            await asyncio.gather(*(send_one(item) for item in claimed))
        if report.claimed or report.planned:
            logger.info("dispatch tick: %s", report)
        return report

    async def plan_due(self, now: datetime) -> int:
        """Plan the daily tip of up to one batch of due subscribers; return how many were due."""
        library = self._content.library
        async with self._sessions.begin() as session:
            subscribers = await SubscriberRepository(session).due(now, self._settings.batch_size)
            deliveries = DeliveryRepository(session)
            history = await deliveries.tip_history(s.id for s in subscribers)
            for subscriber in subscribers:
                zone = ZoneInfo(subscriber.timezone)
                choice = choose_tip(library, history.get(subscriber.id, {}))
                if choice is not None:
                    await deliveries.plan(
                        subscriber_id=subscriber.id,
                        local_date=local_date(now, zone),
                        slot=DAILY_TIP_SLOT,
                        tip_id=choice.tip_id,
                        due_at=now,
                        now=now,
                    )
                subscriber.next_due_at = next_nudge_at(now, zone, subscriber.nudge_time)
                subscriber.updated_at = now
        return len(subscribers)

    async def _claim(self, now: datetime) -> list[ClaimedDelivery]:
        async with self._sessions.begin() as session:
            return await DeliveryRepository(session).claim_due(
                now=now,
                owner=self._settings.owner,
                lease_until=now + self._settings.lease,
                limit=self._settings.batch_size,
            )

    async def _send(self, item: ClaimedDelivery, now: datetime, report: TickReport) -> None:
        library = self._content.library
        tip = library.tips.get(item.tip_id)
        if tip is None:
            await self._finish(item, DeliveryState.SKIPPED, reason="tip retired before sending")
            return
        try:
            message_id = await self._sender.send_tip(
                item.chat_id, item.id, render_tip(library, tip, item.language)
            )
        except TelegramError as error:
            await self._record_failure(item, classify(error), now, report)
            return
        await self._finish(item, DeliveryState.SENT, message_id=message_id, sent_at=now)
        report.sent += 1

    async def _finish(
        self,
        item: ClaimedDelivery,
        state: DeliveryState,
        *,
        message_id: int | None = None,
        sent_at: datetime | None = None,
        reason: str | None = None,
    ) -> None:
        async with self._sessions.begin() as session:
            await DeliveryRepository(session).finish(
                item.id,
                self._settings.owner,
                state,
                message_id=message_id,
                sent_at=sent_at,
                reason=reason,
            )

    async def _record_failure(
        self, item: ClaimedDelivery, failure: SendFailure, now: datetime, report: TickReport
    ) -> None:
        logger.warning("delivery %s to subscriber %s: %s", item.id, item.subscriber_id, failure)
        async with self._sessions.begin() as session:
            deliveries = DeliveryRepository(session)
            owner = self._settings.owner
            match failure.kind:
                case FailureKind.RECIPIENT_GONE:
                    await SubscriberRepository(session).mark_blocked(item.subscriber_id, now)
                    await deliveries.finish(
                        item.id, owner, DeliveryState.FAILED, reason=failure.reason
                    )
                    await deliveries.skip_planned(item.subscriber_id, "recipient gone")
                    report.failed += 1
                case FailureKind.CHAT_MOVED if item.attempts < MAX_SEND_ATTEMPTS:
                    assert failure.new_chat_id is not None
                    await SubscriberRepository(session).move_chat(
                        item.subscriber_id, failure.new_chat_id, now
                    )
                    await deliveries.retry_later(item.id, owner, now, failure.reason)
                    report.retried += 1
                case FailureKind.RATE_LIMITED:
                    wait = failure.retry_after or timedelta(seconds=1)
                    await deliveries.retry_later(item.id, owner, now + wait, failure.reason)
                    report.retried += 1
                case FailureKind.RETRYABLE if item.attempts < MAX_SEND_ATTEMPTS:
                    backoff = timedelta(seconds=2**item.attempts)
                    await deliveries.retry_later(item.id, owner, now + backoff, failure.reason)
                    report.retried += 1
                case FailureKind.MAYBE_SENT:
                    await deliveries.finish(
                        item.id, owner, DeliveryState.UNKNOWN, reason=failure.reason
                    )
                    report.unknown += 1
                case _:
                    await deliveries.finish(
                        item.id, owner, DeliveryState.FAILED, reason=failure.reason
                    )
                    report.failed += 1
