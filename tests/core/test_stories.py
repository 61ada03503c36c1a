"""Same-story detection: headlines that differ in a place or a number are different stories."""

from __future__ import annotations

from pathlib import Path

import pytest

import bot.ingest as ingest_module
import bot.store._files as files_module
from bot.articles import Actor, ArticleDraft, Moderation
from bot.ingest import UNREAD, ingest_corpus
from bot.service import Banwatch
from bot.store import Store
from bot.stories import MAX_CANDIDATES, first_same_story

TOWNS = ["Lynn", "Newton", "Salem", "Quincy", "Medford", "Malden", "Revere", "Woburn",
         "Waltham", "Brookline"]  # fmt: skip


@pytest.mark.parametrize(
    ("first", "second", "same"),
    [
        ("Oakland council votes to ban facial recognition",
         "Oakland council votes to ban the facial recognition", True),
        ("Oakland Council Votes To Ban Facial Recognition",
         "Oakland council votes to ban facial recognition", True),
        ("Lynn council votes to ban police use of facial recognition",
         "Newton council votes to ban police use of facial recognition", False),
        ("Council adds 12 cameras with facial recognition",
         "Council adds 13 cameras with facial recognition", False),
        ("Council adds two cameras with facial recognition",
         "Council adds three cameras with facial recognition", False),
        ("Police in Portland ban facial recognition", "Police in Portland bans facial recognition",
         True),
    ],
)  # fmt: skip
def test_headlines_that_differ_in_a_name_or_a_figure_are_different_stories(
    first: str, second: str, same: bool
) -> None:
    from bot.stories import same_names_and_figures

    assert same_names_and_figures(first, second) is same


async def test_ten_towns_templated_headlines_from_one_outlet_are_ten_stories(
    tmp_path: Path,
) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for town in TOWNS:
        (corpus / f"{town}.md").write_text(
            f'---\ntitle: "{town} council votes to ban police use of facial recognition"\n'
            "publishedDateTime: 2020-09-09T10:00:00Z\nprovider:\n  name: Patch\n---\nBody.\n"
        )
    async with await Store.open(tmp_path / "b.db") as store:
        summary = await ingest_corpus(store, corpus)
        assert summary.merged == 0
        assert await store.count_articles() == 10


async def test_a_providers_many_related_items_are_each_checked_against_few_candidates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Thousands of one provider's items with distinct URLs stay distinct, and each is
    compared with at most MAX_CANDIDATES earlier ones, never with all of them (counted, not
    timed: a comparison of every pair would be 4.5 million here)."""
    # What is measured is the same-story check, not the extractor: read nothing.
    monkeypatch.setattr(ingest_module, "extract", lambda article: UNREAD)
    compared: list[int] = []

    def counting(parsed, candidates):  # type: ignore[no-untyped-def]
        candidates = list(candidates)
        compared.append(len(candidates))
        return first_same_story(parsed, candidates)

    monkeypatch.setattr(files_module, "first_same_story", counting)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    lines = ["---", "title: Parent story", "webUrl: https://news.example/p", "related:"]
    for n in range(3_000):
        lines += [f"  - title: Related story {n}", f"    webUrl: https://news.example/r/{n}"]
    (corpus / "big.md").write_text("\n".join([*lines, "---", ""]))
    async with await Store.open(tmp_path / "b.db") as store:
        summary = await ingest_corpus(store, corpus)
        assert summary.merged == 0
        assert await store.count_articles() == 3_001
    assert len(compared) >= 3_000
    # Undated items of one provider: one part of the candidates' query, the latest first.
    assert max(compared) == MAX_CANDIDATES


async def test_moderator_adds_that_differ_only_by_a_number_are_two_articles(
    db_path: Path, corpus_dir: Path
) -> None:
    async with await Store.open(db_path) as store:
        moderation = Moderation(Banwatch(store, corpus_dir))
        actor = Actor("mod-1", "guild-1")
        outcomes = []
        for number in (3, 4):
            draft = ArticleDraft(
                title=f"Council bans facial recognition in {number} districts",
                date="2021-05-04",
                provider="Example",
            )
            published = await moderation.publish_article(
                await moderation.preview_article(draft), actor
            )
            outcomes.append(published.outcome)
        assert outcomes == ["new", "new"]
