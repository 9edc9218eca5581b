"""What a Telegram error means for a delivery."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import Enum, auto

from telegram.error import (
    BadRequest,
    ChatMigrated,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)


class FailureKind(Enum):
    """How the outbox reacts to a failed send."""

    RECIPIENT_GONE = auto()  # blocked, deactivated, chat not found: stop sending to them
    CHAT_MOVED = auto()  # the chat has a new id: store it and send again
    RATE_LIMITED = auto()  # Telegram asked us to wait: send again after retry_after
    MAYBE_SENT = auto()  # timed out: it may have arrived, so never send it again
    BAD_CONTENT = auto()  # Telegram refused the text itself: the tip is broken
    RETRYABLE = auto()  # network trouble or a 5xx: try again with backoff
    PERMANENT = auto()  # any other refusal: give up on this delivery


@dataclass(frozen=True)
class SendFailure:
    """A classified Telegram error."""

    kind: FailureKind
    reason: str
    retry_after: timedelta | None = None
    new_chat_id: int | None = None


def classify(error: TelegramError) -> SendFailure:
    """Map a python-telegram-bot exception to what the outbox should do.

    Order matters: BadRequest and TimedOut are subclasses of NetworkError, so they are checked
    before it.
    """
    kind = type(error).__name__
    # Telegram's 403 descriptions already start with "Forbidden:"; don't say it twice.
    reason = error.message if error.message.startswith(kind) else f"{kind}: {error.message}"
    description = error.message.lower()
    if isinstance(error, ChatMigrated):
        return SendFailure(FailureKind.CHAT_MOVED, reason, new_chat_id=error.new_chat_id)
    if isinstance(error, RetryAfter):
        seconds = error._retry_after
        wait = seconds if isinstance(seconds, timedelta) else timedelta(seconds=seconds)
        return SendFailure(FailureKind.RATE_LIMITED, reason, retry_after=wait)
    if isinstance(error, Forbidden):
        return SendFailure(FailureKind.RECIPIENT_GONE, reason)
    if isinstance(error, TimedOut):
        # PTB raises TimedOut also when its own connection pool is full; that request never
        # left the process, so it is safe to try again.
        if "pool timeout" in description:
            return SendFailure(FailureKind.RETRYABLE, reason)
        return SendFailure(FailureKind.MAYBE_SENT, reason)
    if isinstance(error, BadRequest):
        if "chat not found" in description or "user not found" in description:
            return SendFailure(FailureKind.RECIPIENT_GONE, reason)
        if "can't parse entities" in description:
            return SendFailure(FailureKind.BAD_CONTENT, reason)
        return SendFailure(FailureKind.PERMANENT, reason)
    if isinstance(error, NetworkError):
        return SendFailure(FailureKind.RETRYABLE, reason)
    return SendFailure(FailureKind.PERMANENT, reason)
