"""Screening what subscribers write: crisis language gets help at once, gut red flags a clinician.

The bot never counsels. A crisis message gets a warm reply with crisis lines for the person's
country; a gut red flag gets "please see a clinician soon" and a week without food tips; a
weaker match of either gets a question first. What they wrote is never stored.
"""

from __future__ import annotations

import functools
import logging
import zoneinfo
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nudgebot.content import ContentLibrary, ContentStore
from nudgebot.content.safety import AlertReason
from nudgebot.content.screening import SafetyKind, SafetyLevel
from nudgebot.db.models import Subscriber
from nudgebot.db.repositories import DeliveryRepository, SubscriberRepository
from nudgebot.delivery.learning import take_back_unsent

logger = logging.getLogger(__name__)

# tzdata's tables of which country uses each zone: zone.tab names one country per zone;
# zone1970.tab lists several for a shared zone, the first being the one it is named after.
_ZONE_TABLES = ("zone.tab", "zone1970.tab")


@dataclass(frozen=True)
class SafetyMessage:
    """One message to send at once (Telegram HTML); a question carries its two buttons."""

    text: str
    # The kind whose question this is, or None for a plain reply.
    asks: SafetyKind | None = None
    help_button: str | None = None
    fine_button: str | None = None


@dataclass(frozen=True)
class SafetyResult:
    """What screening (or an answer to its question) found, and what to send at once, in
    order: a crisis's message before a red flag's."""

    kind: SafetyKind | None
    language: str
    level: SafetyLevel | None = None
    messages: tuple[SafetyMessage, ...] = ()
    alert: AlertReason | None = None
    # The country the crisis lines were chosen for (None: the directory of helplines).
    country: str | None = None
    # Until when food tips are held back, after a red flag from a subscriber.
    held_until: datetime | None = None
    # Where the rule that decided is written (file:line), for logs and `content screen`.
    rule: str | None = None

    @property
    def replies(self) -> list[str]:
        """The plain replies, in order."""
        return [message.text for message in self.messages if message.asks is None]

    @property
    def asked(self) -> list[SafetyKind]:
        """The kinds asked about, in order."""
        return [message.asks for message in self.messages if message.asks is not None]


@dataclass(frozen=True)
class _Subscriber:
    """What answering needs of the person writing: their language and country, and whether a
    hold asked for was stored (until when)."""

    language: str
    country: str | None
    held_until: datetime | None


def _table_texts() -> Iterable[str]:
    """The zone tables of the system's time zone database, then of the tzdata package."""
    for directory in zoneinfo.TZPATH:
        for name in _ZONE_TABLES:
            try:
                yield Path(directory, name).read_text(encoding="utf-8")
            except OSError:
                continue
    # Slim containers have no system database; Python's tzdata package ships the same tables.
    for name in _ZONE_TABLES:
        try:
            yield resources.files("tzdata").joinpath("zoneinfo", name).read_text(encoding="utf-8")
        except (ModuleNotFoundError, OSError):
            continue


@functools.cache
def zone_countries() -> Mapping[str, str]:
    """IANA zone -> ISO 3166 country code, read once from the tables found first."""
    countries: dict[str, str] = {}
    for text in _table_texts():
        for line in text.splitlines():
            if line.startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) >= 3:
                countries.setdefault(fields[2], fields[0].split(",")[0])
    return countries


def country_of_zone(zone: str) -> str | None:
    """The country a time zone belongs to ("Europe/Madrid" -> "ES"); None for "UTC" and kin."""
    return zone_countries().get(zone)


class SafetyService:
    """Screens free text; a match is answered even when the database is unreachable."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], content: ContentStore) -> None:
        self._sessions = sessions
        self._content = content

    async def screen(
        self, chat_id: int, text: str, now: datetime, telegram_language: str
    ) -> SafetyResult:
        """Screen `text` from `chat_id`; a sure red flag holds their food tips back from `now`.

        Each kind found is answered at its level: a sure crisis with the crisis lines and an
        alert, a sure red flag with "see a clinician" and the hold, a weaker match of either with
        its question. Replies are in the subscriber's stored language (else
        `telegram_language`), with crisis lines for the country of their time zone. People who
        never subscribed get the same replies. Text without a match touches no database.
        """
        library = self._content.library
        screening = library.safety.screen(text)
        verdict = screening.verdict
        if verdict is None:
            return SafetyResult(None, telegram_language)
        found = [f for f in (screening.crisis, screening.red_flag) if f is not None]
        hold = any(f.kind is SafetyKind.RED_FLAG and f.level is SafetyLevel.SURE for f in found)
        person = await self._touch(chat_id, now, telegram_language, hold=hold)
        messages = tuple(self._message(f.kind, f.level, person) for f in found)
        crisis_sure = screening.crisis is not None and screening.crisis.level is SafetyLevel.SURE
        return SafetyResult(
            verdict.kind,
            person.language,
            verdict.level,
            messages,
            alert=AlertReason.CRISIS if crisis_sure else None,
            country=person.country,
            held_until=person.held_until,
            rule=verdict.rule,
        )

    async def answer(
        self,
        chat_id: int,
        kind: SafetyKind,
        needs_help: bool,
        now: datetime,
        telegram_language: str,
    ) -> SafetyResult:
        """The person's answer to the question of `kind`: help gets the sure reply (and for a
        crisis, the admins an alert; for a red flag, the hold), fine a kind word and nothing
        else. Nothing at all when the live library no longer screens."""
        library = self._content.library
        if library.safety.section is None:
            return SafetyResult(None, telegram_language)
        hold = needs_help and kind is SafetyKind.RED_FLAG
        person = await self._touch(chat_id, now, telegram_language, hold=hold)
        if not needs_help:
            fine = library.safety.fine_reply(kind, person.language, library.default_language)
            return SafetyResult(kind, person.language, messages=(SafetyMessage(fine),))
        return SafetyResult(
            kind,
            person.language,
            SafetyLevel.SURE,
            (self._message(kind, SafetyLevel.SURE, person),),
            alert=AlertReason.HELP_ASKED if kind is SafetyKind.CRISIS else None,
            country=person.country,
            held_until=person.held_until,
        )

    def _message(self, kind: SafetyKind, level: SafetyLevel, person: _Subscriber) -> SafetyMessage:
        library = self._content.library
        default = library.default_language
        if level is SafetyLevel.ASK:
            question = library.safety.question(kind, person.language, default)
            return SafetyMessage(question.text, kind, question.help_button, question.fine_button)
        held = person.held_until is not None
        return SafetyMessage(
            library.safety.reply(kind, person.language, person.country, default, held=held)
        )

    async def _touch(
        self, chat_id: int, now: datetime, telegram_language: str, *, hold: bool
    ) -> _Subscriber:
        """The subscriber's language and country; their silence ends, and with `hold` their
        food tips are held back. Someone in crisis is answered whatever state the database is
        in, so a database error leaves the Telegram language, no country and no hold."""
        library = self._content.library
        language, country, held_until = telegram_language, None, None
        try:
            async with self._sessions.begin() as session:
                subscriber = await SubscriberRepository(session).by_chat_id(chat_id)
                if subscriber is not None:
                    language = subscriber.language
                    country = country_of_zone(subscriber.timezone)
                    # Writing to the bot is a reply, whatever it says: silence ends.
                    subscriber.last_reply_at = now
                    if hold:
                        held_until = _hold_diet_topics(subscriber, library, now)
                        held = [
                            tip.id for tip in library.tips.values() if library.safety.holds(tip)
                        ]
                        # A food tip already queued (a "Later" re-send) is not sent either.
                        skipped = await DeliveryRepository(session).skip_planned_tips(
                            [subscriber.id], held, "held back after a gut red flag"
                        )
                        await take_back_unsent(session, library, skipped)
        except (SQLAlchemyError, OSError):
            logger.exception("safety screening could not read or update chat %s", chat_id)
            held_until = None
        return _Subscriber(language, country, held_until)


def _hold_diet_topics(subscriber: Subscriber, library: ContentLibrary, now: datetime) -> datetime:
    """Hold the red-flag topics back for the configured days, keeping any longer hold."""
    rules = library.safety
    until = now + timedelta(days=rules.hold_days)
    held = set(rules.hold_topics)
    current_until = subscriber.paused_topics_until
    if subscriber.paused_topics and current_until is not None and current_until > now:
        held.update(subscriber.paused_topics)
        until = max(until, current_until)
    subscriber.paused_topics = sorted(held)
    subscriber.paused_topics_until = until
    subscriber.updated_at = now
    return until
