"""An extractor failure on one article neither stops an ingest nor loses the article."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

import bot.ingest as ingest_module
from bot.extraction import extract as real_extract
from bot.models import Article, Extraction
from bot.store import Store


def _failing_on(title_part: str):
    def extract(article: Article) -> Extraction:
        if title_part in article.title:
            raise IndexError("list index out of range")
        return real_extract(article)

    return extract


async def test_an_article_the_extractor_fails_on_is_stored_unread_and_logged(
    corpus_dir: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch, caplog
) -> None:
    monkeypatch.setattr(ingest_module, "extract", _failing_on("Springfield City Council"))
    with caplog.at_level(logging.ERROR, logger="bot.ingest"):
        async with await Store.open(db_path) as store:
            summary = await ingest_module.ingest_corpus(store, corpus_dir)
            articles = await store.all_articles()
    assert not summary.rejected
    failed = [a for a in articles if "Springfield City Council" in a.title]
    assert failed and all(a.extraction == ingest_module.UNREAD for a in failed)
    others = [a for a in articles if "Springfield City Council" not in a.title]
    assert any(a.extraction.is_policy for a in others)  # the rest were read as usual
    assert "the extractor failed on article" in caplog.text
    assert "IndexError" in caplog.text
