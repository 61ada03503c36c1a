"""Every banwatch slash command end to end, as a member and as a moderator."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.discord.harness import BanwatchHarness
from tests.discord.test_status import embed_text
from tests.loopback.fixtures import DiscordErrors

MESSAGE = 4
DEFERRED = 5
UPDATE = 7
MODAL = 9


def draft(**overrides: str) -> dict[str, str]:
    """Modal values for a new article."""
    values = {
        "title": "Springfield City Council votes to ban police facial recognition",
        "url": "https://example.org/2020/02/24/springfield-bans-facial-recognition",
        "date": "2020-02-24",
        "provider": "Example News",
        "text": "SPRINGFIELD, Mass. The city council voted to ban police use of facial"
        " recognition technology on Monday.",
    }
    values.update(overrides)
    return values


async def add_article(bot: BanwatchHarness, values: dict[str, str]) -> dict[str, Any]:
    """Open the modal as the moderator, submit ``values``, return the preview response."""
    opened = bot.slash("article add", as_moderator=True)
    response = await opened
    assert response["type"] == MODAL
    submitted = bot.submit_modal(opened, values)
    preview = await submitted
    assert preview["type"] == MESSAGE
    assert bot.is_ephemeral(preview)
    return {"handle": submitted, "response": preview}


def button_id(message: dict[str, Any], verb: str) -> str:
    """The custom_id of a draft's Publish or Cancel button (``article:<verb>:<draft id>``)."""
    buttons = message["components"][0]["components"]
    return next(b["custom_id"] for b in buttons if b["custom_id"].startswith(f"article:{verb}:"))


async def publish(bot: BanwatchHarness, submitted: Any) -> dict[str, Any]:
    """Press Publish under a preview."""
    message = await submitted.wait_original()
    clicked = bot.click(message, button_id(message, "publish"), as_moderator=True)
    response = await clicked
    assert response["type"] == UPDATE, response
    return response


# -- everyone's commands -------------------------------------------------------------------


async def test_timeline(banwatch_bot: BanwatchHarness) -> None:
    response = await banwatch_bot.slash("timeline", {"place": "Springfield MA"})
    text = embed_text(response)
    assert "Timeline: Springfield, MA" in text
    assert text.index("2020-01-29") < text.index("2020-02-05")


async def test_cities(banwatch_bot: BanwatchHarness) -> None:
    response = await banwatch_bot.slash("cities")
    text = embed_text(response)
    assert "Springfield, MA" in text and "Chicago, IL" in text
    assert "components" not in response["data"] or not response["data"]["components"]


async def test_cities_filtered(banwatch_bot: BanwatchHarness) -> None:
    response = await banwatch_bot.slash("cities", {"status": "pending", "state": "MA"})
    text = embed_text(response)
    assert "Springfield, MA" in text and "Chicago" not in text


async def test_cities_pages_with_buttons(banwatch_bot: BanwatchHarness) -> None:
    banwatch_bot.bot.get_cog("Tracker").cities_page_size = 1
    handle = banwatch_bot.slash("cities")
    response = await handle
    assert "Page 1 of" in embed_text(response)
    message = await handle.wait_original()
    clicked = banwatch_bot.click(message, "cities:next")
    page = await clicked
    assert page["type"] == UPDATE
    assert "Page 2 of" in embed_text(page)


async def test_news(banwatch_bot: BanwatchHarness) -> None:
    response = await banwatch_bot.slash("news", {"place": "Chicago"})
    text = embed_text(response)
    assert "Chicago" in text
    assert "https://wgntv.com/" in text


async def test_search(banwatch_bot: BanwatchHarness) -> None:
    response = await banwatch_bot.slash("search", {"query": "clearview"})
    text = embed_text(response)
    assert "Search: clearview" in text
    assert "id `a" in text


async def test_help_is_one_ephemeral_screen(banwatch_bot: BanwatchHarness) -> None:
    response = await banwatch_bot.slash("help")
    assert banwatch_bot.is_ephemeral(response)
    text = embed_text(response)
    assert "/status place" in text and "article add" in text
    # Every feature's commands are listed, none cut off.
    for command in ("alerts subscribe", "petition sign", "privacy forget", "config moderator-role"):
        assert command in text
    assert "… and " not in text  # no group cut short


async def test_autocomplete_place(banwatch_bot: BanwatchHarness) -> None:
    handle = banwatch_bot.autocomplete("status", "place", "chic")
    await handle
    choices = handle.choices
    assert choices and choices[0]["name"] == "Chicago, IL"
    assert len(choices) <= 25
    assert all(len(c["name"]) <= 100 and len(str(c["value"])) <= 100 for c in choices)
    typo = banwatch_bot.autocomplete("status", "place", "sprngfield")
    await typo
    assert any(c["name"] == "Springfield, MA" for c in typo.choices or [])


async def test_autocomplete_value_resolves(banwatch_bot: BanwatchHarness) -> None:
    handle = banwatch_bot.autocomplete("status", "place", "Springfield")
    await handle
    value = handle.choices[0]["value"]
    response = await banwatch_bot.slash("status", {"place": value})
    assert "Springfield, MA" in embed_text(response)


async def test_ambiguous_place_offers_choices(banwatch_bot: BanwatchHarness) -> None:
    handle = banwatch_bot.slash("status", {"place": "Portland"})
    response = await handle
    assert banwatch_bot.is_ephemeral(response)
    content = response["data"]["content"]
    assert "several places" in content and "Portland, OR" in content and "Portland, ME" in content
    message = await handle.wait_original()
    picked = banwatch_bot.click(message, "place:pick", values=["Portland, OR"])
    answer = await picked
    assert answer["type"] == UPDATE
    assert "Portland, OR" in embed_text(answer)


async def test_unknown_place_is_a_short_ephemeral_error(banwatch_bot: BanwatchHarness) -> None:
    response = await banwatch_bot.slash("status", {"place": "Xyzzyqwv"})
    assert banwatch_bot.is_ephemeral(response)
    assert "No tracked place" in response["data"]["content"]


async def test_slow_work_is_deferred(
    banwatch_bot: BanwatchHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    search = banwatch_bot.app.search

    async def slow_search(query: str, limit: int = 10) -> Any:
        await asyncio.sleep(0.5)
        return await search(query, limit)

    monkeypatch.setattr(banwatch_bot.app, "search", slow_search)
    banwatch_bot.bot.defer_after = 0.1
    handle = banwatch_bot.slash("search", {"query": "springfield"})
    response = await handle
    assert response["type"] == DEFERRED
    edited = await handle.wait_edited()
    assert "Search: springfield" in embed_text(edited)


async def test_rate_limited_callback_is_retried(banwatch_bot: BanwatchHarness) -> None:
    server = banwatch_bot.server
    fault = server.rate_limit_next(r"/interactions/\d+/[^/]+/callback", retry_after=0.2)
    handle = banwatch_bot.slash("status", {"place": "Chicago"})
    response = await handle
    assert "Chicago, IL" in embed_text(response)
    assert fault.remaining == 0
    attempts = server.requests_matching(rf"/interactions/{handle.id}/[^/]+/callback", "POST")
    assert len(attempts) == 2


async def test_unexpected_error_is_logged_and_answered(
    banwatch_bot: BanwatchHarness, monkeypatch: pytest.MonkeyPatch, discord_errors: DiscordErrors
) -> None:
    async def broken(query: str, limit: int = 10) -> Any:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(banwatch_bot.app, "search", broken)
    discord_errors.expect(r"interaction failed.*database on fire")
    response = await banwatch_bot.slash("search", {"query": "x"})
    assert banwatch_bot.is_ephemeral(response)
    assert "went wrong" in response["data"]["content"]


# -- moderators ------------------------------------------------------------------------------


async def test_moderator_adds_and_publishes_an_article(banwatch_bot: BanwatchHarness) -> None:
    added = await add_article(banwatch_bot, draft())
    preview = embed_text(added["response"])
    assert "Preview" in preview and "Springfield, MA" in preview and "Ban enacted" in preview
    buttons = added["response"]["data"]["components"][0]["components"]
    assert [b["custom_id"].rsplit(":", 1)[0] for b in buttons] == [
        "article:publish",
        "article:cancel",
    ]
    # Nothing is stored before Publish.
    assert "votes to ban" not in embed_text(
        await banwatch_bot.slash("search", {"query": "votes ban"})
    )
    published = await publish(banwatch_bot, added["handle"])
    assert "Published" in published["data"]["content"]

    status = await banwatch_bot.slash("status", {"place": "Springfield MA"})
    text = embed_text(status)
    assert "Ban in force" in text and "votes to ban police" in text
    entries = await banwatch_bot.store.audit_entries(str(banwatch_bot.guild.id))
    assert entries[0].action == "article.add"
    assert entries[0].actor_id == str(banwatch_bot.moderator.id)


async def test_published_article_survives_reingest(banwatch_bot: BanwatchHarness) -> None:
    added = await add_article(banwatch_bot, draft())
    await publish(banwatch_bot, added["handle"])
    before = await banwatch_bot.store.count_articles()
    summary = await banwatch_bot.app.ingest()
    assert not summary.retracted
    assert await banwatch_bot.store.count_articles() == before
    assert "votes to ban" in embed_text(await banwatch_bot.slash("search", {"query": "votes ban"}))


async def test_cancel_stores_nothing(banwatch_bot: BanwatchHarness) -> None:
    before = await banwatch_bot.store.count_articles()
    added = await add_article(banwatch_bot, draft())
    message = await added["handle"].wait_original()
    response = await banwatch_bot.click(message, button_id(message, "cancel"), as_moderator=True)
    assert "Cancelled" in response["data"]["content"]
    assert await banwatch_bot.store.count_articles() == before


async def test_non_moderator_is_refused(banwatch_bot: BanwatchHarness) -> None:
    handle = banwatch_bot.slash("article add")
    response = await handle
    assert response["type"] == MESSAGE
    assert banwatch_bot.is_ephemeral(response)
    assert "only moderators" in response["data"]["content"]
    assert handle.modal is None
    refused = await banwatch_bot.slash("article remove", {"id": "a000000000"})
    assert "only moderators" in refused["data"]["content"]


async def test_configured_moderator_role(banwatch_bot: BanwatchHarness) -> None:
    server = banwatch_bot.server
    role = server.add_role("Curators")
    curator = server.add_member("curator", roles=[role])
    refused = await banwatch_bot.slash("config moderator-role", {"role": role})
    assert "Manage Server" in refused["data"]["content"]
    set_role = await banwatch_bot.slash("config moderator-role", {"role": role}, as_moderator=True)
    assert "Curators" in set_role["data"]["content"]
    response = await banwatch_bot.slash("article add", member=curator)
    assert response["type"] == MODAL


async def test_everyone_title_pings_nobody(banwatch_bot: BanwatchHarness) -> None:
    values = draft(title="@everyone read this **now**", url="https://example.org/everyone")
    added = await add_article(banwatch_bot, values)
    assert added["response"]["data"]["allowed_mentions"] == {"parse": []}
    await publish(banwatch_bot, added["handle"])
    response = await banwatch_bot.slash("search", {"query": "everyone read"})
    data = response["data"]
    assert data["allowed_mentions"] == {"parse": []}
    text = embed_text(response)
    assert "@everyone" not in text
    assert "\\*\\*now\\*\\*" in text


async def test_over_long_article_is_cut_to_embed_limits(banwatch_bot: BanwatchHarness) -> None:
    long_title = ("Facial recognition ban debate " * 20).strip()[:500]
    long_text = ("Council members argued about facial recognition at length. " * 80)[:4000]
    values = draft(title=long_title, text=long_text, url="https://example.org/long")
    added = await add_article(banwatch_bot, values)
    embed = added["response"]["data"]["embeds"][0]
    assert len(embed["title"]) <= 256 and embed["title"].endswith("…")
    assert all(len(field["value"]) <= 1024 for field in embed["fields"])
    await publish(banwatch_bot, added["handle"])
    response = await banwatch_bot.slash("search", {"query": "council argued"})
    assert response["type"] == MESSAGE
    assert not added["handle"].rejections


async def test_correct_and_remove(banwatch_bot: BanwatchHarness) -> None:
    articles = await banwatch_bot.app.search("postpones vote")
    target = articles[0].id
    corrected = await banwatch_bot.slash(
        "article correct",
        {"id": target, "action": "ban_enacted", "place": "Springfield MA"},
        as_moderator=True,
    )
    assert banwatch_bot.is_ephemeral(corrected)
    assert "Ban enacted" in embed_text(corrected)
    correction = await banwatch_bot.store.get_correction(target)
    assert correction is not None and correction.action == "ban_enacted"

    removed = await banwatch_bot.slash(
        "article remove", {"id": target, "reason": "duplicate"}, as_moderator=True
    )
    assert "Removed" in removed["data"]["content"]
    again = await banwatch_bot.slash("article remove", {"id": target}, as_moderator=True)
    assert "already removed" in again["data"]["content"]
    actions = [e.action for e in await banwatch_bot.store.audit_entries()]
    assert actions[:2] == ["article.remove", "article.correct"]
