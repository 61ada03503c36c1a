"""Review end to end: the real bot on the loopback Discord server, its persistent buttons,
alerts held for review, and who may answer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import bot.ingest as ingest_module
from bot.alerts.models import FILTERED, REVIEW
from bot.store import Store
from tests.alerts.support import SPRINGFIELD_BAN, write_news
from tests.core.test_review import sure_of
from tests.discord.harness import BanwatchHarness, start_banwatch
from tests.discord.test_commands import MODAL, UPDATE
from tests.discord.test_status import embed_text
from tests.loopback.fixtures import DiscordErrors
from tests.loopback.model import Permission
from tests.loopback.server import LoopbackDiscord


@pytest.fixture(autouse=True)
def unsure_of_springfield(monkeypatch: pytest.MonkeyPatch) -> None:
    """The extractor reads the Springfield ban 30% sure (everything else 95%)."""
    monkeypatch.setattr(ingest_module, "extract", sure_of({"Springfield City Council": 0.3}))


def review_button(message: dict[str, Any], verb: str) -> str:
    """The custom_id of a review message's button (``review:<verb>:<article>:<token>``)."""
    buttons = [c for row in message["components"] for c in row["components"]]
    return next(b["custom_id"] for b in buttons if b["custom_id"].startswith(f"review:{verb}:"))


async def held_item(harness: BanwatchHarness) -> tuple[Any, str]:
    """A subscription to Massachusetts news (holding by default), then the uncertain
    Springfield ban arrives: returns the channel and the item's id."""
    channel = harness.server.add_channel(harness.guild, "ma-news")
    subscribed = await harness.slash(
        "alerts subscribe", {"channel": channel, "state": "MA"}, as_moderator=True
    )
    assert "holds uncertain items for review" in subscribed["data"]["content"]
    write_news(harness.app.corpus_dir, "springfield.md", **SPRINGFIELD_BAN)
    (article_id,) = (await harness.app.ingest()).new
    await harness.app.alerts.scan()
    entries = await harness.store.outbox_entries(article_id=article_id)
    assert [entry.state for entry in entries] == [REVIEW]
    return channel, article_id


async def open_review(harness: BanwatchHarness, **who: Any) -> dict[str, Any]:
    """Run /review and return the private message with the item and its buttons."""
    handle = harness.slash("review", **(who or {"as_moderator": True}))
    response = await handle
    assert harness.is_ephemeral(response)
    return await handle.wait_original()


async def test_held_item_is_posted_once_when_a_moderator_confirms_it(
    banwatch_bot: BanwatchHarness,
) -> None:
    server = banwatch_bot.server
    channel, article_id = await held_item(banwatch_bot)
    status = await banwatch_bot.slash("status", {"place": "Springfield MA"})
    assert status["data"]["embeds"][0]["title"] == "Springfield, MA: Ban in force (unconfirmed)"
    assert "not sure of. No moderator has checked it yet" in embed_text(status)
    listed = embed_text(await banwatch_bot.slash("cities", {"state": "MA"}))
    assert "**Springfield, MA**: Ban in force (police) since 2024-03-04 ⚠️ unconfirmed" in listed
    assert "⚠️ unconfirmed" in listed and "not yet checked by a moderator" in listed
    why = await banwatch_bot.slash("alerts why", {"item": article_id}, as_moderator=True)
    assert "held for review" in why["data"]["content"]
    # The threshold is this server's: at 25% a 30% sure reading no longer reads unconfirmed.
    lower = {"threshold": "25%"}
    set_lower = await banwatch_bot.slash("config confidence-threshold", lower, as_moderator=True)
    assert "Confidence threshold: 25%" in set_lower["data"]["content"]
    status = await banwatch_bot.slash("status", {"place": "Springfield MA"})
    assert status["data"]["embeds"][0]["title"] == "Springfield, MA: Ban in force"
    assert "unconfirmed" not in embed_text(await banwatch_bot.slash("cities", {"state": "MA"}))
    await banwatch_bot.slash("config confidence-threshold", as_moderator=True)  # the default

    message = await open_review(banwatch_bot)
    shown = embed_text({"data": message})
    assert SPRINGFIELD_BAN["title"] in shown and "30% sure" in shown
    confirmed = await banwatch_bot.click(
        message, review_button(message, "confirm"), as_moderator=True
    )
    assert confirmed["type"] == UPDATE and "Confirmed" in confirmed["data"]["content"]

    (post,) = await server.wait_for_messages(channel, 1)
    assert post["embeds"][0]["title"] == SPRINGFIELD_BAN["title"]
    status = await banwatch_bot.slash("status", {"place": "Springfield MA"})
    assert status["data"]["embeds"][0]["title"] == "Springfield, MA: Ban in force"
    assert "No moderator has checked it" not in embed_text(status)
    assert "unconfirmed" not in embed_text(await banwatch_bot.slash("cities", {"state": "MA"}))
    # Exactly once: more scans and sends post nothing new.
    await banwatch_bot.app.alerts.scan()
    await banwatch_bot.app.alerts.reviewed(article_id)
    cog = banwatch_bot.bot.get_cog("AlertsCog")
    await cog.sender.run_once()  # type: ignore[union-attr]
    assert len(server.messages_in(channel)) == 1
    entry = (await banwatch_bot.store.audit_entries(str(banwatch_bot.guild.id)))[0]
    assert entry.action == "review.confirm" and entry.target == article_id


async def test_buttons_refuse_members_survive_restarts_and_rejected_items_never_post(
    loopback_discord: LoopbackDiscord,
    banwatch_store: Store,
    corpus_dir: Path,
    discord_errors: DiscordErrors,
) -> None:
    async with start_banwatch(loopback_discord, banwatch_store, corpus_dir) as first:
        channel, article_id = await held_item(first)
        message = await open_review(first)
        refused = await first.click(message, review_button(message, "confirm"))
        assert first.is_ephemeral(refused) and "only moderators" in refused["data"]["content"]
        reviewer = first.moderator
    assert [e.state for e in await banwatch_store.outbox_entries(article_id=article_id)] == [REVIEW]

    async with start_banwatch(loopback_discord, banwatch_store, corpus_dir) as second:
        # A button of the first bot's message, pressed after the restart.
        rejected = await second.click(message, review_button(message, "reject"), member=reviewer)
        assert rejected["type"] == UPDATE and "Marked not policy" in rejected["data"]["content"]
        (entry,) = await second.store.outbox_entries(article_id=article_id)
        assert entry.state == FILTERED
        await second.app.alerts.scan()
        cog = second.bot.get_cog("AlertsCog")
        await cog.sender.run_once()  # type: ignore[union-attr]
        assert second.server.messages_in(channel) == []

        # The message now shows the next item; correct its action with the select.
        shown = second.server.messages[int(message["id"])]
        next_id = review_button(shown, "action").split(":")[2]
        seen_confirm = review_button(shown, "confirm")
        assert next_id != article_id
        clicked = second.click(shown, review_button(shown, "action"), member=reviewer)
        assert second.is_ephemeral(await clicked)
        choose = await clicked.wait_original()
        select = choose["components"][0]["components"][0]["custom_id"]
        picked = await second.click(choose, select, member=reviewer, values=["ban_proposed"])
        assert "Action set to Ban proposed" in picked["data"]["content"]
        audit = await second.store.audit_entries(str(second.guild.id))
        assert [e.action for e in audit[:2]] == ["review.action", "review.not_policy"]
        assert audit[0].target == next_id and '"ban_proposed"' in (audit[0].detail or "")

        # Confirming from the message as it was shown answers a reading that changed since:
        # nothing is stored, and the newer reading is shown to be answered again.
        stale = await second.click(shown, seen_confirm, member=reviewer)
        assert stale["type"] == UPDATE and "changed this reading" in stale["data"]["content"]
        again = second.server.messages[int(message["id"])]
        assert "Ban proposed" in embed_text({"data": again})
        assert review_button(again, "confirm") != seen_confirm


async def test_other_servers_moderators_report_but_cannot_review(
    loopback_discord: LoopbackDiscord,
    banwatch_store: Store,
    corpus_dir: Path,
    discord_errors: DiscordErrors,
) -> None:
    async with start_banwatch(loopback_discord, banwatch_store, corpus_dir) as harness:
        harness.bot.app.home_guild_id = harness.guild.id
        server = harness.server
        other = server.add_guild("Elsewhere")
        role = server.add_role("Mods", [Permission.manage_guild], guild=other)
        owner = server.add_member("other-mod", roles=[role], guild=other)
        article_id = (await harness.app.search("postpones vote"))[0].id
        channel = other.channel_named("general")
        refused = await harness.server.dispatch_slash("review", {}, member=owner, channel=channel)
        assert harness.is_ephemeral(refused) and "home server" in refused["data"]["content"]
        correct = await harness.server.dispatch_slash(
            "article correct",
            {"id": article_id, "action": "ban_enacted"},
            member=owner,
            channel=channel,
        )
        assert "`/report`" in correct["data"]["content"]
        assert "home server" in correct["data"]["content"]
        assert await harness.store.get_correction(article_id) is None
        reported = await harness.server.dispatch_slash(
            "report", {"item": article_id, "reason": "wrong date"}, member=owner, channel=channel
        )
        assert "Reported" in reported["data"]["content"]
        queue = await harness.app.review.queue()
        (reported_entry,) = [c for c in queue if c.article_id == article_id]
        assert reported_entry.reports == 1
        item = await harness.app.review.item(article_id)
        assert [(r.reason, r.guild_id) for r in item.reports] == [("wrong date", str(other.id))]


async def test_change_place_asks_which_when_the_name_is_ambiguous(
    banwatch_bot: BanwatchHarness,
) -> None:
    article = (await banwatch_bot.app.search("postpones vote"))[0]
    article_id = article.id
    handle = banwatch_bot.slash("review", {"item": article_id}, as_moderator=True)
    await handle
    message = await handle.wait_original()
    opened = banwatch_bot.click(message, review_button(message, "place"), as_moderator=True)
    assert (await opened)["type"] == MODAL
    submitted = banwatch_bot.submit_modal(opened, {"place": "Portland"})
    asked = await submitted
    assert (
        banwatch_bot.is_ephemeral(asked) and "could mean several places" in asked["data"]["content"]
    )
    choose = await submitted.wait_original()
    select = choose["components"][0]["components"][0]
    assert "city:US:ME:Portland" in [option["value"] for option in select["options"]]
    picked = await banwatch_bot.click(
        choose, select["custom_id"], as_moderator=True, values=["city:US:ME:Portland"]
    )
    assert "Place set to Portland, ME" in picked["data"]["content"]
    status = await banwatch_bot.slash("status", {"place": "Portland ME"})
    assert status["data"]["embeds"][0]["title"] == "Portland, ME: Pending"
    assert article.title in embed_text(status)
    entry = (await banwatch_bot.store.audit_entries(str(banwatch_bot.guild.id)))[0]
    assert entry.action == "review.place" and entry.target == article_id


async def test_slow_answers_are_deferred_then_shown(
    loopback_discord: LoopbackDiscord,
    banwatch_store: Store,
    corpus_dir: Path,
    discord_errors: DiscordErrors,
) -> None:
    """A long queue to order (or a slow disk) must not lose the answer: with no time to spare,
    /review and the buttons defer first, then edit."""
    async with start_banwatch(
        loopback_discord, banwatch_store, corpus_dir, defer_after=0.0
    ) as harness:
        channel, article_id = await held_item(harness)
        handle = harness.slash("review", as_moderator=True)
        assert (await handle)["type"] == 5  # deferred, thinking
        message = await handle.wait_edited()
        clicked = harness.click(message, review_button(message, "confirm"), as_moderator=True)
        assert (await clicked)["type"] == 6  # deferred update
        edited = await clicked.wait_original(lambda m: "Confirmed" in (m.get("content") or ""))
        assert article_id in edited["content"]
        (post,) = await harness.server.wait_for_messages(channel, 1)
        assert post["embeds"][0]["title"] == SPRINGFIELD_BAN["title"]
