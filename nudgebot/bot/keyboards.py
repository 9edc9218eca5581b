"""Inline keyboards."""

from __future__ import annotations

from collections.abc import Sequence

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from nudgebot.bot.callback_data import encode_checkin
from nudgebot.content import Button

BUTTONS_PER_ROW = 3


def checkin_keyboard(delivery_id: int, buttons: Sequence[Button]) -> InlineKeyboardMarkup:
    """A tip's check-in buttons, three to a row so labels stay readable on a phone."""
    keys = [
        InlineKeyboardButton(
            button.label, callback_data=encode_checkin(delivery_id, button.option_id)
        )
        for button in buttons
    ]
    rows = [
        keys[start : start + BUTTONS_PER_ROW] for start in range(0, len(keys), BUTTONS_PER_ROW)
    ]
    return InlineKeyboardMarkup(rows)
