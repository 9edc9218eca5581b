"""What an answer, or a changed answer, does to a topic's counts and its "did it" run."""

import pytest

from nudgebot.adaptation.evidence import EvidenceChange, evidence_change
from nudgebot.content.schema import Outcome

DONE, LATER, NOPE = Outcome.DONE, Outcome.LATER, Outcome.NOT_FOR_ME


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (None, DONE, EvidenceChange(1.0, -0.5, 5)),
        (None, LATER, EvidenceChange(0.0, 0.0, None)),
        (None, NOPE, EvidenceChange(0.0, 1.5, 0)),
        (DONE, LATER, EvidenceChange(-1.0, 0.5, 3)),
        (DONE, NOPE, EvidenceChange(-1.0, 2.0, 0)),
        (LATER, DONE, EvidenceChange(1.0, -0.5, 5)),
        (NOPE, DONE, EvidenceChange(1.0, -2.0, 5)),
        (NOPE, LATER, EvidenceChange(0.0, -1.5, None)),
    ],
    ids=[
        "did it",
        "later is no verdict",
        "not for me ends the run",
        "did it taken back",
        "did it turned into not for me ends the run",
        "later then did it",
        "not for me turned into did it",
        "not for me turned into later",
    ],
)
def test_an_answer_moves_the_counts_and_the_run(
    old: Outcome | None, new: Outcome, expected: EvidenceChange
) -> None:
    assert evidence_change(old, new, done_streak=4) == expected
