"""Queries, one repository per table. Repositories never commit: services own transactions."""

from nudgebot.db.repositories.answers import AnswerRepository, NewAnswer
from nudgebot.db.repositories.broken_tips import BrokenTipRepository
from nudgebot.db.repositories.deliveries import (
    ClaimedDelivery,
    DeliveryRepository,
    Finished,
    Planned,
)
from nudgebot.db.repositories.learning import (
    LearningRepository,
    ScoreRow,
    TipHistoryRow,
    TopicChange,
    TopicStatsRow,
)
from nudgebot.db.repositories.personal_data import PersonalDataRepository, PersonalRows
from nudgebot.db.repositories.subscribers import SubscriberRepository

__all__ = [
    "AnswerRepository",
    "BrokenTipRepository",
    "ClaimedDelivery",
    "DeliveryRepository",
    "Finished",
    "LearningRepository",
    "NewAnswer",
    "PersonalDataRepository",
    "PersonalRows",
    "Planned",
    "ScoreRow",
    "SubscriberRepository",
    "TipHistoryRow",
    "TopicChange",
    "TopicStatsRow",
]
