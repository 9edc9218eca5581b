"""Every UI string the code uses, with the placeholders each one must accept.

The texts live in `messages/`; this list lets loading refuse a library that lacks one, so a
wording change never breaks the bot at the moment a subscriber needs the string.
"""

from __future__ import annotations

from enum import StrEnum


class UiKey(StrEnum):
    """Keys of the `ui:` section."""

    GREETING = "greeting"
    DISCLAIMER = "disclaimer"
    WELCOME_BACK = "welcome_back"
    RESUMED = "resumed"
    PAUSED = "paused"
    PAUSE_USAGE = "pause_usage"
    NOT_PAUSED = "not_paused"
    CHECKIN_LATER = "checkin_later"
    HELP = "help"
    STOPPED = "stopped"
    NOT_SUBSCRIBED = "not_subscribed"
    UNKNOWN_COMMAND = "unknown_command"
    UNKNOWN_TEXT = "unknown_text"
    UNSUPPORTED_MESSAGE = "unsupported_message"
    TIP_TODAY = "tip_today"
    TIP_WHY = "tip_why"
    TIP_CAUTION = "tip_caution"
    CHECKIN_RECORDED = "checkin_recorded"
    CHECKIN_CHANGED = "checkin_changed"
    CHECKIN_UNCHANGED = "checkin_unchanged"
    CHECKIN_CHOSEN_MARK = "checkin_chosen_mark"
    BUTTON_INVALID = "button_invalid"
    BUTTON_NOT_YOURS = "button_not_yours"
    BUTTON_GONE = "button_gone"
    TEMPORARY_ERROR = "temporary_error"
    PREVIEW_USAGE = "preview_usage"
    PREVIEW_UNKNOWN_TIP = "preview_unknown_tip"
    PREVIEW_BUTTON = "preview_button"
    ADMIN_RELOAD_FAILED = "admin_reload_failed"
    ADMIN_RELOADED = "admin_reloaded"
    COMMAND_START = "command_start"
    COMMAND_HELP = "command_help"
    COMMAND_STOP = "command_stop"
    COMMAND_PAUSE = "command_pause"
    COMMAND_RESUME = "command_resume"
    ADMIN_TIP_BROKEN = "admin_tip_broken"
    WELLBEING_INTRO = "wellbeing_intro"
    WELLBEING_THANKS = "wellbeing_thanks"
    DORMANT_NOTICE = "dormant_notice"
    BUTTON_RESUME = "button_resume"
    NOTE_SAVED = "note_saved"
    NOTE_USAGE = "note_usage"
    # onboarding and settings keys
    # progress keys
    # data keys


# Placeholders a key's text may use (and str.format fills); any other {name} is an error.
PLACEHOLDERS: dict[UiKey, frozenset[str]] = {
    UiKey.GREETING: frozenset({"name"}),
    UiKey.WELCOME_BACK: frozenset({"name"}),
    UiKey.TIP_TODAY: frozenset({"action"}),
    UiKey.TIP_WHY: frozenset({"why"}),
    UiKey.TIP_CAUTION: frozenset({"caution"}),
    UiKey.CHECKIN_RECORDED: frozenset({"choice"}),
    UiKey.CHECKIN_CHANGED: frozenset({"choice"}),
    UiKey.CHECKIN_UNCHANGED: frozenset({"choice"}),
    UiKey.PREVIEW_USAGE: frozenset({"example"}),
    UiKey.PAUSED: frozenset({"date"}),
    UiKey.PAUSE_USAGE: frozenset({"most"}),
    UiKey.CHECKIN_LATER: frozenset({"choice", "time"}),
    UiKey.ADMIN_TIP_BROKEN: frozenset({"tip_id", "reason"}),
    UiKey.PREVIEW_UNKNOWN_TIP: frozenset({"tip_id"}),
    UiKey.ADMIN_RELOAD_FAILED: frozenset({"count"}),
    UiKey.ADMIN_RELOADED: frozenset({"topics", "tips", "retired"}),
    # onboarding and settings placeholders
    # progress placeholders
    # data placeholders
}
