"""Limits the content must respect so Telegram accepts, and phones show, what the bot sends."""

from __future__ import annotations

# Telegram refuses a message longer than this after entity parsing (Bot API sendMessage.text).
MAX_MESSAGE_CHARS = 4096
# Telegram does not document a limit for button text, but clients cut long labels on a phone;
# three buttons share a row, so labels stay short.
MAX_BUTTON_LABEL_CHARS = 30
# Option ids ride in callback data (at most 64 bytes in all); the bot's format adds a prefix and
# the delivery id, so an option id may use at most this much of it.
MAX_OPTION_ID_BYTES = 24
