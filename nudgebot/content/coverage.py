"""How much of the library each language covers."""

from __future__ import annotations

from dataclasses import dataclass

from nudgebot.content.library import ContentLibrary
from nudgebot.content.localized import LocalizedText

_TIP_FIELDS = ("title", "text", "action", "why", "cautions")


@dataclass(frozen=True)
class LanguageCoverage:
    """Counts of items fully written in one language, out of all of them."""

    language: str
    ui_strings: tuple[int, int]
    topics: tuple[int, int]
    tips: tuple[int, int]

    def __str__(self) -> str:
        def share(pair: tuple[int, int]) -> str:
            done, total = pair
            return f"{done}/{total}"

        return (
            f"{self.language}: UI strings {share(self.ui_strings)}, "
            f"topics {share(self.topics)}, tips {share(self.tips)}"
        )


def _has(value: LocalizedText | None, language: str, default: str) -> bool:
    """Whether a field is written in `language`.

    A plain string is in the default language, unless it has no letters at all (an emoji or a
    symbol), which needs no translation.
    """
    if value is None:
        return True
    if isinstance(value, str):
        return language == default or not any(char.isalpha() for char in value)
    return language in value


def translation_coverage(library: ContentLibrary) -> list[LanguageCoverage]:
    """Coverage per language used anywhere, the default language first."""
    default = library.default_language
    languages = {default} | {
        language
        for values in (
            library.ui.values(),
            (tip.title for tip in library.tips.values()),
            (topic.title for topic in library.topics.values()),
        )
        for value in values
        if isinstance(value, dict)
        for language in value
    }
    report = []
    for language in sorted(languages, key=lambda lang: (lang != default, lang)):
        ui = sum(_has(text, language, default) for text in library.ui.values())
        topics = sum(
            _has(t.title, language, default) and _has(t.description, language, default)
            for t in library.topics.values()
        )
        tips = sum(
            all(_has(getattr(tip, name), language, default) for name in _TIP_FIELDS)
            for tip in library.tips.values()
        )
        report.append(
            LanguageCoverage(
                language,
                (ui, len(library.ui)),
                (topics, len(library.topics)),
                (tips, len(library.tips)),
            )
        )
    return report
