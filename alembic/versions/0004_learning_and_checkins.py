"""Learning from check-ins: chosen topics, wellbeing check-in settings, silence, the policy and
propensity of each tip, the current answer on its delivery, wellbeing scores, notes and the
bandit's per-topic state.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

import nudgebot.db.types
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("subscribers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("topics", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("wellbeing_enabled", sa.Boolean(), nullable=False, server_default="1")
        )
        batch_op.add_column(sa.Column("wellbeing_time", sa.Time(), nullable=True))
        batch_op.add_column(
            sa.Column("last_reply_at", nudgebot.db.types.UtcDateTime(timezone=True), nullable=True)
        )
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("policy", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("propensity", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("outcome", sa.String(length=16), nullable=True))
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("question_id", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("score", sa.Integer(), nullable=True))
    op.create_index(
        "ix_answers_subscriber_id_answered_at",
        "answers",
        ["subscriber_id", "answered_at"],
        unique=False,
    )
    op.create_table(
        "notes",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column(
            "delivery_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", nudgebot.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["deliveries.id"],
            name=op.f("fk_notes_delivery_id_deliveries"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["subscribers.id"],
            name=op.f("fk_notes_subscriber_id_subscribers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notes")),
    )
    op.create_index(op.f("ix_notes_subscriber_id"), "notes", ["subscriber_id"], unique=False)
    op.create_table(
        "topic_stats",
        sa.Column("subscriber_id", sa.Integer(), nullable=False),
        sa.Column("topic", sa.String(length=40), nullable=False),
        sa.Column("successes", sa.Float(), nullable=False),
        sa.Column("failures", sa.Float(), nullable=False),
        sa.Column("last_sent_on", sa.Date(), nullable=True),
        sa.Column("done_streak", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscriber_id"],
            ["subscribers.id"],
            name=op.f("fk_topic_stats_subscriber_id_subscribers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("subscriber_id", "topic", name=op.f("pk_topic_stats")),
    )


def downgrade() -> None:
    op.drop_table("topic_stats")
    op.drop_index(op.f("ix_notes_subscriber_id"), table_name="notes")
    op.drop_table("notes")
    op.drop_index("ix_answers_subscriber_id_answered_at", table_name="answers")
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.drop_column("score")
        batch_op.drop_column("question_id")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.drop_column("outcome")
        batch_op.drop_column("propensity")
        batch_op.drop_column("policy")
    with op.batch_alter_table("subscribers", schema=None) as batch_op:
        batch_op.drop_column("last_reply_at")
        batch_op.drop_column("wellbeing_time")
        batch_op.drop_column("wellbeing_enabled")
        batch_op.drop_column("topics")
