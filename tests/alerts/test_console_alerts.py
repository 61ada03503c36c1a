"""The alerts in the console and ``banwatch alerts pending|log``."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.console import Console
from bot.console.cli import main
from bot.service import Banwatch
from bot.store import Store
from tests.alerts.support import PORTLAND_BAN, SPRINGFIELD_BAN, write_news


async def test_console_subscribes_and_prints_new_items(db_path: Path, corpus_dir: Path) -> None:
    async with await Store.open(db_path) as store:
        app = Banwatch(store, corpus_dir)
        await app.ingest()
        console = Console(app)
        answer = await console.handle("/alerts subscribe channel:news state:MA review:all")
        assert answer.startswith("Subscribed: #1 → news") and "** " not in answer
        write_news(corpus_dir, "a.md", **SPRINGFIELD_BAN)
        write_news(corpus_dir, "b.md", **PORTLAND_BAN, provider="Oregon", domain="or.example")
        printed = await console.handle("/alerts check")
        assert printed.count("[alert in #news]") == 1
        assert SPRINGFIELD_BAN["title"] in printed and "Portland" not in printed
        assert await console.handle("/alerts check") == "No new alerts."
        portland = next(a for a in await store.all_articles() if "Portland" in a.title)
        why = await console.handle(f"/alerts why {portland.id}")
        assert why == "#1 → news: filtered out: not in state MA"
        listing = await console.handle("/alerts list")
        assert "state MA · one post per item" in listing
        assert "Sorry" in await console.handle("/alerts preview 7")


def test_cli_pending_and_log(
    db_path: Path, corpus_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["alerts", "pending", "--db", str(db_path), "--corpus", str(corpus_dir)]) == 0
    assert capsys.readouterr().out.strip() == "Nothing queued."
    assert main(["alerts", "log", "--json", "--db", str(db_path)]) == 0
    assert capsys.readouterr().out.strip() == "[]"


async def test_console_prints_alerts_after_an_article_is_added(
    db_path: Path, corpus_dir: Path
) -> None:
    async with await Store.open(db_path) as store:
        app = Banwatch(store, corpus_dir)
        await app.ingest()
        console = Console(app)
        await console.handle("/alerts subscribe channel:ma state:MA review:all")
        await console.handle("/alerts subscribe channel:oregon state:OR review:all")
        answer = await console.handle(
            f'/article add title:"{SPRINGFIELD_BAN["title"]}" url:https://gazette.example/s'
            f' date:2024-03-05 provider:"Springfield Gazette" text:"{SPRINGFIELD_BAN["excerpt"]}"'
            " confirm:yes"
        )
        assert answer.startswith("Published")
        assert answer.count("[alert in #ma]") == 1 and "#oregon" not in answer
        assert SPRINGFIELD_BAN["title"] in answer.split("[alert in #ma]")[1]
        assert "[alert" not in await console.handle("/status Springfield, MA")
