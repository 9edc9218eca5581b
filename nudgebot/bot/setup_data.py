"""Callback data of the onboarding and settings buttons, and their strict parsers.

- `o:yes` / `o:no`: the not-medical-advice note, accepted or not (nobody is stored before);
- `o:<subscriber>:<setting>:<value>`: an answer to an onboarding question;
- `s:<subscriber>:m` (the menu), `s:<subscriber>:x` (close it),
  `s:<subscriber>:<setting>` (its choices), `s:<subscriber>:<setting>:<value>` (choose).

The subscriber id (base 36) ties a button to its owner; the setting is one of `tz tm tp wb ln`;
values are a zone name, a topic id, a language, a time as HHMM, `off`, or an action starting
with `!`. The prefixes `o:` and `s:` differ from check-ins (`c:`), previews and the other
features' buttons, and the handlers are registered with these patterns, so no button reaches
the wrong handler. Everything that does not match exactly is refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nudgebot.services.questions import Setting, from_base36, to_base36

ONBOARDING_PATTERN = r"^o:"
SETTINGS_PATTERN = r"^s:"
ACCEPT = "o:yes"
DECLINE = "o:no"
SKIP = "!skip"
BACK = "!back"
MAX_CALLBACK_DATA_BYTES = 64

_SETTINGS = "|".join(setting.value for setting in Setting)
_VALUE = r"[A-Za-z0-9_/+!-]{1,40}"
_STEP = re.compile(rf"^o:([0-9a-z]{{1,10}}):({_SETTINGS}):({_VALUE})$")
_MENU = re.compile(rf"^s:([0-9a-z]{{1,10}}):(m|x|{_SETTINGS})(?::({_VALUE}))?$")
_MENU_ONLY = "m"
_CLOSE = "x"


@dataclass(frozen=True)
class StepPress:
    """A press on an onboarding question."""

    subscriber_id: int
    setting: Setting
    value: str


@dataclass(frozen=True)
class MenuPress:
    """A press in the settings menu: the menu, closing it, a setting's choices, or a choice."""

    subscriber_id: int
    setting: Setting | None = None
    value: str | None = None
    close: bool = False


def _checked(data: str) -> str:
    if len(data.encode()) > MAX_CALLBACK_DATA_BYTES:
        raise ValueError(f"callback data over {MAX_CALLBACK_DATA_BYTES} bytes: {data!r}")
    return data


def step_data(subscriber_id: int, setting: Setting, value: str) -> str:
    """The data of an answer button."""
    data = f"o:{to_base36(subscriber_id)}:{setting}:{value}"
    if not _STEP.match(data):
        raise ValueError(f"value {value!r} cannot travel in callback data")
    return _checked(data)


def menu_data(subscriber_id: int, setting: Setting | None = None, value: str | None = None) -> str:
    """The data of a settings button: the menu (no setting), its choices, or one choice."""
    data = f"s:{to_base36(subscriber_id)}:{setting or _MENU_ONLY}"
    if value is not None:
        data = f"{data}:{value}"
    if not _MENU.match(data) or (setting is None and value is not None):
        raise ValueError(f"value {value!r} cannot travel in callback data")
    return _checked(data)


def close_data(subscriber_id: int) -> str:
    """The data of the settings menu's Done button."""
    return f"s:{to_base36(subscriber_id)}:{_CLOSE}"


def decode_step(data: str | None) -> StepPress | None:
    """The onboarding answer in `data`, or None for anything else (ACCEPT and DECLINE too)."""
    match = _STEP.match(data or "")
    if match is None:
        return None
    return StepPress(from_base36(match.group(1)), Setting(match.group(2)), match.group(3))


def decode_menu(data: str | None) -> MenuPress | None:
    """The settings press in `data`, or None for anything that is not exactly our format."""
    match = _MENU.match(data or "")
    if match is None:
        return None
    subscriber_id, target, value = from_base36(match.group(1)), match.group(2), match.group(3)
    if target in {_MENU_ONLY, _CLOSE}:
        if value is not None:
            return None
        return MenuPress(subscriber_id, close=target == _CLOSE)
    return MenuPress(subscriber_id, Setting(target), value)
