"""Persistence: models, engine and session factory, repositories, migrations."""

from nudgebot.db.engine import create_engine, create_session_factory, reading
from nudgebot.db.models import (
    Answer,
    Base,
    BrokenTip,
    Delivery,
    DeliveryKind,
    DeliveryState,
    SendRate,
    Subscriber,
    SubscriberStatus,
)

__all__ = [
    "Answer",
    "Base",
    "BrokenTip",
    "Delivery",
    "DeliveryKind",
    "DeliveryState",
    "SendRate",
    "Subscriber",
    "SubscriberStatus",
    "create_engine",
    "create_session_factory",
    "reading",
]
