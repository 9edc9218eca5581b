"""Everything the sandbox remembers, in one place, so a reset can forget it at once."""

from __future__ import annotations

from typing import Any

from nudgebot.sandbox.callback_queries import CallbackQueries
from nudgebot.sandbox.calls import CallLog
from nudgebot.sandbox.chats import ChatStore
from nudgebot.sandbox.config import SandboxConfig
from nudgebot.sandbox.faults import FaultInjector
from nudgebot.sandbox.files import FileStore
from nudgebot.sandbox.flood_limits import FloodLimiter
from nudgebot.sandbox.updates import UpdateQueue
from nudgebot.sandbox.users import UserDirectory


class SandboxState:
    """The emulated Telegram: people, chats, updates, presses, files, calls and settings."""

    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.users = UserDirectory()
        self.chats = ChatStore()
        self.updates = UpdateQueue()
        self.callback_queries = CallbackQueries()
        self.files = FileStore()
        self.calls = CallLog()
        self.limiter = FloodLimiter()
        self.faults = FaultInjector(config.seed)
        # Bot commands by (scope as canonical JSON, language code); they survive a reset
        # because they are the bot's settings, like the sandbox config.
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}

    def configure(self, changes: dict[str, Any]) -> SandboxConfig:
        """Apply a partial config; giving `seed` (even the same one) restarts the faults."""
        self.config = self.config.with_changes(changes)
        if "seed" in changes:
            self.faults.reseed(self.config.seed)
        return self.config

    def reset(self) -> None:
        """Forget chats, messages, updates, calls, blocks and presses; keep config and commands."""
        self.users.clear()
        self.chats.clear()
        self.updates.clear()
        self.callback_queries.clear()
        self.files.clear()
        self.calls.clear()
        self.limiter.reset()
