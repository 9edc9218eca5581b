"""Inline keyboards: check-in buttons under a tip, and the inert ones under a preview."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from nudgebot.bot.callback_data import PREVIEW_DATA, encode_checkin
from nudgebot.content import Button

# Three to a row keeps labels readable on a phone.
BUTTONS_PER_ROW = 3
ApiRows = list[list[dict[str, str]]]


def _rows(buttons: Sequence[Button], data: Sequence[str]) -> ApiRows:
    keys = [
        {"text": button.label, "callback_data": value}
        for button, value in zip(buttons, data, strict=True)
    ]
    return [
        keys[start : start + BUTTONS_PER_ROW] for start in range(0, len(keys), BUTTONS_PER_ROW)
    ]


def checkin_rows(delivery_id: int, buttons: Sequence[Button]) -> ApiRows:
    """A tip's check-in buttons as Bot API `inline_keyboard` rows."""
    return _rows(buttons, [encode_checkin(delivery_id, button.option_id) for button in buttons])


def _markup(rows: ApiRows) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [InlineKeyboardButton(key["text"], callback_data=key["callback_data"]) for key in row]
            for row in rows
        ]
    )


def checkin_keyboard(delivery_id: int, buttons: Sequence[Button]) -> InlineKeyboardMarkup:
    """A tip's check-in buttons as a PTB keyboard (for edits)."""
    return _markup(checkin_rows(delivery_id, buttons))


def preview_keyboard(buttons: Sequence[Button]) -> InlineKeyboardMarkup:
    """The same buttons for an admin's preview, answering that nothing is recorded."""
    return _markup(_rows(buttons, [PREVIEW_DATA] * len(buttons)))
