"""The kept per-topic bandit state, read for choosing and adjusted as tips are planned and
answered."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from nudgebot.db.models import TopicStats, table_of

# Either dialect's INSERT ... ON CONFLICT statement.
Insert = postgresql.Insert | sqlite.Insert


class TopicStatsRow(NamedTuple):
    """The kept bandit state of one subscriber in one topic."""

    successes: float
    failures: float
    last_sent: date | None
    done_streak: int


@dataclass(frozen=True)
class TopicChange:
    """An adjustment of one subscriber's kept state in one topic."""

    subscriber_id: int
    topic: str
    successes: float = 0.0
    failures: float = 0.0
    sent_on: date | None = None
    # None keeps the streak; otherwise the new value.
    done_streak: int | None = None


class TopicStatsRepository:
    """Each subscriber's successes, failures, last send and "did it" run per topic."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def topic_stats(
        self, subscriber_ids: Iterable[int]
    ) -> dict[int, dict[str, TopicStatsRow]]:
        """The kept per-topic state of each subscriber."""
        # Columns, not TopicStats objects: nothing here is changed through the session, and
        # building objects cost more than the query.
        query = select(
            TopicStats.subscriber_id,
            TopicStats.topic,
            TopicStats.successes,
            TopicStats.failures,
            TopicStats.last_sent_on,
            TopicStats.done_streak,
        ).where(TopicStats.subscriber_id.in_(list(subscriber_ids)))
        stats: dict[int, dict[str, TopicStatsRow]] = defaultdict(dict)
        for subscriber_id, topic, successes, failures, last_sent_on, streak in (
            await self._session.execute(query)
        ).all():
            # Never below zero: a "Not for me" recorded when it counted one failure and changed
            # after it came to count two takes off more than it once added.
            stats[subscriber_id][topic] = TopicStatsRow(
                max(successes, 0.0), max(failures, 0.0), last_sent_on, streak
            )
        return stats

    async def done_streaks(self, keys: Iterable[tuple[int, str]]) -> dict[tuple[int, str], int]:
        """The "did it" run of each (subscriber, topic) that has kept state."""
        # Only the rows asked for: recording a batch of presses needs the runs of the topics
        # pressed, not every topic of every subscriber pressing.
        wanted = set(keys)
        if not wanted:
            return {}
        # Two lists rather than a list of pairs: SQLite answered a (row value) IN (VALUES ...)
        # by scanning the whole table; with the two lists it looks each combination up in the
        # primary key, and the few combinations not asked for are dropped here.
        query = select(TopicStats.subscriber_id, TopicStats.topic, TopicStats.done_streak).where(
            TopicStats.subscriber_id.in_(sorted({subscriber_id for subscriber_id, _ in wanted})),
            TopicStats.topic.in_(sorted({topic for _, topic in wanted})),
        )
        return {
            (subscriber_id, topic): streak
            for subscriber_id, topic, streak in await self._session.execute(query)
            if (subscriber_id, topic) in wanted
        }

    async def change_topics(self, changes: Sequence[TopicChange]) -> None:
        """Apply adjustments to the kept topic state, creating rows as needed.

        An upsert executed for each change in turn (one statement for the changes that set the
        "did it" run, one for those that keep it): the increments happen in the database, so
        two transactions adjusting the same row never lose each other's update, and changes to
        one row within the batch add up in order.
        """
        setting = [c for c in changes if c.done_streak is not None]
        keeping = [c for c in changes if c.done_streak is None]
        for batch, sets_streak in ((setting, True), (keeping, False)):
            if batch:
                await self._session.execute(
                    self._upsert(sets_streak),
                    [
                        {
                            "subscriber_id": c.subscriber_id,
                            "topic": c.topic,
                            "successes": c.successes,
                            "failures": c.failures,
                            "last_sent_on": c.sent_on,
                            "done_streak": c.done_streak or 0,
                        }
                        for c in batch
                    ],
                )

    def _upsert(self, sets_streak: bool) -> Insert:
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        table = table_of(TopicStats)
        statement = insert(table)
        excluded = statement.excluded
        updates: dict[str, Any] = {
            "successes": table.c.successes + excluded.successes,
            "failures": table.c.failures + excluded.failures,
            "last_sent_on": func.coalesce(excluded.last_sent_on, table.c.last_sent_on),
        }
        if sets_streak:
            updates["done_streak"] = excluded.done_streak
        return statement.on_conflict_do_update(
            index_elements=["subscriber_id", "topic"], set_=updates
        )
