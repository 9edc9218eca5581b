"""Queries on check-in answers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from nudgebot.db.models import Answer, table_of


class NewAnswer(NamedTuple):
    """An answer to insert: a plain row, since nothing reads it back as an object."""

    delivery_id: int
    subscriber_id: int
    option_id: str
    outcome: str
    answered_at: datetime
    question_id: str | None = None
    score: int | None = None


class AnswerRepository:
    """Answers to check-ins; the latest one per delivery is the current answer."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def insert_many(self, answers: Sequence[NewAnswer]) -> None:
        """Insert new answers at once (a re-press adds a row; history is kept), without
        reading their ids back.

        Staged objects would be inserted one statement per row (the session reads each new id
        back), and building them costs more than the rest of recording a press; nothing needs
        these ids, so one statement runs for every row.
        """
        if answers:
            await self._session.execute(
                insert(table_of(Answer)), [answer._asdict() for answer in answers]
            )

    async def latest_for_delivery(self, delivery_id: int) -> Answer | None:
        """The current answer to a delivery's check-in, if any."""
        query = (
            select(Answer)
            .where(Answer.delivery_id == delivery_id)
            .order_by(Answer.answered_at.desc(), Answer.id.desc())
            .limit(1)
        )
        return await self._session.scalar(query)

    async def scores_for_delivery(self, delivery_id: int) -> dict[str, int]:
        """The current score per question of a wellbeing check-in."""
        query = (
            select(Answer.question_id, Answer.score)
            .where(Answer.delivery_id == delivery_id, Answer.question_id.is_not(None))
            .order_by(Answer.answered_at, Answer.id)
        )
        # Later rows win in the comprehension: a re-press replaces the score.
        return {
            question_id: score
            for question_id, score in await self._session.execute(query)
            if question_id is not None and score is not None
        }
