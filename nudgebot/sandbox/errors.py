"""Bot API refusals: an HTTP status and Telegram's description, raised by method handlers."""

from __future__ import annotations

from typing import Any


class BotApiError(Exception):
    """A request Telegram would refuse; the handler turns it into an `ok: false` answer."""

    def __init__(self, status: int, description: str, *, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def body(self) -> dict[str, Any]:
        """The JSON envelope Telegram sends for this refusal."""
        body: dict[str, Any] = {
            "ok": False,
            "error_code": self.status,
            "description": self.description,
        }
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


def bad_request(reason: str) -> BotApiError:
    """A 400 with Telegram's `Bad Request: ` prefix."""
    return BotApiError(400, f"Bad Request: {reason}")


def forbidden(reason: str) -> BotApiError:
    """A 403 with Telegram's `Forbidden: ` prefix."""
    return BotApiError(403, f"Forbidden: {reason}")


def too_many_requests(retry_after: int) -> BotApiError:
    """A 429 carrying `parameters.retry_after`, as Telegram's flood control answers."""
    return BotApiError(
        429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after
    )


def not_found() -> BotApiError:
    """Telegram's answer to a method name it does not know."""
    return BotApiError(404, "Not Found: method not found")


def unauthorized() -> BotApiError:
    """Telegram's answer to a token it cannot parse."""
    return BotApiError(401, "Unauthorized")
