"""Backups of a live database and restoring one."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from pathlib import Path

import pytest

from bot.backup import BackupError, backup, instance_lock, restore
from bot.store import Store


async def make_db(path: Path) -> None:
    store = await Store.open(path)
    await store.close()


def rows(path: Path) -> int:
    with sqlite3.connect(path) as connection:
        return connection.execute("SELECT count(*) FROM burst").fetchone()[0]


async def test_a_backup_taken_during_a_write_burst_is_whole(tmp_path):
    db = tmp_path / "banwatch.db"
    await make_db(db)
    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TABLE burst (n INTEGER, payload TEXT)")
    stop = threading.Event()
    written = []

    def write_burst() -> None:
        connection = sqlite3.connect(db, timeout=30)
        n = 0
        while not stop.is_set():
            with connection:
                connection.executemany(
                    "INSERT INTO burst VALUES (?, ?)", [(n + i, "x" * 500) for i in range(50)]
                )
            n += 50
            written.append(n)
        connection.close()

    writer = threading.Thread(target=write_burst)
    writer.start()
    try:
        while len(written) < 20:
            await asyncio.sleep(0.01)
        result = backup(db, tmp_path)
    finally:
        stop.set()
        writer.join()
    assert result.path.parent == tmp_path and result.schema_version >= 16
    with sqlite3.connect(result.path) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        copied = copy.execute("SELECT count(*), max(n) FROM burst").fetchone()
    # Whole batches only: the copy is the database as of one moment.
    assert copied[0] % 50 == 0 and copied[0] > 0
    assert copied[0] <= rows(db)


async def test_backup_refuses_to_overwrite_and_names_a_missing_database(tmp_path):
    db = tmp_path / "banwatch.db"
    await make_db(db)
    (tmp_path / "taken.db").write_bytes(b"")
    with pytest.raises(BackupError, match="exists already"):
        backup(db, tmp_path / "taken.db")
    with pytest.raises(BackupError, match="no database at"):
        backup(tmp_path / "missing.db", tmp_path / "copy.db")


async def test_restore_puts_a_backup_back_and_keeps_the_replaced_database(tmp_path):
    db = tmp_path / "banwatch.db"
    await make_db(db)
    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TABLE burst (n INTEGER, payload TEXT)")
        connection.execute("INSERT INTO burst VALUES (1, 'before')")
    saved = backup(db, tmp_path / "saved.db")
    with sqlite3.connect(db) as connection:
        connection.execute("INSERT INTO burst VALUES (2, 'after the backup')")
    result = restore(saved.path, db)
    assert rows(db) == 1
    assert result.kept is not None and rows(result.kept) == 2


async def test_restore_is_refused_while_a_bot_runs_on_the_database(tmp_path):
    db = tmp_path / "banwatch.db"
    await make_db(db)
    saved = backup(db, tmp_path / "saved.db")
    with instance_lock(db):
        with pytest.raises(BackupError, match="is running on"):
            restore(saved.path, db)
        with pytest.raises(BackupError, match="already running"), instance_lock(db):
            pass
    restore(saved.path, db)


async def test_restore_refuses_what_is_not_a_healthy_banwatch_database(tmp_path):
    db = tmp_path / "banwatch.db"
    await make_db(db)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    with pytest.raises(BackupError, match=r"not a healthy|can.t be opened|integrity"):
        restore(junk, db)
    plain = tmp_path / "plain.db"
    sqlite3.connect(plain).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(BackupError, match="not a banwatch database"):
        restore(plain, db)


async def test_restore_over_a_corrupt_database_keeps_the_damaged_file(tmp_path):
    db = tmp_path / "banwatch.db"
    await make_db(db)
    saved = backup(db, tmp_path / "saved.db")
    data = bytearray(db.read_bytes())
    for offset in range(4096 * 4, min(len(data), 4096 * 40), 4096):
        data[offset + 8 : offset + 4000] = b"\x07" * 3992
    db.write_bytes(bytes(data))
    damaged = bytes(data)
    result = restore(saved.path, db)
    with sqlite3.connect(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert result.kept is not None and result.kept.read_bytes() == damaged
