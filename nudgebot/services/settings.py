"""A subscriber's settings: time zone, nudge time, topics, wellbeing check-in and language.

Buttons and typed answers become a `Change` (see setting_changes), applied here in one
transaction. A change to the schedule moves the next nudge; the outbox key (subscriber, local
day, slot) and the check below make sure no day gets its tip twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum, auto
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from nudgebot.content.library import ContentLibrary
from nudgebot.content.store import ContentStore
from nudgebot.db.models import Subscriber, SubscriberStatus
from nudgebot.db.repositories import DeliveryRepository, SubscriberRepository
from nudgebot.delivery.policy import DeliveryPolicy
from nudgebot.scheduling import QuietHours, next_slot
from nudgebot.scheduling.zones import city_of, is_zone, likely_zones
from nudgebot.services.questions import Question, Setting
from nudgebot.services.setting_changes import (
    AllTopics,
    Change,
    InvalidChangeError,
    Refusal,
    SetLanguage,
    SetNudgeTime,
    SetWellbeing,
    SetZone,
    ToggleTopic,
    read_typed,
    setting_of,
)

# Buttons for the daily tip and the evening check-in; times inside quiet hours are left out.
TIP_TIMES = (time(8), time(9), time(10), time(13), time(18), time(20))
CHECKIN_TIMES = (time(18), time(19, 30), time(21))
# A settings question waits this long for a typed answer; later text is just text again.
QUESTION_LIFETIME = timedelta(minutes=10)
_SETTLED = {SubscriberStatus.ACTIVE, SubscriberStatus.PAUSED, SubscriberStatus.DORMANT}


@dataclass(frozen=True)
class ZoneChoice:
    """A zone worth a button, with its place name and the time there now."""

    zone: str
    city: str
    local_time: time


@dataclass(frozen=True)
class SettingsView:
    """A subscriber's settings as menus show them, with the choices to offer."""

    subscriber_id: int
    language: str
    timezone: str
    city: str
    local_time: time
    nudge_times: tuple[time, ...]
    topics: frozenset[str] | None  # None: every topic
    wellbeing: time | None  # None: no evening check-in
    quiet: QuietHours
    zone_choices: tuple[ZoneChoice, ...]
    time_choices: tuple[time, ...]
    checkin_choices: tuple[time, ...]
    # The onboarding question they are at, if they are onboarding.
    step: Setting | None = None


def languages_of(library: ContentLibrary) -> tuple[str, ...]:
    """The languages the interface speaks, the default first."""
    spoken = {code for text in library.ui.values() if isinstance(text, dict) for code in text}
    others = sorted(spoken - {library.default_language})
    return (library.default_language, *others)


def _is_quiet(quiet: QuietHours, at: time) -> bool:
    return quiet.contains(datetime.combine(date(2000, 1, 1), at, tzinfo=UTC), ZoneInfo("UTC"))


def view_of(
    subscriber: Subscriber, library: ContentLibrary, policy: DeliveryPolicy, now: datetime
) -> SettingsView:
    """What the menus show about `subscriber` at `now`."""
    quiet = policy.schedule_of(subscriber).quiet
    library_checkin = time.fromisoformat(library.wellbeing_checkin.time)
    checkin_times = sorted({*CHECKIN_TIMES, library_checkin})
    question = Question.decode(subscriber.onboarding_step)
    onboarding = subscriber.status is SubscriberStatus.ONBOARDING
    return SettingsView(
        subscriber_id=subscriber.id,
        language=subscriber.language,
        timezone=subscriber.timezone,
        city=city_of(subscriber.timezone),
        local_time=_local_time(subscriber.timezone, now),
        nudge_times=tuple(time.fromisoformat(t) for t in subscriber.nudge_times),
        topics=frozenset(subscriber.topics) if subscriber.topics else None,
        wellbeing=(subscriber.wellbeing_time or library_checkin)
        if subscriber.wellbeing_enabled
        else None,
        quiet=quiet,
        zone_choices=tuple(
            ZoneChoice(zone, city_of(zone), _local_time(zone, now))
            for zone in likely_zones(subscriber.language)
        ),
        time_choices=tuple(t for t in TIP_TIMES if not _is_quiet(quiet, t)),
        checkin_choices=tuple(t for t in checkin_times if not _is_quiet(quiet, t)),
        step=question.setting if onboarding and question else None,
    )


def _local_time(zone: str, now: datetime) -> time:
    return now.astimezone(ZoneInfo(zone)).time().replace(second=0, microsecond=0)


async def apply_change(
    session: AsyncSession,
    subscriber: Subscriber,
    change: Change,
    *,
    library: ContentLibrary,
    policy: DeliveryPolicy,
    now: datetime,
) -> None:
    """Validate `change` and apply it to `subscriber` inside the caller's transaction."""
    _set(subscriber, change, library, policy.schedule_of(subscriber).quiet)
    subscriber.updated_at = now
    if setting_of(change) in {Setting.TIMEZONE, Setting.TIME, Setting.WELLBEING}:
        await _reschedule(session, subscriber, library, policy, now)


def _set(
    subscriber: Subscriber, change: Change, library: ContentLibrary, quiet: QuietHours
) -> None:
    match change:
        case SetZone(zone):
            if not is_zone(zone):
                raise InvalidChangeError(Refusal.UNKNOWN_ZONE)
            subscriber.timezone = zone
        case SetNudgeTime(at):
            if _is_quiet(quiet, at):
                raise InvalidChangeError(Refusal.QUIET_TIME)
            subscriber.nudge_times = [at.strftime("%H:%M")]
        case ToggleTopic(topic_id):
            if topic_id not in library.topics:
                raise InvalidChangeError(Refusal.UNKNOWN_TOPIC)
            chosen = set(subscriber.topics or ()) ^ {topic_id}
            # Nothing chosen, or everything: that is "all", which also takes in new topics.
            everything = chosen >= set(library.topics)
            subscriber.topics = None if not chosen or everything else sorted(chosen)
        case AllTopics():
            subscriber.topics = None
        case SetWellbeing(at):
            if at is not None and _is_quiet(quiet, at):
                raise InvalidChangeError(Refusal.QUIET_TIME)
            subscriber.wellbeing_enabled = at is not None
            if at is not None:
                subscriber.wellbeing_time = at
        case SetLanguage(language):
            if language not in languages_of(library):
                raise InvalidChangeError(Refusal.UNKNOWN_LANGUAGE)
            subscriber.language = language


async def _reschedule(
    session: AsyncSession,
    subscriber: Subscriber,
    library: ContentLibrary,
    policy: DeliveryPolicy,
    now: datetime,
) -> None:
    """Move an active subscriber's next nudge to the new schedule.

    A nudge already in the outbox (planned or sent, in any zone's reckoning of its date) is
    passed over: planning it again would only collide with the outbox key. Other rows of that
    day (a "Later" re-send, a tip asked for with /start) leave the day's own nudge due.
    Paused, dormant and onboarding subscribers keep their own rule for `next_due_at`.
    """
    if subscriber.status is not SubscriberStatus.ACTIVE:
        return
    schedule = policy.schedule_of(subscriber, library)
    # From two UTC days back: no zone's today is earlier than that.
    taken = await DeliveryRepository(session).keys_from(
        subscriber.id, (now - timedelta(days=2)).date()
    )
    slot = next_slot(now, schedule)
    while not slot.wellbeing and (slot.day, slot.key) in taken:
        slot = next_slot(slot.at, schedule)
    subscriber.next_due_at = slot.at


class SettingsStatus(Enum):
    """What a settings request did."""

    SAVED = auto()
    SHOWN = auto()
    INVALID = auto()
    NOT_SUBSCRIBED = auto()
    NOT_YOURS = auto()
    ONBOARDING = auto()  # still answering /start's questions


@dataclass(frozen=True)
class SettingsResult:
    """The outcome, the settings as they now stand and, if refused, why."""

    status: SettingsStatus
    view: SettingsView | None = None
    refusal: Refusal | None = None


class SettingsService:
    """Shows and changes a settled subscriber's settings; each call is one transaction."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        content: ContentStore,
        policy: DeliveryPolicy,
    ) -> None:
        self._sessions = sessions
        self._content = content
        self._policy = policy

    async def show(
        self,
        chat_id: int,
        now: datetime,
        *,
        subscriber_id: int | None = None,
        asking: Setting | None = None,
        message_id: int | None = None,
    ) -> SettingsResult:
        """The settings, for the menu or for one setting's choices (`asking`).

        Asking about a setting that can be typed (time zone, times) waits a few minutes for a
        typed answer; showing anything else forgets such a question. `subscriber_id`, from a
        button, must be the chat's own.
        """
        library = self._content.library
        async with self._sessions.begin() as session:
            subscriber = await SubscriberRepository(session).by_chat_id(chat_id)
            refused = _refusal(subscriber, subscriber_id)
            if refused is not None:
                return refused
            assert subscriber is not None
            typed = asking in {Setting.TIMEZONE, Setting.TIME, Setting.WELLBEING}
            question = (
                Question(
                    asking, onboarding=False, message_id=message_id, until=now + QUESTION_LIFETIME
                )
                if typed and asking is not None
                else None
            )
            subscriber.onboarding_step = question.encode() if question else None
            return SettingsResult(
                SettingsStatus.SHOWN, view_of(subscriber, library, self._policy, now)
            )

    async def change(
        self,
        chat_id: int,
        change: Change | tuple[Setting, str],
        now: datetime,
        *,
        subscriber_id: int | None = None,
    ) -> SettingsResult:
        """Apply one change, or a typed answer (setting, text); it answers an open question."""
        library = self._content.library
        async with self._sessions.begin() as session:
            subscriber = await SubscriberRepository(session).by_chat_id(chat_id)
            refused = _refusal(subscriber, subscriber_id)
            if refused is not None:
                return refused
            assert subscriber is not None
            try:
                if isinstance(change, tuple):
                    change = read_typed(*change, now, subscriber.language)
                await apply_change(
                    session, subscriber, change, library=library, policy=self._policy, now=now
                )
            except InvalidChangeError as error:
                view = view_of(subscriber, library, self._policy, now)
                return SettingsResult(SettingsStatus.INVALID, view, error.refusal)
            if setting_of(change) is not Setting.TOPICS:
                subscriber.onboarding_step = None
            return SettingsResult(
                SettingsStatus.SAVED, view_of(subscriber, library, self._policy, now)
            )


def _refusal(subscriber: Subscriber | None, subscriber_id: int | None) -> SettingsResult | None:
    if subscriber is None or subscriber.status not in {*_SETTLED, SubscriberStatus.ONBOARDING}:
        return SettingsResult(SettingsStatus.NOT_SUBSCRIBED)
    if subscriber_id is not None and subscriber_id != subscriber.id:
        return SettingsResult(SettingsStatus.NOT_YOURS)
    if subscriber.status is SubscriberStatus.ONBOARDING:
        return SettingsResult(SettingsStatus.ONBOARDING)
    return None
