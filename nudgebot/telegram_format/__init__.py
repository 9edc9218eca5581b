"""Telegram's message-formatting rules: HTML parse mode and UTF-16 lengths.

A leaf shared by the content checks (refuse what Telegram would refuse, before it is sent) and
the sandbox (refuse it the way Telegram does). It imports nothing of ours, so the sandbox stays
independent of the bot.
"""

from nudgebot.telegram_format.html import HtmlParseError, ParsedText, parse_html
from nudgebot.telegram_format.utf16 import utf16_len, utf16_to_index

__all__ = ["HtmlParseError", "ParsedText", "parse_html", "utf16_len", "utf16_to_index"]
