"""The shipped library meets the product's content rules."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta

import numpy as np
import pytest

from nudgebot.adaptation import AdaptivePolicy, CrowdModel, LearnerView
from nudgebot.adaptation.learner import TipRecord
from nudgebot.content import ContentLibrary
from nudgebot.content.coverage import translation_coverage
from nudgebot.content.schema import TimeOfDay

REQUIRED_TOPICS = {
    "prebiotic-foods",
    "fermented-foods",
    "fibre-diversity",
    "anti-inflammatory",
    "less-sugar",
    "sleep",
    "breathing",
    "stress",
    "movement",
    "hydration",
    "gut-brain-facts",
}
# Tags that must come with a caution shown to the subscriber.
CAUTIONED_TAGS = {"high-fodmap", "herb", "supplement", "probiotic"}
# Words that promise more than the sources support.
OVERCLAIMS = re.compile(r"\b(cures?|cured|heals?|guarantee[sd]?|detox\w*|miracle)\b", re.I)


def english(value: object) -> str:
    """The English text of a field (plain string or language map)."""
    if value is None:
        return ""
    if isinstance(value, dict):
        return str(value.get("en", ""))
    return str(value)


def test_at_least_150_tips_in_every_required_topic(library: ContentLibrary) -> None:
    """Five months of daily tips without a repeat, spread across every topic the product names."""
    per_topic = Counter(tip.topic for tip in library.tips.values())

    assert len(library.tips) >= 150
    assert set(library.topics) >= REQUIRED_TOPICS
    assert min(per_topic[topic] for topic in REQUIRED_TOPICS) >= 10


def test_no_warnings_in_the_shipped_library(library: ContentLibrary) -> None:
    """What ships passes content check without even a warning."""
    assert [str(w) for w in library.warnings] == []


@pytest.mark.parametrize("topic", sorted(REQUIRED_TOPICS))
def test_each_topic_has_every_difficulty(library: ContentLibrary, topic: str) -> None:
    """Each topic offers easy, medium and hard steps."""
    levels = {tip.difficulty for tip in library.tips.values() if tip.topic == topic}

    assert levels == {1, 2, 3}


def test_tips_spread_over_the_day(library: ContentLibrary) -> None:
    """Every time of day has a good share of tips."""
    times = Counter(tip.time_of_day for tip in library.tips.values())

    assert all(times[time] >= 15 for time in TimeOfDay)


def test_sensitive_tips_carry_a_caution(library: ContentLibrary) -> None:
    """Herbs, supplements, probiotics and high-FODMAP foods always come with a caution."""
    missing = [
        tip.id
        for tip in library.tips.values()
        if CAUTIONED_TAGS & set(tip.tags) and tip.cautions is None
    ]

    assert missing == []


def test_no_tip_promises_a_cure(library: ContentLibrary) -> None:
    """Tips say "is linked with", never "cures" or "heals"."""
    overclaiming = [
        tip.id
        for tip in library.tips.values()
        if any(OVERCLAIMS.search(english(getattr(tip, f))) for f in ("text", "why", "action"))
    ]

    assert overclaiming == []


def test_actions_are_all_different(library: ContentLibrary) -> None:
    """No two tips ask for the same thing."""
    actions = Counter(english(tip.action).casefold() for tip in library.tips.values())

    assert [action for action, count in actions.items() if count > 1] == []


def test_a_spanish_subscribers_first_30_tips_are_in_spanish(library: ContentLibrary) -> None:
    """The first 30 tips the adaptive policy sends a new Spanish subscriber are in Spanish."""
    policy, rng = AdaptivePolicy(), np.random.default_rng(3)
    history: dict[str, TipRecord] = {}
    first_month = []
    for day in range(30):
        today = date(2026, 6, 1) + timedelta(days=day)
        view = LearnerView(today, TimeOfDay.MORNING, tips=history, language="es")
        choice = policy.choose(library, view, CrowdModel.uninformed(), rng)
        assert choice is not None
        history[choice.tip_id] = TipRecord(1, 0, today)
        first_month.append(library.tips[choice.tip_id])

    untranslated = [
        tip.id
        for tip in first_month
        if not all(
            isinstance(getattr(tip, f), dict) and "es" in getattr(tip, f)
            for f in ("title", "text", "action", "why")
        )
    ]
    assert untranslated == []


def test_spanish_covers_the_whole_interface(library: ContentLibrary) -> None:
    """Every UI string and topic exists in Spanish."""
    spanish = next(entry for entry in translation_coverage(library) if entry.language == "es")

    assert spanish.ui_strings[0] == spanish.ui_strings[1]
    assert spanish.topics[0] == spanish.topics[1]
    assert spanish.tips[0] >= 30
