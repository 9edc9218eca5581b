"""Small hand-built libraries and subscriber views, so each test shows the facts it rests on."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from nudgebot.adaptation.crowd import CrowdModel
from nudgebot.adaptation.learner import LearnerView, TipRecord, TopicRecord, WellbeingScore
from nudgebot.content import ContentLibrary, Tip, Topic
from nudgebot.content.localized import LocalizedText
from nudgebot.content.schema import (
    Checkin,
    CheckinOption,
    LowScoreResponse,
    Outcome,
    TimeOfDay,
    WellbeingQuestion,
)

TODAY = date(2026, 6, 10)
# A crowd that knows nothing yet: every topic starts at Beta(1, 1).
NO_CROWD = CrowdModel.uninformed()
LABELS: dict[int, LocalizedText] = {score: f"score {score}" for score in range(1, 6)}
# The shipped library's responses to low scores, restated so tests do not depend on its YAML.
WELLBEING = {
    "mood": LowScoreResponse(at_most=2, days=3, raise_topics=["breathing", "stress"]),
    "gut_comfort": LowScoreResponse(at_most=2, days=4, avoid_tags=["high-fodmap"]),
    "sleep_quality": LowScoreResponse(at_most=2, days=3, raise_topics=["sleep"]),
}


def tip(tip_id: str, topic: str, **fields: Any) -> Tip:
    """A tip of difficulty 1 for any time of day, unless `fields` say otherwise."""
    defaults: dict[str, Any] = {
        "title": f"{tip_id} title",
        "text": f"{tip_id} text",
        "action": f"{tip_id} action",
        "why": f"{tip_id} why",
        "difficulty": 1,
        "sources": ["A source"],
    }
    return Tip(id=tip_id, topic=topic, **(defaults | fields))


def library(*tips: Tip) -> ContentLibrary:
    """A library of `tips`, its topics those the tips name, with the three wellbeing questions."""
    topic_ids = dict.fromkeys(t.topic for t in tips)
    return ContentLibrary(
        default_language="en",
        topics={
            topic_id: Topic(id=topic_id, title=topic_id, emoji="*", description=topic_id)
            for topic_id in topic_ids
        },
        tips={t.id: t for t in tips},
        tip_checkin=Checkin(
            question="Did you try it?",
            options=[
                CheckinOption(id=outcome.value, label=outcome.value, outcome=outcome)
                for outcome in Outcome
            ],
        ),
        wellbeing={
            question_id: WellbeingQuestion(
                id=question_id, question=question_id, labels=LABELS, when_low=response
            )
            for question_id, response in WELLBEING.items()
        },
        ui={},
    )


def topics_library(tips_per_topic: int, *topic_ids: str) -> ContentLibrary:
    """A library of `tips_per_topic` plain tips in each of `topic_ids`, with no cooldown."""
    return library(
        *(
            tip(f"{topic_id}-{n}", topic_id, cooldown_days=0)
            for topic_id in topic_ids
            for n in range(tips_per_topic)
        )
    )


def view(**fields: Any) -> LearnerView:
    """A subscriber on TODAY in the morning slot with no history, unless `fields` say otherwise."""
    defaults: dict[str, Any] = {"today": TODAY, "time_of_day": TimeOfDay.MORNING}
    return LearnerView(**(defaults | fields))


def days_ago(days: int) -> date:
    """The date `days` before TODAY."""
    return TODAY - timedelta(days=days)


def sent(days: int, *, done_days: int | None = None, not_for_me: bool = False) -> TipRecord:
    """A tip sent once `days` ago, done `done_days` ago if given."""
    return TipRecord(
        times_sent=1,
        times_done=0 if done_days is None else 1,
        last_sent=days_ago(days),
        last_done=None if done_days is None else days_ago(done_days),
        not_for_me=not_for_me,
    )


def scored(question_id: str, score: int, days: int) -> WellbeingScore:
    """A wellbeing answer given `days` before TODAY."""
    return WellbeingScore(question_id=question_id, day=days_ago(days), score=score)


def next_day_after(subscriber: LearnerView, sent_tip: Tip, *, did_it: bool) -> LearnerView:
    """The view a day later, after `sent_tip` was sent and answered "did it" or "later"."""
    today = subscriber.today
    old_tip = subscriber.tips.get(sent_tip.id)
    old_topic = subscriber.topics.get(sent_tip.topic, TopicRecord())
    tip_record = TipRecord(
        times_sent=(old_tip.times_sent if old_tip else 0) + 1,
        times_done=(old_tip.times_done if old_tip else 0) + did_it,
        last_sent=today,
        last_done=today if did_it else (old_tip.last_done if old_tip else None),
    )
    topic_record = TopicRecord(
        successes=old_topic.successes + did_it,
        failures=old_topic.failures + (not did_it),
        last_sent=today,
        done_streak=old_topic.done_streak + 1 if did_it else 0,
    )
    return replace(
        subscriber,
        today=today + timedelta(days=1),
        tips={**subscriber.tips, sent_tip.id: tip_record},
        topics={**subscriber.topics, sent_tip.topic: topic_record},
    )
