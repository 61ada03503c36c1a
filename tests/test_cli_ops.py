"""Running it for real from the command line: backup and restore, one bot per database, and
where settings, the database and the corpus are found."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from bot.backup import instance_lock
from bot.settings import SettingsError, load_settings
from bot.store import Store


async def make_db(path: Path) -> None:
    store = await Store.open(path)
    await store.close()


def test_banwatch_backup_during_a_write_burst_is_whole(tmp_path: Path, banwatch) -> None:
    db = tmp_path / "banwatch.db"
    asyncio.run(make_db(db))
    with sqlite3.connect(db) as connection:
        connection.execute("CREATE TABLE burst (n INTEGER, payload TEXT)")
    stop = threading.Event()
    batches = []

    def write_burst() -> None:
        connection = sqlite3.connect(db, timeout=30)
        while not stop.is_set():
            with connection:
                connection.executemany(
                    "INSERT INTO burst VALUES (?, ?)", [(i, "x" * 500) for i in range(50)]
                )
            batches.append(1)
        connection.close()

    writer = threading.Thread(target=write_burst)
    writer.start()
    try:
        while len(batches) < 5:
            time.sleep(0.005)
        result = banwatch("--db", str(db), "backup", "copy.db")
        written_during = len(batches)
        while len(batches) == written_during:
            time.sleep(0.005)
    finally:
        stop.set()
        writer.join()
    assert result.returncode == 0, result.stderr
    assert "integrity ok" in result.stdout and str(tmp_path / "copy.db") in result.stdout
    assert len(batches) > written_during  # the burst went on all the while
    with sqlite3.connect(tmp_path / "copy.db") as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        count = copy.execute("SELECT count(*) FROM burst").fetchone()[0]
    assert count % 50 == 0  # whole transactions only


def test_banwatch_restore_is_refused_while_a_bot_runs_and_works_after(
    tmp_path: Path, banwatch
) -> None:
    db = tmp_path / "banwatch.db"
    asyncio.run(make_db(db))
    saved = banwatch("--db", str(db), "backup", "saved.db")
    assert saved.returncode == 0, saved.stderr
    with instance_lock(db):
        refused = banwatch("--db", str(db), "restore", "saved.db")
    assert refused.returncode == 1
    assert "is running on" in refused.stderr and "stop it first" in refused.stderr
    restored = banwatch("--db", str(db), "restore", "saved.db")
    assert restored.returncode == 0, restored.stderr
    assert "kept at" in restored.stdout


def test_a_second_bot_on_the_same_database_refuses(tmp_path: Path, banwatch) -> None:
    db = tmp_path / "banwatch.db"
    with instance_lock(db):
        result = banwatch("run", env={"DISCORD_TOKEN": "x.y.z", "BANWATCH_DB": str(db)})
    assert result.returncode == 2
    assert f"already running on {db}" in result.stderr
    assert "its own database" in result.stderr and "Traceback" not in result.stderr


def unset(monkeypatch: pytest.MonkeyPatch, *names: str) -> None:
    """Unset ``names`` for the test, and whatever a .env sets them to undone after it."""
    for name in names:
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)


def test_settings_default_to_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    unset(monkeypatch, "BANWATCH_HOME", "BANWATCH_DB", "BANWATCH_CORPUS")
    monkeypatch.chdir(tmp_path)
    settings = load_settings()
    assert settings.db_path == tmp_path.resolve() / "banwatch.db"
    assert settings.env_file is None and settings.corpus_dir.is_absolute()


def test_banwatch_home_holds_the_env_file_and_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    unset(monkeypatch, "BANWATCH_DB", "BANWATCH_CORPUS", "BANWATCH_LOG_LEVEL")
    home = tmp_path / "home"
    home.mkdir()
    (home / ".env").write_text("BANWATCH_LOG_LEVEL=DEBUG\nBANWATCH_CORPUS=news\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / ".env").write_text("BANWATCH_DB=/wrong.db\n")
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv("BANWATCH_HOME", str(home))
    settings = load_settings()
    assert settings.env_file == home / ".env"
    assert settings.db_path == home / "banwatch.db"
    assert settings.corpus_dir == home / "news"
    assert settings.log_level == "DEBUG"


def test_guild_ready_seconds_is_a_bounded_number(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env
    unset(monkeypatch, "DISCORD_GUILD_READY_SECONDS")
    assert load_settings().guild_ready_seconds == 2.0  # discord.py's own default
    monkeypatch.setenv("DISCORD_GUILD_READY_SECONDS", "0.05")
    assert load_settings().guild_ready_seconds == 0.05
    for wrong, message in (("soon", "a number of seconds"), ("61", "between 0 and 60")):
        monkeypatch.setenv("DISCORD_GUILD_READY_SECONDS", wrong)
        with pytest.raises(SettingsError, match=f"DISCORD_GUILD_READY_SECONDS must be {message}"):
            load_settings()


def test_banwatch_backup_into_a_folder_keeps_the_newest(tmp_path: Path, banwatch) -> None:
    db = tmp_path / "banwatch.db"
    asyncio.run(make_db(db))
    folder = tmp_path / "backups"
    folder.mkdir()
    for stamp in ("20250101-030000", "20250102-030000", "20250103-030000"):
        (folder / f"banwatch-{stamp}.db").write_bytes(b"old")
    (folder / "banwatch-by-hand.db").write_bytes(b"mine")
    result = banwatch("--db", str(db), "backup", str(folder), "--keep", "2")
    assert result.returncode == 0, result.stderr
    assert "Removed 2 older backup(s), keeping the newest 2." in result.stdout
    left = sorted(path.name for path in folder.iterdir())
    assert left[0] == "banwatch-20250103-030000.db" and "banwatch-by-hand.db" in left
    assert len(left) == 3  # the new copy, the newest old one, and the one made by hand
    refused = banwatch("--db", str(db), "backup", str(tmp_path / "one.db"), "--keep", "2")
    assert refused.returncode == 2 and "needs PATH to be a folder" in refused.stderr


def test_env_example_lists_every_setting() -> None:
    root = Path(__file__).resolve().parent.parent
    read = set(
        re.findall(r'"((?:BANWATCH|DISCORD|DEV)_[A-Z_]+)"', (root / "bot/settings.py").read_text())
    )
    listed = set(re.findall(r"^([A-Z_]+)=", (root / ".env.example").read_text(), re.MULTILINE))
    assert read == listed
