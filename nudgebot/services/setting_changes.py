"""What a subscriber may ask to change, read from a button or from typed text.

A `Change` is validated for what it is (a real zone, a possible time) here; whether it suits
the subscriber (quiet hours, the library's topics and languages) is checked when it is applied.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time
from enum import Enum, auto

from nudgebot.scheduling.zones import likely_zones, resolve_zone
from nudgebot.services.questions import Setting

# Button values with a meaning of their own (topic ids and times never look like these).
ALL_TOPICS = "!all"
CHECKIN_OFF = "off"
_TIME = re.compile(r"^(\d{1,2})(?:[:.h](\d{2}))?(am|pm|h)?$")
_COMPACT_TIME = re.compile(r"^(\d{1,2})(\d{2})$")


@dataclass(frozen=True)
class SetZone:
    """Live in this IANA zone."""

    zone: str


@dataclass(frozen=True)
class SetNudgeTime:
    """Get the daily tip at this local time."""

    at: time


@dataclass(frozen=True)
class ToggleTopic:
    """Add a topic to the chosen ones, or take it out (from "all": only this one)."""

    topic_id: str


@dataclass(frozen=True)
class AllTopics:
    """Tips from every topic, including ones added later."""


@dataclass(frozen=True)
class SetWellbeing:
    """The evening check-in at this local time, or None for none at all."""

    at: time | None


@dataclass(frozen=True)
class SetLanguage:
    """Speak this language."""

    language: str


Change = SetZone | SetNudgeTime | ToggleTopic | AllTopics | SetWellbeing | SetLanguage


class Refusal(Enum):
    """Why an answer could not be used."""

    UNKNOWN_ZONE = auto()
    BAD_TIME = auto()
    QUIET_TIME = auto()
    UNKNOWN_TOPIC = auto()
    UNKNOWN_LANGUAGE = auto()
    BUTTONS_ONLY = auto()  # this question is answered with its buttons


class InvalidChangeError(ValueError):
    """An answer that cannot become a setting; `refusal` says why."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.name)
        self.refusal = refusal


def parse_wall_time(text: str) -> time | None:
    """A local time of day from "7", "07:30", "7.30", "19h45", "0730", "7pm"; None otherwise."""
    compact = "".join(text.casefold().replace("a.m.", "am").replace("p.m.", "pm").split())
    match = _TIME.match(compact) or _COMPACT_TIME.match(compact)
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    suffix = match.group(3) if match.re is _TIME else None
    if suffix in {"am", "pm"}:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def button_time(value: str) -> time | None:
    """The time a button carries as "HHMM"."""
    if len(value) != 4 or not value.isdigit():
        return None
    hour, minute = int(value[:2]), int(value[2:])
    return time(hour, minute) if hour <= 23 and minute <= 59 else None


def read_typed(setting: Setting, text: str, now: datetime, language: str) -> Change:
    """The change a typed answer to `setting`'s question asks for."""
    if setting is Setting.TIMEZONE:
        zone = resolve_zone(text, now, prefer=likely_zones(language))
        if zone is None:
            raise InvalidChangeError(Refusal.UNKNOWN_ZONE)
        return SetZone(zone)
    if setting in {Setting.TIME, Setting.WELLBEING}:
        at = parse_wall_time(text)
        if at is None:
            raise InvalidChangeError(Refusal.BAD_TIME)
        return SetNudgeTime(at) if setting is Setting.TIME else SetWellbeing(at)
    raise InvalidChangeError(Refusal.BUTTONS_ONLY)


def from_button(setting: Setting, value: str) -> Change:
    """The change a button's value asks for (validated again when applied)."""
    if setting is Setting.TIMEZONE:
        return SetZone(value)
    if setting is Setting.TOPICS:
        return AllTopics() if value == ALL_TOPICS else ToggleTopic(value)
    if setting is Setting.LANGUAGE:
        return SetLanguage(value)
    if setting is Setting.WELLBEING and value == CHECKIN_OFF:
        return SetWellbeing(None)
    at = button_time(value)
    if at is None:
        raise InvalidChangeError(Refusal.BAD_TIME)
    return SetNudgeTime(at) if setting is Setting.TIME else SetWellbeing(at)


def setting_of(change: Change) -> Setting:
    """Which setting a change is about."""
    match change:
        case SetZone():
            return Setting.TIMEZONE
        case SetNudgeTime():
            return Setting.TIME
        case ToggleTopic() | AllTopics():
            return Setting.TOPICS
        case SetWellbeing():
            return Setting.WELLBEING
        case SetLanguage():
            return Setting.LANGUAGE
