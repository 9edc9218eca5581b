"""Use cases; each public method owns exactly one database transaction."""

from nudgebot.services.checkin_results import CheckinResult, CheckinStatus, Press
from nudgebot.services.checkins import CheckinService, ReplyResult
from nudgebot.services.pauses import PauseOutcome, PauseResult, PauseService
from nudgebot.services.subscriptions import (
    Joined,
    JoinKind,
    SubscriptionDefaults,
    SubscriptionService,
)

__all__ = [
    "CheckinResult",
    "CheckinService",
    "CheckinStatus",
    "JoinKind",
    "Joined",
    "PauseOutcome",
    "PauseResult",
    "PauseService",
    "Press",
    "ReplyResult",
    "SubscriptionDefaults",
    "SubscriptionService",
]
