"""What recording a check-in press takes and gives back."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from enum import Enum, auto

from nudgebot.content.rendering import RenderedTip, RenderedWellbeing

# The outcome stored for a wellbeing score (its value is in `score`).
SCORE_OUTCOME = "score"


class CheckinStatus(Enum):
    """What happened to a button press."""

    RECORDED = auto()
    CHANGED = auto()
    UNCHANGED = auto()
    RESUMED = auto()  # the "Resume" button under the silence notice
    NOT_PAUSED = auto()  # that button, pressed by someone receiving nudges already
    NOT_SUBSCRIBED = auto()  # that button, pressed by someone who stopped since
    UNKNOWN_DELIVERY = auto()  # deleted, never existed, or its tip was retired
    NOT_YOURS = auto()
    UNKNOWN_OPTION = auto()


@dataclass(frozen=True)
class Press:
    """One button press: who, under which delivery, which option, when."""

    chat_id: int
    delivery_id: int
    option_id: str
    at: datetime


@dataclass(frozen=True)
class CheckinResult:
    """The outcome of a press, and (when accepted) the message re-rendered to show the answer."""

    status: CheckinStatus
    language: str | None = None
    choice: str | None = None
    message: RenderedTip | RenderedWellbeing | None = None
    # For "Later": when the tip comes back, in the subscriber's local time (None: it won't).
    again_at: time | None = None
