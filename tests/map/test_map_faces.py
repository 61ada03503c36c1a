"""/map in the console and ``banwatch map`` / ``banwatch site`` on the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.console import Console
from bot.console.cli import main
from bot.service import Banwatch
from bot.store import Store

PNG = b"\x89PNG\r\n\x1a\n"


async def test_console_map_writes_the_png_and_says_what_it_drew(
    tmp_path: Path, corpus_dir: Path
) -> None:
    async with await Store.open(tmp_path / "c.db") as store:
        app = Banwatch(store, corpus_dir)
        await app.ingest()
        console = Console(app, user_id="1")
        answer = await console.handle(f"/map region:us out:{tmp_path / 'us.png'}")
        assert "Map written to" in answer and "pending 3" in answer
        assert (tmp_path / "us.png").read_bytes().startswith(PNG)
        assert "not a US state code" in await console.handle("/map state:ZZ")
        assert "does not exist" in await console.handle(f"/map out:{tmp_path / 'no' / 'x.png'}")
        assert "/map" in await console.handle("/help")


def test_cli_map_and_site(
    tmp_path: Path, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("BANWATCH_CORPUS", str(corpus_dir))
    monkeypatch.setenv("BANWATCH_DB", str(tmp_path / "cli.db"))
    # The seed corpus is what is drawn and checked: not the ~550 bundled items' ingest too.
    monkeypatch.setenv("BANWATCH_BUNDLED_CORPUS", "off")
    assert main(["map", "--out", "ma.png", "--state", "MA"]) == 0
    assert (tmp_path / "ma.png").read_bytes().startswith(PNG)
    assert "Massachusetts, as of" in capsys.readouterr().out
    assert main(["site", "--out", "public"]) == 0
    assert "Status page written to" in capsys.readouterr().out
    page = (tmp_path / "public" / "index.html").read_text(encoding="utf-8")
    assert "Springfield, MA" in page
