"""Recording what subscribers answer: tip check-ins, wellbeing scores, notes, and any reply.

Every answer is a new `answers` row (a re-press changes the answer and keeps the history); the
delivery keeps its current outcome and the bandit's per-topic state follows each change. A press
carries its delivery, so an answer given days later still counts for the right tip and day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import Enum, auto

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nudgebot.adaptation.evidence import evidence_change
from nudgebot.content.library import ContentLibrary
from nudgebot.content.rendering import (
    RESUME_OPTION,
    RenderedTip,
    RenderedWellbeing,
    parse_wellbeing_option,
    render_tip,
    render_wellbeing,
)
from nudgebot.content.schema import Outcome
from nudgebot.content.store import ContentStore
from nudgebot.db.models import (
    Answer,
    Delivery,
    DeliveryKind,
    Note,
    Subscriber,
    SubscriberStatus,
)
from nudgebot.db.repositories import (
    AnswerRepository,
    DeliveryRepository,
    LearningRepository,
    SubscriberRepository,
    TopicChange,
)
from nudgebot.delivery.policy import DeliveryPolicy
from nudgebot.scheduling import earliest_send, next_slot

# The outcome stored for a wellbeing score (its value is in `score`).
SCORE_OUTCOME = "score"
MAX_NOTE_CHARS = 2000
# Text this soon after answering a check-in is taken as a note on it.
NOTE_WINDOW = timedelta(minutes=30)


class CheckinStatus(Enum):
    """What happened to a button press."""

    RECORDED = auto()
    CHANGED = auto()
    UNCHANGED = auto()
    RESUMED = auto()  # the "Resume" button under the silence notice
    UNKNOWN_DELIVERY = auto()  # deleted, never existed, or its tip was retired
    NOT_YOURS = auto()
    UNKNOWN_OPTION = auto()


@dataclass(frozen=True)
class Press:
    """One button press: who, under which delivery, which option, when."""

    chat_id: int
    delivery_id: int
    option_id: str
    at: datetime


@dataclass(frozen=True)
class CheckinResult:
    """The outcome of a press, and (when accepted) the message re-rendered to show the answer."""

    status: CheckinStatus
    language: str | None = None
    choice: str | None = None
    message: RenderedTip | RenderedWellbeing | None = None
    # For "Later": when the tip comes back, in the subscriber's local time (None: it won't).
    again_at: time | None = None


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
        self._policy = policy

    async def answer(
        self, chat_id: int, delivery_id: int, option_id: str, now: datetime
    ) -> CheckinResult:
        """Record that `chat_id` pressed `option_id` under delivery `delivery_id`.

        A press is accepted only from the chat the delivery went to and only with an option the
        message offers; pressing the same option twice records nothing new, another option adds
        a row (the latest row is the answer, earlier rows are its history). "Later" also plans
        the tip again, if the day's budget allows.
        """
        async with self._sessions.begin() as session:
            return await self._record(session, Press(chat_id, delivery_id, option_id, now))

    async def answer_many(self, presses: Sequence[Press]) -> list[CheckinResult]:
        """Record many presses in one transaction, in order (the simulation's bulk path)."""
        async with self._sessions.begin() as session:
            return [await self._record(session, press) for press in presses]

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
            answered_recently = (
                subscriber.last_reply_at is not None
                and now - subscriber.last_reply_at <= NOTE_WINDOW
            )
            if delivery is None and answered_recently:
                delivery = await deliveries.latest_answered(subscriber.id)
            woke = self._replied(subscriber, now)
            if delivery is None:
                return ReplyResult(True, subscriber.language, woke)
            self._add_note(session, subscriber, text, now, delivery.id)
            return ReplyResult(True, subscriber.language, woke, noted=True)

    async def note(self, chat_id: int, text: str, now: datetime) -> ReplyResult:
        """/note TEXT: a note on the subscriber's day, tied to no message."""
        async with self._sessions.begin() as session:
            subscriber = await SubscriberRepository(session).by_chat_id(chat_id)
            if subscriber is None:
                return ReplyResult(subscribed=False)
            self._add_note(session, subscriber, text, now, None)
            woke = self._replied(subscriber, now)
            return ReplyResult(True, subscriber.language, woke, noted=True)

    async def reply(self, chat_id: int, now: datetime) -> ReplyResult:
        """Any other message from the subscriber: silence ends, and a bot-made pause with it."""
        async with self._sessions.begin() as session:
            subscriber = await SubscriberRepository(session).by_chat_id(chat_id)
            if subscriber is None:
                return ReplyResult(subscribed=False)
            return ReplyResult(True, subscriber.language, self._replied(subscriber, now))

    @staticmethod
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

    def _replied(self, subscriber: Subscriber, now: datetime) -> bool:
        """Note the reply; wake a subscriber the bot paused for silence. True if it did."""
        subscriber.last_reply_at = now
        subscriber.updated_at = now
        if subscriber.status is not SubscriberStatus.DORMANT:
            return False
        subscriber.status = SubscriberStatus.ACTIVE
        schedule = self._policy.schedule_of(subscriber, self._content.library)
        subscriber.next_due_at = next_slot(now, schedule).at
        return True

    async def _record(self, session: AsyncSession, press: Press) -> CheckinResult:
        library = self._content.library
        subscriber = await SubscriberRepository(session).by_chat_id(press.chat_id)
        delivery = await DeliveryRepository(session).get(press.delivery_id)
        if delivery is None:
            return CheckinResult(CheckinStatus.UNKNOWN_DELIVERY)
        if subscriber is None or delivery.subscriber_id != subscriber.id:
            return CheckinResult(CheckinStatus.NOT_YOURS)
        language = subscriber.language
        if delivery.kind is DeliveryKind.WELLBEING:
            return await self._score(session, library, subscriber, delivery, press)
        if delivery.kind is DeliveryKind.DORMANT_NOTICE:
            if press.option_id != RESUME_OPTION:
                return CheckinResult(CheckinStatus.UNKNOWN_OPTION, language)
            self._replied(subscriber, press.at)
            return CheckinResult(CheckinStatus.RESUMED, language)
        tip = library.tips.get(delivery.tip_id) if delivery.tip_id else None
        if tip is None:
            return CheckinResult(CheckinStatus.UNKNOWN_DELIVERY, language)
        option = next(
            (o for o in library.checkin_for(tip).options if o.id == press.option_id), None
        )
        if option is None:
            return CheckinResult(CheckinStatus.UNKNOWN_OPTION, language)
        answers = AnswerRepository(session)
        previous = await answers.latest_for_delivery(delivery.id)
        choice = library.text(option.label, language)
        message = render_tip(library, tip, language, chosen_option=option.id)
        if previous is not None and previous.option_id == option.id:
            return CheckinResult(CheckinStatus.UNCHANGED, language, choice, message)
        answers.add(
            Answer(
                delivery_id=delivery.id,
                subscriber_id=subscriber.id,
                option_id=option.id,
                outcome=option.outcome.value,
                answered_at=press.at,
            )
        )
        await self._learn(session, subscriber, delivery, tip.topic, option.outcome)
        self._replied(subscriber, press.at)
        status = CheckinStatus.RECORDED if previous is None else CheckinStatus.CHANGED
        again_at = None
        if option.outcome is Outcome.LATER and previous is None:
            again_at = await self._plan_again(session, subscriber, delivery, press.at)
        return CheckinResult(status, language, choice, message, again_at)

    async def _learn(
        self,
        session: AsyncSession,
        subscriber: Subscriber,
        delivery: Delivery,
        topic: str,
        outcome: Outcome,
    ) -> None:
        """Move the delivery's current outcome and the topic's kept counts to the new answer."""
        old = Outcome(delivery.outcome) if delivery.outcome else None
        delivery.outcome = outcome.value
        learning = LearningRepository(session)
        streak = (await learning.topic_stats([subscriber.id])).get(subscriber.id, {}).get(topic)
        change = evidence_change(old, outcome, streak.done_streak if streak else 0)
        await learning.change_topics(
            [
                TopicChange(
                    subscriber.id,
                    topic,
                    successes=change.successes,
                    failures=change.failures,
                    done_streak=change.done_streak,
                )
            ]
        )

    async def _score(
        self,
        session: AsyncSession,
        library: ContentLibrary,
        subscriber: Subscriber,
        delivery: Delivery,
        press: Press,
    ) -> CheckinResult:
        """A wellbeing score; the message moves on to the next question."""
        language = subscriber.language
        parsed = parse_wellbeing_option(press.option_id)
        if parsed is None or parsed[0] not in library.wellbeing:
            return CheckinResult(CheckinStatus.UNKNOWN_OPTION, language)
        question_id, score = parsed
        answers = AnswerRepository(session)
        scores = await answers.scores_for_delivery(delivery.id)
        previous = scores.get(question_id)
        scores[question_id] = score
        label = library.text(library.wellbeing[question_id].labels[score], language)
        message = render_wellbeing(library, language, scores)
        if previous == score:
            return CheckinResult(CheckinStatus.UNCHANGED, language, label, message)
        answers.add(
            Answer(
                delivery_id=delivery.id,
                subscriber_id=subscriber.id,
                option_id=press.option_id,
                outcome=SCORE_OUTCOME,
                question_id=question_id,
                score=score,
                answered_at=press.at,
            )
        )
        # The delivery counts as answered from its first score on (silence is over).
        delivery.outcome = SCORE_OUTCOME
        self._replied(subscriber, press.at)
        status = CheckinStatus.RECORDED if previous is None else CheckinStatus.CHANGED
        return CheckinResult(status, language, label, message)

    async def _plan_again(
        self, session: AsyncSession, subscriber: Subscriber, delivery: Delivery, now: datetime
    ) -> time | None:
        """Queue the tip again after the "later" delay, within the subscriber's rules."""
        if subscriber.status is not SubscriberStatus.ACTIVE or delivery.tip_id is None:
            return None
        deliveries = DeliveryRepository(session)
        used = await deliveries.day_counts([subscriber.id], since=delivery.local_date)
        if used.get((subscriber.id, delivery.local_date), 0) >= self._policy.budget_of(subscriber):
            return None
        schedule = self._policy.schedule_of(subscriber)
        pending = (await deliveries.latest_pending([subscriber.id])).get(subscriber.id)
        last = max((t for t in (subscriber.last_message_at, pending) if t), default=None)
        due_at = earliest_send(
            now + self._policy.later_delay, schedule, last, self._policy.gap_of(subscriber)
        )
        planned = await deliveries.plan(
            subscriber_id=subscriber.id,
            local_date=delivery.local_date,
            slot=f"later-{delivery.id}",
            kind=DeliveryKind.TIP,
            tip_id=delivery.tip_id,
            due_at=due_at,
            now=now,
        )
        return due_at.astimezone(schedule.zone).time() if planned else None
