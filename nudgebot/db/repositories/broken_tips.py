"""Tips Telegram refused to display."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from nudgebot.db.models import BrokenTip


class BrokenTipRepository:
    """Broken tips are kept out of the choice until an admin removes the mark."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def ids(self) -> set[str]:
        """Every tip marked broken."""
        return set((await self._session.scalars(select(BrokenTip.tip_id))).all())

    async def mark(self, tip_id: str, reason: str, now: datetime) -> bool:
        """Mark a tip broken; False if it already was."""
        dialect = self._session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        result = await self._session.execute(
            insert(BrokenTip)
            .values(tip_id=tip_id, reason=reason, marked_at=now)
            .on_conflict_do_nothing(index_elements=["tip_id"])
        )
        return bool(getattr(result, "rowcount", 0))
