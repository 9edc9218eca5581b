"""Callback queries (button presses) the bot still has to answer."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from nudgebot.sandbox.errors import bad_request

MAX_ANSWER_TEXT = 200
_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


@dataclass
class CallbackQuery:
    """One press of an inline button."""

    query_id: str
    user_id: int
    message_id: int
    data: str
    answered: bool = False


class CallbackQueries:
    """Presses by id; each can be answered once. Ids keep increasing across resets."""

    def __init__(self) -> None:
        self._queries: dict[str, CallbackQuery] = {}
        self._numbers = itertools.count(1)

    def open(self, user_id: int, message_id: int, data: str) -> CallbackQuery:
        """Record a new press and give it an id."""
        query = CallbackQuery(f"{next(self._numbers):016d}", user_id, message_id, data)
        self._queries[query.query_id] = query
        return query

    def answer(self, query_id: str, text: str | None) -> CallbackQuery:
        """Mark a press answered; refuses unknown, already answered and over-long answers."""
        query = self._queries.get(query_id)
        if query is None or query.answered:
            raise bad_request(_TOO_OLD)
        if text is not None and len(text) > MAX_ANSWER_TEXT:
            raise bad_request("MESSAGE_TOO_LONG")
        query.answered = True
        return query

    def clear(self) -> None:
        """Forget every press."""
        self._queries.clear()
