"""Alerts that recover, end to end through the loopback Discord server: a 400 fails one item,
a 403 breaks the subscription and tells the log channel, /alerts check clears it and says so,
and the same channel with the same filters twice is refused."""

from __future__ import annotations

import asyncio

from tests.alerts.support import PORTLAND_BAN, SPRINGFIELD_BAN, write_news
from tests.discord.harness import BanwatchHarness
from tests.discord.test_alerts import subscribe


async def post_notices(harness: BanwatchHarness) -> None:
    """What the config cog's notice loop does every few seconds, now."""
    config = harness.bot.get_cog("Config")
    await config.notices.run_once(None)  # type: ignore[union-attr]


async def test_a_400_fails_one_item_and_the_next_is_posted(banwatch_bot: BanwatchHarness) -> None:
    server, guild = banwatch_bot.server, banwatch_bot.guild
    news = server.add_channel(guild, "news")
    await subscribe(banwatch_bot, {"channel": news})
    server.fail_next(rf"^/channels/{news.id}/messages$", 400, method="POST")
    write_news(banwatch_bot.app.corpus_dir, "a.md", **SPRINGFIELD_BAN)
    await banwatch_bot.app.ingest()
    write_news(
        banwatch_bot.app.corpus_dir, "b.md", **PORTLAND_BAN, provider="Or", domain="or.example"
    )
    await banwatch_bot.app.ingest()
    # Whichever went first was refused; the other one is posted all the same.
    (post,) = await server.wait_for_messages(news, 1, timeout=10)
    assert post["embeds"][0]["title"] in (SPRINGFIELD_BAN["title"], PORTLAND_BAN["title"])
    [subscription] = await banwatch_bot.store.subscriptions(str(guild.id))
    assert subscription.broken_at is None
    # The post is recorded as delivered once Discord's answer is read, just after it shows.
    for _ in range(100):
        entries = await banwatch_bot.store.outbox_entries()
        if sorted(e.state for e in entries) == ["delivered", "failed"]:
            break
        await asyncio.sleep(0.05)
    assert sorted(e.state for e in entries) == ["delivered", "failed"]
    assert any(e.state == "failed" and e.detail.startswith("400") for e in entries)


async def test_a_403_breaks_tells_the_log_channel_and_check_brings_it_back(
    banwatch_bot: BanwatchHarness,
) -> None:
    server, guild = banwatch_bot.server, banwatch_bot.guild
    news = server.add_channel(guild, "news")
    mod_log = server.add_channel(guild, "mod-log")
    answer = await banwatch_bot.slash(
        "config log-channel", {"channel": mod_log}, as_moderator=True
    ).wait_response()
    assert "now go to" in answer["data"]["content"]
    await subscribe(banwatch_bot, {"channel": news})
    server.fail_next(rf"^/channels/{news.id}/messages$", 403, method="POST")
    write_news(banwatch_bot.app.corpus_dir, "a.md", **SPRINGFIELD_BAN)
    await banwatch_bot.app.ingest()
    alerts_cog = banwatch_bot.bot.get_cog("AlertsCog")
    await alerts_cog.sender.run_once()  # type: ignore[union-attr]
    await post_notices(banwatch_bot)
    (broke,) = await server.wait_for_messages(mod_log, 1, timeout=10)
    assert f"<#{news.id}>" in broke["content"] and "403" in broke["content"]
    [subscription] = await banwatch_bot.store.subscriptions(str(guild.id))
    assert subscription.broken_at is not None

    check = banwatch_bot.slash("alerts check", as_moderator=True)
    [reply] = await check.wait_followups(1)
    assert "Working again" in reply["content"]
    await post_notices(banwatch_bot)
    (_, recovered) = await server.wait_for_messages(mod_log, 2, timeout=10)
    assert "works again" in recovered["content"]
    [subscription] = await banwatch_bot.store.subscriptions(str(guild.id))
    assert subscription.broken_at is None
    write_news(
        banwatch_bot.app.corpus_dir, "b.md", **PORTLAND_BAN, provider="Or", domain="or.example"
    )
    await banwatch_bot.app.ingest()
    (post,) = await server.wait_for_messages(news, 1, timeout=10)
    assert post["embeds"][0]["title"] == PORTLAND_BAN["title"]
    again = banwatch_bot.slash("alerts check", as_moderator=True)
    [reply] = await again.wait_followups(1)
    assert "No subscription was broken" in reply["content"]
    assert len(server.messages_in(mod_log)) == 2  # once each way


async def test_the_same_channel_and_filters_twice_is_refused(
    banwatch_bot: BanwatchHarness,
) -> None:
    news = banwatch_bot.server.add_channel(banwatch_bot.guild, "news")
    assert (await subscribe(banwatch_bot, {"channel": news, "state": "MA"})).startswith(
        "Subscribed"
    )
    refused = await subscribe(banwatch_bot, {"channel": news, "state": "MA"})
    assert "already gets these alerts" in refused
    assert len(await banwatch_bot.store.subscriptions(str(banwatch_bot.guild.id))) == 1


async def test_digest_hour_is_honoured_and_needs_a_digest(banwatch_bot: BanwatchHarness) -> None:
    news = banwatch_bot.server.add_channel(banwatch_bot.guild, "digest")
    refused = await subscribe(banwatch_bot, {"channel": news, "digest_hour": 17})
    assert "mode:digest" in refused
    answer = await subscribe(banwatch_bot, {"channel": news, "mode": "digest", "digest_hour": 17})
    assert answer.startswith("Subscribed") and "17:00" in answer
