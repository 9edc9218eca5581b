"""Recording check-in answers from the buttons under a tip."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from enum import Enum, auto

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nudgebot.content.rendering import RenderedTip, render_tip
from nudgebot.content.schema import Outcome
from nudgebot.content.store import ContentStore
from nudgebot.db.models import Answer, Delivery, DeliveryKind, Subscriber, SubscriberStatus
from nudgebot.db.repositories import AnswerRepository, DeliveryRepository, SubscriberRepository
from nudgebot.delivery.policy import DeliveryPolicy
from nudgebot.scheduling import earliest_send


class CheckinStatus(Enum):
    """What happened to a button press."""

    RECORDED = auto()
    CHANGED = auto()
    UNCHANGED = auto()
    UNKNOWN_DELIVERY = auto()  # deleted, never existed, or its tip was retired
    NOT_YOURS = auto()
    UNKNOWN_OPTION = auto()


@dataclass(frozen=True)
class CheckinResult:
    """The outcome of a press, and (when accepted) the tip re-rendered to show the answer."""

    status: CheckinStatus
    language: str | None = None
    choice: str | None = None
    message: RenderedTip | None = None
    # For "Later": when the tip comes back, in the subscriber's local time (None: it won't).
    again_at: time | None = None


class CheckinService:
    """Check-in answers; each call is one transaction."""

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
        tip offers; pressing the same option twice records nothing new, another option adds a
        row (the latest row is the answer, earlier rows are its history). "Later" also plans
        the tip again, if the day's budget allows.
        """
        library = self._content.library
        async with self._sessions.begin() as session:
            subscriber = await SubscriberRepository(session).by_chat_id(chat_id)
            delivery = await DeliveryRepository(session).get(delivery_id)
            if delivery is None:
                return CheckinResult(CheckinStatus.UNKNOWN_DELIVERY)
            if subscriber is None or delivery.subscriber_id != subscriber.id:
                return CheckinResult(CheckinStatus.NOT_YOURS)
            language = subscriber.language
            tip = library.tips.get(delivery.tip_id) if delivery.tip_id else None
            if tip is None:
                return CheckinResult(CheckinStatus.UNKNOWN_DELIVERY, language)
            option = next((o for o in library.checkin_for(tip).options if o.id == option_id), None)
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
                    answered_at=now,
                )
            )
            status = CheckinStatus.RECORDED if previous is None else CheckinStatus.CHANGED
            again_at = None
            if option.outcome is Outcome.LATER:
                again_at = await self._plan_again(session, subscriber, delivery, now)
            return CheckinResult(status, language, choice, message, again_at)

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
