"""Reading a time zone from what people type, and the zones offered per language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from nudgebot.scheduling.zones import (
    LIKELY_ZONES,
    city_of,
    is_zone,
    likely_zones,
    offset_of,
    resolve_zone,
)

SUMMER = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
WINTER = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "zone"),
    [
        pytest.param("madrid", "Europe/Madrid", id="lower-case-city"),
        pytest.param("New York", "America/New_York", id="city-with-a-space"),
        pytest.param("são paulo", "America/Sao_Paulo", id="accents"),
        pytest.param("  Bogotá ", "America/Bogota", id="accent-and-spaces"),
        pytest.param("buenos aires", "America/Argentina/Buenos_Aires", id="canonical-over-link"),
        pytest.param("Europe/Lisbon", "Europe/Lisbon", id="iana-name"),
        pytest.param("europe/berlin", "Europe/Berlin", id="iana-name-any-case"),
        pytest.param("Barcelona", "Europe/Madrid", id="city-without-a-zone-of-its-own"),
        pytest.param("Nueva York", "America/New_York", id="spanish-name"),
        pytest.param("Ciudad de México", "America/Mexico_City", id="spanish-name-accented"),
        pytest.param("España", "Europe/Madrid", id="country-with-one-zone"),
        pytest.param("UTC", "UTC", id="utc"),
        pytest.param("gmt", "UTC", id="gmt"),
    ],
)
def test_places_resolve_to_their_zone(typed: str, zone: str) -> None:
    """A city, country or zone name, in any case and with or without accents, finds its zone."""
    assert resolve_zone(typed, SUMMER) == zone


HOUR = timedelta(hours=1)


@pytest.mark.parametrize(
    ("typed", "zone", "offset"),
    [
        pytest.param("+2", "Etc/GMT-2", 2 * HOUR, id="plus-two-is-posix-minus"),
        pytest.param("UTC-5", "Etc/GMT+5", -5 * HOUR, id="minus-five-is-posix-plus"),
        pytest.param("utc +3", "Etc/GMT-3", 3 * HOUR, id="spaces"),
        pytest.param("GMT−4", "Etc/GMT+4", -4 * HOUR, id="unicode-minus"),
        pytest.param("+14", "Etc/GMT-14", 14 * HOUR, id="furthest-ahead"),
        pytest.param("-12", "Etc/GMT+12", -12 * HOUR, id="furthest-behind"),
        pytest.param("+0", "UTC", 0 * HOUR, id="zero"),
        pytest.param("GMT+5:30", "Asia/Kolkata", 5.5 * HOUR, id="half-hour"),
        pytest.param("+0545", "Asia/Kathmandu", 5.75 * HOUR, id="quarter-hour-compact"),
    ],
)
def test_offsets_resolve_to_a_zone_with_that_offset_now(
    typed: str, zone: str, offset: timedelta
) -> None:
    """An offset becomes a zone that is that far from UTC when it is typed (Etc/GMT signs flip)."""
    resolved = resolve_zone(typed, SUMMER)

    assert resolved == zone
    assert offset_of(zone, SUMMER) == offset


def test_a_half_hour_offset_finds_a_zone_that_has_it_at_that_time_of_year() -> None:
    """UTC-3:30 is Newfoundland in winter; in summer, when it is at -2:30, it is -2:30 instead."""
    assert resolve_zone("UTC-3:30", WINTER) == "America/St_Johns"
    assert resolve_zone("UTC-2:30", SUMMER) == "America/St_Johns"
    assert resolve_zone("UTC-2:30", WINTER) is None


def test_an_offset_prefers_a_likely_zone_that_follows_daylight_saving() -> None:
    """ "+1" from a Spanish speaker is Madrid in winter and the Canaries in summer."""
    spanish = likely_zones("es")

    assert resolve_zone("+1", WINTER, prefer=spanish) == "Europe/Madrid"
    assert resolve_zone("+1", SUMMER, prefer=spanish) == "Atlantic/Canary"
    assert resolve_zone("+2", SUMMER, prefer=spanish) == "Europe/Madrid"


@pytest.mark.parametrize(
    "typed",
    [
        pytest.param("Atlantis", id="no-such-place"),
        pytest.param("", id="empty"),
        pytest.param("+15", id="beyond-any-real-offset"),
        pytest.param("-13", id="behind-any-real-offset"),
        pytest.param("+2:15", id="minutes-no-zone-has"),
        pytest.param("25:99", id="a-time-not-an-offset"),
        pytest.param("x" * 200, id="very-long"),
        pytest.param("localtime", id="the-host-zone"),
    ],
)
def test_nonsense_resolves_to_nothing(typed: str) -> None:
    """Text that names no place and no real offset gives no zone, rather than a wrong one."""
    assert resolve_zone(typed, SUMMER) is None


@pytest.mark.parametrize("language", [*LIKELY_ZONES, "fr"])
def test_likely_zones_are_real_and_distinct(language: str) -> None:
    """Each language (and any other) gets several real zones to choose from, none twice."""
    zones = likely_zones(language)

    assert len(zones) >= 6
    assert len(set(zones)) == len(zones)
    assert all(is_zone(zone) and ZoneInfo(zone) for zone in zones)


def test_likely_zones_start_with_the_biggest_places_for_the_language() -> None:
    """English speakers see London and New York first, Spanish speakers Madrid and Mexico City."""
    assert likely_zones("en")[:2] == ("Europe/London", "America/New_York")
    assert likely_zones("es")[:2] == ("Europe/Madrid", "America/Mexico_City")


@pytest.mark.parametrize(
    ("zone", "city"),
    [
        ("America/Argentina/Buenos_Aires", "Buenos Aires"),
        ("Europe/Madrid", "Madrid"),
        ("UTC", "UTC"),
        ("Etc/GMT-2", "UTC+2"),
        ("Etc/GMT+5", "UTC-5"),
    ],
)
def test_zones_are_shown_by_their_place(zone: str, city: str) -> None:
    """A zone reads as its city; a fixed offset reads the way people write it, sign included."""
    assert city_of(zone) == city
