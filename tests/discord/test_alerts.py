"""Alerts end to end: the real bot on the loopback Discord server."""

from __future__ import annotations

import asyncio

from tests.alerts.support import PORTLAND_BAN, SPRINGFIELD_BAN, write_news
from tests.discord.harness import BanwatchHarness
from tests.loopback.fixtures import DiscordErrors
from tests.loopback.model import ChannelType


async def subscribe(harness: BanwatchHarness, options: dict[str, object]) -> str:
    # These tests are about delivery: every item posts at once (review holds are tested in
    # tests/discord/test_review.py).
    handle = harness.slash("alerts subscribe", {"review": "all", **options}, as_moderator=True)
    response = await handle.wait_response()
    assert harness.is_ephemeral(response)
    return response["data"]["content"]


async def test_state_subscription_gets_matching_items_once(banwatch_bot: BanwatchHarness) -> None:
    server, guild = banwatch_bot.server, banwatch_bot.guild
    ma = server.add_channel(guild, "ma-news")
    everything = server.add_channel(guild, "all-news", ChannelType.announcement)
    assert (await subscribe(banwatch_bot, {"channel": ma, "state": "MA"})).startswith("Subscribed")
    await subscribe(banwatch_bot, {"channel": everything})
    corpus = banwatch_bot.app.corpus_dir
    write_news(corpus, "a.md", **SPRINGFIELD_BAN)
    write_news(corpus, "b.md", **PORTLAND_BAN, provider="Oregon Daily", domain="or.example")
    await banwatch_bot.app.ingest()  # what the periodic re-scan does
    (post,) = await server.wait_for_messages(ma, 1)
    await server.wait_for_messages(everything, 2)
    assert post["embeds"][0]["title"] == SPRINGFIELD_BAN["title"]
    assert post["nonce"] and post["mention_everyone"] is False
    posts = server.requests_matching(r"^/channels/\d+/messages$", "POST")
    assert all(request.json and request.json.get("enforce_nonce") for request in posts)
    await banwatch_bot.app.ingest()
    cog = banwatch_bot.bot.get_cog("AlertsCog")
    await cog.sender.run_once()  # type: ignore[union-attr]
    assert len(server.messages_in(ma)) == 1 and len(server.messages_in(everything)) == 2


async def test_429_and_5xx_lose_nothing_and_404_breaks_only_its_channel(
    banwatch_bot: BanwatchHarness,
) -> None:
    server, guild = banwatch_bot.server, banwatch_bot.guild
    ok = server.add_channel(guild, "ok")
    gone = server.add_channel(guild, "gone")
    await subscribe(banwatch_bot, {"channel": ok})
    await subscribe(banwatch_bot, {"channel": gone})
    server.delete_channel(gone.id)
    server.rate_limit_next(rf"^/channels/{ok.id}/messages$", retry_after=0.05)
    server.fail_next(rf"^/channels/{ok.id}/messages$", 503)
    cog = banwatch_bot.bot.get_cog("AlertsCog")
    cog.sender.backoff_base = 0.05  # type: ignore[union-attr]
    write_news(banwatch_bot.app.corpus_dir, "a.md", **SPRINGFIELD_BAN)
    await banwatch_bot.app.ingest()
    (post,) = await server.wait_for_messages(ok, 1, timeout=10)
    assert post["embeds"][0]["title"] == SPRINGFIELD_BAN["title"]
    subscriptions = await banwatch_bot.store.subscriptions(str(guild.id))
    broken = [s for s in subscriptions if s.broken_at]
    assert [s.channel_id for s in broken] == [str(gone.id)]
    listing = await banwatch_bot.slash("alerts list", as_moderator=True).wait_response()
    assert "BROKEN" in listing["data"]["content"]
    audit = await banwatch_bot.store.audit_entries(str(guild.id))
    assert [e.action for e in audit].count("alerts.subscription_broken") == 1


async def test_forum_subscription_opens_one_thread_per_item(banwatch_bot: BanwatchHarness) -> None:
    server, guild = banwatch_bot.server, banwatch_bot.guild
    forum = next(c for c in guild.channels.values() if c.type == ChannelType.forum)
    await subscribe(banwatch_bot, {"channel": forum, "state": "MA"})
    write_news(banwatch_bot.app.corpus_dir, "a.md", **SPRINGFIELD_BAN)
    await banwatch_bot.app.ingest()
    thread = await server.wait_for(
        lambda: next((c for c in guild.channels.values() if c.parent_id == forum.id), None),
        what="a forum thread",
    )
    assert thread.name == SPRINGFIELD_BAN["title"][:100]


async def test_members_cannot_subscribe(banwatch_bot: BanwatchHarness) -> None:
    handle = banwatch_bot.slash("alerts subscribe", {"channel": banwatch_bot.channel})
    response = await handle.wait_response()
    assert "only moderators" in response["data"]["content"]


async def test_backfill_posts_exactly_the_latest_n_matches(banwatch_bot: BanwatchHarness) -> None:
    server, guild = banwatch_bot.server, banwatch_bot.guild
    channel = server.add_channel(guild, "backfilled")
    policy = [
        a
        for a in await banwatch_bot.store.all_articles()
        if a.extraction is not None and a.extraction.is_policy and a.published_at
    ]
    assert len(policy) > 3
    latest = sorted(policy, key=lambda a: a.published_at, reverse=True)[:3]  # type: ignore
    assert latest[2].published_at > policy[3].published_at  # type: ignore[operator]
    text = await subscribe(banwatch_bot, {"channel": channel, "backfill": 3})
    assert "3 earlier item(s) will be posted" in text
    posts = await server.wait_for_messages(channel, 3)
    cog = banwatch_bot.bot.get_cog("AlertsCog")
    await cog.alerts.scan()  # type: ignore[union-attr]
    await cog.sender.run_once()  # type: ignore[union-attr]
    posts = server.messages_in(channel)
    titles = [post["embeds"][0]["title"] for post in posts]
    assert len(titles) == 3
    assert sorted(titles) == sorted(" ".join(a.title.split()) for a in latest)


async def test_rescan_loop_picks_up_a_dropped_file(banwatch_bot: BanwatchHarness) -> None:
    server, guild = banwatch_bot.server, banwatch_bot.guild
    cog = banwatch_bot.bot.get_cog("AlertsCog")
    rescans = banwatch_bot.rescans
    assert rescans.is_running() and rescans.seconds == banwatch_bot.bot.settings.rescan_seconds
    ma = server.add_channel(guild, "ma")
    everything = server.add_channel(guild, "everything")
    oregon = server.add_channel(guild, "oregon")
    await subscribe(banwatch_bot, {"channel": ma, "state": "MA"})
    await subscribe(banwatch_bot, {"channel": everything})
    await subscribe(banwatch_bot, {"channel": oregon, "state": "OR"})
    kept_after: list[int] = []
    keep_statuses = banwatch_bot.app.keep_statuses

    async def counting() -> int:
        kept_after.append(rescans.runs)
        return await keep_statuses()

    banwatch_bot.app.keep_statuses = counting  # type: ignore[method-assign]
    write_news(banwatch_bot.app.corpus_dir, "dropped.md", **SPRINGFIELD_BAN)
    rescans.change_interval(0.2)
    (post,) = await server.wait_for_messages(ma, 1, timeout=10)
    await server.wait_for_messages(everything, 1)
    assert post["embeds"][0]["title"] == SPRINGFIELD_BAN["title"]
    ingests = rescans.runs
    async with asyncio.timeout(5):
        while rescans.runs < ingests + 2:  # two more re-scans post nothing again
            await asyncio.sleep(0.05)
    await cog.sender.run_once()  # type: ignore[union-attr]
    assert len(server.messages_in(ma)) == 1 and len(server.messages_in(everything)) == 1
    assert server.messages_in(oregon) == []
    # The statuses were worked out again after the re-scan that stored something, only then;
    # Springfield's kept answer is the ban.
    assert len(kept_after) == 1
    assert (await banwatch_bot.app.status("Springfield, MA")).status == "ban"


async def test_a_rescan_whose_statuses_fail_keeps_what_it_stored_and_says_which_step_failed(
    banwatch_bot: BanwatchHarness, discord_errors: DiscordErrors
) -> None:
    async def failing() -> int:
        raise RuntimeError("disk full")

    banwatch_bot.app.keep_statuses = failing  # type: ignore[method-assign]
    discord_errors.expect(r"re-scan stored its items, but their places' statuses failed.*disk full")
    write_news(banwatch_bot.app.corpus_dir, "dropped.md", **SPRINGFIELD_BAN)
    banwatch_bot.rescans.change_interval(0.2)
    await discord_errors.wait_for(r"statuses failed", timeout=10)
    assert not [r for r in discord_errors.records if "re-scan failed" in r.getMessage()]
    # The item is stored, and its place's status is worked out when asked.
    assert (await banwatch_bot.app.status("Springfield, MA")).status == "ban"


async def test_the_rescan_loop_leaves_the_corpus_just_ingested_at_start_alone(
    banwatch_bot: BanwatchHarness,
) -> None:
    rescans = banwatch_bot.rescans
    await rescans.stop()
    ingest = banwatch_bot.app.ingest
    clock = asyncio.get_running_loop().time
    ingested_at: list[float] = []

    async def counting():  # type: ignore[no-untyped-def]
        ingested_at.append(clock())
        return await ingest()

    banwatch_bot.app.ingest = counting  # type: ignore[method-assign]
    rescans.seconds = 0.3
    started, runs = clock(), rescans.runs
    rescans.start()
    async with asyncio.timeout(5):
        while rescans.runs < runs + 2:
            await asyncio.sleep(0.02)
    # The first re-scan waits one interval, not coming at once after the start-up's own
    # ingest; then one each interval.
    assert len(ingested_at) >= 2
    assert ingested_at[0] - started >= 0.3 and ingested_at[1] - ingested_at[0] >= 0.3
