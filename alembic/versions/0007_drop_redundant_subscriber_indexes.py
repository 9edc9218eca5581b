"""Drop the single-column subscriber indexes of deliveries and answers.

Each table has a wider index starting with subscriber_id (deliveries: the unique
(subscriber, day, slot) key and the tip history index; answers: (subscriber, answered_at)),
which serves every lookup and cascade the narrow one did; the narrow one was only one more
B-tree to update on every insert.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DROPPED = (("ix_deliveries_subscriber_id", "deliveries"), ("ix_answers_subscriber_id", "answers"))


def upgrade() -> None:
    for index, table in _DROPPED:
        op.drop_index(index, table_name=table)


def downgrade() -> None:
    for index, table in _DROPPED:
        op.create_index(index, table, ["subscriber_id"])
