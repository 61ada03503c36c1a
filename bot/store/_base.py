"""The SQLite connection, numbered migrations and transactions shared by every store part."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, Self, TypeVar

import aiosqlite

log = logging.getLogger(__name__)
# aiosqlite logs every statement with its parameters at DEBUG, which would put signers' names,
# ZIPs and user ids in the log whenever someone turns on debug logging. The store owns the
# driver, so it keeps it quiet.
logging.getLogger("aiosqlite").setLevel(logging.INFO)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

P = ParamSpec("P")
T = TypeVar("T")


class StoreError(Exception):
    """The database could not be opened or migrated."""


def utcnow() -> str:
    """The current time as the ISO-8601 UTC text every table stores."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def iso(value: dt.datetime | dt.date | None) -> str | None:
    """A date or time as the ISO-8601 text the tables store (None stays None)."""
    return value.isoformat() if value else None


def parse_datetime(value: str | None) -> dt.datetime | None:
    """A stored ISO-8601 time (None or empty: None)."""
    return dt.datetime.fromisoformat(value) if value else None


def parse_date(value: str | None) -> dt.date | None:
    """A stored ISO-8601 date (None or empty: None)."""
    return dt.date.fromisoformat(value) if value else None


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) for every ``NNN_name.sql`` file, in order."""
    found = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        match = re.match(r"^(\d+)_(\w+)\.sql$", path.name)
        if not match:
            raise StoreError(f"{path}: migration files are named NNN_name.sql")
        found.append((int(match.group(1)), match.group(2), path.read_text(encoding="utf-8")))
    versions = [version for version, _, _ in found]
    # Databases record only the last number applied, so numbers must run 1, 2, 3... without
    # gaps or repeats: a migration slotted in below that number would never run.
    if versions != list(range(1, len(versions) + 1)):
        raise StoreError(f"{MIGRATIONS_DIR}: migrations must be numbered 1..N, got {versions}")
    return found


class BaseStore:
    """Owns one aiosqlite connection; every write goes through :meth:`transaction`."""

    def __init__(self, connection: aiosqlite.Connection, path: Path) -> None:
        self._db = connection
        self.path = path
        # One connection is shared by all tasks: the lock keeps their transactions apart.
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: str | Path) -> Self:
        """Open (creating if needed) and migrate the database at ``path``."""
        path = Path(path)
        if path.parent and not path.parent.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
        try:
            connection = await aiosqlite.connect(path, isolation_level=None)
        except Exception as exc:  # sqlite3 raises a bare OperationalError on a bad path
            raise StoreError(f"can't open database {path}: {exc}") from exc
        connection.row_factory = aiosqlite.Row
        store = cls(connection, path)
        try:
            await connection.execute("PRAGMA journal_mode = WAL")
            await connection.execute("PRAGMA foreign_keys = ON")
            await connection.execute("PRAGMA busy_timeout = 5000")
            await connection.execute("PRAGMA synchronous = NORMAL")
            await store._migrate()
        except Exception as exc:
            await connection.close()
            if isinstance(exc, StoreError):
                raise
            raise StoreError(f"can't use database {path}: {exc}") from exc
        return store

    async def close(self) -> None:
        """Close the connection (checkpointing the WAL)."""
        await self._db.close()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    async def schema_version(self) -> int:
        """The number of the last migration applied."""
        row = await self._fetchone("PRAGMA user_version")
        return int(row[0]) if row else 0

    async def _migrate(self) -> None:
        current = await self.schema_version()
        pending = [(v, n, sql) for v, n, sql in migrations() if v > current]
        for version, name, sql in pending:
            log.info("applying migration %03d_%s", version, name)
            # executescript would commit on its own; run statements inside one transaction.
            async with self.transaction() as db:
                for statement in _split_sql(sql):
                    await db.execute(statement)
                await db.execute(f"PRAGMA user_version = {int(version)}")

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception."""
        async with self._write_lock:
            await self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                await self._db.execute("ROLLBACK")
                raise
            else:
                await self._db.execute("COMMIT")

    # -- synchronous work on the connection's own thread -------------------------------------
    #
    # Every ``await db.execute(...)`` is a hop to aiosqlite's thread and back (a queue put, a
    # future, a wake-up of the event loop): about 0.15 ms, which dwarfs the statement itself
    # when ingest runs a dozen small statements per article. These two helpers hand SQLite a
    # whole unit of work (a batch of files, a batch of extractions) as ONE plain function.
    #
    # Why aiosqlite's private ``Connection._execute`` rather than a second, synchronous
    # sqlite3 connection run with ``asyncio.to_thread`` (the public route): the function runs
    # on the one thread that owns the one connection, behind the one queue every other
    # statement of the bot goes through. So it can never interleave with another task's
    # statements (it is atomic in that queue), it never meets SQLITE_BUSY from a connection of
    # our own (a second connection would, and the loser would block aiosqlite's thread for up
    # to busy_timeout), it sees the same PRAGMAs (foreign_keys is per connection), works on
    # ``:memory:`` databases, and a cancelled caller cannot leave a half-run transaction open
    # for the next statement: the queue runs the function to its end (COMMIT or ROLLBACK)
    # before anything queued after it. The price is a private API: ``_execute(fn, *args)``
    # and ``_conn`` are the same in aiosqlite 0.20, 0.21 and 0.22, and pyproject.toml caps
    # the version so that a release that changes them is taken deliberately.

    async def _run_sync(
        self,
        fn: Callable[Concatenate[sqlite3.Connection, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """``fn(connection, *args)`` on the database thread, as one queued call.

        ``fn`` gets the plain :class:`sqlite3.Connection` (never to be kept past the call) and
        must not await anything; it runs outside any transaction unless it opens one.
        """
        return await self._db._execute(fn, self._db._conn, *args, **kwargs)

    async def _write_sync(
        self,
        fn: Callable[Concatenate[sqlite3.Connection, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """``fn(connection, *args)`` as one transaction on the database thread.

        BEGIN IMMEDIATE ... COMMIT around it, ROLLBACK if it raises; the write lock keeps it
        from starting inside another task's :meth:`transaction`. Should the caller be
        cancelled while it runs, the lock is released at once but the function still ends
        with its COMMIT or ROLLBACK before any statement queued later reaches SQLite.
        """
        async with self._write_lock:
            return await self._run_sync(_in_transaction, fn, *args, **kwargs)

    async def _fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        async with self._db.execute(sql, tuple(params)) as cursor:
            return list(await cursor.fetchall())

    async def _fetchone(self, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Row | None:
        async with self._db.execute(sql, tuple(params)) as cursor:
            return await cursor.fetchone()

    # Inside an open transaction, queries go through its connection (``db``).

    @staticmethod
    async def _rows(
        db: aiosqlite.Connection, sql: str, params: Iterable[Any] = ()
    ) -> list[aiosqlite.Row]:
        async with db.execute(sql, tuple(params)) as cursor:
            return list(await cursor.fetchall())

    @staticmethod
    async def _row(
        db: aiosqlite.Connection, sql: str, params: Iterable[Any] = ()
    ) -> aiosqlite.Row | None:
        async with db.execute(sql, tuple(params)) as cursor:
            return await cursor.fetchone()

    async def set_page_cache(self, mib: int) -> None:
        """Let SQLite keep up to ``mib`` MiB of this connection's pages in memory (the
        default is 2 MiB), from now on; it fills only as pages are read."""
        await self._db.execute(f"PRAGMA cache_size = {-int(mib) * 1024}")

    async def page_cache_kib(self) -> int:
        """How much SQLite may keep of this connection's pages in memory, in KiB."""
        row = await self._fetchone("PRAGMA cache_size")
        size = int(row[0]) if row else -2000
        page_size_row = await self._fetchone("PRAGMA page_size")
        page_size = int(page_size_row[0]) if page_size_row else 4096
        # Negative sizes are in KiB, positive ones in pages.
        return -size if size < 0 else size * page_size // 1024

    @asynccontextmanager
    async def larger_page_cache(self, mib: int) -> AsyncIterator[None]:
        """Let SQLite keep up to ``mib`` MiB of pages in memory while a bulk write runs.

        The default cache (2 MiB) holds a sliver of the indexes a big ingest updates at
        random, so most inserts re-read pages from the OS; the usual size is restored
        after (never shrunk below it).
        """
        previous_kib = await self.page_cache_kib()
        if previous_kib >= mib * 1024:
            yield
            return
        await self.set_page_cache(mib)
        try:
            yield
        finally:
            await self._db.execute(f"PRAGMA cache_size = {-previous_kib}")

    async def table_names(self) -> list[str]:
        """Every ordinary table (used by privacy checks that scan the whole database)."""
        rows = await self._fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            " AND name NOT LIKE 'articles_fts_%' ORDER BY name"
        )
        return [row["name"] for row in rows]


def _in_transaction(
    connection: sqlite3.Connection,
    fn: Callable[Concatenate[sqlite3.Connection, P], T],
    *args: P.args,
    **kwargs: P.kwargs,
) -> T:
    """Run ``fn`` between BEGIN IMMEDIATE and COMMIT, rolling back if anything raises."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        result = fn(connection, *args, **kwargs)
        connection.execute("COMMIT")
    except BaseException:
        # Some errors (a full disk, say) have already ended the transaction.
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    return result


def _split_sql(script: str) -> list[str]:
    """Split a migration into complete statements (triggers with BEGIN ... END included)."""
    statements: list[str] = []
    buffer = ""
    for line in script.splitlines(keepends=True):
        if not buffer and line.strip().startswith("--"):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        raise StoreError(f"migration ends with an incomplete statement: {buffer.strip()[:60]!r}")
    return statements
