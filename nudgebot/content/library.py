"""The content library as the bot uses it: immutable, validated, replaced whole on reload."""

from __future__ import annotations

import html
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import TypeVar, cast

from nudgebot.content.localized import LocalizedText, pick
from nudgebot.content.problems import Problem
from nudgebot.content.safety import SafetyRules
from nudgebot.content.schema import Checkin, Tip, Topic, WellbeingQuestion, WellbeingSchedule
from nudgebot.content.ui_keys import UiKey

T = TypeVar("T")


@dataclass(frozen=True)
class ContentLibrary:
    """A validated, immutable library; replaced whole on reload, never edited in place."""

    default_language: str
    topics: dict[str, Topic]
    tips: dict[str, Tip]
    tip_checkin: Checkin
    wellbeing: dict[str, WellbeingQuestion]
    ui: dict[str, LocalizedText]
    wellbeing_checkin: WellbeingSchedule = field(default_factory=WellbeingSchedule)
    # No screening unless the library has a safety section (messages/safety.yaml).
    safety: SafetyRules = field(default_factory=SafetyRules.none)
    warnings: list[Problem] = field(default_factory=list)
    # Values computed from the library and kept while it lives (each tip's message as rendered,
    # eligibility's table of the tips): the library is never edited, so none goes stale, and a
    # reload or a copy without some tips starts with none.
    _derived: dict[Hashable, object] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def derived(self, key: Hashable, build: Callable[[], T]) -> T:
        """The value kept under `key`, built by `build` the first time it is asked for."""
        try:
            return cast(T, self._derived[key])
        except KeyError:
            value = self._derived[key] = build()
            return value

    def text(self, value: LocalizedText, language: str) -> str:
        """A localized field in `language`, with the library's default as the fallback."""
        return pick(value, language, self.default_language)

    def ui_text(self, key: UiKey, language: str, **values: object) -> str:
        """A UI string in `language`; values are HTML-escaped, as UI strings are Telegram HTML."""
        template = self.text(self.ui[key], language)
        escaped = {name: html.escape(str(value), quote=False) for name, value in values.items()}
        return template.format(**escaped) if values else template

    def checkin_for(self, tip: Tip) -> Checkin:
        """The tip's own check-in, or the library's default one."""
        return tip.checkin or self.tip_checkin
