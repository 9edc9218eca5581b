"""The language a reply falls back to when nothing is stored: the one the person's app reports."""

from datetime import UTC, datetime

import pytest
from telegram import Chat, Message, Update, User

from nudgebot.bot.languages import update_language
from nudgebot.content import ContentLibrary


def _update(user: User | None) -> Update:
    chat = Chat(id=7, type=Chat.PRIVATE)
    message = Message(
        message_id=1, date=datetime(2025, 3, 3, tzinfo=UTC), chat=chat, from_user=user
    )
    return Update(update_id=1, message=message)


@pytest.mark.parametrize(
    ("code", "expected"),
    [("de", "de"), ("pt-br", "pt"), ("EN_gb", "en"), ("", "en"), (None, "en")],
    ids=["plain", "region dropped", "odd case and underscore", "empty", "none reported"],
)
def test_the_apps_primary_language_or_the_librarys_default(
    library: ContentLibrary, code: str | None, expected: str
) -> None:
    assert library.default_language == "en"
    user = User(id=7, first_name="Ada", is_bot=False, language_code=code)
    assert update_language(_update(user), library) == expected


def test_an_update_without_a_sender_gets_the_default(library: ContentLibrary) -> None:
    assert update_language(_update(None), library) == library.default_language
