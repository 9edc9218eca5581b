"""Screening free text for crisis language and gut red flags, compiled once per library load.

How a phrase matches (messages/README.md says the same for the admins who edit the lists):

- capitals, accents and punctuation are ignored: the text and the phrase are both folded to
  lowercase letters and digits without accents, apostrophes dropped ("don't" -> "dont") and
  every other mark a space ("self-harm" -> "self harm");
- a phrase matches whole words only, so "die" never matches inside "diet";
- a word may end in `*` to stand for any ending: `suicid*` matches suicide, suicidal and
  suicidarme. Only stems listed like this match more than the exact words;
- every language's list is checked whatever the subscriber's language, since people mix them.

There is no fuzzy matching and no understanding of negation or idiom: "this traffic makes me
want to die" matches, as does "I don't want to die". That is deliberate. A crisis reply sent
by mistake costs one kind message; a crisis missed could cost a life.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from nudgebot.content.localized import LocalizedText, pick
from nudgebot.content.schema import SafetySection

STEM_MARK = "*"
# A shorter stem matches too many ordinary words ("di*" would catch "diet").
MIN_STEM_LETTERS = 4
_APOSTROPHES = str.maketrans("", "", "'’‘ʼ`´")


class SafetyKind(StrEnum):
    """What a screened message revealed; crisis wins when a message shows both."""

    CRISIS = "crisis"
    RED_FLAG = "red_flag"


def fold(text: str) -> str:
    """Lowercase words without accents or punctuation, one space apart."""
    # Apostrophes go first: decomposing would turn "´" (typed for one on Spanish keyboards) into
    # a space and an accent, splitting "don´t" in two.
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_APOSTROPHES))
    bare = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join("".join(char if char.isalnum() else " " for char in bare).split())


def _words(phrase: str) -> list[tuple[str, bool]]:
    """The phrase's folded words, each with whether it ends in the stem mark."""
    words = []
    for raw in phrase.split():
        stem = raw.endswith(STEM_MARK)
        folded = fold(raw.removesuffix(STEM_MARK))
        if folded:
            words.append((folded, stem))
    return words


def phrase_problem(phrase: str) -> str | None:
    """Why `phrase` cannot be matched as written, or None when it can."""
    if not _words(phrase):
        return "has no letters or digits to match"
    for raw in phrase.split():
        if STEM_MARK in raw.removesuffix(STEM_MARK):
            return f"{STEM_MARK!r} may only end a word, as in 'suicid*'"
        if raw.endswith(STEM_MARK):
            folded = fold(raw.removesuffix(STEM_MARK)).split()
            stem = folded[-1] if folded else ""
            if len(stem) < MIN_STEM_LETTERS:
                return (
                    f"the stem {stem + STEM_MARK!r} would match too many words: keep at least "
                    f"{MIN_STEM_LETTERS} letters before {STEM_MARK!r}"
                )
    return None


def phrase_key(phrase: str) -> str:
    """What a phrase matches, so two spellings of one phrase compare equal."""
    return " ".join(word + (STEM_MARK if stem else "") for word, stem in _words(phrase))


def _pattern(phrases: Iterable[str]) -> re.Pattern[str] | None:
    alternatives = sorted(
        {
            " ".join(re.escape(word) + (r"\w*" if stem else "") for word, stem in words)
            for words in map(_words, phrases)
            if words
        }
    )
    if not alternatives:
        return None
    # Folded text is words of letters and digits one space apart, so a phrase is whole words
    # exactly when no letter or digit touches either end.
    return re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})(?!\w)")


def _all_phrases(by_language: Mapping[str, list[str]]) -> list[str]:
    return [phrase for phrases in by_language.values() for phrase in phrases]


@dataclass(frozen=True)
class SafetyRules:
    """The safety section with its phrase lists compiled; `none()` when the library has none."""

    section: SafetySection | None
    _crisis: re.Pattern[str] | None = None
    _red_flag: re.Pattern[str] | None = None

    @classmethod
    def none(cls) -> SafetyRules:
        """No screening at all (a library without a safety section)."""
        return cls(None)

    @classmethod
    def compile(cls, section: SafetySection) -> SafetyRules:
        """Compile the phrase lists of a checked section."""
        return cls(
            section,
            _pattern(_all_phrases(section.crisis.phrases)),
            _pattern(_all_phrases(section.red_flag.phrases)),
        )

    def classify(self, text: str) -> SafetyKind | None:
        """Crisis if any crisis phrase is in `text`, else red flag if a red-flag one is."""
        folded = fold(text)
        if self._crisis is not None and self._crisis.search(folded):
            return SafetyKind.CRISIS
        if self._red_flag is not None and self._red_flag.search(folded):
            return SafetyKind.RED_FLAG
        return None

    @property
    def hold_topics(self) -> tuple[str, ...]:
        """Topics held back after a red flag."""
        return tuple(self.section.red_flag.hold_topics) if self.section else ()

    @property
    def hold_days(self) -> int:
        """For how many days they are held back."""
        return self.section.red_flag.hold_days if self.section else 0

    def resources(self, language: str, country: str | None, default_language: str) -> str:
        """The crisis lines for `country`, else for `language`, then the emergency line."""
        section = self._require()
        listed = section.resources.countries.get(country) if country else None
        lines = []
        if listed is not None:
            lines.append(pick(listed, language, default_language))
        elif language in section.resources.languages:
            lines.append(section.resources.languages[language])
        elif default_language in section.resources.languages:
            lines.append(section.resources.languages[default_language])
        lines.append(pick(section.resources.emergency, language, default_language))
        return "\n\n".join(lines)

    def reply(
        self, kind: SafetyKind, language: str, country: str | None, default_language: str
    ) -> str:
        """The reply (Telegram HTML) to a message of `kind`, in `language`."""
        section = self._require()
        if kind is SafetyKind.CRISIS:
            template = pick(section.crisis.reply, language, default_language)
            resources = self.resources(language, country, default_language)
            return template.format(resources=resources)
        template = pick(section.red_flag.reply, language, default_language)
        return template.format(days=section.red_flag.hold_days)

    def admin_alert(self, chat_id: int, kind: SafetyKind, language: str) -> str:
        """What admins read: the chat and the kind, never what was written."""
        template: LocalizedText = self._require().admin_alert
        return pick(template, language, language).format(chat_id=chat_id, kind=kind.value)

    def _require(self) -> SafetySection:
        if self.section is None:
            raise LookupError("the content library has no safety section")
        return self.section
