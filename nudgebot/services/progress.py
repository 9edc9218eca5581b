"""A subscriber's progress: habit scores and streaks computed from their answered tips."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nudgebot.adaptation.progress import DayRecord, HabitProgress, habit_scores
from nudgebot.content.schema import Outcome
from nudgebot.content.store import ContentStore
from nudgebot.db.repositories import DeliveryRepository, SubscriberRepository


class ProgressService:
    """Habit scores for the progress chart and summaries; each call is one transaction."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], content: ContentStore) -> None:
        self._sessions = sessions
        self._content = content

    async def habits(self, chat_id: int, today: date, days: int = 28) -> HabitProgress | None:
        """Scores per day over the `days` up to `today` (their local date); None if unknown.

        Each tip sent is a day's chance in its topic, done when its current answer is "did it".
        Today's tips still waiting for an answer are left out, so an open day is not a miss.
        Paused days had no tips, so they leave the score as it was (see adaptation.progress).
        Tips retired from the library count in the overall score only.
        """
        start = today - timedelta(days=days - 1)
        async with self._sessions() as session:
            subscriber = await SubscriberRepository(session).by_chat_id(chat_id)
            if subscriber is None:
                return None
            sent = await DeliveryRepository(session).sent_tips(subscriber.id, start, today)
        library = self._content.library
        records = []
        for local_date, tip_id, outcome in sent:
            if local_date == today and outcome is None:
                continue
            tip = library.tips.get(tip_id)
            topic = tip.topic if tip is not None else ""
            records.append(DayRecord(local_date, topic, outcome == Outcome.DONE.value))
        progress = habit_scores(records, (), start, today)
        # The retired tips' placeholder topic is no topic of the subscriber's.
        by_topic = {topic: series for topic, series in progress.by_topic.items() if topic}
        return HabitProgress(progress.overall, by_topic)
