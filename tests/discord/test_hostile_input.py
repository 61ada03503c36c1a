"""Hostile input end to end: huge places, markdown and mentions, other members' clicks."""

from __future__ import annotations

from tests.discord.harness import BanwatchHarness
from tests.discord.test_commands import UPDATE
from tests.discord.test_status import embed_text


async def test_place_of_5000_characters(banwatch_bot: BanwatchHarness) -> None:
    huge = "Springfield " * 416 + "MA"  # 5,000 characters
    assert len(huge) == 4994
    for name in ("status", "timeline", "news"):
        handle = banwatch_bot.slash(name, {"place": huge})
        response = await handle
        if response["type"] == 5:
            response = {"data": await handle.wait_edited()}
        content = response["data"].get("content") or ""
        assert banwatch_bot.is_ephemeral(response), name
        assert content.startswith("No tracked place matches") and len(content) < 400, content
        assert not handle.rejections, (name, handle.rejections)
    choices = banwatch_bot.autocomplete("status", "place", huge)
    await choices
    assert len(choices.choices or []) <= 25
    assert not choices.rejections


async def test_markdown_and_mentions_in_a_search_query_are_echoed_inert(
    banwatch_bot: BanwatchHarness,
) -> None:
    query = "**@everyone** <@123456789012345678> __x__ `code` [link](https://evil.example)"
    response = await banwatch_bot.slash("search", {"query": query})
    data = response["data"]
    assert data["allowed_mentions"] == {"parse": []}
    title = data["embeds"][0]["title"]
    assert "@everyone" not in title and "<@123456789012345678>" not in title
    assert "\\*\\*" in title and "\\_\\_" in title and "\\[link" in title


async def test_cities_pages_refuse_other_members_clicks(banwatch_bot: BanwatchHarness) -> None:
    banwatch_bot.bot.get_cog("Tracker").cities_page_size = 1
    handle = banwatch_bot.slash("cities")
    response = await handle
    assert not banwatch_bot.is_ephemeral(response)
    assert "Page 1 of" in embed_text(response)
    message = await handle.wait_original()
    stranger = banwatch_bot.server.add_member("stranger")
    refused = await banwatch_bot.click(message, "cities:next", member=stranger)
    assert refused["type"] == 4 and banwatch_bot.is_ephemeral(refused)
    assert "run `/cities`" in refused["data"]["content"]
    page = await banwatch_bot.click(message, "cities:next")
    assert page["type"] == UPDATE and "Page 2 of" in embed_text(page)
    back = await banwatch_bot.click(message, "cities:previous")
    assert "Page 1 of" in embed_text(back)
