"""A local Telegram Bot API server with a control API and a terminal chat client.

It speaks HTTP only and imports nothing else from nudgebot, so the bot under test cannot
tell it from Telegram.
"""

from nudgebot.sandbox.config import SandboxConfig
from nudgebot.sandbox.server import SandboxServer
from nudgebot.sandbox.terminal_chat import run_terminal_chat

__all__ = ["SandboxConfig", "SandboxServer", "run_terminal_chat"]
