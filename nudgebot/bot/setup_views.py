"""What onboarding and the settings menu look like: Telegram HTML texts and inline keyboards.

Both show the same choices for a setting (likely zones with their local time, a few times, the
topics, check-in times, the languages), the current value marked; only the buttons' data and
the navigation row differ.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import time

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from nudgebot.bot.setup_data import (
    ACCEPT,
    BACK,
    DECLINE,
    SKIP,
    close_data,
    menu_data,
    step_data,
)
from nudgebot.content import ContentLibrary, UiKey
from nudgebot.services.onboarding import STEPS
from nudgebot.services.questions import Setting
from nudgebot.services.setting_changes import ALL_TOPICS, CHECKIN_OFF, Refusal
from nudgebot.services.settings import SettingsView, languages_of

CHOSEN = "✅ "
# Longest piece of a typed answer quoted back in a refusal.
QUOTE_LIMIT = 40
Screen = tuple[str, InlineKeyboardMarkup | None]
Choice = tuple[str, str]  # label, value

_ASK = {
    Setting.TIMEZONE: UiKey.ASK_TIMEZONE,
    Setting.TIME: UiKey.ASK_TIME,
    Setting.TOPICS: UiKey.ASK_TOPICS,
    Setting.WELLBEING: UiKey.ASK_WELLBEING,
    Setting.LANGUAGE: UiKey.ASK_LANGUAGE,
}
_MENU_ROWS = (
    ((Setting.TIMEZONE, UiKey.BUTTON_SETTING_TIMEZONE), (Setting.TIME, UiKey.BUTTON_SETTING_TIME)),
    (
        (Setting.TOPICS, UiKey.BUTTON_SETTING_TOPICS),
        (Setting.WELLBEING, UiKey.BUTTON_SETTING_CHECKIN),
    ),
)


def clock(at: time) -> str:
    """A time of day as people read it: 07:30."""
    return at.strftime("%H:%M")


def _mark(label: str, chosen: bool) -> str:
    return f"{CHOSEN}{label}" if chosen else label


def _rows(choices: Sequence[Choice], per_row: int) -> list[list[Choice]]:
    return [list(choices[i : i + per_row]) for i in range(0, len(choices), per_row)]


def topics_text(library: ContentLibrary, view: SettingsView) -> str:
    """The chosen topics by title, in the library's order, or "all topics"."""
    if view.topics is None:
        return library.ui_text(UiKey.TOPICS_ALL, view.language)
    titles = [
        library.text(topic.title, view.language)
        for topic_id, topic in library.topics.items()
        if topic_id in view.topics
    ]
    return ", ".join(titles) or library.ui_text(UiKey.TOPICS_ALL, view.language)


def _current(library: ContentLibrary, view: SettingsView, setting: Setting) -> str:
    language = view.language
    if setting is Setting.TIME:
        return ", ".join(clock(t) for t in view.nudge_times)
    if setting is Setting.TOPICS:
        return topics_text(library, view)
    if setting is Setting.WELLBEING:
        if view.wellbeing is None:
            return library.ui_text(UiKey.CHECKIN_NONE, language)
        return clock(view.wellbeing)
    if setting is Setting.LANGUAGE:
        return library.ui_text(UiKey.LANGUAGE_NAME, language)
    return view.city


def summary(library: ContentLibrary, view: SettingsView) -> str:
    """Every setting, one line each."""
    return library.ui_text(
        UiKey.SETTINGS_SUMMARY,
        view.language,
        zone=view.city,
        local_time=clock(view.local_time),
        time=_current(library, view, Setting.TIME),
        topics=topics_text(library, view),
        checkin=_current(library, view, Setting.WELLBEING),
        language_name=_current(library, view, Setting.LANGUAGE),
    )


def question(library: ContentLibrary, view: SettingsView, setting: Setting) -> str:
    """The question about `setting`, with its current value."""
    key = _ASK[setting]
    if setting is Setting.TIMEZONE:
        return library.ui_text(key, view.language, zone=view.city, time=clock(view.local_time))
    return library.ui_text(key, view.language, current=_current(library, view, setting))


def choices(library: ContentLibrary, view: SettingsView, setting: Setting) -> list[list[Choice]]:
    """The answer buttons of `setting` as rows of (label, value), the current one marked."""
    language = view.language
    if setting is Setting.TIMEZONE:
        zones = [
            (_mark(f"{c.city} · {clock(c.local_time)}", c.zone == view.timezone), c.zone)
            for c in view.zone_choices
        ]
        return _rows(zones, 2)
    if setting is Setting.TIME:
        times = [
            (_mark(clock(t), t in view.nudge_times), t.strftime("%H%M")) for t in view.time_choices
        ]
        return _rows(times, 3)
    if setting is Setting.TOPICS:
        everything = library.ui_text(UiKey.BUTTON_ALL_TOPICS, language)
        rows = [[(_mark(everything, view.topics is None), ALL_TOPICS)]]
        for topic_id, topic in library.topics.items():
            label = f"{topic.emoji} {library.text(topic.title, language)}"
            chosen = view.topics is not None and topic_id in view.topics
            rows.append([(_mark(label, chosen), topic_id)])
        return rows
    if setting is Setting.WELLBEING:
        times = [
            (_mark(clock(t), t == view.wellbeing), t.strftime("%H%M"))
            for t in view.checkin_choices
        ]
        off = library.ui_text(UiKey.BUTTON_CHECKIN_OFF, language)
        return [*_rows(times, 3), [(_mark(off, view.wellbeing is None), CHECKIN_OFF)]]
    names = [
        (_mark(library.ui_text(UiKey.LANGUAGE_NAME, code), code == language), code)
        for code in languages_of(library)
    ]
    return _rows(names, 2)


def _keyboard(
    rows: list[list[Choice]], data: Callable[[str], str], navigation: list[InlineKeyboardButton]
) -> InlineKeyboardMarkup:
    keys = [
        [InlineKeyboardButton(label, callback_data=data(value)) for label, value in row]
        for row in rows
    ]
    return InlineKeyboardMarkup([*keys, navigation])


def disclaimer_screen(
    library: ContentLibrary, language: str, name: str, returning: bool
) -> Screen:
    """The greeting and the not-medical-advice note, to accept before anything is stored."""
    greeting_key = UiKey.ONBOARDING_RETURNING if returning else UiKey.GREETING
    text = "\n\n".join(
        (
            library.ui_text(greeting_key, language, name=name),
            library.ui_text(UiKey.DISCLAIMER, language),
            library.ui_text(UiKey.ONBOARDING_START, language),
        )
    )
    buttons = [
        InlineKeyboardButton(library.ui_text(UiKey.BUTTON_ACCEPT, language), callback_data=ACCEPT),
        InlineKeyboardButton(
            library.ui_text(UiKey.BUTTON_NOT_NOW, language), callback_data=DECLINE
        ),
    ]
    return text, InlineKeyboardMarkup([buttons])


def step_screen(
    library: ContentLibrary, view: SettingsView, setting: Setting, lead: str | None = None
) -> Screen:
    """One onboarding question: where they are, the question, its choices, Back and Skip."""
    language = view.language
    index = STEPS.index(setting)
    progress = library.ui_text(UiKey.ONBOARDING_STEP, language, step=index + 1, steps=len(STEPS))
    text = f"{progress}\n{question(library, view, setting)}"
    if lead:
        text = f"{lead}\n\n{text}"

    def data(value: str) -> str:
        return step_data(view.subscriber_id, setting, value)

    navigation = []
    if index > 0:
        navigation.append(
            InlineKeyboardButton(
                library.ui_text(UiKey.BUTTON_BACK, language), callback_data=data(BACK)
            )
        )
    # Topics: once some are chosen, moving on keeps them, so the button says Done.
    done = setting is Setting.TOPICS and view.topics is not None
    onward = library.ui_text(UiKey.BUTTON_DONE if done else UiKey.BUTTON_SKIP, language)
    navigation.append(InlineKeyboardButton(onward, callback_data=data(SKIP)))
    return text, _keyboard(choices(library, view, setting), data, navigation)


def done_screen(library: ContentLibrary, view: SettingsView) -> str:
    """The end of onboarding: what they chose, and that the first tip is coming."""
    language = view.language
    return "\n\n".join(
        (
            library.ui_text(UiKey.ONBOARDING_DONE, language),
            summary(library, view),
            library.ui_text(UiKey.ONBOARDING_DONE_NEXT, language),
        )
    )


def menu_screen(library: ContentLibrary, view: SettingsView, lead: str | None = None) -> Screen:
    """The settings menu: every setting, and a button for each."""
    language = view.language
    parts = [
        library.ui_text(UiKey.SETTINGS_TITLE, language),
        summary(library, view),
        library.ui_text(UiKey.SETTINGS_PROMPT, language),
    ]
    if lead:
        parts.insert(0, lead)
    rows = [
        [
            InlineKeyboardButton(
                library.ui_text(key, language),
                callback_data=menu_data(view.subscriber_id, setting),
            )
            for setting, key in row
        ]
        for row in _MENU_ROWS
    ]
    rows.append(
        [
            InlineKeyboardButton(
                library.ui_text(UiKey.BUTTON_SETTING_LANGUAGE, language),
                callback_data=menu_data(view.subscriber_id, Setting.LANGUAGE),
            ),
            InlineKeyboardButton(
                library.ui_text(UiKey.BUTTON_CLOSE, language),
                callback_data=close_data(view.subscriber_id),
            ),
        ]
    )
    return "\n\n".join(parts), InlineKeyboardMarkup(rows)


def closed_screen(library: ContentLibrary, view: SettingsView) -> str:
    """The menu closed: the settings as they stand, no buttons."""
    language = view.language
    return "\n\n".join(
        (
            library.ui_text(UiKey.SETTINGS_TITLE, language),
            summary(library, view),
            library.ui_text(UiKey.SETTINGS_CLOSED, language),
        )
    )


def picker_screen(library: ContentLibrary, view: SettingsView, setting: Setting) -> Screen:
    """One setting's choices from the settings menu, with a way back to the menu."""

    def data(value: str) -> str:
        return menu_data(view.subscriber_id, setting, value)

    back = InlineKeyboardButton(
        library.ui_text(UiKey.BUTTON_BACK, view.language),
        callback_data=menu_data(view.subscriber_id),
    )
    keyboard = _keyboard(choices(library, view, setting), data, [back])
    return question(library, view, setting), keyboard


def refusal_text(
    library: ContentLibrary,
    language: str,
    refusal: Refusal,
    view: SettingsView | None,
    typed: str = "",
) -> str:
    """Why an answer was not used, and how to give one that works."""
    quoted = typed.strip()
    if len(quoted) > QUOTE_LIMIT:
        quoted = f"{quoted[:QUOTE_LIMIT]}…"
    if refusal is Refusal.UNKNOWN_ZONE:
        return library.ui_text(UiKey.TYPED_UNKNOWN_ZONE, language, text=quoted)
    if refusal is Refusal.BAD_TIME:
        return library.ui_text(UiKey.TYPED_BAD_TIME, language, text=quoted)
    if refusal is Refusal.QUIET_TIME and view is not None:
        start, end = clock(view.quiet.start), clock(view.quiet.end)
        return library.ui_text(UiKey.TYPED_QUIET_TIME, language, start=start, end=end)
    if refusal is Refusal.BUTTONS_ONLY:
        return library.ui_text(UiKey.TYPED_BUTTONS_ONLY, language)
    return library.ui_text(UiKey.BUTTON_INVALID, language)
