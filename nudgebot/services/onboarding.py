"""/start's guided setup: the not-medical-advice note, one question per setting, the first tip.

Nothing is stored until the note is accepted. From then on the subscriber is `onboarding`, with
the question they are at in their row (no `next_due_at`, so the dispatcher leaves them alone);
each answer is one transaction, and the last one makes them active and plans the first tip.
Every question can be skipped: the setting keeps its value (the default for a newcomer,
their old choice for someone coming back).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nudgebot.content.store import ContentStore
from nudgebot.db.models import Subscriber, SubscriberStatus
from nudgebot.db.repositories import SubscriberRepository
from nudgebot.delivery.learning import TipChooser
from nudgebot.delivery.planner import Planner
from nudgebot.delivery.policy import DeliveryPolicy
from nudgebot.services.onboarding_steps import (
    Started,
    StartKind,
    StepAction,
    StepAnswer,
    StepResult,
    StepStatus,
)
from nudgebot.services.questions import Question, Setting
from nudgebot.services.setting_changes import InvalidChangeError, read_typed
from nudgebot.services.settings import apply_change, languages_of, view_of
from nudgebot.services.subscriptions import SubscriptionDefaults

STEPS = (Setting.TIMEZONE, Setting.TIME, Setting.TOPICS, Setting.WELLBEING, Setting.LANGUAGE)
_SETTLED = {SubscriberStatus.ACTIVE, SubscriberStatus.PAUSED}
_GONE = {SubscriberStatus.STOPPED, SubscriberStatus.BLOCKED}


class OnboardingService:
    """The /start conversation and typed answers to the bot's questions; one transaction each."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        content: ContentStore,
        policy: DeliveryPolicy,
        chooser: TipChooser,
        defaults: SubscriptionDefaults,
    ) -> None:
        self._sessions = sessions
        self._content = content
        self._policy = policy
        self._planner = Planner(policy, chooser)
        self._defaults = defaults

    async def start(self, chat_id: int, language: str, now: datetime) -> Started:
        """/start: where this chat stands; only a dormant subscriber is changed (woken up)."""
        library = self._content.library
        async with self._sessions.begin() as session:
            subscriber = await SubscriberRepository(session).by_chat_id(chat_id)
            if subscriber is None:
                return Started(StartKind.NEW, self._supported(language))
            view = view_of(subscriber, library, self._policy, now)
            if subscriber.status in _GONE:
                return Started(StartKind.RETURNING, subscriber.language, view)
            if subscriber.status is SubscriberStatus.ONBOARDING:
                question = Question.decode(subscriber.onboarding_step)
                replaced = question.message_id if question else None
                if view.step is None:  # unreadable: start the questions again
                    self._ask(subscriber, STEPS[0], None)
                    view = view_of(subscriber, library, self._policy, now)
                return Started(StartKind.CONTINUING, subscriber.language, view, replaced)
            subscriber.last_reply_at = now
            if subscriber.status in _SETTLED:
                # A paused subscriber keeps their pause: /resume ends it.
                return Started(StartKind.SETTLED, subscriber.language, view)
            subscriber.status = SubscriberStatus.ACTIVE
            subscriber.updated_at = now
            await self._planner.plan_first_tip(session, library, subscriber, now)
            return Started(StartKind.WOKEN, subscriber.language, view)

    async def accept(
        self, chat_id: int, language: str, message_id: int, now: datetime
    ) -> StepResult:
        """The note is accepted: the first question, shown in `message_id`."""
        library = self._content.library
        async with self._sessions.begin() as session:
            subscribers = SubscriberRepository(session)
            subscriber = await subscribers.by_chat_id(chat_id)
            if subscriber is None:
                subscriber = Subscriber(
                    chat_id=chat_id,
                    language=self._supported(language),
                    timezone=self._defaults.timezone,
                    nudge_times=[self._defaults.nudge_time.strftime("%H:%M")],
                    day_start=time(0, 0),
                    wellbeing_enabled=True,
                    status=SubscriberStatus.ONBOARDING,
                    created_at=now,
                    updated_at=now,
                )
                subscribers.add(subscriber)
            elif subscriber.status in _GONE:
                subscriber.status = SubscriberStatus.ONBOARDING
                subscriber.paused_until = None
                subscriber.next_due_at = None
                subscriber.updated_at = now
            else:
                return StepResult(StepStatus.STALE, subscriber.language)
            self._ask(subscriber, STEPS[0], message_id)
            await session.flush()  # the view names the subscriber's id
            return StepResult(
                StepStatus.ASKING,
                subscriber.language,
                view_of(subscriber, library, self._policy, now),
            )

    async def decline(self, chat_id: int, language: str) -> StepResult:
        """ "Not now": nothing is stored and nothing will be sent (STALE once accepted)."""
        async with self._sessions() as session:
            subscriber = await SubscriberRepository(session).by_chat_id(chat_id)
        if subscriber is None:
            return StepResult(StepStatus.DECLINED, self._supported(language))
        if subscriber.status in _GONE:
            return StepResult(StepStatus.DECLINED, subscriber.language)
        return StepResult(StepStatus.STALE, subscriber.language)

    async def answer(self, chat_id: int, answer: StepAnswer, now: datetime) -> StepResult:
        """A press on a question in message `answer.message_id`.

        Only the current question of this chat's own onboarding, in the message showing it,
        counts: anything else is refused and changes nothing.
        """
        async with self._sessions.begin() as session:
            subscriber = await SubscriberRepository(session).by_chat_id(chat_id)
            if subscriber is None:
                return StepResult(StepStatus.UNKNOWN)
            language = subscriber.language
            if subscriber.id != answer.subscriber_id:
                return StepResult(StepStatus.NOT_YOURS, language)
            if subscriber.status in _GONE:
                return StepResult(StepStatus.UNKNOWN, language)
            question = Question.decode(subscriber.onboarding_step)
            if (
                subscriber.status is not SubscriberStatus.ONBOARDING
                or question is None
                or question.setting is not answer.setting
                or question.message_id not in {None, answer.message_id}
            ):
                return StepResult(StepStatus.STALE, language)
            return await self._advance(session, subscriber, answer, now)

    async def typed(self, chat_id: int, text: str, now: datetime) -> StepResult:
        """Text that may answer the bot's question: a step of onboarding, or a settings question.

        NOT_ASKED when nothing is waiting for a typed answer, so the text is the chat's to use.
        """
        library = self._content.library
        async with self._sessions.begin() as session:
            subscriber = await SubscriberRepository(session).by_chat_id(chat_id)
            if subscriber is None:
                return StepResult(StepStatus.NOT_ASKED)
            question = Question.decode(subscriber.onboarding_step)
            onboarding = subscriber.status is SubscriberStatus.ONBOARDING
            if not onboarding and (
                question is None
                or question.onboarding
                or subscriber.status not in {*_SETTLED, SubscriberStatus.DORMANT}
                or not question.is_open(now)
            ):
                return StepResult(StepStatus.NOT_ASKED, subscriber.language)
            setting = question.setting if question else STEPS[0]
            replaced = question.message_id if question else None
            try:
                change = read_typed(setting, text, now, subscriber.language)
                if onboarding:
                    answer = StepAnswer(subscriber.id, setting, StepAction.CHOOSE, change)
                    result = await self._advance(session, subscriber, answer, now)
                    return replace(result, setting=setting, replaced_message_id=replaced)
                await apply_change(
                    session, subscriber, change, library=library, policy=self._policy, now=now
                )
            except InvalidChangeError as error:
                return StepResult(
                    StepStatus.INVALID,
                    subscriber.language,
                    view_of(subscriber, library, self._policy, now),
                    error.refusal,
                    setting,
                    settings=not onboarding,
                )
            subscriber.onboarding_step = None
            return StepResult(
                StepStatus.ASKING,
                subscriber.language,
                view_of(subscriber, library, self._policy, now),
                setting=setting,
                replaced_message_id=replaced,
                settings=True,
            )

    async def shown(self, chat_id: int, message_id: int) -> None:
        """The current question now shows in `message_id`: presses on older ones are stale."""
        async with self._sessions.begin() as session:
            subscriber = await SubscriberRepository(session).by_chat_id(chat_id)
            if subscriber is None or subscriber.status is not SubscriberStatus.ONBOARDING:
                return
            question = Question.decode(subscriber.onboarding_step)
            if question is not None:
                subscriber.onboarding_step = replace(question, message_id=message_id).encode()

    async def _advance(
        self, session: AsyncSession, subscriber: Subscriber, answer: StepAnswer, now: datetime
    ) -> StepResult:
        library = self._content.library
        setting, action, message_id = answer.setting, answer.action, answer.message_id
        index = STEPS.index(setting)
        if action is StepAction.CHOOSE:
            if answer.change is None:
                raise ValueError("a choice needs a change")
            try:
                await apply_change(
                    session,
                    subscriber,
                    answer.change,
                    library=library,
                    policy=self._policy,
                    now=now,
                )
            except InvalidChangeError as error:
                view = view_of(subscriber, library, self._policy, now)
                return StepResult(StepStatus.INVALID, subscriber.language, view, error.refusal)
        if action is StepAction.BACK:
            self._ask(subscriber, STEPS[max(index - 1, 0)], message_id)
        elif action is StepAction.CHOOSE and setting is Setting.TOPICS:
            pass  # several topics may be chosen: the question stays until Done or Skip
        elif index + 1 < len(STEPS):
            self._ask(subscriber, STEPS[index + 1], message_id)
        else:
            subscriber.status = SubscriberStatus.ACTIVE
            subscriber.onboarding_step = None
            subscriber.updated_at = now
            subscriber.last_reply_at = now
            await self._planner.plan_first_tip(session, library, subscriber, now)
            return StepResult(
                StepStatus.FINISHED,
                subscriber.language,
                view_of(subscriber, library, self._policy, now),
            )
        return StepResult(
            StepStatus.ASKING,
            subscriber.language,
            view_of(subscriber, library, self._policy, now),
        )

    @staticmethod
    def _ask(subscriber: Subscriber, setting: Setting, message_id: int | None) -> None:
        subscriber.onboarding_step = Question(
            setting, onboarding=True, message_id=message_id
        ).encode()

    def _supported(self, language: str) -> str:
        library = self._content.library
        return language if language in languages_of(library) else library.default_language
