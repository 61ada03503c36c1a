"""The feeds' console page and ``banwatch feeds ...``: the same five commands, the same core."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.console import Console
from bot.console.cli import main
from bot.service import Banwatch
from bot.store import Store
from tests.feeds.conftest import loopback_settings
from tests.feeds.support import FR_POLICY, NOT_FR, FeedServer, item, rss


async def test_console_feeds_page(store: Store, feed_server: FeedServer, corpus_dir: Path) -> None:
    policy, other = item(**FR_POLICY), item(**NOT_FR)
    feed_server.serve("/feed.xml", rss([policy, other]))
    app = Banwatch(store, corpus_dir, feeds=loopback_settings())
    console = Console(app)
    try:
        added = await console.handle(f"/feeds add url:{feed_server.url('/feed.xml')}")
        assert added.startswith("Following feed #1.\nPolled now: 2 entries, 2 new: 1 taken")
        assert "items taken 1 · skipped 1" in await console.handle("/feeds list")
        assert "not about facial recognition" in await console.handle(
            f"/feeds why item_url:{other['link']}"
        )
        assert "Polled now" in await console.handle("/feeds check feed:1")
        assert (
            await console.handle("/feeds add url:https://news.example/rss every_minutes:1")
            == "Sorry: A feed is polled every 5 to 1440 minutes."
        )
        assert "Stopped following feed #1" in await console.handle("/feeds remove 1")
        assert "No feeds yet" in await console.handle("/feeds list")
        assert "now go to #mod-log" in await console.handle("/config log-channel channel:mod-log")
        assert "/feeds why" in await console.handle("/help")
    finally:
        await app.feeds.close()


def test_command_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BANWATCH_FEEDS_ALLOW_NETWORKS", "loopback")
    db = ["--db", str(tmp_path / "cli.db")]
    assert main(["feeds", "add", "file:///etc/passwd", *db]) == 1
    assert "only http:// and https://" in capsys.readouterr().err
    # Nothing listens on port 1: the first poll fails, and says why.
    assert main(["feeds", "add", "http://127.0.0.1:1/feed.xml", "--every-minutes", "30", *db]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Following feed #1.\nPolled now: failed: can't connect to 127.0.0.1")
    assert main(["feeds", "list", "--json", *db]) == 0
    [row] = json.loads(capsys.readouterr().out)
    assert row["interval_seconds"] == 1800 and row["failures"] == 1 and row["last_error"]
    assert main(["feeds", "why", "https://news.example/story", *db]) == 0
    assert "No feed showed" in capsys.readouterr().out
    assert main(["feeds", "check", *db]) == 0
    assert "All 1 feeds will be polled" in capsys.readouterr().out
    assert main(["feeds", "remove", "http://127.0.0.1:1/feed.xml", *db]) == 0
    assert "Stopped following feed #1" in capsys.readouterr().out
