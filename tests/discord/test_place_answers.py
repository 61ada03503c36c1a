"""Place answers that help, end to end through the loopback server (seed corpus)."""

from __future__ import annotations

from tests.discord.harness import BanwatchHarness
from tests.discord.test_status import embed_text


async def test_status_of_a_state_lists_its_tracked_places(banwatch_bot: BanwatchHarness) -> None:
    text = embed_text(await banwatch_bot.slash("status", {"place": "Massachusetts"}))
    assert "Tracked places in it" in text and "Springfield, MA" in text


async def test_a_name_nobody_tracks_says_so(banwatch_bot: BanwatchHarness) -> None:
    response = await banwatch_bot.slash("status", {"place": "Portland"})
    text = (response["data"].get("content") or "") + embed_text(response)
    assert "None of them has any news tracked yet" in text


async def test_cities_in_a_state_that_is_not_one(banwatch_bot: BanwatchHarness) -> None:
    response = await banwatch_bot.slash("cities", {"state": "ZZ"})
    text = (response["data"].get("content") or "") + embed_text(response)
    assert "not a state" in text


async def test_news_and_timeline_label_their_dates(banwatch_bot: BanwatchHarness) -> None:
    assert "published" in embed_text(await banwatch_bot.slash("news", {}))
    timeline = embed_text(await banwatch_bot.slash("timeline", {"place": "Chicago"}))
    assert "event dates" in timeline.lower()
