"""/map through the loopback Discord server: a PNG posted after a deferral."""

from __future__ import annotations

from tests.discord.harness import BanwatchHarness

DEFERRED = 5


async def test_map_posts_a_png_of_the_tracked_places(banwatch_bot: BanwatchHarness) -> None:
    handle = banwatch_bot.slash("map", {"region": "us"})
    response = await handle
    # Drawing takes a moment: Discord is answered at once, the picture follows.
    assert response["type"] == DEFERRED
    # The first map also imports matplotlib: seconds on a busy machine (Discord waits 15 min).
    [message] = await handle.wait_followups(timeout=60)
    [attachment] = message["attachments"]
    assert attachment["filename"] == "banwatch-map.png"
    data = banwatch_bot.server.files[int(attachment["id"])]
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    assert "United States, as of" in message["content"]
    assert "pending" in message["content"]


async def test_map_of_an_unknown_state_says_so_privately(banwatch_bot: BanwatchHarness) -> None:
    response = await banwatch_bot.slash("map", {"state": "ZZ"})
    assert "'ZZ' is not a US state code" in response["data"]["content"]
    assert banwatch_bot.is_ephemeral(response)
