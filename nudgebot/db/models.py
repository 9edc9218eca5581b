"""SQLAlchemy models: subscribers, deliveries (the outbox and ledger) and check-in answers."""

from __future__ import annotations

from datetime import date, datetime, time
from enum import StrEnum
from typing import cast

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    Enum,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from nudgebot.db.types import UtcDateTime

# Stable constraint names, so migrations can refer to them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# 64-bit on PostgreSQL, where a million subscribers would exhaust 32-bit ids within years;
# SQLite's INTEGER is already 64-bit and only numbers rows by itself under that exact name.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    """Declarative base with the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def table_of(model: type[Base]) -> Table:
    """A mapped class's table, for Core statements over many rows.

    An INSERT or UPDATE on the table skips the ORM's bulk path, which walks every row's
    attributes once more; `__table__` itself is typed as any FROM clause.
    """
    return cast(Table, model.__table__)


def _str_enum(enum: type[StrEnum], name: str) -> Enum:
    # VARCHAR, not a native enum type: adding a state later is a plain migration everywhere.
    return Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=False,
        length=16,
        values_callable=lambda members: [member.value for member in members],
    )


class SubscriberStatus(StrEnum):
    """Where a subscriber is in their life with the bot."""

    # Going through /start's questions; the first tip comes when they finish.
    ONBOARDING = "onboarding"
    ACTIVE = "active"
    PAUSED = "paused"
    STOPPED = "stopped"
    BLOCKED = "blocked"
    # Paused by the bot after a week of silence: nothing is sent until they write or tap again.
    DORMANT = "dormant"


class DeliveryState(StrEnum):
    """The outbox life of one planned message: planned -> sending -> sent | failed | unknown."""

    PLANNED = "planned"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    UNKNOWN = "unknown"
    SKIPPED = "skipped"


class DeliveryKind(StrEnum):
    """What an outbox message is."""

    TIP = "tip"  # a tip with its check-in (also a tip re-sent after "Later")
    RESUME_NOTICE = "resume_notice"  # "welcome back" when a pause ends by itself
    WELLBEING = "wellbeing"  # the 1-5 wellbeing questions
    DORMANT_NOTICE = "dormant_notice"  # "I'll pause for now, tap to resume" after silence
    WEEKLY_SUMMARY = "weekly_summary"  # what they did this week, and how wellbeing paired


class Subscriber(Base):
    """A Telegram private chat that receives nudges.

    `next_due_at` is set only while the subscriber is active or paused (then it is the moment to
    resume), so the due index holds exactly the people the dispatcher may have to serve. Empty
    schedule settings (quiet hours, gap, budget) follow the deployment's defaults.
    """

    __tablename__ = "subscribers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    language: Mapped[str] = mapped_column(String(16))
    timezone: Mapped[str] = mapped_column(String(64))
    # Local "HH:MM" strings, one nudge each per day.
    nudge_times: Mapped[list[str]] = mapped_column(JSON)
    day_start: Mapped[time] = mapped_column(Time, default=time(0, 0))
    quiet_start: Mapped[time | None] = mapped_column(Time)
    quiet_end: Mapped[time | None] = mapped_column(Time)
    min_gap_minutes: Mapped[int | None] = mapped_column(Integer)
    daily_budget: Mapped[int | None] = mapped_column(Integer)
    # Topic ids they chose; None: every topic, including ones added later.
    topics: Mapped[list[str] | None] = mapped_column(JSON)
    wellbeing_enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default="1")
    # Their own wellbeing check-in time; None: the library's.
    wellbeing_time: Mapped[time | None] = mapped_column(Time)
    # The onboarding question they are at (while status is onboarding).
    onboarding_step: Mapped[str | None] = mapped_column(String(32))
    # Topics held back for a while (after a gut red flag, diet tips for a week), and until when.
    paused_topics: Mapped[list[str] | None] = mapped_column(JSON)
    paused_topics_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    status: Mapped[SubscriberStatus] = mapped_column(_str_enum(SubscriberStatus, "status"))
    paused_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    next_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    last_message_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Their last answer, note or message: silence is counted from here.
    last_reply_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)

    deliveries: Mapped[list[Delivery]] = relationship(
        back_populates="subscriber", cascade="all, delete-orphan", passive_deletes=True
    )


class Delivery(Base):
    """One planned message: the outbox row that is sent, then the ledger row that stays.

    (subscriber, local date, slot) is unique, so no retry, restart or second worker can plan the
    same message twice.
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("subscriber_id", "local_date", "slot"),
        Index("ix_deliveries_state_due_at", "state", "due_at"),
        # Every column the per-tip history reads (`LearningRepository.tip_histories`, the
        # crowd's tip counts): the database reads it from the index alone, in the order it
        # groups by, instead of fetching each of a subscriber's rows from the table.
        Index(
            "ix_deliveries_tip_history",
            "subscriber_id",
            "tip_id",
            "local_date",
            "outcome",
            "state",
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # No index of its own: the unique key and the tip history index both start with it.
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"))
    local_date: Mapped[date] = mapped_column(Date)
    slot: Mapped[str] = mapped_column(String(32))
    kind: Mapped[DeliveryKind] = mapped_column(_str_enum(DeliveryKind, "delivery_kind"))
    state: Mapped[DeliveryState] = mapped_column(_str_enum(DeliveryState, "delivery_state"))
    tip_id: Mapped[str | None] = mapped_column(String(40))
    # The policy that chose the tip and the probability it gave it: enough to estimate any
    # tip's effect later without the bias of the policy's own preferences.
    policy: Mapped[str | None] = mapped_column(String(32))
    propensity: Mapped[float | None] = mapped_column(Float)
    # The current check-in answer (Outcome value), kept here for learning; answers keep history.
    outcome: Mapped[str | None] = mapped_column(String(16))
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    telegram_message_id: Mapped[int | None] = mapped_column(BigInteger)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    failure_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    subscriber: Mapped[Subscriber] = relationship(back_populates="deliveries")


class Answer(Base):
    """One press of a check-in button; a re-press adds a row, so the history stays.

    A tip's answer has the option and its outcome; a wellbeing answer also has the question and
    the 1-5 score (its outcome is "score").
    """

    __tablename__ = "answers"
    __table_args__ = (
        Index("ix_answers_delivery_id_answered_at", "delivery_id", "answered_at"),
        # Recent answers of a batch of subscribers (wellbeing scores that steer the choice).
        Index("ix_answers_subscriber_id_answered_at", "subscriber_id", "answered_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    delivery_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("deliveries.id", ondelete="CASCADE")
    )
    # No index of its own: (subscriber_id, answered_at) starts with it.
    subscriber_id: Mapped[int] = mapped_column(ForeignKey("subscribers.id", ondelete="CASCADE"))
    # Must hold content.limits.MAX_OPTION_ID_BYTES (db may not import content).
    option_id: Mapped[str] = mapped_column(String(24))
    outcome: Mapped[str] = mapped_column(String(16))
    question_id: Mapped[str | None] = mapped_column(String(40))
    score: Mapped[int | None] = mapped_column(Integer)
    answered_at: Mapped[datetime] = mapped_column(UtcDateTime)


class Note(Base):
    """Free text a subscriber wrote: after a check-in (then tied to it) or with /note."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), index=True
    )
    delivery_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("deliveries.id", ondelete="SET NULL")
    )
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class TopicStats(Base):
    """The bandit's kept state for one subscriber and topic (derivable from the ledger).

    Successes count "did it"; failures count other answers and, at half weight, tips still
    unanswered, so the sampler reads silence as weak evidence.
    """

    __tablename__ = "topic_stats"

    subscriber_id: Mapped[int] = mapped_column(
        ForeignKey("subscribers.id", ondelete="CASCADE"), primary_key=True
    )
    topic: Mapped[str] = mapped_column(String(40), primary_key=True)
    successes: Mapped[float] = mapped_column(Float, default=0.0)
    failures: Mapped[float] = mapped_column(Float, default=0.0)
    last_sent_on: Mapped[date | None] = mapped_column(Date)
    # "Did it" answers in a row in this topic (difficulty rises with it).
    done_streak: Mapped[int] = mapped_column(Integer, default=0)


class SendRate(Base):
    """The deployment's shared send clock, one row per limit (see delivery/send_rate.py).

    Times are Unix seconds as floats: the clock needs sub-millisecond steps and no time zone.
    """

    __tablename__ = "send_rate"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    next_slot_at: Mapped[float] = mapped_column(Float)
    paused_until: Mapped[float] = mapped_column(Float)


class BrokenTip(Base):
    """A tip Telegram refused to display; it is not chosen again until an admin fixes it."""

    __tablename__ = "broken_tips"

    tip_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    marked_at: Mapped[datetime] = mapped_column(UtcDateTime)
