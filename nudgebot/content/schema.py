"""The typed shape of `messages/*.yaml`: topics, tips, check-ins and the bot's UI strings."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from nudgebot.content.localized import LocalizedText

Identifier = Annotated[
    str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", min_length=1, max_length=40)
]
# Option ids travel in button callback data; their length is checked against Telegram's limit
# with the whole library (see checks.py), so the message can say why.
OptionId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+$", min_length=1)]
WELLBEING_SCALE = range(1, 6)


class _Strict(BaseModel):
    # Unknown keys are admin typos, never something to silently ignore.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Outcome(StrEnum):
    """What a check-in answer means for learning, whatever its wording."""

    DONE = "done"
    LATER = "later"
    NOT_FOR_ME = "not_for_me"


class TimeOfDay(StrEnum):
    """When in the day a tip fits best."""

    MORNING = "morning"
    MIDDAY = "midday"
    EVENING = "evening"
    ANY = "any"


class Topic(_Strict):
    """A theme tips belong to, such as fermented foods or sleep."""

    id: Identifier
    title: LocalizedText
    emoji: str
    description: LocalizedText


class CheckinOption(_Strict):
    """One button under a tip."""

    id: OptionId
    label: LocalizedText
    outcome: Outcome


class Checkin(_Strict):
    """The question under a tip and its answer buttons."""

    question: LocalizedText
    options: list[CheckinOption] = Field(min_length=1)

    @field_validator("options")
    @classmethod
    def _distinct_ids(cls, options: list[CheckinOption]) -> list[CheckinOption]:
        ids = [option.id for option in options]
        duplicates = sorted({option_id for option_id in ids if ids.count(option_id) > 1})
        if duplicates:
            raise ValueError(f"option ids must be distinct, repeated: {', '.join(duplicates)}")
        # Learning needs every kind of answer to be possible under every tip.
        missing = [o.value for o in Outcome if o not in {option.outcome for option in options}]
        if missing:
            raise ValueError(f"needs an option for each outcome; missing: {', '.join(missing)}")
        return options


class Tip(_Strict):
    """One daily nudge: what to do today, why it matters, and its check-in."""

    id: Identifier
    topic: Identifier
    title: LocalizedText
    text: LocalizedText
    action: LocalizedText
    why: LocalizedText
    difficulty: int = Field(ge=1, le=3)
    time_of_day: TimeOfDay = TimeOfDay.ANY
    cooldown_days: int = Field(default=60, ge=0)
    follow_up: Identifier | None = None
    prerequisite: Identifier | None = None
    cautions: LocalizedText | None = None
    checkin: Checkin | None = None
    tags: list[Identifier] = Field(default_factory=list)
    sources: list[str] = Field(min_length=1)


class LowScoreResponse(_Strict):
    """How the next days' tips change after a low wellbeing score."""

    # A score at or below this counts as low.
    at_most: int = Field(default=2, ge=1, le=4)
    # For how many of the subscriber's days after the answer the response holds.
    days: int = Field(default=3, ge=1, le=14)
    # Topics raised in the choice (a low sleep score raises sleep tips).
    raise_topics: list[Identifier] = Field(default_factory=list)
    # Tags left out entirely (a low gut-comfort score: no high-FODMAP tips).
    avoid_tags: list[Identifier] = Field(default_factory=list)


class WellbeingQuestion(_Strict):
    """A 1-5 wellbeing check-in (mood, gut comfort, sleep quality) with a label per score."""

    id: Identifier
    question: LocalizedText
    labels: dict[int, LocalizedText]
    when_low: LowScoreResponse | None = None

    @field_validator("labels")
    @classmethod
    def _one_label_per_score(cls, labels: dict[int, LocalizedText]) -> dict[int, LocalizedText]:
        if set(labels) != set(WELLBEING_SCALE):
            raise ValueError("needs exactly one label for each score 1, 2, 3, 4 and 5")
        return labels


class WellbeingSchedule(_Strict):
    """When the wellbeing check-in goes out, unless a subscriber chose otherwise."""

    # Local time; the deployment's quiet hours still apply.
    time: str = "19:30"
    # 1: daily; 2: every other day; ...
    every_days: int = Field(default=1, ge=1, le=7)

    @field_validator("time")
    @classmethod
    def _hours_and_minutes(cls, value: str) -> str:
        if not re.fullmatch(r"([01][0-9]|2[0-3]):[0-5][0-9]", value):
            raise ValueError(f"expected a local time like 19:30, not {value!r}")
        return value


class TagDefinition(_Strict):
    """A tag tips may carry, declared once so a misspelt tag is caught."""

    id: Identifier
    description: str


class SourceDefinition(_Strict):
    """An article the tips' claims rest on; tips cite it by its exact title."""

    title: str = Field(min_length=1)
    publisher: str | None = None


class NearRule(_Strict):
    """Words of every part within a few words of each other, in any order."""

    # Each part is written like a phrase: "blood/sangre", "{stool}".
    near: list[str] = Field(min_length=2, max_length=4)
    # The parts all start within this many words of each other.
    within: int = Field(ge=1, le=30)


# A phrase ("kill myself", "{want} to die") or a proximity rule; messages/README.md has the syntax.
ScreenRule = str | NearRule


class SafetyQuestion(_Strict):
    """The question a weaker match gets first, with two buttons; help leads to the sure reply."""

    text: LocalizedText
    help_button: LocalizedText
    fine_button: LocalizedText
    # Sent after the fine button: a kind word, nothing held or alerted.
    fine_reply: LocalizedText


class ScreenedKind(_Strict):
    """The rules of one kind of verdict, by language: sure, weaker, and look-alikes."""

    # Language code -> rules whose match is answered at once.
    sure: dict[str, list[ScreenRule]]
    # Language code -> rules whose match is asked about first (`question`).
    ask: dict[str, list[ScreenRule]] = Field(default_factory=dict)
    # Language code -> look-alikes: a match lying inside one of these does not count.
    look_alikes: dict[str, list[ScreenRule]] = Field(default_factory=dict)
    question: SafetyQuestion


class CrisisRules(ScreenedKind):
    """Words that suggest someone may harm themselves, and the reply that points them to help."""

    # Telegram HTML with a {resources} placeholder, where the crisis lines go.
    reply: LocalizedText


class RedFlagRules(ScreenedKind):
    """Gut symptoms that need a clinician, the reply, and the diet tips held back meanwhile."""

    # Telegram HTML: see a clinician.
    reply: LocalizedText
    # Added to the reply when the hold was stored; may use {days}, its length.
    hold_note: LocalizedText
    hold_topics: list[Identifier] = Field(min_length=1)
    # Tips with any of these tags are held back too, whatever their topic.
    hold_tags: list[Identifier] = Field(default_factory=list)
    hold_days: int = Field(default=7, ge=1, le=90)


class Negation(_Strict):
    """Words that, just before a sure match, lower it to a question (never silence it)."""

    words: list[str] = Field(min_length=1)
    # Words that may stand between the negation and the match ("not *going to* kill myself");
    # any other word ends the negation's reach, as does the end of a clause.
    between: list[str] = Field(default_factory=list)
    # How many of those at most.
    within: int = Field(default=3, ge=0, le=6)
    # Phrases whose negation word is not one ("no sé", "not sure"... as fillers).
    ignore: list[str] = Field(default_factory=list)


class CrisisResources(_Strict):
    """Crisis lines: by country, else a directory of helplines, and always the emergency line."""

    # ISO 3166 country code (GB, ES, ...) -> Telegram HTML.
    countries: dict[str, LocalizedText] = Field(default_factory=dict)
    # For someone whose country is unknown or not listed: a directory of helplines, never
    # another country's lines.
    elsewhere: LocalizedText
    emergency: LocalizedText


class AdminAlerts(_Strict):
    """What admins are told; {chat_id} only, never what the person wrote."""

    crisis: LocalizedText
    help_asked: LocalizedText


class SafetySection(_Strict):
    """What the bot screens every message for, and what it answers (messages/safety.yaml)."""

    # How people type a word -> the words it stands for ("cant" -> "can not", "xq" -> "porque").
    spellings: dict[str, str] = Field(default_factory=dict)
    # Named word lists that rules use as {name}.
    groups: dict[Identifier, list[str]] = Field(default_factory=dict)
    negation: Negation | None = None
    crisis: CrisisRules
    red_flag: RedFlagRules
    resources: CrisisResources
    admin_alerts: AdminAlerts


class ContentFile(_Strict):
    """One YAML file in `messages/`: any of the sections, merged with the other files."""

    default_language: str | None = None
    tags: list[TagDefinition] = Field(default_factory=list)
    sources: list[SourceDefinition] = Field(default_factory=list)
    topics: list[Topic] = Field(default_factory=list)
    tips: list[Tip] = Field(default_factory=list)
    tip_checkin: Checkin | None = None
    wellbeing: list[WellbeingQuestion] = Field(default_factory=list)
    wellbeing_checkin: WellbeingSchedule | None = None
    ui: dict[str, LocalizedText] = Field(default_factory=dict)
    safety: SafetySection | None = None
