"""Queries, one repository per table (the outbox's claimed rows apart: `LeaseRepository`).
Repositories never commit: services own transactions."""

from nudgebot.db.repositories.answers import AnswerRepository, NewAnswer
from nudgebot.db.repositories.broken_tips import BrokenTipRepository
from nudgebot.db.repositories.deliveries import DeliveryRepository, Planned
from nudgebot.db.repositories.learning import LearningRepository, ScoreRow, TipHistoryRow
from nudgebot.db.repositories.leases import ClaimedDelivery, Finished, LeaseRepository
from nudgebot.db.repositories.personal_data import PersonalDataRepository, PersonalRows
from nudgebot.db.repositories.subscribers import SubscriberRepository
from nudgebot.db.repositories.topic_stats import TopicChange, TopicStatsRepository, TopicStatsRow

__all__ = [
    "AnswerRepository",
    "BrokenTipRepository",
    "ClaimedDelivery",
    "DeliveryRepository",
    "Finished",
    "LearningRepository",
    "LeaseRepository",
    "NewAnswer",
    "PersonalDataRepository",
    "PersonalRows",
    "Planned",
    "ScoreRow",
    "SubscriberRepository",
    "TipHistoryRow",
    "TopicChange",
    "TopicStatsRepository",
    "TopicStatsRow",
]
