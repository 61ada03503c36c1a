"""The ``banwatch`` command line end to end, as a newcomer runs it: a first look-up and the
console from a pipe as real subprocesses (``python -m bot``, what the console script runs);
the other commands through ``main`` in this process (the ``banwatch`` fixture), which spares
each its own imports and gazetteer."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import SEEDS_DIR, Ran, subprocess_env


def banwatch_process(
    *args: str, cwd: Path, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m bot`` (what the console script runs) with a clean environment."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env=subprocess_env(**(env or {})),
        timeout=120,
    )


def test_status_chicago_with_default_database_in_working_directory(tmp_path: Path) -> None:
    result = banwatch_process("status", "Chicago", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Chicago, IL" in result.stdout
    assert "Coalition calls for Chicago" in result.stdout
    assert "working group" in result.stdout
    assert (tmp_path / "banwatch.db").is_file()  # the default BANWATCH_DB


def test_status_springfield_json(tmp_path: Path, banwatch: Callable[..., Ran]) -> None:
    result = banwatch("status", "Springfield MA", "--json", "--db", "x.db", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["place"] == "Springfield, MA"
    assert data["status"] == "pending"
    actions = [event["action"] for event in data["events"]]
    assert "ordinance_debated" in actions and "vote_postponed" in actions
    assert (tmp_path / "x.db").is_file() and not (tmp_path / "banwatch.db").exists()


def test_db_option_works_before_the_subcommand(
    tmp_path: Path, banwatch: Callable[..., Ran]
) -> None:
    result = banwatch("--db", "before.db", "cities", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "before.db").is_file()
    assert "Springfield, MA" in result.stdout


def test_ambiguous_and_unknown_places_fail_with_a_message(
    tmp_path: Path, banwatch: Callable[..., Ran]
) -> None:
    result = banwatch("status", "Portland", cwd=tmp_path)
    assert result.returncode == 1
    assert "could mean several places" in result.stderr and "Portland, OR" in result.stderr
    result = banwatch("timeline", "Xyzzyville", cwd=tmp_path)
    assert result.returncode == 1 and "No tracked place" in result.stderr


def seeds_and_a_broken_file(tmp_path: Path) -> Path:
    """A corpus folder holding the seed documents and one file of malformed front matter."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for seed in SEEDS_DIR.iterdir():
        (corpus / seed.name).write_bytes(seed.read_bytes())
    (corpus / "broken.md").write_bytes(b"---\ntitle: [oops\n---\n")
    return corpus


def test_ingest_summary_reports_bad_files_without_failing(
    tmp_path: Path, banwatch: Callable[..., Ran]
) -> None:
    corpus = seeds_and_a_broken_file(tmp_path)
    result = banwatch("ingest", str(corpus), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "10 new" in result.stdout and "1 rejected" in result.stdout
    assert "broken.md: malformed YAML" in result.stdout
    again = banwatch("ingest", str(corpus), cwd=tmp_path)
    assert "0 new" in again.stdout and "0 files read" in again.stdout


def test_ingest_of_missing_directory_fails(tmp_path: Path, banwatch: Callable[..., Ran]) -> None:
    result = banwatch("ingest", str(tmp_path / "nope"), cwd=tmp_path)
    assert result.returncode == 2 and "does not exist" in result.stderr


def test_extract_json_lines(tmp_path: Path, banwatch: Callable[..., Ran]) -> None:
    result = banwatch("extract", str(SEEDS_DIR), "--json", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    items = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(items) == 11  # extract reads files as they are: the duplicate is not merged
    for item in items:
        assert set(item) >= {
            "id", "title", "is_policy", "jurisdictions", "action", "scope", "date", "confidence"
        }  # fmt: skip
        assert 0.0 <= item["confidence"] <= 1.0
        for place in item["jurisdictions"]:
            assert set(place) >= {"city", "state", "country", "level"}
    veridium = next(item for item in items if item["title"].startswith("Veridium"))
    assert veridium["is_policy"] is False and veridium["action"] == "none"
    springfield = [item for item in items if "Postpones" in item["title"]]
    assert springfield[0]["jurisdictions"][0]["state"] == "MA"
    assert not (tmp_path / "banwatch.db").exists()  # extract needs no database


def test_extract_reports_an_unreadable_file(tmp_path: Path, banwatch: Callable[..., Ran]) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01binary")
    result = banwatch("extract", str(bad), "--json", cwd=tmp_path)
    assert result.returncode == 1 and "binary" in result.stderr


def test_console_reads_commands_from_a_pipe(tmp_path: Path) -> None:
    commands = "\n".join(
        [
            "/status Chicago",
            "/timeline Springfield MA",
            "/cities",
            "/search clearview",
            "/help",
            "/status",
            "/nonsense",
            "/news Chicago 99999999999999999999",
            "/status " + "A" * 100_000,
            '/search "unbalanced',
            "/quit",
            "/status Chicago",  # after /quit: never run
        ]
    )
    result = banwatch_process("console", cwd=tmp_path, stdin=commands)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.count("Status: pending  Scope: police\n") == 1  # /quit stopped it
    assert "Timeline for Springfield, MA" in out
    assert "banwatch tracks facial-recognition" in out
    assert "Unknown command /nonsense" in out
    assert "Tell me which place" in out
    assert "days must be between 1 and" in out  # markdown shown as plain text
    assert "No tracked place matches 'AAAA" in out and "A" * 100 not in out
    assert "Traceback" not in result.stderr


def test_env_file_configures_the_database(tmp_path: Path, banwatch: Callable[..., Ran]) -> None:
    (tmp_path / ".env").write_text("BANWATCH_DB=from-env.db\n", encoding="utf-8")
    result = banwatch("cities", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "from-env.db").is_file()


def test_bad_setting_is_a_clear_error(tmp_path: Path, banwatch: Callable[..., Ran]) -> None:
    result = banwatch("cities", cwd=tmp_path, env={"BANWATCH_RESCAN_SECONDS": "soon"})
    assert result.returncode == 2 and "BANWATCH_RESCAN_SECONDS" in result.stderr
    result = banwatch("cities", cwd=tmp_path, env={"BANWATCH_ALERTS_RATE": "60"})
    assert result.returncode == 2
    assert "BANWATCH_ALERTS_RATE must be at most 50" in result.stderr


def test_a_look_up_sees_a_corpus_change_and_counts_earlier_rejections(
    tmp_path: Path, banwatch: Callable[..., Ran]
) -> None:
    corpus = seeds_and_a_broken_file(tmp_path)
    assert banwatch("ingest", str(corpus), cwd=tmp_path).returncode == 0
    (corpus / "new.md").write_text(
        "---\ntitle: Boise council votes to ban facial recognition\n"
        "excerpt: The Boise City Council voted to ban police use of facial recognition.\n"
        "publishedDateTime: 2024-05-01T10:00:00Z\nwebUrl: https://idaho.example/boise-ban\n"
        "provider:\n  name: Idaho Statesman\n  domain: idahostatesman.com\n---\n",
        encoding="utf-8",
    )
    where = ("--corpus", str(corpus))
    # The ingest moments ago is fresh: no look-up pays for surveying the corpus again...
    stale = banwatch("search", "Boise", *where, cwd=tmp_path)
    assert stale.returncode == 0 and "Boise council" not in stale.stdout
    assert stale.stderr == ""
    # ...until --refresh (or BANWATCH_REFRESH_SECONDS) says so; earlier rejections as a count.
    fresh = banwatch("search", "Boise", *where, "--refresh", cwd=tmp_path)
    assert "Boise council votes to ban" in fresh.stdout
    assert "1 new" in fresh.stderr and "broken.md" not in fresh.stderr
    assert "1 files rejected earlier" in fresh.stderr and "ingest --rejected" in fresh.stderr
    listed = banwatch("ingest", "--rejected", *where, cwd=tmp_path)
    assert "broken.md: malformed YAML" in listed.stdout


@pytest.mark.parametrize("args", [["--help"], ["status", "--help"]])
def test_help(tmp_path: Path, args: list[str], banwatch: Callable[..., Ran]) -> None:
    result = banwatch(*args, cwd=tmp_path)
    assert result.returncode == 0 and "usage: banwatch" in result.stdout
    assert "BANWATCH_REFRESH_SECONDS" in result.stdout  # the refresh rule


def test_the_parser_is_built_without_discord() -> None:
    code = (
        "import sys; from bot.console.cli import build_parser; build_parser();"
        " print(sorted(m for m in sys.modules if m.split('.')[0] in ('discord', 'aiohttp')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=subprocess_env()
    )
    assert result.returncode == 0 and result.stdout.strip() == "[]", result.stderr


def test_debug_logging_never_reaches_loggers_that_carry_personal_data() -> None:
    import logging

    from bot.console.cli import PRIVATE_DEBUG_LOGGERS, configure_logging

    saved = {name: logging.getLogger(name).level for name in PRIVATE_DEBUG_LOGGERS}
    try:
        configure_logging(logging.DEBUG)
        for name in PRIVATE_DEBUG_LOGGERS:
            assert logging.getLogger(name).getEffectiveLevel() >= logging.INFO
    finally:
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)
