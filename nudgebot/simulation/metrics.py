"""What one policy achieved in a run, counted as it goes and summarised for summary.json.

Definitions (the README repeats them):
- did-it rate of a day: tips answered "Did it" / tips sent that day (a tip sent again after
  "Later" counts as another tip sent);
- did_it_rate_days_31_60: the same over days 31-60 pooled (None when the run is shorter than 31
  days; a run shorter than 60 days pools days 31 to its end);
- answer_rate: tips with any answer / tips sent;
- auto_paused_share: people who got the bot's "dormant" notice (paused after days of silence)
  at least once / people;
- topic_mix: each topic's share of the tips sent, in library order.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from nudgebot.simulation.behaviour import Reaction
from nudgebot.simulation.people import Flags, Ints

WINDOW_FIRST_DAY, WINDOW_LAST_DAY = 31, 60
_DIGITS = 6


class PolicyMetrics:
    """Counters of one policy's run; `summary()` is its entry in summary.json."""

    def __init__(self, days: int, topic_ids: tuple[str, ...]) -> None:
        self.days = days
        self.topic_ids = topic_ids
        self.sent_by_day = np.zeros(days, dtype=np.int64)
        self.done_by_day = np.zeros(days, dtype=np.int64)
        self.reactions = np.zeros(len(Reaction), dtype=np.int64)
        self.by_topic = np.zeros(len(topic_ids), dtype=np.int64)
        self.wellbeing_sent = 0
        self.wellbeing_answered = 0

    def record_tips(self, day: int, topics: Ints, reactions: Ints) -> None:
        """Tips sent on `day` (0-based) and how each was answered."""
        self.sent_by_day[day] += len(topics)
        self.done_by_day[day] += int(np.count_nonzero(reactions == Reaction.DONE))
        self.reactions += np.bincount(reactions, minlength=len(Reaction))
        self.by_topic += np.bincount(topics, minlength=len(self.topic_ids))

    def record_wellbeing(self, answered: Flags) -> None:
        """Wellbeing check-ins sent, and which were answered."""
        self.wellbeing_sent += len(answered)
        self.wellbeing_answered += int(np.count_nonzero(answered))

    def add(self, other: PolicyMetrics) -> None:
        """Count in another shard's run of the same policy and days."""
        if other.days != self.days or other.topic_ids != self.topic_ids:
            raise ValueError("only runs of the same days and topics add up")
        self.sent_by_day += other.sent_by_day
        self.done_by_day += other.done_by_day
        self.reactions += other.reactions
        self.by_topic += other.by_topic
        self.wellbeing_sent += other.wellbeing_sent
        self.wellbeing_answered += other.wellbeing_answered

    def summary(self, ever_dormant: Flags) -> dict[str, Any]:
        """The policy's entry in summary.json (plain JSON values, rounded to 6 digits)."""
        sent = int(self.sent_by_day.sum())
        window = slice(WINDOW_FIRST_DAY - 1, WINDOW_LAST_DAY)
        return {
            "did_it_rate_days_31_60": _rate(
                self.done_by_day[window].sum(), self.sent_by_day[window].sum()
            ),
            "did_it_rate_by_day": [
                _rate(done, sent_that_day)
                for done, sent_that_day in zip(self.done_by_day, self.sent_by_day, strict=True)
            ],
            "did_it_rate_all_days": _rate(self.done_by_day.sum(), sent),
            "answer_rate": _rate(sent - self.reactions[Reaction.NONE], sent),
            "auto_paused_share": _rate(np.count_nonzero(ever_dormant), len(ever_dormant)) or 0.0,
            "topic_mix": {
                topic: _rate(count, sent) or 0.0
                for topic, count in zip(self.topic_ids, self.by_topic, strict=True)
            },
            "tips_sent": sent,
            "answers": {
                "did_it": int(self.reactions[Reaction.DONE]),
                "later": int(self.reactions[Reaction.LATER]),
                "not_for_me": int(self.reactions[Reaction.NOT_FOR_ME]),
                "none": int(self.reactions[Reaction.NONE]),
            },
            "wellbeing_answer_rate": _rate(self.wellbeing_answered, self.wellbeing_sent),
        }


def _rate(part: int | np.integer[Any], whole: int | np.integer[Any]) -> float | None:
    return round(int(part) / int(whole), _DIGITS) if whole else None
