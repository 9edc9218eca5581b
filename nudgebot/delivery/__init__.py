"""The outbox: planning deliveries, claiming due ones, sending them and recording outcomes."""

from nudgebot.delivery.dispatcher import Dispatcher, DispatcherSettings, TickReport
from nudgebot.delivery.errors import FailureKind, SendFailure, classify
from nudgebot.delivery.policy import DeliveryPolicy
from nudgebot.delivery.transport import BrokenTipAlert, OutboxSender

__all__ = [
    "BrokenTipAlert",
    "DeliveryPolicy",
    "Dispatcher",
    "DispatcherSettings",
    "FailureKind",
    "OutboxSender",
    "SendFailure",
    "TickReport",
    "classify",
]
