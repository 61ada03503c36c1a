"""Moderator article commands end to end: import, correct (event date), remove, drafts."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from bot.articles import DRAFT_GONE, MAX_IMPORT_BYTES
from bot.store import Store
from tests.discord.harness import BanwatchHarness, start_banwatch
from tests.discord.test_commands import UPDATE, add_article, button_id, draft
from tests.discord.test_status import embed_text
from tests.loopback.model import Upload
from tests.loopback.server import LoopbackDiscord

FRONT_MATTER = b"""---
title: "Portland, Maine bans facial recognition by city officials"
excerpt: "PORTLAND, Maine. The city council voted unanimously to ban city use of facial
  recognition technology."
publishedDateTime: 2020-08-03T20:00:00Z
webUrl: "https://example.org/2020/08/03/portland-maine-bans-facial-recognition"
provider:
  name: Example Maine
  domain: example.org
related:
  - title: "Portland council members explain facial recognition vote"
    excerpt: "Council members said the ban on city use of facial recognition passed 9-0."
    publishedDateTime: 2020-08-04T10:00:00Z
    webUrl: "https://example.org/2020/08/04/portland-council-explains"
    provider:
      name: Example Maine
  - title: "Maine weighs statewide limits on facial surveillance"
    excerpt: "Lawmakers in Augusta heard testimony on limiting facial recognition."
    publishedDateTime: 2020-08-05T10:00:00Z
    webUrl: "https://example.org/2020/08/05/maine-weighs-limits"
---
PORTLAND, Maine. The city council voted to ban facial recognition by city officials.
"""

PLAIN_TEXT = b"""facial recognition

Somerville becomes second US city to ban government facial recognition

Vote follows San Francisco

Example Wire

SOMERVILLE, Mass. The city council voted to ban municipal use of facial recognition
technology, the second city in the country to do so.
"""

# The seed corpus's WGN story, under its AMP address and a slightly different headline.
DUPLICATE = b"""---
title: "Coalition calls for Chicago to end use of facial recognition tech"
publishedDateTime: 2020-02-04T18:51:00Z
webUrl: "https://wgntv.com/2020/02/04/coalition-calls-for-chicago-to-end-use-of-facial-recognition-technology/amp/"
provider:
  name: WGN-TV
  domain: wgntv.com
---
Seventy five groups are joining forces.
"""


async def import_file(bot: BanwatchHarness, upload: Upload, **who: Any) -> dict[str, Any]:
    """Run ``/article import`` with ``upload`` attached (as the moderator unless told)."""
    who = who or {"as_moderator": True}
    handle = bot.slash("article import", {"file": upload}, **who)
    response = await handle
    if response["type"] == 5:  # deferred: the answer is the edited original
        return {"type": 4, "data": await handle.wait_edited()}
    return response


async def test_import_front_matter_with_related_items(banwatch_bot: BanwatchHarness) -> None:
    before = await banwatch_bot.store.count_articles()
    response = await import_file(banwatch_bot, Upload("portland.md", FRONT_MATTER, "text/markdown"))
    assert banwatch_bot.is_ephemeral(response)
    assert response["data"]["allowed_mentions"] == {"parse": []}
    text = embed_text(response)
    assert "Imported portland.md" in text and "3 new" in text
    # It shows what changed: each new article's title.
    assert "Portland council members explain" in text and "Maine weighs statewide" in text
    assert await banwatch_bot.store.count_articles() == before + 3

    found = embed_text(await banwatch_bot.slash("search", {"query": "council members explain"}))
    assert "Portland council members explain facial recognition vote" in found
    status = embed_text(await banwatch_bot.slash("status", {"place": "Portland ME"}))
    assert "Portland, Maine bans facial recognition" in status

    entry = (await banwatch_bot.store.audit_entries(str(banwatch_bot.guild.id)))[0]
    assert entry.action == "article.import" and entry.target == "portland.md"
    assert entry.actor_id == str(banwatch_bot.moderator.id)


async def test_import_plain_text(banwatch_bot: BanwatchHarness) -> None:
    response = await import_file(banwatch_bot, Upload("somerville.txt", PLAIN_TEXT, "text/plain"))
    text = embed_text(response)
    assert "1 new" in text and "Somerville becomes second US city" in text
    found = embed_text(await banwatch_bot.slash("search", {"query": "somerville"}))
    assert "Somerville becomes second US city" in found


async def test_import_malformed_file_stores_nothing(banwatch_bot: BanwatchHarness) -> None:
    before = await banwatch_bot.store.count_articles()
    for upload in (
        Upload("broken.md", b"---\ntitle: never closed\nwebUrl: https://example.org/x\n"),
        Upload("yaml.md", b"---\ntitle: [unclosed\n---\nbody\n"),
        Upload("empty.txt", b"   \n"),
        Upload("binary.bin", bytes(range(256)) * 4),
    ):
        response = await import_file(banwatch_bot, upload)
        assert banwatch_bot.is_ephemeral(response), upload.filename
        content = response["data"]["content"]
        assert upload.filename in content and len(content) < 400, content
    assert await banwatch_bot.store.count_articles() == before
    assert not [e for e in await banwatch_bot.store.audit_entries() if e.action == "article.import"]


async def test_import_oversized_file_is_refused_before_download(
    banwatch_bot: BanwatchHarness,
) -> None:
    before = await banwatch_bot.store.count_articles()
    upload = Upload("huge.md", FRONT_MATTER, size=MAX_IMPORT_BYTES + 1)
    response = await import_file(banwatch_bot, upload)
    assert banwatch_bot.is_ephemeral(response)
    assert "limit is 2 MiB" in response["data"]["content"]
    assert await banwatch_bot.store.count_articles() == before
    # A real one over the limit, whose reported size is honest, is refused too.
    real = Upload("real.md", b"x" * (MAX_IMPORT_BYTES + 10))
    response = await import_file(banwatch_bot, real)
    assert "limit is 2 MiB" in response["data"]["content"]


async def test_import_duplicate_is_merged_and_says_so(banwatch_bot: BanwatchHarness) -> None:
    before = await banwatch_bot.store.count_articles()
    response = await import_file(banwatch_bot, Upload("again.md", DUPLICATE))
    text = embed_text(response)
    assert "0 new" in text and "1 duplicates merged" in text, text
    assert "Merged" in text and "Coalition calls for Chicago" in text
    assert await banwatch_bot.store.count_articles() == before


async def test_import_refused_for_non_moderators(banwatch_bot: BanwatchHarness) -> None:
    response = await banwatch_bot.slash("article import", {"file": Upload("x.txt", PLAIN_TEXT)})
    assert banwatch_bot.is_ephemeral(response)
    assert "only moderators" in response["data"]["content"]


# -- corrections -----------------------------------------------------------------------------


async def test_corrected_event_date_wins_everywhere_and_survives_reingest(
    banwatch_bot: BanwatchHarness, corpus_dir: Path
) -> None:
    target = (await banwatch_bot.app.search("postpones vote"))[0].id
    corrected = await banwatch_bot.slash(
        "article correct", {"id": target, "event_date": "2019-12-03"}, as_moderator=True
    )
    assert banwatch_bot.is_ephemeral(corrected)
    text = embed_text(corrected)
    assert "Changed" in text and "→ 2019-12-03" in text
    correction = await banwatch_bot.store.get_correction(target)
    assert correction is not None and correction.event_date.isoformat() == "2019-12-03"
    entry = (await banwatch_bot.store.audit_entries())[0]
    assert entry.action == "article.correct" and "2019-12-03" in (entry.detail or "")

    async def shown() -> tuple[str, str]:
        status = await banwatch_bot.slash("status", {"place": "Springfield MA"})
        timeline = await banwatch_bot.slash("timeline", {"place": "Springfield MA"})
        return embed_text(status), embed_text(timeline)

    for text in await shown():
        assert "2019-12-03" in text
    # Edit the story's corpus file so the re-ingest really reads and extracts it again.
    source = next(p for p in corpus_dir.iterdir() if b"postpone" in p.read_bytes().lower())
    source.write_bytes(source.read_bytes() + b"\nUpdated.\n")
    summary = await banwatch_bot.app.ingest()
    assert summary.files_parsed == 1
    for text in await shown():
        assert "2019-12-03" in text


async def test_bad_event_date_is_a_clear_error(banwatch_bot: BanwatchHarness) -> None:
    target = (await banwatch_bot.app.search("postpones vote"))[0].id
    for bad in ("2020-13-45", "next tuesday-ish", "1850-01-01"):
        response = await banwatch_bot.slash(
            "article correct", {"id": target, "event_date": bad}, as_moderator=True
        )
        assert banwatch_bot.is_ephemeral(response)
        assert "event date is not usable" in response["data"]["content"], bad
    assert await banwatch_bot.store.get_correction(target) is None


async def test_unknown_article_id_in_correct_and_remove(banwatch_bot: BanwatchHarness) -> None:
    for name, options in (
        ("article correct", {"id": "a0000nothere", "action": "ban_enacted"}),
        ("article remove", {"id": "a0000nothere"}),
    ):
        response = await banwatch_bot.slash(name, options, as_moderator=True)
        assert banwatch_bot.is_ephemeral(response)
        content = response["data"]["content"]
        assert "No article with id" in content and "/search" in content
    assert await banwatch_bot.store.audit_entries() == []


# -- retraction ------------------------------------------------------------------------------


async def test_removed_article_disappears_from_status_search_and_news(
    banwatch_bot: BanwatchHarness,
) -> None:
    article = (await banwatch_bot.app.search("coalition chicago"))[0]
    assert article.id in embed_text(await banwatch_bot.slash("search", {"query": "coalition"}))
    assert article.id in embed_text(await banwatch_bot.slash("news", {"place": "Chicago"}))
    status_before = embed_text(await banwatch_bot.slash("status", {"place": "Chicago"}))

    removed = await banwatch_bot.slash(
        "article remove", {"id": article.id, "reason": "wrong city"}, as_moderator=True
    )
    assert banwatch_bot.is_ephemeral(removed)
    assert f"Removed `{article.id}`" in removed["data"]["content"]

    assert article.id not in embed_text(await banwatch_bot.slash("search", {"query": "coalition"}))
    assert article.id not in embed_text(await banwatch_bot.slash("news", {"place": "Chicago"}))
    status_after = embed_text(await banwatch_bot.slash("status", {"place": "Chicago"}))
    headline = article.title.replace("-", "\\-")[:40]
    assert headline in status_before or article.title[:40] in status_before
    assert headline not in status_after and article.title[:40] not in status_after
    entry = (await banwatch_bot.store.audit_entries())[0]
    assert entry.action == "article.remove" and entry.target == article.id
    assert "wrong city" in (entry.detail or "")


# -- drafts: publish once, after a restart too -------------------------------------------------


async def test_double_click_on_publish_stores_once(banwatch_bot: BanwatchHarness) -> None:
    before = await banwatch_bot.store.count_articles()
    added = await add_article(banwatch_bot, draft())
    message = await added["handle"].wait_original()
    custom_id = button_id(message, "publish")
    first = banwatch_bot.click(message, custom_id, as_moderator=True)
    second = banwatch_bot.click(message, custom_id, as_moderator=True)
    responses = await asyncio.gather(first.wait_response(), second.wait_response())
    published = [r for r in responses if r["type"] == UPDATE]
    refused = [r for r in responses if r["type"] != UPDATE]
    assert len(published) == 1 and len(refused) == 1
    assert banwatch_bot.is_ephemeral(refused[0])
    assert refused[0]["data"]["content"] == DRAFT_GONE
    assert await banwatch_bot.store.count_articles() == before + 1
    adds = [e for e in await banwatch_bot.store.audit_entries() if e.action == "article.add"]
    assert len(adds) == 1


async def test_only_the_author_publishes_a_draft(banwatch_bot: BanwatchHarness) -> None:
    added = await add_article(banwatch_bot, draft())
    message = await added["handle"].wait_original()
    other_mod = banwatch_bot.server.add_member("mod2", roles=[banwatch_bot.moderator_role])
    response = await banwatch_bot.click(message, button_id(message, "publish"), member=other_mod)
    assert banwatch_bot.is_ephemeral(response) and "wrote this draft" in response["data"]["content"]
    reader = await banwatch_bot.click(message, button_id(message, "publish"))
    assert "only moderators" in reader["data"]["content"]


async def test_draft_survives_a_restart(
    loopback_discord: LoopbackDiscord, banwatch_store: Store, corpus_dir: Path, discord_errors: Any
) -> None:
    async with start_banwatch(loopback_discord, banwatch_store, corpus_dir) as first:
        added = await add_article(first, draft())
        message = await added["handle"].wait_original()
        author = first.moderator
    async with start_banwatch(loopback_discord, banwatch_store, corpus_dir) as second:
        response = await second.click(message, button_id(message, "publish"), member=author)
        assert response["type"] == UPDATE, response
        assert "Published" in response["data"]["content"]
        found = embed_text(await second.slash("search", {"query": "votes ban"}))
        assert "votes to ban police" in found


async def test_role_moderator_without_manage_server_uses_article(
    banwatch_bot: BanwatchHarness,
) -> None:
    server = banwatch_bot.server
    role = server.add_role("Curators")
    curator = server.add_member("curator", roles=[role])
    await banwatch_bot.slash("config moderator-role", {"role": role}, as_moderator=True)
    opened = banwatch_bot.slash("article add", member=curator)
    assert (await opened)["type"] == 9
    submitted = banwatch_bot.submit_modal(opened, draft())
    assert banwatch_bot.is_ephemeral(await submitted)
    message = await submitted.wait_original()
    published = await banwatch_bot.click(message, button_id(message, "publish"), member=curator)
    assert published["type"] == UPDATE
    target = (await banwatch_bot.app.search("postpones vote"))[0].id
    corrected = await banwatch_bot.slash(
        "article correct", {"id": target, "scope": "police"}, member=curator
    )
    assert "Corrected" in corrected["data"]["content"]
    actors = {e.actor_id for e in await banwatch_bot.store.audit_entries()}
    assert str(curator.id) in actors
