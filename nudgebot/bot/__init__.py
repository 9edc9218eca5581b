"""Everything that touches python-telegram-bot: handlers, keyboards, callback data, sending."""

from nudgebot.bot.admin_alerts import AdminAlerts
from nudgebot.bot.commands import publish_command_menu
from nudgebot.bot.handlers import BotHandlers
from nudgebot.bot.outbox_sender import TelegramOutboxSender
from nudgebot.bot.preview import PreviewHandlers

__all__ = [
    "AdminAlerts",
    "BotHandlers",
    "PreviewHandlers",
    "TelegramOutboxSender",
    "publish_command_menu",
]
