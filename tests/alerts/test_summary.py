"""Alert summaries: lead sentences, no bylines or boilerplate, never cut mid-word."""

from __future__ import annotations

import pytest

from bot.models import Article
from bot.summary import clip_words, summarize


def test_lead_sentences_without_dateline() -> None:
    article = Article(
        id="a",
        title="Council bans facial recognition",
        excerpt=(
            "SPRINGFIELD, Mass. (AP) — The council voted 10-3 to ban police use of facial"
            " recognition. Mayor J. Smith said he would sign it. Advocates cheered. Later text."
        ),
    )
    assert summarize(article) == (
        "The council voted 10-3 to ban police use of facial recognition."
        " Mayor J. Smith said he would sign it. Advocates cheered."
    )


def test_bylines_and_boilerplate_are_dropped() -> None:
    article = Article(
        id="a",
        title="t",
        body=(
            "By Jane Doe\nPosted Jan 5, 2020\nThe county banned the technology. It is the first."
            "\nAdvertisement\nShare this article\nContact Us"
        ),
    )
    text = summarize(article)
    assert text == "The county banned the technology. It is the first."


@pytest.mark.parametrize("limit", [40, 61, 120])
def test_never_cut_mid_word(limit: int) -> None:
    words = "facial recognition ordinance " * 30
    article = Article(id="a", title="t", body=words.strip())
    text = summarize(article, limit=limit)
    assert len(text) <= limit
    assert text.endswith("…")
    assert all(word in {"facial", "recognition", "ordinance"} for word in text[:-1].split())


def test_clip_words_keeps_short_text() -> None:
    assert clip_words("short  text", 50) == "short text"


def test_empty_article_has_empty_summary() -> None:
    assert summarize(Article(id="a", title="Only a headline")) == ""
