"""/progress: the subscriber's chart as a photo with a short summary, or a kind "not yet"."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

from telegram import InputFile, Update
from telegram.constants import ParseMode
from telegram.ext import Application, CommandHandler, ContextTypes, filters

from nudgebot.bot.languages import update_language
from nudgebot.bot.progress_chart import chart_labels, render_progress_chart
from nudgebot.content import ContentLibrary, ContentStore, UiKey
from nudgebot.services.progress import (
    DEFAULT_WEEKS,
    MAX_WEEKS,
    ProgressReport,
    ProgressService,
)
from nudgebot.services.summaries import topic_label

Clock = Callable[[], datetime]


def progress_caption(library: ContentLibrary, language: str, report: ProgressReport) -> str:
    """The photo's caption: days with a "did it", the streak, and the strongest habit."""
    overall = report.habits.overall
    lines = [
        library.ui_text(
            UiKey.PROGRESS_CAPTION,
            language,
            days=len(report.days),
            done_days=report.days_done,
            streak=overall.current_streak,
            best=overall.best_streak,
        )
    ]
    strongest = report.strongest_topic
    if strongest is not None:
        topic = topic_label(library, strongest, language)
        lines.append(library.ui_text(UiKey.PROGRESS_STRONGEST, language, topic=topic))
    return "\n".join(lines)


class ProgressHandlers:
    """`/progress [weeks]`, answered from the progress service."""

    def __init__(self, content: ContentStore, progress: ProgressService, clock: Clock) -> None:
        self._content = content
        self._progress = progress
        self._clock = clock

    def register(self, application: Application) -> None:  # type: ignore[type-arg]
        """Add the command; it must come before the catch-all for unknown commands."""
        private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
        application.add_handler(CommandHandler("progress", self.progress, filters=private))

    async def progress(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """`/progress [weeks]`: weeks from 1 to MAX_WEEKS, DEFAULT_WEEKS without a number."""
        chat, message = update.effective_chat, update.effective_message
        assert chat is not None
        assert message is not None
        library = self._content.library
        weeks = _weeks(context.args or [])
        if weeks is None:
            language = await self._progress.language_of(chat.id) or update_language(
                update, library
            )
            text = library.ui_text(
                UiKey.PROGRESS_USAGE, language, default=DEFAULT_WEEKS, most=MAX_WEEKS
            )
            await message.reply_text(text, parse_mode=ParseMode.HTML)
            return
        report = await self._progress.report(chat.id, self._clock(), weeks)
        if report is None:
            text = library.ui_text(UiKey.NOT_SUBSCRIBED, update_language(update, library))
            await message.reply_text(text, parse_mode=ParseMode.HTML)
            return
        if not report.has_data:
            text = library.ui_text(UiKey.PROGRESS_NO_DATA, report.language)
            await message.reply_text(text, parse_mode=ParseMode.HTML)
            return
        labels = chart_labels(library, report.language, report)
        # Drawing takes a good tenth of a second of CPU: keep the event loop answering others.
        png = await asyncio.to_thread(render_progress_chart, report, labels)
        await message.reply_photo(
            InputFile(png, filename="progress.png"),
            caption=progress_caption(library, report.language, report),
            parse_mode=ParseMode.HTML,
        )


def _weeks(arguments: list[str]) -> int | None:
    """The weeks asked for; None when the arguments are not one number in range."""
    if not arguments:
        return DEFAULT_WEEKS
    if len(arguments) > 1 or not arguments[0].isdecimal():
        return None
    weeks = int(arguments[0])
    return weeks if 1 <= weeks <= MAX_WEEKS else None
