"""Recording check-in answers from the buttons under a tip."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum, auto

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nudgebot.content.rendering import RenderedTip, render_tip
from nudgebot.content.store import ContentStore
from nudgebot.db.models import Answer
from nudgebot.db.repositories import AnswerRepository, DeliveryRepository, SubscriberRepository


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


class CheckinService:
    """Check-in answers; each call is one transaction."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], content: ContentStore) -> None:
        self._sessions = sessions
        self._content = content

    async def answer(
        self, chat_id: int, delivery_id: int, option_id: str, now: datetime
    ) -> CheckinResult:
        """Record that `chat_id` pressed `option_id` under delivery `delivery_id`.

        A press is accepted only from the chat the delivery went to and only with an option the
        tip offers; pressing the same option twice records nothing new, another option adds a
        row (the latest row is the answer, earlier rows are its history).
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
            tip = library.tips.get(delivery.tip_id)
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
            return CheckinResult(status, language, choice, message)
