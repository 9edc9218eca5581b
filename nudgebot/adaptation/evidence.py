"""What one tip's answer tells the bandit: how much success and failure it counts as.

Counted at planning as "unanswered", adjusted as answers come and change, and taken back if
the tip is never sent (skipped or failed), so the kept per-topic state always equals the sum
over the ledger. Silence is weak evidence (half a failure): people who did a tip often don't
report it. "Later" is no verdict yet either. "Not for me" is the strongest: the person said so,
so it counts as two failures, and a topic they keep refusing falls back faster than one they
merely leave undone.
"""

from __future__ import annotations

from dataclasses import dataclass

from nudgebot.content.schema import Outcome

UNANSWERED_FAILURE = 0.5
_EVIDENCE: dict[Outcome | None, tuple[float, float]] = {
    None: (0.0, UNANSWERED_FAILURE),
    Outcome.LATER: (0.0, UNANSWERED_FAILURE),
    Outcome.DONE: (1.0, 0.0),
    Outcome.NOT_FOR_ME: (0.0, 2.0),
}


@dataclass(frozen=True)
class EvidenceChange:
    """How a topic's counts move when a tip's answer goes from one outcome to another."""

    successes: float
    failures: float
    # The "did it" run in the topic after the change: None leaves it as it is.
    done_streak: int | None


def evidence_change(old: Outcome | None, new: Outcome | None, done_streak: int) -> EvidenceChange:
    """The change in a topic's counts when an answer goes from `old` to `new`."""
    old_s, old_f = _EVIDENCE[old]
    new_s, new_f = _EVIDENCE[new]
    streak: int | None = None
    # "Not for me" ends the run whatever it replaces, a "did it" included.
    if new is Outcome.NOT_FOR_ME:
        streak = 0
    elif new is Outcome.DONE and old is not Outcome.DONE:
        streak = done_streak + 1
    elif old is Outcome.DONE:
        streak = max(done_streak - 1, 0)
    return EvidenceChange(new_s - old_s, new_f - old_f, streak)
