"""Schedules (several nudge times, quiet hours, gap, budget, day start), pauses, outbox kinds,
the shared send clock and broken tips.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

import nudgebot.db.types
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_subscribers = sa.table(
    "subscribers",
    sa.column("id", sa.Integer),
    sa.column("nudge_time", sa.Time),
    sa.column("nudge_times", sa.JSON),
)


def upgrade() -> None:
    op.create_table(
        "broken_tips",
        sa.Column("tip_id", sa.String(length=40), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("marked_at", nudgebot.db.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tip_id", name=op.f("pk_broken_tips")),
    )
    op.create_table(
        "send_rate",
        sa.Column("name", sa.String(length=32), nullable=False),
        sa.Column("next_slot_at", sa.Float(), nullable=False),
        sa.Column("paused_until", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_send_rate")),
    )
    kind = sa.Enum("tip", "resume_notice", name="delivery_kind", native_enum=False, length=16)
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        # Every existing delivery is a tip; the default only fills those rows.
        batch_op.add_column(sa.Column("kind", kind, nullable=False, server_default="tip"))
        batch_op.alter_column(
            "slot", existing_type=sa.VARCHAR(length=16), type_=sa.String(length=32)
        )
        batch_op.alter_column("tip_id", existing_type=sa.VARCHAR(length=40), nullable=True)
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.alter_column("kind", existing_type=kind, server_default=None)

    with op.batch_alter_table("subscribers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("nudge_times", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column("day_start", sa.Time(), nullable=False, server_default="00:00:00")
        )
        batch_op.add_column(sa.Column("quiet_start", sa.Time(), nullable=True))
        batch_op.add_column(sa.Column("quiet_end", sa.Time(), nullable=True))
        batch_op.add_column(sa.Column("min_gap_minutes", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("daily_budget", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("paused_until", nudgebot.db.types.UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column(
                "last_message_at", nudgebot.db.types.UtcDateTime(timezone=True), nullable=True
            )
        )
    # Carry each subscriber's single nudge time over into the new list.
    connection = op.get_bind()
    for row in connection.execute(sa.select(_subscribers.c.id, _subscribers.c.nudge_time)):
        connection.execute(
            _subscribers.update()
            .where(_subscribers.c.id == row.id)
            .values(nudge_times=[row.nudge_time.strftime("%H:%M")])
        )
    with op.batch_alter_table("subscribers", schema=None) as batch_op:
        batch_op.alter_column("nudge_times", existing_type=sa.JSON(), nullable=False)
        batch_op.alter_column("day_start", existing_type=sa.Time(), server_default=None)
        batch_op.drop_column("nudge_time")


def downgrade() -> None:
    with op.batch_alter_table("subscribers", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("nudge_time", sa.Time(), nullable=False, server_default="09:00:00")
        )
        batch_op.drop_column("last_message_at")
        batch_op.drop_column("paused_until")
        batch_op.drop_column("daily_budget")
        batch_op.drop_column("min_gap_minutes")
        batch_op.drop_column("quiet_end")
        batch_op.drop_column("quiet_start")
        batch_op.drop_column("day_start")
        batch_op.drop_column("nudge_times")
    # Notices have no tip and cannot exist in the older schema.
    op.execute("DELETE FROM deliveries WHERE tip_id IS NULL")
    with op.batch_alter_table("deliveries", schema=None) as batch_op:
        batch_op.alter_column(
            "slot", existing_type=sa.String(length=32), type_=sa.VARCHAR(length=16)
        )
        batch_op.alter_column("tip_id", existing_type=sa.VARCHAR(length=40), nullable=False)
        batch_op.drop_column("kind")
    op.drop_table("send_rate")
    op.drop_table("broken_tips")
