"""The tip-choice policy: unseen tips first, rotating through topics, never a retired tip."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from nudgebot.adaptation import choose_tip
from nudgebot.content import ContentLibrary

START = date(2026, 6, 1)


def simulate(library: ContentLibrary, days: int) -> list[str]:
    """Tips chosen over `days` consecutive days for one subscriber."""
    history: dict[str, date] = {}
    chosen = []
    for day in range(days):
        choice = choose_tip(library, history)
        assert choice is not None
        history[choice.tip_id] = START + timedelta(days=day)
        chosen.append(choice.tip_id)
    return chosen


def test_no_tip_repeats_until_all_were_sent(library: ContentLibrary) -> None:
    """Over as many days as there are tips, every tip is sent exactly once."""
    chosen = simulate(library, len(library.tips))

    assert sorted(chosen) == sorted(library.tips)


def test_days_rotate_through_topics(library: ContentLibrary) -> None:
    """The first days visit every topic once before any topic comes back."""
    first = simulate(library, len(library.topics))

    topics = [library.tips[tip_id].topic for tip_id in first]
    assert sorted(topics) == sorted(library.topics)


def test_after_all_tips_the_oldest_comes_back(library: ContentLibrary) -> None:
    """Once every tip was sent, the one sent longest ago is next."""
    chosen = simulate(library, len(library.tips) + 1)

    assert chosen[-1] == chosen[0]


def test_retired_tip_is_never_chosen(library: ContentLibrary) -> None:
    """A tip removed from the library is not chosen, even if it is the oldest in the history."""
    retired = next(iter(library.tips))
    smaller = replace(library, tips={k: v for k, v in library.tips.items() if k != retired})
    history = {tip_id: START + timedelta(days=i) for i, tip_id in enumerate(library.tips)}

    choice = choose_tip(smaller, history)

    assert choice is not None
    assert choice.tip_id != retired
    assert choice.tip_id == next(iter(smaller.tips))


def test_empty_library_has_no_choice(library: ContentLibrary) -> None:
    """No tips, no choice."""
    assert choose_tip(replace(library, tips={}), {}) is None
