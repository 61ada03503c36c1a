"""/status end to end: the seed corpus through the real bot and the loopback server."""

from __future__ import annotations

from tests.discord.harness import BanwatchHarness


def embed_text(response: dict) -> str:
    """Everything readable in the embeds of a callback or message body."""
    data = response.get("data", response)
    parts = []
    for embed in data.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        for field in embed.get("fields") or []:
            parts += [field["name"], field["value"]]
        parts.append((embed.get("footer") or {}).get("text") or "")
    return "\n".join(parts)


async def test_status_chicago(banwatch_bot: BanwatchHarness) -> None:
    response = await banwatch_bot.slash("status", {"place": "Chicago"})
    assert response["type"] == 4
    text = embed_text(response)
    assert "Chicago, IL: Pending" in text
    assert "Coalition calls for Chicago to end use of facial recognition technology" in text
    assert "Campaign or petition" in text
    assert "wgntv.com/2020/02/04" in text  # dated source links
    assert "working group" in text  # the mayor's response, summarised from the NBC article
    assert response["data"]["allowed_mentions"] == {"parse": []}


async def test_status_springfield(banwatch_bot: BanwatchHarness) -> None:
    response = await banwatch_bot.slash("status", {"place": "Springfield MA"})
    text = embed_text(response)
    assert "Springfield, MA" in text
    assert "Pending" in text
    assert "Vote postponed" in text
    assert "Ordinance debated" in text
