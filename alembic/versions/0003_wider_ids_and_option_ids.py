"""64-bit delivery and answer ids on PostgreSQL; option ids as long as the content allows.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.alter_column(
            "option_id", existing_type=sa.String(length=12), type_=sa.String(length=24)
        )
    # SQLite's INTEGER is 64-bit already (and must stay INTEGER to number rows itself).
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column("deliveries", "id", existing_type=sa.Integer(), type_=sa.BigInteger())
        op.alter_column("answers", "id", existing_type=sa.Integer(), type_=sa.BigInteger())
        op.alter_column(
            "answers", "delivery_id", existing_type=sa.Integer(), type_=sa.BigInteger()
        )


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        op.alter_column(
            "answers", "delivery_id", existing_type=sa.BigInteger(), type_=sa.Integer()
        )
        op.alter_column("answers", "id", existing_type=sa.BigInteger(), type_=sa.Integer())
        op.alter_column("deliveries", "id", existing_type=sa.BigInteger(), type_=sa.Integer())
    with op.batch_alter_table("answers", schema=None) as batch_op:
        batch_op.alter_column(
            "option_id", existing_type=sa.String(length=24), type_=sa.String(length=12)
        )
