"""PostgreSQL for the test suite: a throwaway server from Debian's binaries, or the developer's own.

A session starts at most one server, lazily (a run of SQLite tests alone never starts it). It
migrates one template database, and each test then gets a copy of it: `CREATE DATABASE ... TEMPLATE`
copies files, which is far cheaper than running the migrations again.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import pwd
import re
import secrets
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Coroutine, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from nudgebot.db.migrations import upgrade

EXTERNAL_URL_VARIABLE = "NUDGEBOT_TEST_POSTGRES_URL"
DEBIAN_BINARIES = "/usr/lib/postgresql/*/bin"
# PostgreSQL refuses to run as root; `nobody` exists on every Debian system and owns nothing.
UNPRIVILEGED_USER = "nobody"
SUPERUSER = "nudgebot"
FOLDER_PREFIX = "nudgebot-postgres-"
OWNER_FILE = "owner.pid"  # the test run's process id, to tell abandoned servers from live ones
MEMORY_TEMP_ROOT = "/dev/shm"  # noqa: S108 - a private mkdtemp folder is made inside it
MEMORY_TEMP_MIN_FREE = 1 << 30
START_ATTEMPTS = 3
START_TIMEOUT_SECONDS = 60
# Settings that trade durability, which a throwaway server does not need, for speed.
SERVER_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "autovacuum": "off",
    "max_connections": "200",
    # A zone far from UTC, with an odd offset: if the server's zone leaked into what the bot
    # stores or reads, tests would fail here instead of passing by luck on a UTC machine.
    "timezone": "'America/St_Johns'",
}

T = TypeVar("T")


class PostgresNotInstalledError(RuntimeError):
    """No PostgreSQL server binaries here, and no external server was named."""


class PostgresServerError(RuntimeError):
    """A PostgreSQL program failed; the message carries its output and the server's log."""


def find_binaries() -> Path:
    """The folder holding initdb and pg_ctl: from PATH, else Debian's newest installed version."""
    on_path = [shutil.which(name) for name in ("initdb", "pg_ctl")]
    if all(on_path):
        # Debian puts symlinks on PATH at most; the server binary sits next to the real files.
        return Path(str(on_path[0])).resolve().parent
    candidates = [
        folder
        for folder in Path("/").glob(DEBIAN_BINARIES.lstrip("/"))
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists()
    ]
    if not candidates:
        raise PostgresNotInstalledError(
            f"no initdb and pg_ctl on PATH or in {DEBIAN_BINARIES} "
            f"(install Debian's `postgresql` package, or set {EXTERNAL_URL_VARIABLE} "
            "to a server where the user may create databases)"
        )
    return max(candidates, key=_version_key)


def _version_key(folder: Path) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", folder.parent.name))


class BackgroundLoop:
    """An event loop on its own thread, so that synchronous fixtures can await.

    The tests' own loops come and go with each test; the admin connection must outlive them.
    """

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="postgres-admin", daemon=True
        )
        self._thread.start()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """Run `coroutine` on the loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result()

    def close(self) -> None:
        """Stop the loop and its thread."""
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop.close()


class PostgresDatabases:
    """Creates and drops test databases on one server through an admin connection.

    Names carry a random run id, so two runs against the same external server never collide.
    """

    def __init__(self, admin_url: URL) -> None:
        self._admin_url = admin_url
        self._run_id = secrets.token_hex(4)
        self._numbers = itertools.count(1)
        self._template: str | None = None
        # CREATE and DROP DATABASE cannot run inside a transaction block.
        self._admin: AsyncEngine = create_async_engine(
            admin_url, isolation_level="AUTOCOMMIT", pool_size=1, max_overflow=0
        )
        self._loop = BackgroundLoop()
        try:
            version = self._server_version()
        except BaseException:
            self._loop.close()
            raise
        # PostgreSQL 15 copies a template through the WAL by default; copying its files is
        # faster for our small databases. Older servers copy files and know no STRATEGY.
        self._strategy = " STRATEGY FILE_COPY" if version >= 150000 else ""

    def url(self, database: str) -> str:
        """The URL of `database` on this server, password included."""
        return self._admin_url.set(database=database).render_as_string(hide_password=False)

    def empty(self) -> str:
        """A new database with no tables."""
        name = self._new_name()
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE template0{self._strategy}')
        return self.url(name)

    def replace_with_migrated(self, url: str) -> None:
        """Make `url`'s database a copy of the session's template, at the newest revision.

        The copy replaces whatever the database held, so only call this on a fresh one.
        """
        if self._template is None:
            self._template = self._migrate_template()
        name = self._own_name(url)
        self._execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{self._template}"{self._strategy}')

    def drop(self, url: str) -> None:
        """Drop a database made by this object, even if a test left connections open."""
        self._execute(f'DROP DATABASE IF EXISTS "{self._own_name(url)}" WITH (FORCE)')

    def close(self) -> None:
        """Drop the template and close the admin connection."""
        try:
            if self._template is not None:
                self._execute(f'DROP DATABASE IF EXISTS "{self._template}" WITH (FORCE)')
            self._loop.run(self._admin.dispose())
        finally:
            self._loop.close()

    @property
    def _prefix(self) -> str:
        return f"nudgebot_test_{self._run_id}_"

    def _own_name(self, url: str) -> str:
        name = make_url(url).database
        if name is None or not name.startswith(self._prefix):
            raise ValueError(f"{name} was not made by this test run: leaving it alone")
        return name

    def _new_name(self) -> str:
        return f"{self._prefix}{next(self._numbers)}"

    def _migrate_template(self) -> str:
        name = f"{self._prefix}template"
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE template0{self._strategy}')
        # upgrade() disposes of its engine, so no session is left on the template: PostgreSQL
        # refuses to copy a database someone is connected to.
        self._loop.run(upgrade(self.url(name)))
        return name

    def _server_version(self) -> int:
        async def query() -> int:
            async with self._admin.connect() as connection:
                return int(await connection.scalar(text("SHOW server_version_num")))

        return self._loop.run(query())

    def _execute(self, sql: str) -> None:
        async def execute() -> None:
            async with self._admin.connect() as connection:
                await connection.exec_driver_sql(sql)

        self._loop.run(execute())


@contextmanager
def postgres_databases() -> Iterator[PostgresDatabases]:
    """Databases on the developer's server if one is named, else on a throwaway local server.

    Raises PostgresNotInstalledError when neither is available.
    """
    external = os.environ.get(EXTERNAL_URL_VARIABLE)
    if external:
        databases = PostgresDatabases(_asyncpg_url(external))
        try:
            yield databases
        finally:
            databases.close()
        return
    binaries = find_binaries()
    with throwaway_server(binaries) as admin_url:
        databases = PostgresDatabases(admin_url)
        try:
            yield databases
        finally:
            databases.close()


def _asyncpg_url(url: str) -> URL:
    # Accept what a developer would paste from psql's docs (postgresql://...), on our driver.
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise ValueError(f"{EXTERNAL_URL_VARIABLE} must be a postgresql:// URL, not {url!r}")
    return parsed.set(drivername="postgresql+asyncpg")


@contextmanager
def throwaway_server(binaries: Path) -> Iterator[URL]:
    """Start a PostgreSQL server in a temporary folder; stop it and delete everything after.

    It listens on 127.0.0.1 only (and on a socket inside the folder), on a free port, and asks
    for a random password over TCP.
    """
    root = _fast_temp_root()
    _remove_abandoned_servers(binaries, Path(root or tempfile.gettempdir()))
    folder = Path(tempfile.mkdtemp(prefix=FOLDER_PREFIX, dir=root))
    (folder / OWNER_FILE).write_text(str(os.getpid()))
    user = _server_user()
    try:
        if user is not None:
            # mkdtemp makes the folder private to us; the server's user must own it instead.
            os.chown(folder, user.pw_uid, user.pw_gid)
        password = secrets.token_urlsafe(24)
        _init_cluster(binaries, folder, user, password)
        port = _start(binaries, folder, user)
        try:
            yield URL.create(
                "postgresql+asyncpg",
                username=SUPERUSER,
                password=password,
                host="127.0.0.1",
                port=port,
                database="postgres",
            )
        finally:
            # Immediate: nothing in this cluster is worth a clean shutdown.
            stop = ["stop", "-D", str(folder / "data"), "-m", "immediate", "-w", "-s"]
            _run_as(user, [str(binaries / "pg_ctl"), *stop], folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _remove_abandoned_servers(binaries: Path, root: Path) -> None:
    """Stop and delete the servers of earlier runs that were killed before they could clean up.

    A run that is killed outright (SIGKILL, a CI timeout) leaves its server running, in memory.
    """
    for folder in root.glob(f"{FOLDER_PREFIX}*"):
        try:
            owner = int((folder / OWNER_FILE).read_text())
        except (OSError, ValueError):
            continue  # a run that is still setting its folder up
        if _is_running(owner):
            continue
        if (folder / "data" / "postmaster.pid").exists():
            with suppress(PostgresServerError, KeyError):
                account = pwd.getpwuid(folder.stat().st_uid)
                user = account if os.geteuid() == 0 else None
                stop = ["stop", "-D", str(folder / "data"), "-m", "immediate", "-w", "-s"]
                _run_as(user, [str(binaries / "pg_ctl"), *stop], folder)
        shutil.rmtree(folder, ignore_errors=True)


def _is_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    return True


def _fast_temp_root() -> str | None:
    """A folder in memory when the machine has one: on a disk, CREATE DATABASE costs ~10x more.

    None means the usual temporary folder.
    """
    memory = Path(MEMORY_TEMP_ROOT)
    if not memory.is_dir() or not os.access(memory, os.W_OK | os.X_OK):
        return None
    # Containers often get a tiny /dev/shm (Docker's default is 64 MiB): a cluster would not fit.
    stats = os.statvfs(memory)
    return str(memory) if stats.f_bavail * stats.f_frsize >= MEMORY_TEMP_MIN_FREE else None


def _server_user() -> pwd.struct_passwd | None:
    """The account to run the server as: ourselves, unless we are root."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(UNPRIVILEGED_USER)
    except KeyError:
        raise PostgresServerError(
            f"running as root, and there is no `{UNPRIVILEGED_USER}` user to run PostgreSQL as "
            "(it refuses to run as root)"
        ) from None


def _init_cluster(
    binaries: Path, folder: Path, user: pwd.struct_passwd | None, password: str
) -> None:
    password_file = folder / "password"
    password_file.write_text(password + "\n")
    if user is not None:
        os.chown(password_file, user.pw_uid, user.pw_gid)
    password_file.chmod(0o600)
    try:
        _run_as(
            user,
            [
                str(binaries / "initdb"),
                "--pgdata",
                str(folder / "data"),
                "--username",
                SUPERUSER,
                "--pwfile",
                str(password_file),
                "--auth-host",
                "scram-sha-256",
                # The socket lives in the server's private folder: no other user can reach it.
                "--auth-local",
                "trust",
                "--encoding",
                "UTF8",
                "--locale",
                "C",
                # A throwaway cluster need not be flushed to disk.
                "--no-sync",
            ],
            folder,
        )
    finally:
        password_file.unlink()
    with (folder / "data" / "postgresql.conf").open("a") as conf:
        conf.write("\n# nudgebot test suite\n")
        conf.write(f"unix_socket_directories = '{folder}'\n")
        conf.writelines(f"{key} = {value}\n" for key, value in SERVER_SETTINGS.items())


def _start(binaries: Path, folder: Path, user: pwd.struct_passwd | None) -> int:
    """Start the server on a free port and return the port.

    Another process may take the port between our probe and the server's bind, so a failed
    start is retried on a new port.
    """
    log = folder / "server.log"
    for attempt in range(1, START_ATTEMPTS + 1):
        port = _free_port()
        start = ["start", "-D", str(folder / "data"), "-l", str(log), "-o", f"-p {port}"]
        wait = ["-w", "-t", str(START_TIMEOUT_SECONDS), "-s"]
        try:
            _run_as(user, [str(binaries / "pg_ctl"), *start, *wait], folder)
        except PostgresServerError:
            if attempt == START_ATTEMPTS:
                raise
        else:
            return port
    raise AssertionError("unreachable")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _run_as(user: pwd.struct_passwd | None, command: list[str], folder: Path) -> None:
    """Run a server command, as `user` when given; on failure, show its output and the log."""
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C"}
    result = subprocess.run(  # noqa: S603 - PostgreSQL's own programs, arguments we built
        command,
        cwd=folder,  # the unprivileged user may not be allowed into our working directory
        env=environment,
        user=None if user is None else user.pw_uid,
        group=None if user is None else user.pw_gid,
        extra_groups=None if user is None else [],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        server_log = "(none)"
        with suppress(OSError):
            server_log = (folder / "server.log").read_text(errors="replace")[-4000:]
        raise PostgresServerError(
            f"{' '.join(command)} exited with {result.returncode}\n"
            f"{result.stdout}{result.stderr}\n--- server log (end) ---\n{server_log}"
        )
