"""The outbox: planning deliveries, claiming due ones, sending them and recording outcomes."""

from nudgebot.delivery.dispatcher import Dispatcher, DispatcherSettings, TickReport
from nudgebot.delivery.errors import FailureKind, SendFailure, classify
from nudgebot.delivery.transport import TipSender

__all__ = [
    "Dispatcher",
    "DispatcherSettings",
    "FailureKind",
    "SendFailure",
    "TickReport",
    "TipSender",
    "classify",
]
