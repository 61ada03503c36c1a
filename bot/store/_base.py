"""The SQLite connection, numbered migrations and transactions shared by every store part."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, Self, TypeVar

import aiosqlite

log = logging.getLogger(__name__)
# aiosqlite logs every statement with its parameters at DEBUG, which would put signers' names,
# ZIPs and user ids in the log whenever someone turns on debug logging. The store owns the
# driver, so it keeps it quiet.
logging.getLogger("aiosqlite").setLevel(logging.INFO)

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# SQLite's own: a checkpoint once the write-ahead log holds this many pages (4 MiB).
DEFAULT_WAL_AUTOCHECKPOINT = 1000
# Set on every connection the store opens (journal_mode = WAL is the file's, set once).
CONNECTION_PRAGMAS = (
    "PRAGMA foreign_keys = ON",
    "PRAGMA busy_timeout = 5000",
    "PRAGMA synchronous = NORMAL",
)
# SQLite's default page cache, in KiB.
DEFAULT_CACHE_KIB = 2000


def value_key(value: str) -> int:
    """The 64-bit hash a variant or canonical URL is kept unique and found by (migration
    020), a fraction of the index the text itself would make. Registered as the SQL function
    ``value_key`` on the store's connection."""
    digest = hashlib.blake2b(value.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


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


@dataclass(frozen=True, slots=True)
class DatabaseHealth:
    """What ``banwatch doctor`` reads of a database file without changing it."""

    path: Path
    exists: bool
    size: int = 0
    problem: str | None = None  # why it can't be used: not SQLite, or corrupt
    schema_version: int = 0
    latest_version: int = 0

    @property
    def usable(self) -> bool:
        """Opened and whole, and not made by a newer banwatch."""
        return self.exists and self.problem is None and self.schema_version <= self.latest_version


def inspect_database(path: Path) -> DatabaseHealth:
    """Open ``path`` read-only and check it: integrity, migrations applied, size on disk
    (the file and its WAL). Never creates, migrates or writes anything."""
    latest = len(migrations())
    if not path.is_file():
        return DatabaseHealth(path, exists=False, latest_version=latest)
    size = sum(
        candidate.stat().st_size
        for candidate in (path, path.with_name(path.name + "-wal"))
        if candidate.is_file()
    )
    problem = None
    version = 0
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=30)
        try:
            rows = [row[0] for row in connection.execute("PRAGMA integrity_check(5)")]
            version = int(connection.execute("PRAGMA user_version").fetchone()[0])
        finally:
            connection.close()
        if rows != ["ok"]:
            problem = "integrity check failed: " + "; ".join(rows)[:300]
    except sqlite3.Error as exc:
        problem = f"can't be read as a database: {exc}"
    return DatabaseHealth(path, True, size, problem, version, latest)


class BaseStore:
    """Owns one aiosqlite connection; every write goes through :meth:`transaction`."""

    def __init__(self, connection: aiosqlite.Connection, path: Path) -> None:
        self._db = connection
        self.path = path
        # One connection is shared by all tasks: the lock keeps their transactions apart,
        # and the plain connection's writes apart from them.
        self._write_lock = asyncio.Lock()
        # The plain connection for work done as one call, and the one thread it is used on.
        self._plain: sqlite3.Connection | None = None
        self._plain_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="banwatch-db")
        self._cache_kib = DEFAULT_CACHE_KIB

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
            for pragma in CONNECTION_PRAGMAS:
                await connection.execute(pragma)
            # Migration 020 keys the variants and canonical URLs already stored.
            await connection.create_function("value_key", 1, value_key, deterministic=True)
            await store._migrate()
        except Exception as exc:
            await store.close()
            if isinstance(exc, StoreError):
                raise
            raise StoreError(f"can't use database {path}: {exc}") from exc
        return store

    async def close(self) -> None:
        """Close both connections (the last one checkpoints the WAL)."""
        if self._plain is not None:
            await self._on_plain_thread(self._plain.close)
            self._plain = None
        self._plain_thread.shutdown(wait=True)
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
            # One script a migration, one trip to the connection's thread: a trip a statement
            # cost ~20 ms more for 021's 45 statements on every new database (the tests open
            # hundreds). executescript commits whatever is pending first, so the script holds
            # its own BEGIN and COMMIT: one transaction, undone if a statement fails.
            statements = "\n".join(_split_sql(sql))
            script = (
                f"BEGIN IMMEDIATE;\n{statements}\nPRAGMA user_version = {int(version)};\nCOMMIT;"
            )
            async with self._write_lock:
                try:
                    await self._db.executescript(script)
                except BaseException:
                    # Queued after the script (which runs to its end on the thread even if
                    # this task is cancelled): undoes it unless it committed.
                    if self._db.in_transaction:
                        rollback = asyncio.ensure_future(self._db.execute("ROLLBACK"))
                        with contextlib.suppress(sqlite3.Error):
                            await asyncio.shield(rollback)
                    raise

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception."""
        async with self._write_lock, self._unlocked_transaction() as db:
            yield db

    @asynccontextmanager
    async def _unlocked_transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        # aiosqlite runs each statement to its end on its thread, in order, whether or not
        # the task that asked is cancelled meanwhile. A task cancelled while its BEGIN was
        # queued used to leave the connection inside a transaction, and every later BEGIN
        # failed ("cannot start a transaction within a transaction"): undo it first.
        begin = asyncio.ensure_future(self._db.execute("BEGIN IMMEDIATE"))
        try:
            await asyncio.shield(begin)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await begin
                await self._db.execute("ROLLBACK")
            raise
        try:
            yield self._db
        except BaseException:
            # Shielded: queued before any later statement, it runs even if we are cancelled.
            await asyncio.shield(asyncio.ensure_future(self._db.execute("ROLLBACK")))
            raise
        else:
            await asyncio.shield(asyncio.ensure_future(self._db.execute("COMMIT")))

    @asynccontextmanager
    async def erasure(self) -> AsyncIterator[aiosqlite.Connection]:
        """A :meth:`transaction` whose deletions leave nothing readable on disk.

        ``secure_delete`` is on for it alone (the upstream default is off, and ingests should
        not pay its extra writes): deleted and overwritten content is zeroed in the pages.
        Then the WAL, which still holds the pages as they were, is checkpointed and truncated.
        """
        async with self._write_lock:
            row = await self._fetchone("PRAGMA secure_delete")
            before = int(row[0]) if row else 0
            await self._db.execute("PRAGMA secure_delete = 1")
            try:
                async with self._unlocked_transaction() as db:
                    yield db
            finally:
                await self._db.execute(f"PRAGMA secure_delete = {before}")
            await self._truncate_wal()

    async def _truncate_wal(self, attempts: int = 20) -> None:
        """Checkpoint and truncate the WAL, from the store's plain connection: on the main
        one, another task's unfinished read fails it with "database table is locked". A
        reader elsewhere can hold the WAL for a moment: try again, then say so."""

        def checkpoint() -> tuple[int, int, int]:
            return tuple(
                self._plain_connection().execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            )

        for attempt in range(attempts):
            try:
                busy, _, _ = await self._on_plain_thread(checkpoint)
            except sqlite3.OperationalError:
                busy = 1
            if not busy:
                return
            await asyncio.sleep(0.05 * (attempt + 1))
        log.warning("the WAL could not be truncated after an erasure (a reader held it)")

    # -- work done as one call, on the store's own plain connection -------------------------
    #
    # Every ``await db.execute(...)`` is a hop to aiosqlite's thread and back (a queue put, a
    # future, a wake-up of the event loop): about 0.15 ms, which dwarfs the statement itself
    # when ingest runs a dozen small statements per article. So a whole unit of work (a batch
    # of files, a batch of extractions, a search, a status sample) is handed to SQLite as ONE
    # plain function, run on a second connection the store owns with one thread of its own,
    # as datasette's execute_write_fn does: public sqlite3, no reaching into aiosqlite.
    #
    # Writes there hold the same write lock as :meth:`transaction`, until the function has
    # ended with its COMMIT or ROLLBACK (even if the caller is cancelled), so the two
    # connections never write at once and never meet SQLITE_BUSY from each other. The plain
    # connection gets the same PRAGMAs and page cache size. Its thread runs one function at
    # a time, start to end: a read there is one snapshot, never inside a half-done write.

    def _plain_connection(self) -> sqlite3.Connection:
        """The store's plain connection, opened on first use (on its own thread)."""
        if self._plain is None:
            connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            connection.row_factory = sqlite3.Row
            for pragma in CONNECTION_PRAGMAS:
                connection.execute(pragma)
            connection.execute(f"PRAGMA cache_size = {-self._cache_kib}")
            self._plain = connection
        return self._plain

    async def _on_plain_thread(self, function: Callable[[], T]) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._plain_thread, function)

    async def _read_sync(
        self,
        fn: Callable[Concatenate[sqlite3.Connection, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """``fn(connection, *args)`` on the store's plain connection, as one call.

        ``fn`` gets a plain :class:`sqlite3.Connection` (never to be kept past the call) and
        must only read; it runs outside any transaction unless it opens one.
        """
        return await self._on_plain_thread(lambda: fn(self._plain_connection(), *args, **kwargs))

    async def _write_sync(
        self,
        fn: Callable[Concatenate[sqlite3.Connection, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """``fn(connection, *args)`` as one transaction on the store's plain connection.

        BEGIN IMMEDIATE ... COMMIT around it, ROLLBACK if it raises; the write lock keeps it
        from starting inside another task's :meth:`transaction`, and is held until the
        function has ended, even if the caller is cancelled meanwhile.
        """
        async with self._write_lock:
            running = asyncio.ensure_future(
                self._on_plain_thread(
                    lambda: _in_transaction(self._plain_connection(), fn, *args, **kwargs)
                )
            )
            try:
                return await asyncio.shield(running)
            except asyncio.CancelledError:
                # The function still runs to its COMMIT or ROLLBACK: keep the lock till then.
                with contextlib.suppress(BaseException):
                    await running
                raise

    # A query runs, is read and is closed in ONE call on the connection's thread
    # (execute_fetchall): a statement left open between two calls holds the connection's view
    # of the store, and another task's query queued in between would see the store as it was
    # before writes made since on the writing connection (and could not write at all).

    async def _fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[aiosqlite.Row]:
        return list(await self._db.execute_fetchall(sql, tuple(params)))

    async def _fetchone(self, sql: str, params: Iterable[Any] = ()) -> aiosqlite.Row | None:
        rows = await self._db.execute_fetchall(sql, tuple(params))
        return next(iter(rows), None)

    # Inside an open transaction, queries go through its connection (``db``).

    @staticmethod
    async def _rows(
        db: aiosqlite.Connection, sql: str, params: Iterable[Any] = ()
    ) -> list[aiosqlite.Row]:
        return list(await db.execute_fetchall(sql, tuple(params)))

    @staticmethod
    async def _row(
        db: aiosqlite.Connection, sql: str, params: Iterable[Any] = ()
    ) -> aiosqlite.Row | None:
        rows = await db.execute_fetchall(sql, tuple(params))
        return next(iter(rows), None)

    async def set_page_cache(self, mib: int) -> None:
        """Let SQLite keep up to ``mib`` MiB of this connection's pages in memory (the
        default is 2 MiB), from now on; it fills only as pages are read."""
        await self._set_cache_kib(int(mib) * 1024)

    async def _set_cache_kib(self, kib: int) -> None:
        """The page cache size of both connections."""
        self._cache_kib = kib
        await self._db.execute(f"PRAGMA cache_size = {-kib}")
        if self._plain is not None:
            plain = self._plain
            await self._on_plain_thread(lambda: plain.execute(f"PRAGMA cache_size = {-kib}"))

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
            await self._set_cache_kib(previous_kib)

    @asynccontextmanager
    async def savepoint_journals_in_memory(self) -> AsyncIterator[None]:
        """Keep the plain connection's savepoint journals in memory while a bulk write runs.

        An ingest writes each file inside a savepoint, and SQLite keeps the first version of
        every page a savepoint changes, to undo it: past 64 KiB, in a temporary file. Those
        files are rewritten in place and deleted, yet every page of them counts as written
        (at 6,000 articles, a fifth of the bytes the ingest wrote). In memory they are the
        pages of one file's articles at most.
        """
        plain = self._plain_connection
        await self._on_plain_thread(lambda: plain().execute("PRAGMA temp_store = MEMORY"))
        try:
            yield
        finally:
            await self._on_plain_thread(lambda: plain().execute("PRAGMA temp_store = DEFAULT"))

    @asynccontextmanager
    async def fewer_checkpoints(self, wal_mib: int) -> AsyncIterator[None]:
        """Let the write-ahead log grow to ``wal_mib`` MiB before SQLite copies it into the
        database, while a bulk write runs; at the end copy it all and empty it.

        A checkpoint copies every page the log holds, and a big ingest changes the same
        pages (the random article ids' b-trees) in batch after batch: checkpointing at
        SQLite's 4 MiB default wrote each of them once per batch. Durability is the WAL's
        and is unchanged: a committed batch is in the log, whether copied yet or not.
        """
        pages = max(1, wal_mib * 1024 * 1024 // await self._page_size())
        await self._set_autocheckpoint(pages)
        try:
            yield
        finally:
            await self._set_autocheckpoint(DEFAULT_WAL_AUTOCHECKPOINT)
            try:
                await self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.OperationalError as exc:
                # Another task's query on this connection is between its execute and its
                # fetch ("database table is locked"). What was written is committed: SQLite's
                # own checkpoints copy the log from here on; the re-scan is not a failure.
                log.info("the write-ahead log is left to SQLite's next checkpoint: %s", exc)

    async def _page_size(self) -> int:
        row = await self._fetchone("PRAGMA page_size")
        return int(row[0]) if row else 4096

    async def _set_autocheckpoint(self, pages: int) -> None:
        """Both connections' checkpoint threshold: whichever commits runs the checkpoint."""
        await self._db.execute(f"PRAGMA wal_autocheckpoint = {int(pages)}")
        plain = self._plain_connection
        await self._on_plain_thread(
            lambda: plain().execute(f"PRAGMA wal_autocheckpoint = {int(pages)}")
        )

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
