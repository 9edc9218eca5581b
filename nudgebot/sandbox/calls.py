"""The record of every Bot API call, for tests and scripts to read back."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Call:
    """One Bot API request and how the sandbox answered it."""

    seq: int
    at: float
    method: str
    params: dict[str, Any]
    status: int | None
    description: str | None

    def to_json(self) -> dict[str, Any]:
        """The call as `GET /sandbox/calls` shows it."""
        return {
            "seq": self.seq,
            "at": self.at,
            "method": self.method,
            "params": self.params,
            "status": self.status,
            "description": self.description,
        }


class CallLog:
    """Calls in the order they were answered.

    A call gets its `seq` when it is answered, not when it arrives, so a reader that
    remembers the last seq it saw never misses a long poll that ended later; `at` is
    when the request arrived. `status` is None for a request that was never answered
    (an injected timeout or dropped connection).
    """

    def __init__(self) -> None:
        self._calls: list[Call] = []
        self._numbers = itertools.count(1)

    def record(
        self,
        *,
        at: float,
        method: str,
        params: dict[str, Any],
        status: int | None,
        description: str | None,
    ) -> Call:
        """Append one call and return it."""
        call = Call(next(self._numbers), at, method, params, status, description)
        self._calls.append(call)
        return call

    def since(self, seq: int) -> list[Call]:
        """Calls with a seq above `seq`, oldest first."""
        return [call for call in self._calls if call.seq > seq]

    def clear(self) -> None:
        """Forget every call; seq numbers keep increasing."""
        self._calls.clear()
