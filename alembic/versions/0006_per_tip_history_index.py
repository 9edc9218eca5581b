"""An index that holds each subscriber's per-tip history, so reading it touches no table rows.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_deliveries_tip_history",
        "deliveries",
        ["subscriber_id", "tip_id", "local_date", "outcome", "state"],
    )


def downgrade() -> None:
    op.drop_index("ix_deliveries_tip_history", table_name="deliveries")
