"""What each Telegram error means for a delivery."""

from __future__ import annotations

from datetime import timedelta

import pytest
from telegram.error import (
    BadRequest,
    ChatMigrated,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from nudgebot.delivery import FailureKind, classify


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        pytest.param(
            Forbidden("Forbidden: bot was blocked by the user"),
            FailureKind.RECIPIENT_GONE,
            id="blocked",
        ),
        pytest.param(
            Forbidden("Forbidden: user is deactivated"),
            FailureKind.RECIPIENT_GONE,
            id="deactivated",
        ),
        pytest.param(
            BadRequest("Bad Request: chat not found"),
            FailureKind.RECIPIENT_GONE,
            id="chat-not-found",
        ),
        pytest.param(ChatMigrated(-100123), FailureKind.CHAT_MOVED, id="migrated"),
        pytest.param(RetryAfter(7), FailureKind.RATE_LIMITED, id="flood"),
        pytest.param(TimedOut("Timed out"), FailureKind.MAYBE_SENT, id="timeout-maybe-sent"),
        pytest.param(
            TimedOut("Pool timeout: All connections in the connection pool are occupied."),
            FailureKind.RETRYABLE,
            id="pool-timeout-never-sent",
        ),
        pytest.param(
            BadRequest(
                "Bad Request: can't parse entities: Unsupported start tag at byte offset 3"
            ),
            FailureKind.BAD_CONTENT,
            id="bad-html",
        ),
        pytest.param(
            BadRequest("Bad Request: message is too long"), FailureKind.PERMANENT, id="other-400"
        ),
        pytest.param(NetworkError("Bad Gateway (502)"), FailureKind.RETRYABLE, id="5xx"),
        pytest.param(InvalidToken(), FailureKind.PERMANENT, id="invalid-token"),
        pytest.param(Conflict("Conflict"), FailureKind.PERMANENT, id="conflict"),
    ],
)
def test_each_error_gets_its_reaction(error: TelegramError, kind: FailureKind) -> None:
    """Blocked users stop, floods and network trouble retry, timeouts are never resent."""
    assert classify(error).kind is kind


def test_flood_wait_and_new_chat_id_are_carried() -> None:
    """A 429's wait and a migration's new chat id reach the outbox."""
    assert classify(RetryAfter(7)).retry_after == timedelta(seconds=7)
    assert classify(ChatMigrated(-100123)).new_chat_id == -100123


def test_reason_does_not_repeat_the_error_kind() -> None:
    """Telegram's 403 text already names the kind; the stored reason says it once."""
    assert classify(Forbidden("Forbidden: bot was blocked by the user")).reason == (
        "Forbidden: bot was blocked by the user"
    )
