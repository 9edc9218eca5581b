"""Messages to the admins named in the settings."""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import TelegramError

from nudgebot.content import ContentStore, Problem, UiKey
from nudgebot.content.limits import MAX_MESSAGE_CHARS
from nudgebot.content.safety import AlertReason

logger = logging.getLogger(__name__)


class AdminAlerts:
    """Tells admins about problems they can fix; a failed alert is logged, never raised."""

    def __init__(self, bot: Bot, content: ContentStore, admin_ids: Sequence[int]) -> None:
        self._bot = bot
        self._content = content
        self._admin_ids = tuple(admin_ids)

    async def reload_failed(self, errors: Sequence[Problem]) -> None:
        """The content edit did not pass validation; list what to fix."""
        library = self._content.library
        heading = library.ui_text(
            UiKey.ADMIN_RELOAD_FAILED, library.default_language, count=len(errors)
        )
        await self._send(heading, [str(problem) for problem in errors])

    async def reloaded(self, topics: int, tips: int, retired: Sequence[str]) -> None:
        """A valid library is live again (after a failure, or with retired tips)."""
        library = self._content.library
        text = library.ui_text(
            UiKey.ADMIN_RELOADED,
            library.default_language,
            topics=topics,
            tips=tips,
            retired=", ".join(retired) or "-",
        )
        await self._send(text, [])

    async def tip_broken(self, tip_id: str, reason: str) -> None:
        """Telegram refused a tip; it is out of rotation until fixed."""
        library = self._content.library
        text = library.ui_text(
            UiKey.ADMIN_TIP_BROKEN, library.default_language, tip_id=tip_id, reason=reason
        )
        await self._send(text, [])

    async def crisis(self, chat_id: int, reason: AlertReason) -> bool:
        """Someone may be in crisis: which chat and why, never what they wrote. Whether at
        least one admin got it."""
        library = self._content.library
        alert = library.safety.admin_alert(chat_id, reason, library.default_language)
        return await self._send(alert, [])

    async def _send(self, heading: str, lines: Sequence[str]) -> bool:
        """Send to every admin; whether at least one got it."""
        text = heading
        if lines:
            # Keep within one Telegram message: as many lines as fit, then how many were left.
            budget = MAX_MESSAGE_CHARS - len(heading) - 100
            shown: list[str] = []
            for line in lines:
                if sum(len(s) + 1 for s in shown) + len(line) > budget:
                    break
                shown.append(line)
            body = html.escape("\n".join(shown), quote=False)
            more = f"\n… +{len(lines) - len(shown)}" if len(shown) < len(lines) else ""
            text = f"{heading}\n<pre>{body}</pre>{more}"
        delivered = False
        for admin_id in self._admin_ids:
            try:
                await self._bot.send_message(admin_id, text, parse_mode=ParseMode.HTML)
            except TelegramError:
                logger.warning("could not alert admin %s", admin_id, exc_info=True)
            else:
                delivered = True
        return delivered
