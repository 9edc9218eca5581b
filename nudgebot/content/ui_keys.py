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
    ONBOARDING_START = "onboarding_start"
    ONBOARDING_RETURNING = "onboarding_returning"
    ONBOARDING_DECLINED = "onboarding_declined"
    ONBOARDING_CONTINUE = "onboarding_continue"
    ONBOARDING_STEP = "onboarding_step"
    ONBOARDING_DONE = "onboarding_done"
    ONBOARDING_DONE_NEXT = "onboarding_done_next"
    ASK_TIMEZONE = "ask_timezone"
    ASK_TIME = "ask_time"
    ASK_TOPICS = "ask_topics"
    ASK_WELLBEING = "ask_wellbeing"
    ASK_LANGUAGE = "ask_language"
    TYPED_UNKNOWN_ZONE = "typed_unknown_zone"
    TYPED_BAD_TIME = "typed_bad_time"
    TYPED_QUIET_TIME = "typed_quiet_time"
    TYPED_BUTTONS_ONLY = "typed_buttons_only"
    BUTTON_STALE = "button_stale"
    BUTTON_ACCEPT = "button_accept"
    BUTTON_NOT_NOW = "button_not_now"
    BUTTON_SKIP = "button_skip"
    BUTTON_DONE = "button_done"
    BUTTON_BACK = "button_back"
    BUTTON_ALL_TOPICS = "button_all_topics"
    BUTTON_CHECKIN_OFF = "button_checkin_off"
    BUTTON_SETTING_TIMEZONE = "button_setting_timezone"
    BUTTON_SETTING_TIME = "button_setting_time"
    BUTTON_SETTING_TOPICS = "button_setting_topics"
    BUTTON_SETTING_CHECKIN = "button_setting_checkin"
    BUTTON_SETTING_LANGUAGE = "button_setting_language"
    BUTTON_CLOSE = "button_close"
    SETTINGS_TITLE = "settings_title"
    SETTINGS_SUMMARY = "settings_summary"
    SETTINGS_PROMPT = "settings_prompt"
    SETTINGS_SAVED = "settings_saved"
    SETTINGS_CLOSED = "settings_closed"
    ALREADY_SUBSCRIBED = "already_subscribed"
    TOPICS_ALL = "topics_all"
    CHECKIN_NONE = "checkin_none"
    LANGUAGE_NAME = "language_name"
    COMMAND_SETTINGS = "command_settings"
    COMMAND_TIME = "command_time"
    COMMAND_TIMEZONE = "command_timezone"
    COMMAND_TOPICS = "command_topics"
    COMMAND_LANGUAGE = "command_language"
    COMMAND_NOTE = "command_note"
    # progress keys
    PROGRESS_USAGE = "progress_usage"
    PROGRESS_NO_DATA = "progress_no_data"
    PROGRESS_CAPTION = "progress_caption"
    PROGRESS_STRONGEST = "progress_strongest"
    PROGRESS_CHART_TITLE = "progress_chart_title"
    PROGRESS_CHART_SCORES = "progress_chart_scores"
    PROGRESS_CHART_OVERALL = "progress_chart_overall"
    PROGRESS_CHART_DONE = "progress_chart_done"
    PROGRESS_CHART_NOTHING_DONE = "progress_chart_nothing_done"
    PROGRESS_CHART_WELLBEING = "progress_chart_wellbeing"
    PROGRESS_CHART_NO_WELLBEING = "progress_chart_no_wellbeing"
    PROGRESS_CHART_MOOD = "progress_chart_mood"
    PROGRESS_CHART_GUT_COMFORT = "progress_chart_gut_comfort"
    PROGRESS_MONTHS = "progress_months"
    PROGRESS_DECIMAL_POINT = "progress_decimal_point"
    COMMAND_PROGRESS = "command_progress"
    WEEKLY_SUMMARY_TITLE = "weekly_summary_title"
    WEEKLY_SUMMARY_DONE = "weekly_summary_done"
    WEEKLY_SUMMARY_TOPIC = "weekly_summary_topic"
    WEEKLY_SUMMARY_NOTHING_DONE = "weekly_summary_nothing_done"
    WEEKLY_SUMMARY_STREAK = "weekly_summary_streak"
    WEEKLY_SUMMARY_PAIRING_INTRO = "weekly_summary_pairing_intro"
    WEEKLY_SUMMARY_PAIRING = "weekly_summary_pairing"
    WEEKLY_SUMMARY_MOOD = "weekly_summary_mood"
    WEEKLY_SUMMARY_GUT_COMFORT = "weekly_summary_gut_comfort"
    WEEKLY_SUMMARY_CAVEAT = "weekly_summary_caveat"
    WEEKLY_SUMMARY_FOOTER = "weekly_summary_footer"
    # data keys
    EXPORT_JSON_CAPTION = "export_json_caption"
    EXPORT_CSV_CAPTION = "export_csv_caption"
    DATA_NOTHING_STORED = "data_nothing_stored"
    DELETE_CONFIRM = "delete_confirm"
    BUTTON_DELETE_EVERYTHING = "button_delete_everything"
    BUTTON_KEEP_DATA = "button_keep_data"
    DELETE_DONE = "delete_done"
    DELETE_KEPT = "delete_kept"
    DELETE_EXPIRED = "delete_expired"
    COMMAND_EXPORT = "command_export"
    COMMAND_DELETE_ME = "command_delete_me"


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
    UiKey.ONBOARDING_RETURNING: frozenset({"name"}),
    UiKey.ONBOARDING_STEP: frozenset({"step", "steps"}),
    UiKey.ASK_TIMEZONE: frozenset({"zone", "time"}),
    UiKey.ASK_TIME: frozenset({"current"}),
    UiKey.ASK_TOPICS: frozenset({"current"}),
    UiKey.ASK_WELLBEING: frozenset({"current"}),
    UiKey.ASK_LANGUAGE: frozenset({"current"}),
    UiKey.SETTINGS_SUMMARY: frozenset(
        {"zone", "local_time", "time", "topics", "checkin", "language_name"}
    ),
    UiKey.TYPED_UNKNOWN_ZONE: frozenset({"text"}),
    UiKey.TYPED_BAD_TIME: frozenset({"text"}),
    UiKey.TYPED_QUIET_TIME: frozenset({"start", "end"}),
    # progress placeholders
    UiKey.PROGRESS_USAGE: frozenset({"default", "most"}),
    UiKey.PROGRESS_CAPTION: frozenset({"days", "done_days", "streak", "best"}),
    UiKey.PROGRESS_STRONGEST: frozenset({"topic"}),
    UiKey.PROGRESS_CHART_TITLE: frozenset({"days"}),
    UiKey.WEEKLY_SUMMARY_DONE: frozenset({"count"}),
    UiKey.WEEKLY_SUMMARY_TOPIC: frozenset({"topic", "count"}),
    UiKey.WEEKLY_SUMMARY_STREAK: frozenset({"streak"}),
    UiKey.WEEKLY_SUMMARY_PAIRING_INTRO: frozenset({"days"}),
    UiKey.WEEKLY_SUMMARY_PAIRING: frozenset(
        {"topic", "measure", "with_mean", "with_days", "without_mean", "without_days"}
    ),
    # data placeholders
    UiKey.DELETE_CONFIRM: frozenset({"minutes"}),
}
