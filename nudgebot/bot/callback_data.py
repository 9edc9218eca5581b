"""The compact callback-data format of check-in buttons, and its strict parser.

`c:<delivery id in base 36>:<option id>`, e.g. `c:2s:done`: far below Telegram's 64-byte limit
even for ids in the billions. Button data comes back from the client, so it is treated as
untrusted input: anything that does not match exactly is refused, and the delivery's owner is
checked by the service.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nudgebot.content.limits import MAX_OPTION_ID_BYTES

_PREFIX = "c"
# Options: a tip's option ids ([a-z0-9_]) or a wellbeing score ("gut_comfort=4", "sleep-2=1").
_PATTERN = re.compile(rf"^c:([0-9a-z]{{1,13}}):([a-z0-9_=-]{{1,{MAX_OPTION_ID_BYTES}}})$")
MAX_CALLBACK_DATA_BYTES = 64
# Delivery ids are BIGINT: thirteen base-36 digits reach past them (36**13 > 2**63), and a
# larger forged id would overflow the database driver instead of being refused.
MAX_DELIVERY_ID = 2**63 - 1
# Buttons of an admin's preview carry this instead of a delivery: pressing them records nothing.
PREVIEW_DATA = "preview"


@dataclass(frozen=True)
class CheckinPress:
    """A parsed check-in button press."""

    delivery_id: int
    option_id: str


def encode_checkin(delivery_id: int, option_id: str) -> str:
    """The callback data for option `option_id` under delivery `delivery_id`."""
    if not 0 <= delivery_id <= MAX_DELIVERY_ID:
        raise ValueError(f"delivery id {delivery_id} is out of range")
    data = f"{_PREFIX}:{_base36(delivery_id)}:{option_id}"
    if not _PATTERN.match(data) or len(data.encode()) > MAX_CALLBACK_DATA_BYTES:
        raise ValueError(f"option id {option_id!r} cannot be encoded in callback data")
    return data


def decode_checkin(data: str | None) -> CheckinPress | None:
    """The press encoded in `data`, or None for anything that is not exactly our format."""
    match = _PATTERN.match(data or "")
    if match is None:
        return None
    delivery_id = int(match.group(1), 36)
    if delivery_id > MAX_DELIVERY_ID:
        return None
    return CheckinPress(delivery_id, match.group(2))


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, remainder = divmod(number, 36)
        text = digits[remainder] + text
        if number == 0:
            return text


# The two buttons of a safety question: `sf:<kind>:help` and `sf:<kind>:fine`.
SAFETY_PATTERN = r"^sf:(crisis|red_flag):(help|fine)$"
_SAFETY = re.compile(SAFETY_PATTERN)


@dataclass(frozen=True)
class SafetyAnswer:
    """A press on a safety question: which question, and whether they asked for help."""

    kind: str
    needs_help: bool


def encode_safety(kind: str, needs_help: bool) -> str:
    """The callback data of the help or fine button of the question of `kind`."""
    data = f"sf:{kind}:{'help' if needs_help else 'fine'}"
    if not _SAFETY.match(data):
        raise ValueError(f"no safety question of kind {kind!r}")
    return data


def decode_safety(data: str | None) -> SafetyAnswer | None:
    """The answer encoded in `data`, or None for anything that is not exactly our format."""
    match = _SAFETY.match(data or "")
    if match is None:
        return None
    return SafetyAnswer(match.group(1), match.group(2) == "help")
