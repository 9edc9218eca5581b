"""The tip policy at work in the outbox: what it knows of each due subscriber, the crowd's
taste profiles, and the kept per-topic state the choice feeds back into."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy.ext.asyncio import AsyncSession

from nudgebot.adaptation.crowd import CrowdModel
from nudgebot.adaptation.crowd_fitting import fit_crowd
from nudgebot.adaptation.eligibility import low_score_horizon
from nudgebot.adaptation.evidence import UNANSWERED_FAILURE
from nudgebot.adaptation.learner import (
    LearnerView,
    TipChoice,
    TipPolicy,
    WellbeingScore,
)
from nudgebot.content.library import ContentLibrary
from nudgebot.content.schema import TimeOfDay
from nudgebot.db.models import Subscriber
from nudgebot.db.repositories import LearningRepository, TopicChange, TopicStatsRepository
from nudgebot.scheduling import day_at

# How far back silence is counted; dormancy comes after a week, so two weeks is plenty.
SILENCE_MEMORY = timedelta(days=14)
# The crowd's taste profiles are fitted on at most this many subscribers: thousands pin the
# profiles down, and the refit costs the same at a million subscribers.
CROWD_SAMPLE = 5000


def time_of_day(local_hour: int) -> TimeOfDay:
    """The part of the day a local hour belongs to."""
    if local_hour < 11:
        return TimeOfDay.MORNING
    if local_hour < 17:
        return TimeOfDay.MIDDAY
    return TimeOfDay.EVENING


@dataclass(frozen=True)
class Silence:
    """How quiet a subscriber has been."""

    unanswered_streak: int
    silent_for: timedelta


class CrowdStale(Exception):
    """A planning batch needs the crowd's profiles refitted before it can choose."""


class TipChooser:
    """Chooses tips with a policy; reads what it needs in batches and keeps the crowd model.

    The crowd's taste profiles are fitted on a sample of everyone, so they are refitted at most
    once per `crowd_refresh` (they move slowly) rather than in every batch.
    """

    def __init__(
        self,
        policy: TipPolicy,
        rng: np.random.Generator,
        crowd_refresh: timedelta = timedelta(hours=1),
        crowd_sample: int = CROWD_SAMPLE,
    ) -> None:
        if crowd_refresh <= timedelta(0):
            raise ValueError("crowd_refresh must be positive")
        self.policy = policy
        self._rng = rng
        self._crowd_refresh = crowd_refresh
        self._crowd_sample = crowd_sample
        self._crowd = CrowdModel.uninformed()
        self._crowd_at: datetime | None = None

    def crowd_is_stale(self, now: datetime) -> bool:
        """Whether the crowd's profiles are due a refit (never for a policy ignoring them)."""
        if not self.policy.reads_crowd:
            return False
        return self._crowd_at is None or now - self._crowd_at >= self._crowd_refresh

    async def refit_crowd(
        self, session: AsyncSession, library: ContentLibrary, now: datetime
    ) -> None:
        """Fit the crowd's profiles again, from a sample of everyone's counts."""
        sample = await LearningRepository(session).crowd_sample(self._crowd_sample)
        people = sorted(sample.topics)
        self._crowd = fit_crowd(
            [sample.topics[i] for i in people],
            [sample.tips.get(i, {}) for i in people],
            {tip_id: tip.topic for tip_id, tip in library.tips.items()},
        )
        self._crowd_at = now

    async def crowd(
        self, session: AsyncSession, library: ContentLibrary, now: datetime
    ) -> CrowdModel:
        """The crowd's profiles for a one-off choice, refitted first if stale.

        A one-off choice (a /start, a refused tip's stand-in) refits inside its own transaction:
        it is rare, and the person is waiting for that very choice anyway.
        """
        if self.crowd_is_stale(now):
            await self.refit_crowd(session, library, now)
        return self._crowd

    def planning_crowd(self, now: datetime) -> CrowdModel:
        """The crowd's profiles for a planning batch, or `CrowdStale`: the caller refits them
        outside its planning transaction (see `Dispatcher.plan_due`)."""
        if self.crowd_is_stale(now):
            raise CrowdStale
        return self._crowd

    async def silences(
        self,
        session: AsyncSession,
        subscribers: Sequence[Subscriber],
        days: Mapping[int, date],
        now: datetime,
    ) -> dict[int, Silence]:
        """Each subscriber's unanswered streak and time since they last replied."""
        replies: dict[int, tuple[date, date | None]] = {}
        for subscriber in subscribers:
            replied = subscriber.last_reply_at
            first = days[subscriber.id] - SILENCE_MEMORY
            # Compared with the deliveries' days: the reply's day in their zone and from their
            # day start, not its UTC date.
            zone = ZoneInfo(subscriber.timezone)
            local = day_at(replied, zone, subscriber.day_start) if replied else None
            replies[subscriber.id] = (first, local)
        streaks = await LearningRepository(session).unanswered_streaks(replies)
        return {
            s.id: Silence(
                streaks.get(s.id, 0), now - max(s.last_reply_at or s.created_at, s.created_at)
            )
            for s in subscribers
        }

    async def views(
        self,
        session: AsyncSession,
        library: ContentLibrary,
        subscribers: Sequence[Subscriber],
        slots: Mapping[int, tuple[date, TimeOfDay]],
        streaks: Mapping[int, int],
    ) -> dict[int, LearnerView]:
        """What the policy knows of each subscriber, for the slot it is choosing for."""
        if not subscribers:
            return {}
        ids = [s.id for s in subscribers]
        repository = LearningRepository(session)
        histories = await repository.tip_histories(ids)
        topics = await TopicStatsRepository(session).topic_stats(ids)
        oldest = min(day for day, _ in slots.values())
        scores = await scores_in_force(session, library, ids, oldest)
        views = {}
        for subscriber in subscribers:
            day, part = slots[subscriber.id]
            views[subscriber.id] = LearnerView(
                today=day,
                time_of_day=part,
                chat_id=subscriber.chat_id,
                # The rows as read: they are what the policy's protocols describe.
                tips=histories.get(subscriber.id, {}),
                topics=topics.get(subscriber.id, {}),
                chosen_topics=open_topics(library, subscriber, day),
                held_tags=held_tags(library, subscriber, day),
                wellbeing=scores.get(subscriber.id, ()),
                unanswered_streak=streaks.get(subscriber.id, 0),
                language=(
                    None
                    if subscriber.language == library.default_language
                    else subscriber.language
                ),
            )
        return views

    async def choose_for(
        self,
        session: AsyncSession,
        library: ContentLibrary,
        subscriber: Subscriber,
        slot: tuple[date, TimeOfDay],
        now: datetime,
    ) -> TipChoice | None:
        """One subscriber's choice outside a batch (their first tip, a broken tip's stand-in)."""
        views = await self.views(session, library, [subscriber], {subscriber.id: slot}, {})
        return self.choose(library, views[subscriber.id], await self.crowd(session, library, now))

    def choose(
        self, library: ContentLibrary, view: LearnerView, crowd: CrowdModel
    ) -> TipChoice | None:
        """The policy's choice for one subscriber."""
        return self.policy.choose(library, view, crowd, self._rng)


def _held_on(subscriber: Subscriber, day: date) -> bool:
    """Whether a red-flag hold covers `day`, one of their days: every day it touches, the last
    one being the subscriber's day (in their zone, from their day start) in which it ends."""
    held_until = subscriber.paused_topics_until
    return bool(subscriber.paused_topics) and (
        held_until is not None
        and day_at(held_until, ZoneInfo(subscriber.timezone), subscriber.day_start) >= day
    )


def open_topics(
    library: ContentLibrary, subscriber: Subscriber, day: date
) -> frozenset[str] | None:
    """The topics they chose, less any held back on `day` (None: every topic).

    Chosen topics the library no longer has are left out; someone whose every choice is gone
    gets every topic rather than nothing at all, until they choose again.
    """
    chosen = frozenset(subscriber.topics or ()) & frozenset(library.topics) or None
    if not _held_on(subscriber, day):
        return chosen
    return (chosen or frozenset(library.topics)) - frozenset(subscriber.paused_topics or ())


def held_tags(library: ContentLibrary, subscriber: Subscriber, day: date) -> frozenset[str]:
    """The tags a red-flag hold keeps back on `day` (food, whatever the topic), else none."""
    return library.safety.hold_tags if _held_on(subscriber, day) else frozenset()


async def scores_in_force(
    session: AsyncSession, library: ContentLibrary, subscriber_ids: Iterable[int], since: date
) -> dict[int, tuple[WellbeingScore, ...]]:
    """Each subscriber's wellbeing scores that a low-score rule may still hold on `since` or
    later: read back only as far as the library's longest rule reaches."""
    horizon = low_score_horizon(library)
    if horizon is None:
        return {}
    rows = await LearningRepository(session).recent_scores(subscriber_ids, since - horizon)
    return {
        subscriber_id: tuple(WellbeingScore(row.question_id, row.day, row.score) for row in scores)
        for subscriber_id, scores in rows.items()
    }


def planned_evidence(
    library: ContentLibrary, subscriber_id: int, tip_id: str, day: date
) -> TopicChange | None:
    """The kept-state change of planning a tip: sent today, unanswered so far."""
    tip = library.tips.get(tip_id)
    if tip is None:
        return None
    return TopicChange(subscriber_id, tip.topic, failures=UNANSWERED_FAILURE, sent_on=day)


def unsent_evidence(
    library: ContentLibrary, unsent: Sequence[tuple[int, str]]
) -> list[TopicChange]:
    """The changes undoing `planned_evidence` for tips planned but never sent (skipped,
    failed), given as (subscriber, tip) pairs: each no longer counts as left unanswered.

    Only the failure is taken back; the topic's last send stays, as a day it was meant for.
    A tip gone from the library keeps its evidence: its topic is no longer known.
    """
    return [
        TopicChange(subscriber_id, tip.topic, failures=-UNANSWERED_FAILURE)
        for subscriber_id, tip_id in unsent
        if (tip := library.tips.get(tip_id)) is not None
    ]


async def take_back_unsent(
    session: AsyncSession, library: ContentLibrary, unsent: Sequence[tuple[int, str]]
) -> None:
    """Apply `unsent_evidence` in the caller's transaction (the one that skipped or failed
    the tips)."""
    await TopicStatsRepository(session).change_topics(unsent_evidence(library, unsent))
