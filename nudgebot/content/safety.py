"""The safety section of a library: its rules compiled once per load, its replies and lines.

How the rules read a text is in screening.py (the rules) and wording.py (the words); this module
holds what the bot answers.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from nudgebot.content.localized import pick
from nudgebot.content.schema import CrisisRules, RedFlagRules, SafetySection, Tip
from nudgebot.content.screening import (
    Locate,
    SafetyKind,
    Screen,
    Screening,
)
from nudgebot.content.wording import spelling_table
from nudgebot.content.yaml_source import format_path


class AlertReason(StrEnum):
    """Why admins are alerted: a sure crisis match, or "I need help now" pressed."""

    CRISIS = "crisis"
    HELP_ASKED = "help_asked"


@dataclass(frozen=True)
class SafetyQuestionText:
    """A weaker match's question and its two buttons, in one language."""

    text: str
    help_button: str
    fine_button: str


@dataclass(frozen=True)
class SafetyRules:
    """The safety section with its rules compiled; `none()` when the library has none."""

    section: SafetySection | None
    _screen: Screen | None = None

    @classmethod
    def none(cls) -> SafetyRules:
        """No screening at all (a library without a safety section)."""
        return cls(None)

    @classmethod
    def compile(cls, section: SafetySection, locate: Locate | None = None) -> SafetyRules:
        """Compile the rules of a checked section; `locate` says where each was written."""
        screen = Screen.compile(
            spelling_table(section.spellings),
            section.groups,
            section.negation,
            {SafetyKind.CRISIS: section.crisis, SafetyKind.RED_FLAG: section.red_flag},
            locate or (lambda path: format_path(("safety", *path))),
        )
        return cls(section, screen)

    def screen(self, text: str) -> Screening:
        """What `text` shows of crisis and red flags (nothing without a safety section)."""
        return self._screen.screen(text) if self._screen else Screening()

    @property
    def hold_topics(self) -> tuple[str, ...]:
        """Topics held back after a red flag."""
        return tuple(self.section.red_flag.hold_topics) if self.section else ()

    @property
    def hold_tags(self) -> frozenset[str]:
        """Tags whose tips are held back after a red flag, whatever their topic."""
        return frozenset(self.section.red_flag.hold_tags) if self.section else frozenset()

    def holds(self, tip: Tip) -> bool:
        """Whether a red-flag hold keeps `tip` back: a held topic, or a held tag such as food."""
        return tip.topic in self.hold_topics or not self.hold_tags.isdisjoint(tip.tags)

    @property
    def hold_days(self) -> int:
        """For how many days they are held back."""
        return self.section.red_flag.hold_days if self.section else 0

    def resources(self, language: str, country: str | None, default_language: str) -> str:
        """The crisis lines of `country`, else the directory of helplines; then the emergency
        line. Never another country's lines: someone abroad must not be handed a number that
        does not work where they are."""
        section = self._require().resources
        listed = section.countries.get(country) if country else None
        first = listed if listed is not None else section.elsewhere
        return "\n\n".join(
            pick(text, language, default_language) for text in (first, section.emergency)
        )

    def reply(
        self,
        kind: SafetyKind,
        language: str,
        country: str | None,
        default_language: str,
        *,
        held: bool = False,
    ) -> str:
        """The sure reply (Telegram HTML) to a message of `kind`, in `language`; a red flag's
        says food tips are paused only when the hold was stored (`held`)."""
        section = self._require()
        if kind is SafetyKind.CRISIS:
            template = pick(section.crisis.reply, language, default_language)
            resources = self.resources(language, country, default_language)
            return template.format(resources=resources)
        reply = pick(section.red_flag.reply, language, default_language)
        if not held:
            return reply
        note = pick(section.red_flag.hold_note, language, default_language)
        return f"{reply}\n\n{note.format(days=section.red_flag.hold_days)}"

    def question(
        self, kind: SafetyKind, language: str, default_language: str
    ) -> SafetyQuestionText:
        """The question a weaker match of `kind` gets first, with its buttons' labels."""
        question = self._kind(kind).question
        return SafetyQuestionText(
            pick(question.text, language, default_language),
            pick(question.help_button, language, default_language),
            pick(question.fine_button, language, default_language),
        )

    def fine_reply(self, kind: SafetyKind, language: str, default_language: str) -> str:
        """The kind word after the fine button of the question of `kind`."""
        return pick(self._kind(kind).question.fine_reply, language, default_language)

    def admin_alert(self, chat_id: int, reason: AlertReason, language: str) -> str:
        """What admins read: the chat and why, never what was written."""
        alerts = self._require().admin_alerts
        template = alerts.crisis if reason is AlertReason.CRISIS else alerts.help_asked
        return pick(template, language, language).format(chat_id=chat_id)

    def _kind(self, kind: SafetyKind) -> CrisisRules | RedFlagRules:
        section = self._require()
        return section.crisis if kind is SafetyKind.CRISIS else section.red_flag

    def _require(self) -> SafetySection:
        if self.section is None:
            raise LookupError("the content library has no safety section")
        return self.section
