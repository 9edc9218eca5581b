"""A subscriber's own data: a copy of everything stored about them, and deleting all of it.

Deletion asks first: `request_deletion` only says whether there is anything to delete and
stamps the request; `confirm_deletion` deletes, if the confirmation is recent and no newer
subscription began since it was asked for. Either way, every row about the person goes in one
transaction, so nothing half-deleted is ever left behind.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum, auto

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nudgebot.content.store import ContentStore
from nudgebot.db.repositories import PersonalDataRepository
from nudgebot.services.export_document import Export, export_document

logger = logging.getLogger(__name__)

# How long a "Delete everything" button stays good: long enough to read the question, short
# enough that an old button scrolled up in the chat cannot delete anything by accident.
CONFIRMATION_WINDOW = timedelta(minutes=15)
# A confirmation stamped this far ahead of our clock was not made by us.
CLOCK_TOLERANCE = timedelta(minutes=1)


@dataclass(frozen=True)
class DeletionRequest:
    """Someone asked to delete their data: in which language to ask, and when they asked."""

    language: str
    requested_at: datetime


class DeletionOutcome(Enum):
    """What a confirmed deletion did."""

    DELETED = auto()
    NOTHING_STORED = auto()  # never subscribed, or already deleted (a second press)
    EXPIRED = auto()  # the confirmation is too old, or older than their current subscription


@dataclass(frozen=True)
class DeletionResult:
    """The outcome, and the language the person had (None if nothing was stored)."""

    outcome: DeletionOutcome
    language: str | None = None


class PersonalDataService:
    """Export and deletion of a subscriber's data; each call is one transaction."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], content: ContentStore) -> None:
        self._sessions = sessions
        self._content = content

    async def export(self, chat_id: int, now: datetime) -> Export | None:
        """Everything stored about `chat_id`, as of `now`; None if nothing is."""
        async with self._sessions.begin() as session:
            repository = PersonalDataRepository(session)
            subscriber = await repository.subscriber(chat_id)
            if subscriber is None:
                return None
            rows = await repository.rows(subscriber)
        return export_document(rows, self._content.library, now)

    async def stored_language(self, chat_id: int) -> str | None:
        """The language stored for `chat_id`, if anything is stored about them."""
        async with self._sessions.begin() as session:
            subscriber = await PersonalDataRepository(session).subscriber(chat_id)
            return subscriber.language if subscriber else None

    async def request_deletion(self, chat_id: int, now: datetime) -> DeletionRequest | None:
        """The first step of deleting: nothing is deleted; None if there is nothing to delete."""
        language = await self.stored_language(chat_id)
        return DeletionRequest(language, now) if language is not None else None

    async def confirm_deletion(
        self, chat_id: int, requested_at: datetime, now: datetime
    ) -> DeletionResult:
        """Delete everything about `chat_id`, confirming a request made at `requested_at`.

        The confirmation counts within `CONFIRMATION_WINDOW` of the request, and only for the
        data the person had when they asked: someone who deleted their data and subscribed
        again keeps the new subscription when an old button is pressed.
        """
        async with self._sessions.begin() as session:
            repository = PersonalDataRepository(session)
            subscriber = await repository.subscriber(chat_id, lock=True)
            if subscriber is None:
                return DeletionResult(DeletionOutcome.NOTHING_STORED)
            language = subscriber.language
            # Requests are stamped in whole seconds (they travel in button data).
            joined = subscriber.created_at.replace(microsecond=0)
            if (
                now - requested_at > CONFIRMATION_WINDOW
                or requested_at - now > CLOCK_TOLERANCE
                or joined > requested_at
            ):
                return DeletionResult(DeletionOutcome.EXPIRED, language)
            await repository.delete_all(subscriber)
        logger.info("deleted a subscriber's data on their request")
        return DeletionResult(DeletionOutcome.DELETED, language)

    async def delete(self, chat_id: int, now: datetime) -> bool:  # noqa: ARG002 - see below
        """Delete every row about `chat_id` at once, unasked; False if nothing was stored.

        `now` is taken like every use case's, though deleting needs no clock today.
        """
        async with self._sessions.begin() as session:
            repository = PersonalDataRepository(session)
            subscriber = await repository.subscriber(chat_id, lock=True)
            if subscriber is None:
                return False
            await repository.delete_all(subscriber)
        logger.info("deleted a subscriber's data")
        return True
