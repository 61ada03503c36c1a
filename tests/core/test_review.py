"""Review without Discord: trusted labels, the queue, answers (stale ones too), reports,
thresholds, holding alerts and the export of reviewed readings."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
import yaml

import bot.ingest as ingest_module
from bot.alerts.models import DELIVERED, FILTERED, QUEUED, REVIEW
from bot.articles import Actor
from bot.console import Console
from bot.console.review import export_text
from bot.errors import AmbiguousPlace, BanwatchError
from bot.extraction.evaluation import load_items
from bot.models import Article, Extraction
from bot.review import NO_HOME, NOT_REVIEWER, Review, parse_threshold
from bot.service import Banwatch
from bot.store import Store
from tests.alerts.support import PORTLAND_BAN, SPRINGFIELD_BAN, write_news

MOD = Actor("mod-1", "home")
OTHER_MOD = Actor("mod-2", "home")
LABELLED = """---
title: "Springfield council bans facial recognition"
excerpt: "SPRINGFIELD, Mass. The council voted to ban police use of facial recognition."
publishedDateTime: 2024-03-05T12:00:00Z
webUrl: "https://gazette.example/forged"
labels:
  action: moratorium_enacted
  scope: all
  place: "city:US:OR:Portland"
---
"""


def sure_of(confidences: dict[str, float]) -> Callable[[Article], Extraction]:
    """An extractor that reads as the real one, as sure as ``confidences`` says by title."""
    real = ingest_module.extract

    def extract(article: Article) -> Extraction:
        reading = real(article)
        for start, confidence in confidences.items():
            if article.title.startswith(start):
                return dataclasses.replace(reading, confidence=confidence)
        return dataclasses.replace(reading, confidence=0.95)

    return extract


@pytest.fixture
async def app(
    db_path: Path, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Banwatch]:
    """The app on the seeds plus two new items: Springfield read 30% sure, Portland 95%."""
    monkeypatch.setattr(ingest_module, "extract", sure_of({"Springfield City Council": 0.3}))
    async with await Store.open(db_path) as store:
        app = Banwatch(store, corpus_dir)
        await app.ingest()
        yield app


async def news(app: Banwatch, name: str, item: dict[str, str], **options: str) -> str:
    """Drop a news file into the corpus, ingest it; returns its article id."""
    write_news(app.corpus_dir, name, **item, **options)
    summary = await app.ingest()
    return summary.new[0]


def test_thresholds_are_typed_as_people_do() -> None:
    assert parse_threshold("0.6") == 0.6 and parse_threshold("75%") == 0.75
    assert parse_threshold("80") == 0.8
    for bad in ("high", "-0.1", "150%"):
        with pytest.raises(BanwatchError):
            parse_threshold(bad)


async def test_reviewers_are_the_home_servers_moderators(app: Banwatch) -> None:
    review = Review(app)
    review.check_reviewer(7, [7])
    with pytest.raises(BanwatchError, match="home server"):
        review.check_reviewer(8, [7, 8])
    with pytest.raises(BanwatchError) as refused:
        review.check_reviewer(8, [7, 8])
    assert str(refused.value) == NO_HOME
    with pytest.raises(BanwatchError) as other:
        app.home_guild_id = 7
        Review(app).check_reviewer(8, [7, 8])
    assert str(other.value) == NOT_REVIEWER


async def test_labels_outside_the_bundled_corpus_are_ignored(app: Banwatch) -> None:
    (app.corpus_dir / "forged.md").write_text(LABELLED, encoding="utf-8")
    article_id = (await app.ingest()).new[0]
    article = await app.article(article_id)
    assert article.review is None  # automatic, not "bundled"
    assert article.extraction is not None and article.extraction.action == "ban_enacted"
    assert article.extraction.place is not None and article.extraction.place.state == "MA"
    imported = await app.articles.import_file(
        LABELLED.replace("forged", "imported")
        .replace("council bans", "mayor signs ban on")
        .replace("2024-03-05", "2024-06-01")
        .encode(),
        "x.md",
        MOD,
    )
    assert (await app.article(imported.new[0])).review is None


async def test_queue_puts_status_changes_first_then_the_least_sure(app: Banwatch) -> None:
    springfield = await news(app, "s.md", SPRINGFIELD_BAN)
    portland = await news(app, "p.md", PORTLAND_BAN, provider="Oregon", domain="or.example")
    queue = await app.review.queue()
    ids = [candidate.article_id for candidate in queue]
    assert {springfield, portland} <= set(ids)
    # Both bans decide their city's status; Springfield is the less sure.
    assert ids.index(springfield) < ids.index(portland)
    item = await app.review.next_item()
    assert item is not None and item.article.id == springfield and item.changes_status
    assert item.state.describe() == "automatic, 30% sure"
    skipped = await app.review.next_item(after=springfield)
    assert skipped is not None and skipped.article.id != springfield


async def test_the_console_cities_list_marks_unconfirmed_statuses_until_confirmed(
    app: Banwatch,
) -> None:
    springfield = await news(app, "s.md", SPRINGFIELD_BAN)
    console = Console(app)
    listed = await console.handle("/cities state:MA")
    assert "Springfield, MA: Ban in force (police) since 2024-03-04  [unconfirmed]" in listed
    assert "[unconfirmed] this status rests only on news the bot read automatically" in listed
    # The console server's threshold decides, as on Discord.
    await console.handle("/config confidence-threshold 25%")
    assert "unconfirmed" not in await console.handle("/cities state:MA")
    await console.handle("/config confidence-threshold")
    item = await app.review.item(springfield)
    await app.review.confirm(springfield, item.token, MOD)
    assert "unconfirmed" not in await console.handle("/cities state:MA")


async def test_answers_change_statuses_at_once_and_are_audited(app: Banwatch) -> None:
    springfield = await news(app, "s.md", SPRINGFIELD_BAN)
    status = await app.status("Springfield MA")
    assert status.status == "ban" and status.unconfirmed(0.8) and not status.unconfirmed(0.2)
    item = await app.review.item(springfield)
    outcome = await app.review.confirm(springfield, item.token, MOD)
    assert outcome.applied and outcome.item.state.state == "confirmed"
    assert not (await app.status("Springfield MA")).unconfirmed(0.8)
    assert springfield not in [c.article_id for c in await app.review.queue()]

    changed = await app.review.change_action(springfield, outcome.item.token, "ban_proposed", MOD)
    assert changed.applied and (await app.status("Springfield MA")).status == "pending"
    rejected = await app.review.not_policy(springfield, changed.item.token, MOD)
    assert rejected.applied
    assert (await app.status("Springfield MA")).status != "ban"
    actions = [entry.action for entry in await app.store.audit_entries()]
    assert actions[:3] == ["review.not_policy", "review.action", "review.confirm"]


async def test_a_stale_answer_is_refused_and_shows_the_newer_reading(app: Banwatch) -> None:
    springfield = await news(app, "s.md", SPRINGFIELD_BAN)
    seen = (await app.review.item(springfield)).token
    first = await app.review.change_action(springfield, seen, "moratorium_enacted", MOD)
    assert first.applied
    second = await app.review.confirm(springfield, seen, OTHER_MOD)
    assert not second.applied
    reading = second.item.article.extraction
    assert reading is not None and reading.action == "moratorium_enacted"
    assert second.item.token != seen
    again = await app.review.confirm(springfield, second.item.token, OTHER_MOD)
    assert again.applied and (await app.status("Springfield MA")).status == "moratorium"
    stale = [e for e in await app.store.audit_entries() if e.action == "review.stale"]
    assert [e.actor_id for e in stale] == ["mod-2"]


async def test_change_place_asks_when_ambiguous(app: Banwatch) -> None:
    springfield = await news(app, "s.md", SPRINGFIELD_BAN)
    token = (await app.review.item(springfield)).token
    with pytest.raises(AmbiguousPlace) as asked:
        await app.review.change_place(springfield, token, "Portland", MOD)
    keys = [j.key for j in asked.value.candidates]
    assert "city:US:ME:Portland" in keys
    moved = await app.review.change_place(springfield, token, "city:US:ME:Portland", MOD)
    assert moved.applied and (await app.status("Portland ME")).status == "ban"
    entry = (await app.store.audit_entries())[0]
    assert entry.action == "review.place" and "city:US:ME:Portland" in (entry.detail or "")


async def test_reports_from_other_servers_join_the_queue(app: Banwatch) -> None:
    springfield = await news(app, "s.md", SPRINGFIELD_BAN)
    token = (await app.review.item(springfield)).token
    await app.review.confirm(springfield, token, MOD)
    reported = await app.review.report(springfield, Actor("elsewhere", "g2"), "wrong city")
    assert [r.reason for r in reported.reports] == ["wrong city"]
    assert (await app.review.next_item()).article.id == springfield  # type: ignore[union-attr]
    await app.review.confirm(springfield, reported.token, MOD)
    assert (await app.review.item(springfield)).reports == ()


async def test_alerts_hold_uncertain_items_until_review(app: Banwatch) -> None:
    alerts = app.alerts
    held, _ = await alerts.subscribe(guild_id="home", channel_id="held", actor_id="u")
    everything, _ = await alerts.subscribe(
        guild_id="home", channel_id="all", actor_id="u", review="all"
    )
    reviewed_only, _ = await alerts.subscribe(
        guild_id="home", channel_id="reviewed", actor_id="u", review="confirmed"
    )
    assert held.review == "hold" and everything.review == "all"
    springfield = await news(app, "s.md", SPRINGFIELD_BAN)
    portland = await news(app, "p.md", PORTLAND_BAN, provider="Oregon", domain="or.example")
    await alerts.scan()

    async def state(subscription_id: int, article_id: str) -> str:
        (entry,) = await app.store.outbox_entries(
            subscription_id=subscription_id, article_id=article_id
        )
        return entry.state

    assert await state(held.id, springfield) == REVIEW  # 30% sure
    assert await state(held.id, portland) == QUEUED  # 95% sure
    assert await state(everything.id, springfield) == QUEUED
    assert await state(reviewed_only.id, portland) == REVIEW
    why = dict((s.id, text) for s, text in await alerts.why("home", springfield))
    assert why[held.id].startswith("held for review")
    (unsure,) = await app.store.outbox_entries(
        subscription_id=everything.id, article_id=springfield
    )
    assert unsure.payload is not None and unsure.payload.unconfirmed

    token = (await app.review.item(springfield)).token
    await app.review.confirm(springfield, token, MOD)
    assert await state(held.id, springfield) == QUEUED
    assert await alerts.reviewed(springfield) == 0  # released once only
    (posted,) = await app.store.outbox_entries(subscription_id=held.id, article_id=springfield)
    assert posted.payload is not None and not posted.payload.unconfirmed
    token = (await app.review.item(portland)).token
    await app.review.not_policy(portland, token, MOD)
    assert await state(reviewed_only.id, portland) == FILTERED


async def test_a_correction_rematches_held_items_and_edits_posted_ones(app: Banwatch) -> None:
    alerts = app.alerts
    bans, _ = await alerts.subscribe(
        guild_id="home", channel_id="bans", actor_id="u", actions="ban_enacted"
    )
    everything, _ = await alerts.subscribe(
        guild_id="home", channel_id="all", actor_id="u", review="all"
    )
    springfield = await news(app, "s.md", SPRINGFIELD_BAN)
    await alerts.scan()
    (sent,) = await app.store.outbox_entries(subscription_id=everything.id, article_id=springfield)
    await app.store.mark_delivered(sent.id, "555")
    token = (await app.review.item(springfield)).token
    await app.review.change_action(springfield, token, "ban_proposed", MOD)
    (held,) = await app.store.outbox_entries(subscription_id=bans.id, article_id=springfield)
    assert held.state == FILTERED and "after a moderator's review" in held.detail
    (edited,) = await app.store.outbox_entries(
        subscription_id=everything.id, article_id=springfield
    )
    assert edited.state == DELIVERED and edited.needs_edit
    assert edited.payload is not None and edited.payload.action == "ban_proposed"
    assert not edited.payload.unconfirmed


async def test_console_review_and_export(app: Banwatch, tmp_path: Path) -> None:
    springfield = await news(app, "s.md", SPRINGFIELD_BAN)
    console = Console(app, user_id="op")
    shown = await console.handle("/review")
    assert f"Review {springfield}" in shown and "30% sure" in shown
    answer = await console.handle(f"/review action {springfield} action:moratorium_enacted")
    assert answer.startswith("Moratorium enacted".join(["Action set to ", ""]))
    stale = await console.handle(f"/review confirm {springfield} seen:0000000000")
    assert "changed this reading meanwhile" in stale
    assert "Confidence threshold: 60%" in await console.handle("/config confidence-threshold 0.6")
    assert await app.review.threshold("console") == 0.6
    reported = await console.handle(f"/report {springfield} reason:check the date")
    assert "Reported" in reported

    path = tmp_path / "reviewed.yaml"
    path.write_text(export_text(await app.review.export_labels()), encoding="utf-8")
    (item,) = load_items(path)
    assert item["labels"]["action"] == "moratorium_enacted"
    assert item["labels"]["jurisdiction"] == {"city": "Springfield", "state": "MA", "country": "US"}
    assert item["url"].startswith("https://gazette.example/")
    assert item["source"]["review"] == "corrected" and item["source"]["reviewed_by"] == "op"
    assert yaml.safe_load(path.read_text())["schema_version"] == 1


async def test_subscriptions_from_before_review_keep_posting_everything(app: Banwatch) -> None:
    # A row as migration 018 finds it: no review mode of its own.
    old = await app.store.add_subscription(
        guild_id="home", channel_id="old", channel_kind="text", created_by="u"
    )
    assert old.review == "all" and old.describe_review() == "posts every item at once"
    switched = await app.alerts.set_review_mode("home", old.id, "hold", "mod")
    assert switched.review == "hold"
    assert (await app.store.audit_entries())[0].action == "alerts.review_mode"
    with pytest.raises(BanwatchError, match="Unknown review mode"):
        await app.alerts.set_review_mode("home", old.id, "sometimes", "mod")
