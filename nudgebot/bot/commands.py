"""The command menu Telegram shows, in every language the library speaks."""

from __future__ import annotations

from telegram import Bot, BotCommand

from nudgebot.content import ContentLibrary, UiKey

# The order Telegram shows them in: getting started and settings first, leaving last.
_MENU = (
    ("start", UiKey.COMMAND_START),
    ("settings", UiKey.COMMAND_SETTINGS),
    ("time", UiKey.COMMAND_TIME),
    ("timezone", UiKey.COMMAND_TIMEZONE),
    ("topics", UiKey.COMMAND_TOPICS),
    ("language", UiKey.COMMAND_LANGUAGE),
    ("progress", UiKey.COMMAND_PROGRESS),
    ("note", UiKey.COMMAND_NOTE),
    ("pause", UiKey.COMMAND_PAUSE),
    ("resume", UiKey.COMMAND_RESUME),
    ("export", UiKey.COMMAND_EXPORT),
    ("delete_me", UiKey.COMMAND_DELETE_ME),
    ("help", UiKey.COMMAND_HELP),
    ("stop", UiKey.COMMAND_STOP),
)


def _languages(library: ContentLibrary) -> set[str]:
    return {
        language
        for _, key in _MENU
        if isinstance(text := library.ui[key], dict)
        for language in text
    }


async def publish_command_menu(bot: Bot, library: ContentLibrary) -> None:
    """setMyCommands for the default language and for each translated one."""

    def menu(language: str) -> list[BotCommand]:
        return [BotCommand(name, library.ui_text(key, language)) for name, key in _MENU]

    await bot.set_my_commands(menu(library.default_language))
    for language in sorted(_languages(library) - {library.default_language}):
        await bot.set_my_commands(menu(language), language_code=language)
