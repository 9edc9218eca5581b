"""Inline keyboards."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from nudgebot.bot.callback_data import PREVIEW_DATA, encode_checkin
from nudgebot.content import Button

BUTTONS_PER_ROW = 3


def checkin_keyboard(delivery_id: int, buttons: Sequence[Button]) -> InlineKeyboardMarkup:
    """A tip's check-in buttons, three to a row so labels stay readable on a phone."""
    return _rows(
        [
            InlineKeyboardButton(
                button.label, callback_data=encode_checkin(delivery_id, button.option_id)
            )
            for button in buttons
        ]
    )


def preview_keyboard(buttons: Sequence[Button]) -> InlineKeyboardMarkup:
    """The same buttons for an admin's preview, answering that nothing is recorded."""
    return _rows([InlineKeyboardButton(b.label, callback_data=PREVIEW_DATA) for b in buttons])


def _rows(keys: list[InlineKeyboardButton]) -> InlineKeyboardMarkup:
    rows = [
        keys[start : start + BUTTONS_PER_ROW] for start in range(0, len(keys), BUTTONS_PER_ROW)
    ]
    return InlineKeyboardMarkup(rows)
