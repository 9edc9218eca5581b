"""The tip-choice policy for now: a tip the subscriber has not had, rotating through topics.

The adaptive policy (a bandit over the subscriber's answers) replaces this function's body; its
inputs and output stay: the library, what the subscriber has had, and the choice with its policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from nudgebot.content.library import ContentLibrary

POLICY_UNSEEN_ROTATING = "unseen-rotating"


@dataclass(frozen=True)
class TipChoice:
    """The chosen tip and the name of the policy that chose it."""

    tip_id: str
    policy: str


def choose_tip(library: ContentLibrary, history: Mapping[str, date]) -> TipChoice | None:
    """The next tip for a subscriber whose past tips (id -> last local date sent) are `history`.

    A tip they have not had yet, from the topic they have gone longest without (topics never
    served first, in library order), so days rotate through the topics instead of working
    through one file; within a topic, the library's order. Once every tip was had, the one
    had longest ago. Tips removed from the library (retired) are never chosen, whatever the
    history holds. None only for an empty library.
    """
    if not library.tips:
        return None
    last_in_topic: dict[str, date] = {}
    for tip_id, sent_on in history.items():
        tip = library.tips.get(tip_id)
        if tip is not None and sent_on > last_in_topic.get(tip.topic, date.min):
            last_in_topic[tip.topic] = sent_on
    topic_rank = {topic_id: rank for rank, topic_id in enumerate(library.topics)}
    unseen = [tip for tip_id, tip in library.tips.items() if tip_id not in history]
    if unseen:
        chosen = min(
            unseen,
            key=lambda tip: (
                last_in_topic.get(tip.topic, date.min),
                topic_rank.get(tip.topic, len(topic_rank)),
            ),
        )
        return TipChoice(chosen.id, POLICY_UNSEEN_ROTATING)
    oldest = min(library.tips, key=lambda tip_id: history[tip_id])
    return TipChoice(oldest, POLICY_UNSEEN_ROTATING)
