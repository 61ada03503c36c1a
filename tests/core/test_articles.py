"""Moderator actions in the core and their console face."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bot.articles import Actor, ArticleDraft, Moderation
from bot.console import Console
from bot.service import Banwatch, BanwatchError
from bot.store import Store

ACTOR = Actor("mod-1", "guild-1")


@pytest.fixture
async def app(db_path: Path, migrated_db: Path, corpus_dir: Path):
    shutil.copyfile(migrated_db, db_path)  # migrated once per session
    async with await Store.open(db_path) as store:
        app = Banwatch(store, corpus_dir)
        await app.ingest()
        yield app


async def test_add_is_stored_once_and_survives_reingest(app: Banwatch) -> None:
    moderation = Moderation(app)
    draft = ArticleDraft(
        title="Springfield votes to ban police facial recognition",
        url="https://example.org/springfield-ban?utm_source=x",
        date="2020-02-24",
        provider="Example",
        text="SPRINGFIELD, Mass. The council voted to ban police use of facial recognition.",
    )
    preview = await moderation.preview_article(draft)
    assert await app.store.get_article(preview.article.id) is None
    published = await moderation.publish_article(preview, ACTOR)
    assert published.outcome == "new"
    assert published.article.origin == "moderator"
    again = await moderation.publish_article(await moderation.preview_article(draft), ACTOR)
    assert again.outcome == "unchanged" and again.article.id == published.article.id
    count = await app.store.count_articles()
    summary = await app.ingest()
    assert not summary.retracted
    assert await app.store.count_articles() == count
    status = await app.status("Springfield MA")
    assert status.status == "ban"
    entries = await app.store.audit_entries("guild-1")
    assert [e.action for e in entries] == ["article.add", "article.add"]


@pytest.mark.parametrize(
    ("draft", "message"),
    [
        (ArticleDraft(title="  "), "needs a title"),
        (ArticleDraft(title="x", url="javascript:alert(1)"), "web address"),
        (ArticleDraft(title="x", date="next blursday"), "date"),
        (ArticleDraft(title="x", date="1850-01-01"), "date"),
    ],
)
async def test_bad_drafts_are_refused(app: Banwatch, draft: ArticleDraft, message: str) -> None:
    with pytest.raises(BanwatchError, match=message):
        await Moderation(app).preview_article(draft)


async def test_an_import_names_its_articles_while_another_read_is_under_way(
    app: Banwatch,
) -> None:
    """Another task's unfinished statement holds the reading connection's view of the store
    from before a write: an import's titles are read where the import wrote them."""
    from bot.corpus import parse_document
    from bot.extraction import EXTRACTOR_VERSION
    from bot.ingest import read_parsed

    data = b"Lisbon council votes to ban facial recognition\n\nThe council voted on Monday."
    articles = read_parsed(parse_document(data, path="lisbon.txt").articles)
    other_read = await app.store._db.execute("SELECT id FROM articles")
    try:
        outcome = await app.store.record_file("import:lisbon", len(data), 0, "x", articles,
                                              EXTRACTOR_VERSION)  # fmt: skip
        (new,) = outcome.new
        assert await app.store.get_article(new) is None  # the reading connection's old view
        titles = await app.store.titles_of(outcome.new)
    finally:
        await other_read.close()
    assert titles == {new: "Lisbon council votes to ban facial recognition"}


async def test_import_correct_remove(app: Banwatch) -> None:
    moderation = Moderation(app)
    data = (
        b"---\ntitle: Portland, Oregon bans facial recognition in stores\n"
        b"publishedDateTime: 2020-09-09T12:00:00Z\nwebUrl: https://example.org/pdx\n---\n"
        b"PORTLAND, Ore. The city council banned private and government use of facial recognition."
    )
    result = await moderation.import_file(data, "pdx.md", ACTOR)
    assert len(result.new) == 1
    with pytest.raises(BanwatchError, match="Can't import"):
        await moderation.import_file(b"\x00\x01binary", "x.bin", ACTOR)
    article_id = result.new[0]
    corrected = await moderation.correct_article(
        article_id, ACTOR, action="ban_enacted", scope="all", place="Portland, OR"
    )
    assert corrected.after is not None and corrected.after.action == "ban_enacted"
    assert (await app.status("Portland, OR")).status == "ban"
    with pytest.raises(BanwatchError, match="Unknown action"):
        await moderation.correct_article(article_id, ACTOR, action="banned")
    with pytest.raises(BanwatchError, match="Say what"):
        await moderation.correct_article(article_id, ACTOR)
    removed = await moderation.remove_article(article_id, ACTOR, "test")
    assert removed.id == article_id
    with pytest.raises(BanwatchError, match="already removed"):
        await moderation.remove_article(article_id, ACTOR)
    actions = [e.action for e in await app.store.audit_entries()]
    assert actions == ["article.remove", "article.correct", "article.import"]


async def test_console_article_commands(app: Banwatch, tmp_path: Path) -> None:
    console = Console(app, user_id="console-mod")
    answer = await console.handle(
        '/article add title:"Springfield bans facial recognition" url:https://example.org/s'
        ' date:2020-02-24 text:"SPRINGFIELD, Mass. The council voted to ban it." confirm:yes'
    )
    assert answer.startswith("Published (new)")
    match = re.search(r"\b(a[0-9a-f]{9})\b", answer)
    assert match, answer
    article_id = match.group(1)
    answer = await console.handle(f"/article correct {article_id} scope:police")
    assert "Corrected" in answer and "Scope: police" in answer
    answer = await console.handle(f"/article remove {article_id} duplicate")
    assert answer.startswith(f"Removed {article_id}")
    path = tmp_path / "story.txt"
    path.write_text(
        "facial recognition\n\nBoston bans facial recognition\n\nStandfirst.\n\nWBUR\n\nBody.\n"
    )
    answer = await console.handle(f"/article import file:{path}")
    assert "Imported story.txt" in answer
    assert "Sorry" in await console.handle("/article remove nope")


async def test_console_article_add_previews_and_waits_for_publish_or_cancel(
    app: Banwatch,
) -> None:
    console = Console(app, user_id="console-mod")
    count = await app.store.count_articles()
    preview = await console.handle(
        '/article add title:"Worcester bans facial recognition" date:2021-05-04'
        ' text:"WORCESTER, Mass. The council voted to ban it."'
    )
    assert not preview.startswith("Published")
    assert "Policy news: yes" in preview and "Worcester" in preview
    assert await app.store.count_articles() == count  # nothing is stored yet
    draft = re.search(r"/article publish ([0-9a-f]+)", preview)
    assert draft, preview
    assert "/article cancel" in preview and "confirm:yes" in preview
    published = await console.handle(f"/article publish {draft.group(1)}")
    assert published.startswith("Published (new)")
    assert await app.store.count_articles() == count + 1
    assert "already published" in await console.handle(f"/article publish {draft.group(1)}")

    second = await console.handle('/article add title:"Lowell bans facial recognition"')
    second_draft = re.search(r"/article cancel ([0-9a-f]+)", second)
    assert second_draft, second
    assert "Cancelled" in await console.handle(f"/article cancel {second_draft.group(1)}")
    assert await app.store.count_articles() == count + 1
