"""Everything that touches python-telegram-bot: handlers, keyboards, callback data, sending."""

from nudgebot.bot.commands import publish_command_menu
from nudgebot.bot.handlers import BotHandlers
from nudgebot.bot.tip_sender import TelegramTipSender

__all__ = ["BotHandlers", "TelegramTipSender", "publish_command_menu"]
