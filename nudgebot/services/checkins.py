"""Recording what subscribers answer: tip check-ins, wellbeing scores, notes, and any reply.

Every answer is a new `answers` row (a re-press changes the answer and keeps the history); the
delivery keeps its current outcome and the bandit's per-topic state follows each change. A press
carries its delivery, so an answer given days later still counts for the right tip and day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nudgebot.content.store import ContentStore
from nudgebot.db.models import Note, Subscriber
from nudgebot.db.repositories import DeliveryRepository, SubscriberRepository
from nudgebot.delivery.policy import DeliveryPolicy
from nudgebot.services.checkin_results import CheckinResult, Press
from nudgebot.services.recording import PressRecorder

MAX_NOTE_CHARS = 2000
# Text this soon after answering a check-in is taken as a note on it.
NOTE_WINDOW = timedelta(minutes=30)


@dataclass(frozen=True)
class ReplyResult:
    """A message from a subscriber: were they known, and did it bring them back from silence."""

    subscribed: bool
    language: str | None = None
    woke_up: bool = False
    noted: bool = False


class CheckinService:
    """Check-in answers and replies; each call is one transaction."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        content: ContentStore,
        policy: DeliveryPolicy,
    ) -> None:
        self._sessions = sessions
        self._content = content
        self._recorder = PressRecorder(policy)

    async def answer(
        self, chat_id: int, delivery_id: int, option_id: str, now: datetime
    ) -> CheckinResult:
        """Record that `chat_id` pressed `option_id` under delivery `delivery_id`.

        A press is accepted only from the chat the delivery went to and only with an option the
        message offers; pressing the same option twice records nothing new, another option adds
        a row (the latest row is the answer, earlier rows are its history). "Later" also plans
        the tip again, if the day's budget allows.
        """
        [result] = await self.answer_many([Press(chat_id, delivery_id, option_id, now)])
        return result

    async def answer_many(self, presses: Sequence[Press]) -> list[CheckinResult]:
        """Record presses in order in one transaction (one press from a person, or many)."""
        async with self._sessions.begin() as session:
            return await self._recorder.record(session, self._content.library, presses)

    async def message(
        self,
        chat_id: int,
        text: str,
        now: datetime,
        replied_to_message: int | None = None,
    ) -> ReplyResult:
        """Free text from a subscriber: a note, if it follows or replies to a check-in.

        A reply to one of the bot's messages is a note on that delivery; so is text written
        within `NOTE_WINDOW` of answering a check-in (the check-in invites it). Any message
        ends silence, and wakes a subscriber the bot paused for it.
        """
        async with self._sessions.begin() as session:
            subscriber = await SubscriberRepository(session).by_chat_id(chat_id)
            if subscriber is None:
                return ReplyResult(subscribed=False)
            deliveries = DeliveryRepository(session)
            delivery = None
            if replied_to_message is not None:
                delivery = await deliveries.by_message(subscriber.id, replied_to_message)
            if delivery is None:
                # Measured from the last answer, not the last message: chatting on does not
                # keep a check-in open for notes.
                delivery = await deliveries.answered_since(subscriber.id, now - NOTE_WINDOW)
            woke = self._replied(subscriber, now)
            if delivery is None:
                return ReplyResult(True, subscriber.language, woke)
            _add_note(session, subscriber, text, now, delivery.id)
            return ReplyResult(True, subscriber.language, woke, noted=True)

    async def note(self, chat_id: int, text: str, now: datetime) -> ReplyResult:
        """/note TEXT: a note on the subscriber's day, tied to no message."""
        async with self._sessions.begin() as session:
            subscriber = await SubscriberRepository(session).by_chat_id(chat_id)
            if subscriber is None:
                return ReplyResult(subscribed=False)
            _add_note(session, subscriber, text, now, None)
            woke = self._replied(subscriber, now)
            return ReplyResult(True, subscriber.language, woke, noted=True)

    async def reply(self, chat_id: int, now: datetime) -> ReplyResult:
        """Any other message from the subscriber: silence ends, and a bot-made pause with it."""
        async with self._sessions.begin() as session:
            subscriber = await SubscriberRepository(session).by_chat_id(chat_id)
            if subscriber is None:
                return ReplyResult(subscribed=False)
            return ReplyResult(True, subscriber.language, self._replied(subscriber, now))

    def _replied(self, subscriber: Subscriber, now: datetime) -> bool:
        """Note the reply; wake a subscriber the bot paused for silence. True if it did."""
        return self._recorder.wake(self._content.library, subscriber, now)


def _add_note(
    session: AsyncSession,
    subscriber: Subscriber,
    text: str,
    now: datetime,
    delivery_id: int | None,
) -> None:
    session.add(
        Note(
            subscriber_id=subscriber.id,
            delivery_id=delivery_id,
            text=text.strip()[:MAX_NOTE_CHARS],
            created_at=now,
        )
    )
