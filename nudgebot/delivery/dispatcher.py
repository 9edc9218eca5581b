"""The dispatcher tick: plan what is due, claim it under a lease, send it, record each outcome."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from telegram.error import TelegramError

from nudgebot.content.library import ContentLibrary
from nudgebot.content.rendering import (
    RenderedNotice,
    render_dormant_notice,
    render_tip,
    render_wellbeing,
)
from nudgebot.content.store import ContentStore
from nudgebot.content.ui_keys import UiKey
from nudgebot.db import reading
from nudgebot.db.models import DeliveryKind, DeliveryState
from nudgebot.db.repositories import (
    BrokenTipRepository,
    ClaimedDelivery,
    DeliveryRepository,
    Finished,
    LeaseRepository,
    SubscriberRepository,
    TopicStatsRepository,
)
from nudgebot.delivery.errors import FailureKind, SendFailure, classify
from nudgebot.delivery.learning import (
    CrowdStale,
    TipChooser,
    planned_evidence,
    take_back_unsent,
    unsent_evidence,
)
from nudgebot.delivery.outcomes import OutcomeRecorder
from nudgebot.delivery.planner import Planner
from nudgebot.delivery.policy import DeliveryPolicy
from nudgebot.delivery.transport import BrokenTipAlert, OutboxSender, WeeklySummaries

logger = logging.getLogger(__name__)

MAX_SEND_ATTEMPTS = 5
_SUMMARY_UNREADABLE = "weekly summary could not be read"

# Each claimed subscriber's weekly summary (None: nothing to say), or None if they could not
# be read.
_Summaries = Mapping[int, str | None] | None


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
    # Rows claimed at once. A claim is held under a lease while it is sent at the shared rate,
    # so it should take seconds, not the whole lease, even with several workers sharing it.
    claim_size: int = 200
    lease: timedelta = timedelta(seconds=60)
    concurrency: int = 32


async def _no_alert(tip_id: str, reason: str) -> None:
    logger.error("tip %s is broken: %s", tip_id, reason)


class Dispatcher:
    """Runs the outbox. Safe to run in several ticks or processes at once: rows are claimed."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        content: ContentStore,
        sender: OutboxSender,
        *,
        policy: DeliveryPolicy,
        chooser: TipChooser,
        settings: DispatcherSettings,
        broken_tip_alert: BrokenTipAlert = _no_alert,
        summaries: WeeklySummaries | None = None,
    ) -> None:
        self._sessions = sessions
        self._content = content
        self._sender = sender
        self._planner = Planner(policy, chooser)
        self._settings = settings
        self._alert = broken_tip_alert
        self._summaries = summaries
        self._outcomes = OutcomeRecorder(sessions, settings.owner)

    async def tick(self, now: datetime) -> TickReport:
        """Plan every due subscriber's message, then send every due delivery."""
        report = TickReport()
        while (planned := await self.plan_due(now)) > 0:
            report.planned += planned
        async with self._sessions.begin() as session:
            report.unknown += await LeaseRepository(session).expire_leases(now)
        limit = asyncio.Semaphore(self._settings.concurrency)

        async def send_one(item: ClaimedDelivery, summaries: _Summaries) -> None:
            # The slot covers the Telegram call only: waiting for the outcome's commit outside
            # it lets outcomes pile up and be committed together.
            async with limit:
                outcome = await self._send(item, now, report, summaries)
            if outcome is not None:
                await self._outcomes.record(outcome)

        while claimed := await self._claim(now):
            report.claimed += len(claimed)
            summaries = await self._weekly_summaries(claimed, now)
            await asyncio.gather(*(send_one(item, summaries) for item in claimed))
        if report.claimed or report.planned:
            logger.info("dispatch tick: %s", report)
        return report

    async def plan_due(self, now: datetime) -> int:
        """Plan up to one batch of due subscribers; return how many were due."""
        library = self._content.library
        try:
            return await self._plan_batch(library, now)
        except CrowdStale:
            pass
        # Refitted in a reading session between two planning transactions, not inside one: the
        # fit reads a sample of everyone's history (about a second at thousands of people),
        # and a planning transaction holds SQLite's write lock (on PostgreSQL, its batch's
        # rows) that check-ins would wait for meanwhile.
        async with reading(self._sessions) as session:
            await self._planner.refit_crowd(session, library, now)
        return await self._plan_batch(library, now)

    async def _plan_batch(self, library: ContentLibrary, now: datetime) -> int:
        async with self._sessions.begin() as session:
            return await self._planner.plan_batch(session, library, now, self._settings.batch_size)

    async def _claim(self, now: datetime) -> list[ClaimedDelivery]:
        async with self._sessions.begin() as session:
            return await LeaseRepository(session).claim_due(
                now=now,
                owner=self._settings.owner,
                lease_until=now + self._settings.lease,
                limit=self._settings.claim_size,
            )

    async def _send(
        self, item: ClaimedDelivery, now: datetime, report: TickReport, summaries: _Summaries
    ) -> Finished | None:
        """Send one claimed delivery; the outcome to record, or None if already recorded."""
        library = self._content.library
        try:
            if item.kind is DeliveryKind.RESUME_NOTICE:
                html = library.ui_text(UiKey.RESUMED, item.language)
                notice = RenderedNotice("resume", html)
                message_id = await self._sender.send_notice(item.chat_id, item.id, notice)
            elif item.kind is DeliveryKind.DORMANT_NOTICE:
                notice = render_dormant_notice(library, item.language)
                message_id = await self._sender.send_notice(item.chat_id, item.id, notice)
            elif item.kind is DeliveryKind.WEEKLY_SUMMARY:
                if summaries is None:
                    return Finished(item.id, DeliveryState.FAILED, reason=_SUMMARY_UNREADABLE)
                summary = summaries.get(item.subscriber_id)
                if summary is None:
                    return Finished(item.id, DeliveryState.SKIPPED, reason="nothing to summarise")
                notice = RenderedNotice("weekly_summary", summary)
                message_id = await self._sender.send_notice(item.chat_id, item.id, notice)
            elif item.kind is DeliveryKind.WELLBEING:
                checkin = render_wellbeing(library, item.language, {})
                message_id = await self._sender.send_wellbeing(item.chat_id, item.id, checkin)
            else:
                tip = library.tips.get(item.tip_id or "")
                if tip is None:
                    return Finished(item.id, DeliveryState.SKIPPED, reason="tip retired")
                rendered = render_tip(library, tip, item.language)
                message_id = await self._sender.send_tip(item.chat_id, item.id, rendered)
        except TelegramError as error:
            await self._record_failure(item, classify(error), now, report)
            return None
        report.sent += 1
        return Finished(item.id, DeliveryState.SENT, message_id=message_id, sent_at=now)

    async def _weekly_summaries(
        self, claimed: Sequence[ClaimedDelivery], now: datetime
    ) -> _Summaries:
        """The claim's weekly summaries, read together (None: the reading failed).

        A failed read fails the summaries alone: the claim's other messages still go out.
        """
        ids = [item.subscriber_id for item in claimed if item.kind is DeliveryKind.WEEKLY_SUMMARY]
        if not ids or self._summaries is None:
            return {}
        try:
            return await self._summaries.weekly_summaries_html(ids, now)
        except SQLAlchemyError:
            logger.exception("weekly summaries of %d subscribers could not be read", len(ids))
            return None

    async def _record_failure(
        self, item: ClaimedDelivery, failure: SendFailure, now: datetime, report: TickReport
    ) -> None:
        logger.warning("delivery %s to subscriber %s: %s", item.id, item.subscriber_id, failure)
        if failure.kind is FailureKind.BAD_CONTENT and item.tip_id is not None:
            await self._replace_broken_tip(item, failure, now, report)
            return
        async with self._sessions.begin() as session:
            leases = LeaseRepository(session)
            owner = self._settings.owner
            match failure.kind:
                case FailureKind.RECIPIENT_GONE:
                    await SubscriberRepository(session).mark_blocked(item.subscriber_id, now)
                    await self._fail(session, item, failure.reason)
                    skipped = await DeliveryRepository(session).skip_planned(
                        item.subscriber_id, "recipient gone"
                    )
                    await take_back_unsent(session, self._content.library, skipped)
                    report.failed += 1
                case FailureKind.CHAT_MOVED if item.attempts < MAX_SEND_ATTEMPTS:
                    assert failure.new_chat_id is not None
                    await SubscriberRepository(session).move_chat(
                        item.subscriber_id, failure.new_chat_id, now
                    )
                    await leases.retry_later(item.id, owner, now, failure.reason)
                    report.retried += 1
                case FailureKind.RATE_LIMITED:
                    wait = failure.retry_after or timedelta(seconds=1)
                    await leases.retry_later(item.id, owner, now + wait, failure.reason)
                    report.retried += 1
                case FailureKind.RETRYABLE if item.attempts < MAX_SEND_ATTEMPTS:
                    backoff = timedelta(seconds=2**item.attempts)
                    await leases.retry_later(item.id, owner, now + backoff, failure.reason)
                    report.retried += 1
                case FailureKind.MAYBE_SENT:
                    await leases.finish(
                        item.id, owner, DeliveryState.UNKNOWN, reason=failure.reason
                    )
                    report.unknown += 1
                case _:
                    await self._fail(session, item, failure.reason)
                    report.failed += 1

    async def _fail(self, session: AsyncSession, item: ClaimedDelivery, reason: str) -> None:
        """Record a send that will not happen; a tip that never went out is taken back from
        the kept state, where planning counted it as sent and unanswered. A row whose lease
        ran out meanwhile stays `unknown`, counted as maybe sent, and keeps its evidence."""
        failed = await LeaseRepository(session).fail(item.id, self._settings.owner, reason)
        if failed and item.kind is DeliveryKind.TIP and item.tip_id is not None:
            await take_back_unsent(
                session, self._content.library, [(item.subscriber_id, item.tip_id)]
            )

    async def _replace_broken_tip(
        self, item: ClaimedDelivery, failure: SendFailure, now: datetime, report: TickReport
    ) -> None:
        """Telegram refused the tip's text: take it out of rotation and send the next tip."""
        assert item.tip_id is not None
        async with self._sessions.begin() as session:
            newly_broken = await BrokenTipRepository(session).mark(
                item.tip_id, failure.reason, now
            )
            leases = LeaseRepository(session)
            choice = await self._planner.choose_replacement(
                session, self._content.library, item.subscriber_id, now
            )
            if choice is None:
                await self._fail(session, item, failure.reason)
                report.failed += 1
            else:
                replacement = (choice.tip_id, choice.policy, choice.propensity)
                if await leases.replace_tip(item.id, self._settings.owner, replacement, now):
                    # The kept state moves with the tip: the refused one was never sent, the
                    # stand-in is now the day's tip waiting for an answer.
                    await self._move_evidence(session, item, choice.tip_id)
                report.retried += 1
        if newly_broken:
            await self._alert(item.tip_id, failure.reason)

    async def _move_evidence(
        self, session: AsyncSession, item: ClaimedDelivery, stand_in_id: str
    ) -> None:
        """The refused tip's "sent, unanswered" count moves to the tip sent in its place."""
        assert item.tip_id is not None
        library = self._content.library
        changes = unsent_evidence(library, [(item.subscriber_id, item.tip_id)])
        stand_in = planned_evidence(library, item.subscriber_id, stand_in_id, item.local_date)
        await TopicStatsRepository(session).change_topics(
            [*changes, stand_in] if stand_in else changes
        )
