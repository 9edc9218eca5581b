"""The language to answer an update in when the subscriber's stored one is unknown or not yet
chosen: the one their Telegram app reports."""

from __future__ import annotations

from telegram import Update

from nudgebot.content import ContentLibrary, language_of


def update_language(update: Update, library: ContentLibrary) -> str:
    """The primary language of the app of whoever sent `update`; the library's default when
    Telegram says nothing (channel posts, some clients) or sends no user."""
    user = update.effective_user
    return language_of(user.language_code if user else None, library.default_language)
