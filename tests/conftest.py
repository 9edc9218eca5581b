"""Shared fixtures: a real migrated SQLite database, the shipped content library."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from nudgebot.config import bundled_path
from nudgebot.content import ContentLibrary, ContentStore, load_library
from nudgebot.db import create_engine, create_session_factory
from nudgebot.db.migrations import upgrade

MESSAGES_DIR = bundled_path("messages")


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """A fresh SQLite database file for one test."""
    return f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}"


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on a database migrated to the newest revision."""
    await upgrade(database_url)
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """The session factory the services use."""
    return create_session_factory(engine)


@pytest.fixture(scope="session")
def library() -> ContentLibrary:
    """The content library shipped in messages/."""
    return load_library(MESSAGES_DIR)


@pytest.fixture
def content(library: ContentLibrary) -> ContentStore:
    """A content store holding the shipped library."""
    return ContentStore(library)
