"""Onboarding step, topics held back for a while (after a gut red flag).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

import nudgebot.db.types
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("subscribers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("onboarding_step", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("paused_topics", sa.JSON(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "paused_topics_until",
                nudgebot.db.types.UtcDateTime(timezone=True),
                nullable=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("subscribers", schema=None) as batch_op:
        batch_op.drop_column("paused_topics_until")
        batch_op.drop_column("paused_topics")
        batch_op.drop_column("onboarding_step")
