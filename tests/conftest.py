"""Shared fixtures: real migrated databases on SQLite and on PostgreSQL, the shipped content.

Every test that asks for a database runs twice, as `[sqlite]` and as `[postgresql]`. Without
PostgreSQL installed the second one is skipped, except in CI (CI=true), where it fails: CI
installs PostgreSQL itself, so a skip there would hide a broken setup.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from alembic import command
from nudgebot.config import bundled_path
from nudgebot.content import ContentLibrary, ContentStore, load_library
from nudgebot.db import create_engine, create_session_factory
from nudgebot.db.migrations import alembic_config
from tests.postgres import PostgresDatabases, PostgresNotInstalledError, postgres_databases

MESSAGES_DIR = bundled_path("messages")
SQLITE = "sqlite"
POSTGRESQL = "postgresql"


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker that `-m "not postgresql"` uses to leave the server out."""
    config.addinivalue_line("markers", "postgresql: the test runs on a PostgreSQL database")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the PostgreSQL-only tests too, so the marker selects every test that needs the server."""
    for item in items:
        if "postgres" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.postgresql)


def in_ci() -> bool:
    """Whether this run is CI's, where nothing may be skipped for lack of PostgreSQL."""
    return os.environ.get("CI", "").lower() == "true"


def migrate(database_url: str) -> None:
    """Upgrade a database from synchronous code, even one called while a test's loop runs.

    Alembic's env.py starts an event loop of its own, which a thread with no loop allows.
    """
    with ThreadPoolExecutor(max_workers=1) as thread:
        thread.submit(command.upgrade, alembic_config(database_url), "head").result()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresDatabases]:
    """The session's PostgreSQL server, started on first use and removed at the end."""
    try:
        with postgres_databases() as databases:
            yield databases
    except PostgresNotInstalledError as error:
        if in_ci():
            pytest.fail(
                f"PostgreSQL is required in CI (CI=true) but is not installed: {error}",
                pytrace=False,
            )
        pytest.skip(f"PostgreSQL is not installed: {error}")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file migrated once per session; tests get copies of it."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.sqlite3"
    migrate(f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(
    params=[SQLITE, pytest.param(POSTGRESQL, marks=pytest.mark.postgresql)],
)
def database_backend(request: pytest.FixtureRequest) -> str:
    """The database kind the test runs on; every database fixture follows it."""
    backend: str = request.param
    return backend


@pytest.fixture
def database_url(
    database_backend: str, request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[str]:
    """A fresh, empty database of the test's own; `engine` brings it to the newest revision."""
    if database_backend == SQLITE:
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}"
        return
    databases: PostgresDatabases = request.getfixturevalue("postgres")
    url = databases.empty()
    yield url
    databases.drop(url)


@pytest.fixture
def migrated_database_url(
    database_url: str, database_backend: str, request: pytest.FixtureRequest
) -> str:
    """`database_url` at the newest revision.

    Instead of running every migration for every test, the database becomes a copy of the
    session's migrated template: the same schema, in a fraction of the time.
    """
    if database_backend == SQLITE:
        path = make_url(database_url).database
        assert path is not None
        if Path(path).exists():
            # Something wrote to it already: only a real upgrade keeps that.
            migrate(database_url)
        else:
            shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return database_url
    databases: PostgresDatabases = request.getfixturevalue("postgres")
    databases.replace_with_migrated(database_url)
    return database_url


@pytest.fixture
def empty_postgres_url(postgres: PostgresDatabases) -> Iterator[str]:
    """A fresh, empty PostgreSQL database, for PostgreSQL-only tests."""
    url = postgres.empty()
    yield url
    postgres.drop(url)


@pytest.fixture
async def engine(migrated_database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on the test's database, migrated to the newest revision."""
    engine = create_engine(migrated_database_url)
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
