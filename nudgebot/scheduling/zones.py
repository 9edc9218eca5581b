"""Time zones from what a person types, and the zones likely for a Telegram language.

People type "madrid", "New York", "são paulo", "+2", "UTC-5" or "GMT+5:30"; the bot stores an IANA
name. Everything here is pure: the offset a zone has depends on the instant, so callers pass `now`.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, available_timezones

UTC_ZONE = "UTC"
# Zones named after a place; the rest (EST5EDT, Etc/..., legacy country links) are not offered
# for a typed city, though an exact IANA name is still accepted.
_REGIONS = frozenset(
    {
        "Africa",
        "America",
        "Antarctica",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
    }
)
_LONGEST_INPUT = 60
# Real offsets run from UTC-12 to UTC+14.
_MOST_BEHIND = timedelta(hours=-12)
_MOST_AHEAD = timedelta(hours=14)
_OFFSET = re.compile(r"^(?:utc|gmt)?([+-])(\d{1,2})(?::?(\d{2}))?$")

# The zones offered as buttons, most likely first, per Telegram language.
LIKELY_ZONES: dict[str, tuple[str, ...]] = {
    "en": (
        "Europe/London",
        "America/New_York",
        "America/Chicago",
        "America/Denver",
        "America/Los_Angeles",
        "Australia/Sydney",
        "Asia/Kolkata",
        "Pacific/Auckland",
    ),
    "es": (
        "Europe/Madrid",
        "America/Mexico_City",
        "America/Bogota",
        "America/Argentina/Buenos_Aires",
        "America/Lima",
        "America/Santiago",
        "America/Caracas",
        "Atlantic/Canary",
    ),
}
_ANY_LANGUAGE = (
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Tokyo",
    "Australia/Sydney",
)

# Zones for offsets that are not whole hours, where no Etc/GMT zone exists.
_ODD_OFFSET_ZONES = (
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Tehran",
    "Asia/Kabul",
    "Asia/Yangon",
    "Australia/Adelaide",
    "Australia/Darwin",
    "Australia/Eucla",
    "America/St_Johns",
    "Pacific/Marquesas",
    "Pacific/Chatham",
)

# Places people type that are not in the zone names, in their normalised spelling (see _key):
# big cities sharing a zone with a listed one, Spanish names, and countries with one zone.
_ALIASES_BY_ZONE = {
    "America/New_York": "nyc newyorkcity nuevayork washington washingtondc boston miami "
    "atlanta philadelphia filadelfia",
    "America/Los_Angeles": "sanfrancisco seattle sandiego lasvegas portland",
    "America/Chicago": "dallas houston austin sanantonio",
    "America/Toronto": "montreal ottawa",
    "Europe/London": "londres edinburgh edimburgo manchester birmingham glasgow uk "
    "unitedkingdom england inglaterra reinounido scotland escocia",
    "Europe/Dublin": "ireland irlanda",
    "Europe/Madrid": "barcelona valencia sevilla seville bilbao malaga zaragoza spain espana",
    "Atlantic/Canary": "laspalmas tenerife canarias canaryislands islascanarias",
    "Europe/Lisbon": "lisboa porto oporto portugal",
    "Europe/Paris": "lyon marseille marsella france francia",
    "Europe/Berlin": "munich munchen frankfurt hamburg hamburgo cologne colonia germany alemania",
    "Europe/Rome": "roma milan milano naples napoles italy italia",
    "Europe/Brussels": "bruselas",
    "America/Mexico_City": "ciudaddemexico cdmx mexicodf guadalajara puebla",
    "America/Bogota": "medellin cali barranquilla cartagena colombia",
    "America/Guayaquil": "quito ecuador",
    "America/Lima": "peru arequipa",
    "America/Caracas": "venezuela maracaibo",
    "America/Santiago": "chile valparaiso",
    "America/Argentina/Buenos_Aires": "argentina rosario mendoza",
    "America/Montevideo": "uruguay",
    "America/Asuncion": "paraguay",
    "America/La_Paz": "bolivia",
    "America/Puerto_Rico": "sanjuan puertorico",
    "America/Costa_Rica": "sanjose costarica",
    "America/Havana": "lahabana cuba",
    "America/Sao_Paulo": "riodejaneiro brasilia",
    "Asia/Kolkata": "delhi newdelhi nuevadelhi mumbai bombay bangalore bengaluru chennai "
    "hyderabad india",
    "Asia/Shanghai": "beijing pekin china",
    "Asia/Tokyo": "osaka kyoto japan japon",
}


def _key(text: str) -> str:
    """A spelling-insensitive key: no accents, no case, letters and digits only."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if c.isascii() and c.isalnum())


@functools.cache
def _all_zones() -> frozenset[str]:
    # `localtime` is the host's own zone, not a place anyone lives in.
    return frozenset(available_timezones() - {"localtime", "Factory"})


@functools.cache
def _place_zones() -> tuple[str, ...]:
    return tuple(sorted(z for z in _all_zones() if z.split("/", 1)[0] in _REGIONS))


@functools.cache
def _by_name() -> dict[str, str]:
    """Exact IANA names in any letter case."""
    return {zone.casefold(): zone for zone in _all_zones()}


@functools.cache
def _by_key() -> dict[str, str]:
    """Typed spellings to zones: each place zone's city and full name, then the aliases."""
    found: dict[str, str] = {}
    # Deeper names first, so the canonical America/Argentina/Buenos_Aires beats the old link
    # America/Buenos_Aires for "Buenos Aires"; among equals, the alphabetical first wins.
    for zone in sorted(_place_zones(), key=lambda z: (-z.count("/"), z)):
        found.setdefault(_key(zone.rsplit("/", 1)[-1]), zone)
        found.setdefault(_key(zone), zone)
    for zone, keys in _ALIASES_BY_ZONE.items():
        if is_zone(zone):
            found.update(dict.fromkeys(keys.split(), zone))
    return found


def is_zone(name: str) -> bool:
    """Whether `name` is an IANA zone this system knows."""
    return name in _all_zones()


def likely_zones(language: str) -> tuple[str, ...]:
    """The zones worth a button for someone whose Telegram speaks `language`."""
    return tuple(z for z in LIKELY_ZONES.get(language, _ANY_LANGUAGE) if is_zone(z))


def city_of(zone: str) -> str:
    """A zone's place as people write it: "America/New_York" -> "New York"."""
    if zone.startswith("Etc/GMT") and len(zone) > len("Etc/GMT"):
        # Etc/GMT-2 is two hours *ahead* of UTC: POSIX signs are inverted.
        sign = "+" if zone[len("Etc/GMT")] == "-" else "-"
        return f"UTC{sign}{zone[len('Etc/GMT') + 1 :]}"
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def offset_of(zone: str, now: datetime) -> timedelta:
    """The zone's offset from UTC at the aware instant `now`."""
    offset = now.astimezone(ZoneInfo(zone)).utcoffset()
    assert offset is not None  # an aware datetime in a ZoneInfo always has one
    return offset


def resolve_zone(text: str, now: datetime, prefer: tuple[str, ...] = ()) -> str | None:
    """The IANA zone a person means by `text`, or None when nothing fits.

    A city or country ("madrid", "New York", "são paulo", "España"), an IANA name, or an offset
    ("+2", "UTC-5", "GMT+5:30"). An offset becomes a zone with that offset at `now`: one of
    `prefer` (the zones likely for them, which then also follow daylight saving) when one
    matches, otherwise a fixed Etc/GMT zone, or a real zone for half and quarter hours.
    """
    cleaned = text.strip()
    if not cleaned or len(cleaned) > _LONGEST_INPUT:
        return None
    compact = "".join(cleaned.casefold().replace("−", "-").split())
    if compact in {"utc", "gmt", "z", "utc0", "gmt0", "utc+0", "utc-0", "gmt+0", "gmt-0"}:
        return UTC_ZONE
    if exact := _by_name().get(cleaned.casefold()):
        return exact
    match = _OFFSET.match(compact)
    if match is not None:
        return _zone_with_offset(match, now, prefer)
    return _by_key().get(_key(cleaned))


def _zone_with_offset(match: re.Match[str], now: datetime, prefer: tuple[str, ...]) -> str | None:
    sign, hours, minutes = match.group(1), int(match.group(2)), int(match.group(3) or 0)
    if minutes not in {0, 30, 45}:
        return None
    offset = timedelta(hours=hours, minutes=minutes) * (-1 if sign == "-" else 1)
    if not _MOST_BEHIND <= offset <= _MOST_AHEAD:
        return None
    for zone in prefer:
        if is_zone(zone) and offset_of(zone, now) == offset:
            return zone
    if offset == timedelta(0):
        return UTC_ZONE
    if minutes == 0:
        # POSIX style: Etc/GMT-2 means UTC+2.
        return f"Etc/GMT{'-' if offset > timedelta(0) else '+'}{hours}"
    for zone in (*_ODD_OFFSET_ZONES, *_place_zones()):
        if offset_of(zone, now) == offset:
            return zone
    return None
