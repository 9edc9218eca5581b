"""Recording button presses in bulk: everything a batch needs is read in a few queries, the
presses are applied in order in memory, and the rows are written together.

One press from the bot is a batch of one; the simulation records thousands at once through the
same code, so what it measures is what the bot does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from nudgebot.adaptation.eligibility import avoided_tags
from nudgebot.adaptation.evidence import evidence_change
from nudgebot.adaptation.learner import WellbeingScore
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
from nudgebot.db.models import Answer, Delivery, DeliveryKind, Subscriber, SubscriberStatus
from nudgebot.db.repositories import (
    AnswerRepository,
    DeliveryRepository,
    NewAnswer,
    SubscriberRepository,
    TopicChange,
    TopicStatsRepository,
)
from nudgebot.delivery.learning import unsent_evidence
from nudgebot.delivery.policy import DeliveryPolicy
from nudgebot.scheduling import next_slot, subscriber_day
from nudgebot.services.checkin_results import (
    SCORE_OUTCOME,
    CheckinResult,
    CheckinStatus,
    Press,
)
from nudgebot.services.pauses import end_pause
from nudgebot.services.resends import PutOff, Resends


@dataclass
class _Known:
    """What the batch knows, kept current as its presses are applied in order."""

    subscribers: dict[int, Subscriber]
    deliveries: dict[int, Delivery]
    # The current option pressed under each tip delivery.
    options: dict[int, str]
    # The current score per question of each wellbeing check-in.
    scores: dict[int, dict[str, int]]
    # The "did it" run per (subscriber, topic).
    streaks: dict[tuple[int, str], int]
    answers: list[NewAnswer] = field(default_factory=list)
    changes: list[TopicChange] = field(default_factory=list)
    # Tips put off with "Later" and then answered otherwise: their re-send is called off.
    called_off: list[int] = field(default_factory=list)
    # Per set of tags a new low score rules out, the subscribers who gave one.
    ruled_out: dict[frozenset[str], set[int]] = field(default_factory=dict)


class PressRecorder:
    """Applies presses inside the caller's transaction."""

    def __init__(self, policy: DeliveryPolicy) -> None:
        self._policy = policy
        self._resends = Resends(policy)

    async def record(
        self, session: AsyncSession, library: ContentLibrary, presses: Sequence[Press]
    ) -> list[CheckinResult]:
        """Record `presses` in order; one result per press."""
        known = await self._load(session, library, presses)
        applied = [self._apply(library, known, press) for press in presses]
        put_off = [
            PutOff(press, known.subscribers[press.chat_id], known.deliveries[press.delivery_id])
            for press, (_, later) in zip(presses, applied, strict=True)
            if later
        ]
        again, evidence = await self._resends.plan(session, library, put_off)
        known.changes += evidence
        known.changes += await self._resends.call_off(
            session, library, [known.deliveries[i] for i in known.called_off]
        )
        known.changes += await _skip_ruled_out(session, library, known.ruled_out)
        await AnswerRepository(session).insert_many(known.answers)
        await TopicStatsRepository(session).change_topics(known.changes)
        return [
            replace(result, again_at=again.get(press.delivery_id)) if later else result
            for press, (result, later) in zip(presses, applied, strict=True)
        ]

    def wake(self, library: ContentLibrary, subscriber: Subscriber, now: datetime) -> bool:
        """Note a reply; wake a subscriber the bot paused for silence. True if it did."""
        subscriber.last_reply_at = now
        subscriber.updated_at = now
        if subscriber.status is not SubscriberStatus.DORMANT:
            return False
        subscriber.status = SubscriberStatus.ACTIVE
        subscriber.next_due_at = next_slot(now, self._policy.schedule_of(subscriber, library)).at
        return True

    def _resume(
        self, library: ContentLibrary, subscriber: Subscriber, now: datetime
    ) -> CheckinStatus:
        """The "Resume" button under the silence notice, whenever it is pressed: it wakes the
        bot's pause, ends one the subscriber asked for since (as /resume does), and says so
        rather than welcome back someone who stopped."""
        if self.wake(library, subscriber, now):
            return CheckinStatus.RESUMED
        if subscriber.status is SubscriberStatus.PAUSED:
            end_pause(subscriber, self._policy, now)
            return CheckinStatus.RESUMED
        if subscriber.status is SubscriberStatus.ACTIVE:
            return CheckinStatus.NOT_PAUSED
        return CheckinStatus.NOT_SUBSCRIBED

    async def _load(
        self, session: AsyncSession, library: ContentLibrary, presses: Sequence[Press]
    ) -> _Known:
        subscribers = await SubscriberRepository(session).by_chat_ids(
            {press.chat_id for press in presses}
        )
        delivery_ids = {press.delivery_id for press in presses}
        # Locked before their answers are read: a second press of the same message being
        # recorded at the same time waits, then reads this one's answer as the old one, so
        # a double tap is counted once.
        deliveries = await DeliveryRepository(session).many(delivery_ids, lock=True)
        options: dict[int, str] = {}
        scores: dict[int, dict[str, int]] = {}
        query = (
            select(Answer.delivery_id, Answer.option_id, Answer.question_id, Answer.score)
            .where(Answer.delivery_id.in_(list(deliveries)))
            .order_by(Answer.answered_at, Answer.id)
        )
        # Later rows win: each is the answer as it stood after that press.
        for delivery_id, option_id, question_id, score in await session.execute(query):
            if question_id is not None and score is not None:
                scores.setdefault(delivery_id, {})[question_id] = score
            else:
                options[delivery_id] = option_id
        streaks = await TopicStatsRepository(session).done_streaks(
            (delivery.subscriber_id, tip.topic)
            for delivery in deliveries.values()
            if delivery.tip_id is not None and (tip := library.tips.get(delivery.tip_id))
        )
        return _Known(subscribers, deliveries, options, scores, streaks)

    def _apply(
        self, library: ContentLibrary, known: _Known, press: Press
    ) -> tuple[CheckinResult, bool]:
        """The press's result, and whether a "Later" re-send is to be planned for it."""
        delivery = known.deliveries.get(press.delivery_id)
        if delivery is None:
            return CheckinResult(CheckinStatus.UNKNOWN_DELIVERY), False
        subscriber = known.subscribers.get(press.chat_id)
        if subscriber is None or delivery.subscriber_id != subscriber.id:
            return CheckinResult(CheckinStatus.NOT_YOURS), False
        if delivery.kind is DeliveryKind.WELLBEING:
            return self._score(library, known, subscriber, delivery, press), False
        if delivery.kind is DeliveryKind.DORMANT_NOTICE:
            if press.option_id != RESUME_OPTION:
                return CheckinResult(CheckinStatus.UNKNOWN_OPTION, subscriber.language), False
            return CheckinResult(
                self._resume(library, subscriber, press.at), subscriber.language
            ), False
        return self._answer_tip(library, known, subscriber, delivery, press)

    def _answer_tip(
        self,
        library: ContentLibrary,
        known: _Known,
        subscriber: Subscriber,
        delivery: Delivery,
        press: Press,
    ) -> tuple[CheckinResult, bool]:
        language = subscriber.language
        tip = library.tips.get(delivery.tip_id) if delivery.tip_id else None
        if tip is None:
            return CheckinResult(CheckinStatus.UNKNOWN_DELIVERY, language), False
        option = next(
            (o for o in library.checkin_for(tip).options if o.id == press.option_id), None
        )
        if option is None:
            return CheckinResult(CheckinStatus.UNKNOWN_OPTION, language), False
        previous = known.options.get(delivery.id)
        choice = library.text(option.label, language)
        message: RenderedTip = render_tip(library, tip, language, chosen_option=option.id)
        if previous == option.id:
            return CheckinResult(CheckinStatus.UNCHANGED, language, choice, message), False
        checkin = library.checkin_for(tip)
        was = next((o.outcome for o in checkin.options if o.id == previous), None)
        if was is Outcome.LATER and option.outcome is not Outcome.LATER:
            known.called_off.append(delivery.id)
        known.options[delivery.id] = option.id
        known.answers.append(
            NewAnswer(
                delivery_id=delivery.id,
                subscriber_id=subscriber.id,
                option_id=option.id,
                outcome=option.outcome.value,
                answered_at=press.at,
            )
        )
        self._learn(known, subscriber, delivery, tip.topic, option.outcome)
        self.wake(library, subscriber, press.at)
        status = CheckinStatus.RECORDED if previous is None else CheckinStatus.CHANGED
        # "Later" as the first answer re-sends the tip (planned by the caller: it needs I/O).
        plan_again = option.outcome is Outcome.LATER and previous is None
        return CheckinResult(status, language, choice, message), plan_again

    @staticmethod
    def _learn(
        known: _Known, subscriber: Subscriber, delivery: Delivery, topic: str, outcome: Outcome
    ) -> None:
        """Move the delivery's current outcome and the topic's kept counts to the new answer."""
        old = Outcome(delivery.outcome) if delivery.outcome else None
        delivery.outcome = outcome.value
        key = (subscriber.id, topic)
        change = evidence_change(old, outcome, known.streaks.get(key, 0))
        if change.done_streak is not None:
            known.streaks[key] = change.done_streak
        known.changes.append(
            TopicChange(
                subscriber.id,
                topic,
                successes=change.successes,
                failures=change.failures,
                done_streak=change.done_streak,
            )
        )

    def _score(
        self,
        library: ContentLibrary,
        known: _Known,
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
        scores = known.scores.setdefault(delivery.id, {})
        previous = scores.get(question_id)
        scores[question_id] = score
        label = library.text(library.wellbeing[question_id].labels[score], language)
        message: RenderedWellbeing = render_wellbeing(library, language, scores)
        if previous == score:
            return CheckinResult(CheckinStatus.UNCHANGED, language, label, message)
        known.answers.append(
            NewAnswer(
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
        # A score still in force today (not one for a check-in answered days late) rules out
        # the tags it names for the tips already queued, as for the tips chosen from now on.
        today = subscriber_day(press.at, self._policy.schedule_of(subscriber))
        given = WellbeingScore(question_id, delivery.local_date, score)
        if avoided := avoided_tags(library, [given], today):
            known.ruled_out.setdefault(avoided, set()).add(subscriber.id)
        self.wake(library, subscriber, press.at)
        status = CheckinStatus.RECORDED if previous is None else CheckinStatus.CHANGED
        return CheckinResult(status, language, label, message)


async def _skip_ruled_out(
    session: AsyncSession, library: ContentLibrary, ruled_out: dict[frozenset[str], set[int]]
) -> list[TopicChange]:
    """Skip the tips already queued (a "Later" re-send, tomorrow's early nudge) that a new low
    score rules out; the changes taking back their evidence. One statement per set of tags, so
    a batch of many check-ins costs a statement or two, not one per low score."""
    changes: list[TopicChange] = []
    for tags, subscriber_ids in ruled_out.items():
        tip_ids = [tip.id for tip in library.tips.values() if not tags.isdisjoint(tip.tags)]
        skipped = await DeliveryRepository(session).skip_planned_tips(
            subscriber_ids, tip_ids, "ruled out by a low wellbeing score"
        )
        changes += unsent_evidence(library, skipped)
    return changes
