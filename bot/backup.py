"""Consistent copies of a live database, and putting one back.

A backup uses SQLite's online backup API: it copies every page under one read
transaction, so a bot writing at the same time (in WAL mode, readers never block writers)
leaves a copy that is whole as of one moment. A restore refuses while a bot holds the
database's instance lock (see :func:`instance_lock`), and keeps the replaced file.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import os
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# The time stamp of a dated copy: banwatch-20250301-040000.db.
DATED = re.compile(r"\d{8}-\d{6}\.db")


class BackupError(Exception):
    """A backup or restore could not be made; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class BackupResult:
    """What a backup or restore wrote."""

    path: Path
    size: int
    schema_version: int
    kept: Path | None = None


def lock_path(db_path: Path) -> Path:
    """The instance lock file beside a database."""
    return db_path.with_name(db_path.name + ".lock")


@contextlib.contextmanager
def instance_lock(db_path: Path) -> Iterator[None]:
    """Hold the database's instance lock while a bot runs on it.

    An advisory ``flock`` on ``<db>.lock``: released by the kernel when the process ends,
    however it ends, so a crashed bot never leaves a stale lock behind.
    """
    path = lock_path(db_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")  # noqa: SIM115 - held for the whole block
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BackupError(
                f"Another banwatch is already running on {db_path.resolve()}."
            ) from None
        yield
    finally:
        handle.close()


def _is_locked(db_path: Path) -> bool:
    path = lock_path(db_path)
    if not path.exists():
        return False
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
    return False


def _check(path: Path) -> int:
    """Open ``path`` read-only, check its integrity; return its schema version."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise BackupError(f"{path} can't be opened as a database: {exc}") from exc
    try:
        result = connection.execute("PRAGMA integrity_check").fetchone()
        version = connection.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a healthy SQLite database: {exc}") from exc
    finally:
        connection.close()
    if not result or result[0] != "ok":
        raise BackupError(f"{path} failed its integrity check: {result[0] if result else '?'}")
    if version < 1:
        raise BackupError(f"{path} is not a banwatch database (it has no schema version).")
    return int(version)


def _fsync_dir(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def backup(db_path: Path, destination: Path, *, now: dt.datetime | None = None) -> BackupResult:
    """Copy the database at ``db_path`` to ``destination`` (a file that must not exist yet,
    or a folder to put a dated copy in), consistently while a bot may be writing."""
    if not db_path.is_file():
        raise BackupError(f"There is no database at {db_path.resolve()} to back up.")
    if destination.is_dir():
        stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%d-%H%M%S")
        destination = destination / f"{db_path.stem}-{stamp}.db"
    if destination.exists():
        raise BackupError(f"{destination} exists already; give a new file name.")
    if not destination.parent.is_dir():
        raise BackupError(f"The folder {destination.parent} does not exist.")
    partial = destination.with_name(f".{destination.name}.partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    try:
        target = sqlite3.connect(partial)
        try:
            # pages=-1 (the default): every page in one step, under one read transaction.
            source.backup(target)
            target.execute("PRAGMA journal_mode = DELETE")
        finally:
            target.close()
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"The backup failed: {exc}") from exc
    finally:
        source.close()
    try:
        version = _check(partial)
    except BackupError:
        partial.unlink(missing_ok=True)
        raise
    with open(partial, "rb+") as handle:
        os.fsync(handle.fileno())
    os.replace(partial, destination)
    _fsync_dir(destination.parent)
    return BackupResult(destination, destination.stat().st_size, version)


def _keep_files(db_path: Path, kept: Path) -> None:
    """Move a database and its WAL aside as ``kept`` (and ``kept-wal``), as they are."""
    for suffix in ("", "-wal"):
        source = db_path.with_name(db_path.name + suffix)
        if source.exists():
            os.replace(source, kept.with_name(kept.name + suffix))
    db_path.with_name(db_path.name + "-shm").unlink(missing_ok=True)


def prune(folder: Path, db_path: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` dated copies :func:`backup` put in ``folder`` for
    this database (``<name>-YYYYmmdd-HHMMSS.db``); returns what was deleted. Other files are
    never touched."""
    if keep < 1:
        raise BackupError("Keep at least one backup.")
    dated = sorted(
        (
            path
            for path in folder.glob(f"{db_path.stem}-*.db")
            if DATED.fullmatch(path.name[len(db_path.stem) + 1 :])
        ),
        key=lambda path: path.name,
        reverse=True,
    )
    removed = dated[keep:]
    for path in removed:
        path.unlink(missing_ok=True)
    return removed


def restore(backup_path: Path, db_path: Path, *, now: dt.datetime | None = None) -> BackupResult:
    """Put the backup at ``backup_path`` in place of the database at ``db_path``.

    Refused while a bot runs on that database. The replaced database is kept beside it as
    ``<name>.before-restore-<time>`` (with its WAL folded in), so a restore can be undone.
    """
    if not backup_path.is_file():
        raise BackupError(f"There is no backup at {backup_path}.")
    if _is_locked(db_path):
        raise BackupError(
            f"A banwatch bot is running on {db_path.resolve()}: stop it first, then restore."
        )
    version = _check(backup_path)
    kept: Path | None = None
    if db_path.exists():
        stamp = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%d-%H%M%S")
        kept = db_path.with_name(f"{db_path.name}.before-restore-{stamp}")
        # A backup of the current database, WAL included, rather than a bare rename that
        # would leave its -wal and -shm files behind to be applied to the restored one.
        try:
            backup(db_path, kept)
        except BackupError:
            # A corrupt database can't be copied page by page (and is what a restore is
            # most often for): keep its files as they are, under the kept name.
            _keep_files(db_path, kept)
    partial = db_path.with_name(f".{db_path.name}.restoring")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(f"file:{backup_path}?mode=ro", uri=True)
    try:
        target = sqlite3.connect(partial)
        try:
            source.backup(target)
        finally:
            target.close()
    finally:
        source.close()
    with open(partial, "rb+") as handle:
        os.fsync(handle.fileno())
    for suffix in ("-wal", "-shm"):
        db_path.with_name(db_path.name + suffix).unlink(missing_ok=True)
    os.replace(partial, db_path)
    _fsync_dir(db_path.parent)
    return BackupResult(db_path, db_path.stat().st_size, version, kept)
