"""What the guided setup's calls answer: a /start's outcome, a press on a question, and what
the press did (`OnboardingService` in `onboarding`)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum, auto

from nudgebot.services.questions import Setting
from nudgebot.services.setting_changes import Change, Refusal
from nudgebot.services.settings import SettingsView


class StartKind(Enum):
    """What /start means for this chat."""

    NEW = auto()  # never subscribed: the note to accept
    RETURNING = auto()  # had stopped: the note again; their old settings are the defaults
    CONTINUING = auto()  # half-way through the questions: the one they are at
    SETTLED = auto()  # active or paused: nothing changes
    WOKEN = auto()  # paused by the bot after silence: active again, a tip on its way


@dataclass(frozen=True)
class Started:
    """The outcome of a /start."""

    kind: StartKind
    language: str
    view: SettingsView | None = None
    # The message that showed the current question until now (CONTINUING).
    replaced_message_id: int | None = None


class StepAction(Enum):
    """What a press on a question does."""

    CHOOSE = auto()
    SKIP = auto()
    BACK = auto()


@dataclass(frozen=True)
class StepAnswer:
    """A press on an onboarding question: whose, which question, what it does."""

    subscriber_id: int
    setting: Setting
    action: StepAction
    change: Change | None = None  # what CHOOSE chooses
    message_id: int | None = None  # the message pressed in (None: typed)


class StepStatus(Enum):
    """What an answer did."""

    ASKING = auto()  # a question is showing: the next one, or the same one (topics)
    FINISHED = auto()  # all answered; the first tip is planned
    DECLINED = auto()  # "Not now": nothing stored, nothing will be sent
    STALE = auto()  # a button of a question answered already, or of another message
    NOT_YOURS = auto()
    UNKNOWN = auto()  # no one is being set up in this chat
    INVALID = auto()  # an answer that cannot be used
    NOT_ASKED = auto()  # typed text that answers nothing


@dataclass(frozen=True)
class StepResult:
    """The outcome of an answer, with the settings as they now stand."""

    status: StepStatus
    language: str | None = None
    view: SettingsView | None = None
    refusal: Refusal | None = None
    # The question the typed answer was about, and the message that asked it.
    setting: Setting | None = None
    replaced_message_id: int | None = None
    # A typed answer to a settings question (not onboarding).
    settings: bool = False
