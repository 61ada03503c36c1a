"""The checks ``banwatch doctor`` makes without Discord: configuration, database, corpus."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bot.doctor import check_config, check_corpus, check_database, healthy
from bot.settings import Settings
from bot.store import Store, inspect_database


async def make_db(path: Path, version: int | None = None) -> None:
    store = await Store.open(path)
    await store.close()
    if version is not None:
        with sqlite3.connect(path) as connection:
            connection.execute(f"PRAGMA user_version = {version}")


async def test_a_healthy_database_is_read_without_being_changed(tmp_path: Path) -> None:
    db = tmp_path / "banwatch.db"
    await make_db(db)
    before = db.stat().st_mtime_ns
    finding = check_database(db)
    assert finding.ok and "integrity ok, migrations at the latest version" in finding.detail
    assert " MB" in finding.detail and db.stat().st_mtime_ns == before


async def test_an_older_database_is_fine_and_a_newer_one_is_not(tmp_path: Path) -> None:
    db = tmp_path / "banwatch.db"
    latest = inspect_database(tmp_path / "none.db").latest_version
    await make_db(db, latest - 1)
    finding = check_database(db)
    assert finding.ok and f"schema version {latest - 1} of {latest}" in finding.detail
    assert "the next banwatch run migrates it" in finding.detail
    # A database of its own: opening the one above would run the last migration again, and
    # 020's new column can only be added once.
    newer = tmp_path / "newer.db"
    await make_db(newer, latest + 1)
    finding = check_database(newer)
    assert finding.ok is False and "newer than this banwatch knows" in finding.detail


def test_a_missing_database_is_not_created(tmp_path: Path) -> None:
    finding = check_database(tmp_path / "none.db")
    assert finding.ok is False and "there is no database at" in finding.detail
    assert finding.fix and "BANWATCH_DB" in finding.fix
    assert not (tmp_path / "none.db").exists()


def test_a_file_that_is_not_a_database_is_named_corrupt(tmp_path: Path) -> None:
    junk = tmp_path / "banwatch.db"
    junk.write_bytes(b"not a database at all" * 500)
    finding = check_database(junk)
    assert finding.ok is False and "is corrupt" in finding.detail
    assert finding.fix and "banwatch restore" in finding.fix


def test_the_corpus_folder(tmp_path: Path) -> None:
    assert check_corpus(tmp_path / "missing").ok is False
    (tmp_path / "empty").mkdir()
    assert "is empty" in check_corpus(tmp_path / "empty").detail
    (tmp_path / "news" / "2024").mkdir(parents=True)
    (tmp_path / "news" / "2024" / "a.md").write_text("x")
    (tmp_path / "news" / ".hidden").write_text("x")
    assert check_corpus(tmp_path / "news").detail.endswith(": 1 file")


def test_the_config_line_names_absolute_paths(tmp_path: Path) -> None:
    settings = Settings(db_path=tmp_path / "b.db", corpus_dir=tmp_path, env_file=tmp_path / ".env")
    finding = check_config(settings)
    assert finding.ok and f".env {tmp_path / '.env'}" in finding.detail
    assert f"database {tmp_path / 'b.db'}" in finding.detail
    assert healthy([finding]) and not healthy([finding, check_corpus(tmp_path / "x")])
