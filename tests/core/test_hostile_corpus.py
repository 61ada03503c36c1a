"""No single file stops an ingest: nested YAML, lone surrogates, links out of the folder,
FIFOs, oversized files, control characters and script URLs, here and in worker processes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import bot.ingest as ingest_module
from bot.corpus import MAX_FILE_BYTES, parse_document
from bot.ingest import ingest_corpus
from bot.store import Store

GOOD = "---\ntitle: Oakland council votes to ban facial recognition\nwebUrl: https://news.example/{n}\n---\n"


def hostile_corpus(directory: Path, outside: Path) -> dict[str, str]:
    """A corpus with every kind of bad file between good ones; returns name -> expected
    reason fragment."""
    directory.mkdir()
    for n in range(3):
        (directory / f"good-{n}.md").write_text(GOOD.format(n=n), encoding="utf-8")
    (directory / "nested-flow.md").write_text("---\ntitle: " + "[" * 5000 + "\n---\n")
    (directory / "nested-block.md").write_text(
        "---\ntitle: t\nx:\n" + "- " * 5000 + "end\n---\n"
    )
    (directory / "surrogate.md").write_text('---\ntitle: "\\ud800 x"\n---\n', encoding="utf-8")
    secret = outside / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    (directory / "passwd.txt").symlink_to(secret)
    os.mkfifo(directory / "pipe.md")
    huge = directory / "huge.md"
    with open(huge, "wb") as handle:  # sparse: 50 MB that were never written
        handle.truncate(50 * 1024 * 1024)
    (directory / "late-nul.md").write_bytes(b"---\ntitle: t\n---\n" + b"a" * 9000 + b"\x00")
    return {
        "nested-flow.md": "nested too deeply",
        "nested-block.md": "nested too deeply",
        "passwd.txt": "link to a file outside the corpus folder",
        "pipe.md": "not a regular file (a FIFO)",
        "huge.md": "over the",
        "late-nul.md": "NUL",
    }


@pytest.mark.parametrize("workers", [False, True], ids=["here", "worker-pool"])
async def test_every_bad_file_is_rejected_with_its_reason_and_the_rest_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: bool
) -> None:
    if workers:
        monkeypatch.setattr(ingest_module, "POOL_MIN_FILES", 1)
        monkeypatch.setattr(ingest_module.os, "cpu_count", lambda: 2)
        monkeypatch.setattr(ingest_module, "POOL_MAX_WORKERS", 2)
    outside = tmp_path / "outside"
    outside.mkdir()
    corpus = tmp_path / "corpus"
    expected = hostile_corpus(corpus, outside)
    async with await Store.open(tmp_path / "b.db") as store:
        summary = await ingest_corpus(store, corpus)
        reasons = {Path(path).name: reason for path, reason in summary.rejected}
        for name, fragment in expected.items():
            assert fragment in reasons[name], (name, reasons.get(name))
        titles = {a.title for a in await store.search_articles("oakland", limit=10)}
        assert titles == {"Oakland council votes to ban facial recognition"}
        # The surrogate was dropped from the title, not the file from the corpus.
        assert "surrogate.md" not in reasons
        assert not await store.search_articles("root", limit=5)
        # A second look starts as cleanly: nothing is stuck.
        again = await ingest_corpus(store, corpus)
        assert {Path(p).name for p, _ in again.rejected} >= set(expected)


def test_control_characters_are_stripped_and_script_urls_not_stored() -> None:
    data = (
        '---\ntitle: "Ban\\e[31m passed\\a"\nexcerpt: "line\\u0085 two"\n'
        'webUrl: "javascript:alert(1)"\nrelated:\n'
        "  - {title: Related, webUrl: 'data:text/html,<script>x</script>'}\n"
        "---\nBody\u001b[2J text\n"
    ).encode()
    result = parse_document(data, path="x.md")
    article, related = result.articles
    assert article.title == "Ban[31m passed"
    assert article.excerpt == "line two"
    assert article.url is None and related.url is None
    assert "\x1b" not in article.body and "text" in article.body


def test_size_is_checked_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    big = tmp_path / "big.md"
    with open(big, "wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)
    read = []
    monkeypatch.setattr(ingest_module, "read_limited", lambda path: read.append(path) or b"")
    result = ingest_module._read_file(big, str(big), None)
    assert read == [] and "over the" in result.rejected[0][1]
