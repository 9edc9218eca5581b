"""The tip-choice policy: for now, the first tip a subscriber has not had yet.

The adaptive policy (a bandit over the subscriber's answers) replaces this function's body; its
inputs and output stay: the library, what the subscriber has had, and the choice with its policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from nudgebot.content.library import ContentLibrary

POLICY_UNSEEN_FIRST = "unseen-first"


@dataclass(frozen=True)
class TipChoice:
    """The chosen tip and the name of the policy that chose it."""

    tip_id: str
    policy: str


def choose_tip(library: ContentLibrary, history: Mapping[str, date]) -> TipChoice | None:
    """The first tip (library order) not in `history`; once all were had, the least recent one.

    `history` maps tip ids the subscriber was sent to the last local date each was sent. Tips
    that were removed from the library (retired) never come back, whatever the history says.
    Returns None only for an empty library.
    """
    for tip_id in library.tips:
        if tip_id not in history:
            return TipChoice(tip_id, POLICY_UNSEEN_FIRST)
    if not library.tips:
        return None
    oldest = min(library.tips, key=lambda tip_id: history[tip_id])
    return TipChoice(oldest, POLICY_UNSEEN_FIRST)
