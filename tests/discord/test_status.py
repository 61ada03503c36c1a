"""/status end to end: the seed corpus through the real bot and the loopback server."""

from __future__ import annotations

from tests.discord.harness import BanwatchHarness
from tests.loopback.model import Upload


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


TERMED = b"""---
title: "California governor signs three-year moratorium on facial recognition in body cameras"
excerpt: "Gov. Gavin Newsom signed the bill, which bars police from using facial recognition
  in body cameras for three years."
publishedDateTime: 2019-10-09T18:00:00Z
webUrl: "https://example.org/2019/10/09/california-body-camera-moratorium"
provider:
  name: Example Sacramento
  domain: example.org
---
SACRAMENTO. The governor signed a three-year moratorium on facial recognition in body cameras.
"""


async def test_a_moratorium_that_ran_out_reads_expired(banwatch_bot: BanwatchHarness) -> None:
    upload = Upload("california.md", TERMED, "text/markdown")
    imported = banwatch_bot.slash("article import", {"file": upload}, as_moderator=True)
    response = await imported
    # Deferred or not, the import says what it added.
    answer = await imported.wait_edited() if response["type"] == 5 else response["data"]
    assert "1 new" in embed_text(answer)
    text = embed_text(await banwatch_bot.slash("status", {"place": "California"}))
    # Three years from 2019-10-09: over by now, so no longer in force (TAXONOMY.md).
    assert "California: Moratorium expired" in text
    assert "repealed" in text and "2022-10-09" in text
    assert "in force" not in text
