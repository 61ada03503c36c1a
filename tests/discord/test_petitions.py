"""Petitions and privacy end to end: the real bot, the loopback Discord server, a real SQLite."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.discord.client import EXTENSIONS
from bot.store import Store
from tests.discord.harness import BanwatchHarness, start_banwatch
from tests.loopback.fixtures import DiscordErrors
from tests.loopback.server import LoopbackDiscord

SIGNERS = 500
PETITION_EXTENSIONS = tuple(dict.fromkeys((*EXTENSIONS, "cogs.petitions", "cogs.privacy")))


@pytest.fixture
async def harness(
    loopback_discord: LoopbackDiscord,
    banwatch_store: Store,
    corpus_dir: Path,
    discord_errors: DiscordErrors,
) -> AsyncIterator[BanwatchHarness]:
    async with start_banwatch(
        loopback_discord, banwatch_store, corpus_dir, extensions=PETITION_EXTENSIONS
    ) as running:
        quicker(running)
        yield running


def quicker(h: BanwatchHarness) -> None:
    """Refresh posted counts after 50 ms instead of a second."""
    h.bot.get_cog("Petitions").refresh_delay = 0.05  # type: ignore[union-attr]


def embed_text(message: dict[str, Any]) -> str:
    data = message.get("data", message)
    parts = []
    for embed in data.get("embeds") or []:
        parts += [embed.get("title") or "", embed.get("description") or ""]
        parts += [f"{f['name']}: {f['value']}" for f in embed.get("fields") or []]
    return "\n".join(parts)


def sign_button(message: dict[str, Any]) -> dict[str, Any]:
    return message["components"][0]["components"][0]


async def create_and_post(h: BanwatchHarness, goal: int = 10) -> tuple[int, dict[str, Any]]:
    opened = h.slash("petition create", {"place": "Chicago"}, as_moderator=True)
    await opened
    assert opened.modal is not None
    submitted = h.submit_modal(
        opened,
        {
            "petition_title": "Ban face recognition in Chicago",
            "demand": "Ban city use of facial recognition.",
            "target": "Mayor of Chicago",
            "goal": str(goal),
            "deadline": "",
        },
    )
    response = await submitted
    assert h.is_ephemeral(response), response
    assert "Created petition #" in (response["data"].get("content") or ""), response
    petition_id = int(response["data"]["content"].split("#")[1].split(".")[0])
    posted = h.slash("petition post", {"petition": petition_id}, as_moderator=True)
    await posted
    message = await posted.wait_original()
    async with asyncio.timeout(5):  # the bot records the post right after sending it
        while not await h.store.petition_posts(petition_id):
            await asyncio.sleep(0.01)
    return petition_id, message


async def wait_for_count(h: BanwatchHarness, message: dict[str, Any], text: str) -> None:
    await h.server.wait_for(
        lambda: text in embed_text(h.server.messages[int(message["id"])]), 5, text
    )


async def sign_by_button(h: BanwatchHarness, message: dict[str, Any], member: Any, **values: str):
    click = h.click(message, sign_button(message)["custom_id"], member=member)
    await click
    assert click.modal is not None, click.response
    filled = {"public_name": "", "zip_code": "", "reason": "", **values}
    return await h.submit_modal(click, filled)


async def test_petition_lifecycle(harness: BanwatchHarness) -> None:
    h = harness
    petition_id, message = await create_and_post(h)
    assert "0 of 10" in embed_text(message) and "Chicago, IL" in embed_text(message)
    assert sign_button(message)["custom_id"] == f"petition:sign:{petition_id}"

    # A plain member may not run moderator commands.
    refused = await h.slash("petition export", {"petition": petition_id})
    assert "only moderators" in refused["data"]["content"]

    signed = await sign_by_button(h, message, h.member, public_name="Ada", zip_code="60614")
    assert h.is_ephemeral(signed) and "1 of 10" in signed["data"]["content"]
    await wait_for_count(h, message, "1 of 10")

    again = await sign_by_button(h, message, h.member)
    assert "already signed" in again["data"]["content"]
    assert await h.store.count_signatures(petition_id) == 1

    unsigned = await h.slash("petition unsign", {"petition": petition_id})
    assert "withdrawn" in unsigned["data"]["content"]
    await wait_for_count(h, message, "0 of 10")
    await sign_by_button(h, message, h.member, public_name="Ada", zip_code="60614")
    other = h.server.add_member("second", guild=h.guild)
    await sign_by_button(h, message, other, reason="No dragnet")

    export = h.slash("petition export", {"petition": petition_id}, as_moderator=True)
    response = await export
    assert h.is_ephemeral(response)
    files = {f.filename: f.data for f in h.server.requests_matching("callback")[-1].files}
    csv_text = files[f"petition-{petition_id}-signatures.csv"].decode()
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert [(r["name"], r["zip_or_ward"]) for r in rows] == [
        ("Ada", "60614"),
        ("(name withheld)", ""),
    ]
    assert rows[1]["comment"] == "No dragnet"
    assert str(h.member.id) not in csv_text and str(other.id) not in csv_text
    assert f"petition-{petition_id}.osdi.json" in files

    closed = await h.slash("petition close", {"petition": petition_id}, as_moderator=True)
    assert "Closed petition" in closed["data"]["content"]
    late = h.server.add_member("late", guild=h.guild)
    refused = await h.click(message, sign_button(message)["custom_id"], member=late)
    assert "is closed" in refused["data"]["content"] and h.is_ephemeral(refused)
    refused = await h.slash("petition sign", {"petition": petition_id}, member=late)
    assert "is closed" in refused["data"]["content"]
    refused = await h.slash("petition sign", {"petition": 999}, member=late)
    assert "no petition #999" in refused["data"]["content"]


async def test_sign_button_survives_a_restart(
    loopback_discord: LoopbackDiscord,
    banwatch_store: Store,
    corpus_dir: Path,
    discord_errors: DiscordErrors,
) -> None:
    async with start_banwatch(
        loopback_discord, banwatch_store, corpus_dir, extensions=PETITION_EXTENSIONS
    ) as first:
        petition_id, message = await create_and_post(first)
    async with start_banwatch(
        loopback_discord, banwatch_store, corpus_dir, extensions=PETITION_EXTENSIONS
    ) as second:
        quicker(second)
        signed = await sign_by_button(second, message, second.member)
        assert "1 of 10" in signed["data"]["content"]
        assert await banwatch_store.count_signatures(petition_id) == 1
        await wait_for_count(second, message, "1 of 10")


async def test_concurrent_signers_through_discord(harness: BanwatchHarness) -> None:
    """500 distinct users sign at once through the loopback server, and one user 10 times."""
    h = harness
    # Refreshes 0.25 s apart at most (not quicker's 0.05 s): merged or not, the count of edits
    # then stays far from one per signer however long a loaded machine takes over 500 signers.
    h.bot.get_cog("Petitions").refresh_delay = 0.25  # type: ignore[union-attr]
    petition_id, message = await create_and_post(h, goal=1000)
    members = [h.server.add_member(f"signer{n}", guild=h.guild) for n in range(SIGNERS)]
    for member in (h.member, *members):
        await h.app.store.record_consent(str(member.id), 1)
    handles = [h.slash("petition sign", {"petition": petition_id}, member=m) for m in members]
    handles += [h.slash("petition sign", {"petition": petition_id}) for _ in range(10)]
    responses = await asyncio.gather(*(handle.wait_response(30) for handle in handles))
    assert all(h.is_ephemeral(r) for r in responses)
    assert sum("already signed" in r["data"]["content"] for r in responses) == 9
    assert await h.store.count_signatures(petition_id) == SIGNERS + 1
    petition = await h.store.get_petition(petition_id)
    assert petition is not None and petition.signature_count == SIGNERS + 1
    await wait_for_count(h, message, f"{SIGNERS + 1} of 1,000")
    edits = h.server.requests_matching(rf"/messages/{message['id']}$", "PATCH")
    assert len(edits) < SIGNERS / 5  # refreshes are merged, not one per signer


async def test_privacy_mydata_and_forget(harness: BanwatchHarness) -> None:
    h = harness
    petition_id, message = await create_and_post(h)
    await sign_by_button(h, message, h.member, public_name="Ada", reason="Because")
    user_id = str(h.member.id)

    mydata = await h.slash("privacy mydata")
    assert h.is_ephemeral(mydata) and "Ada" in mydata["data"]["content"]
    files = {f.filename: f.data for f in h.server.requests_matching("callback")[-1].files}
    assert user_id.encode() in files["banwatch-mydata.json"]

    asked = h.slash("privacy forget")
    await asked
    assert h.is_ephemeral(asked.response or {})
    button = asked.response["data"]["components"][0]["components"][0]
    original = await asked.wait_original()
    confirmed = await h.click(original, button["custom_id"])
    assert "erased" in confirmed["data"]["content"]

    for table in await h.store.table_names():
        async with h.store._db.execute(f'SELECT * FROM "{table}"') as cursor:
            for row in await cursor.fetchall():
                assert not any(user_id in str(cell) for cell in tuple(row)), (table, tuple(row))
    petition = await h.store.get_petition(petition_id)
    assert petition is not None and petition.signature_count == 0


def callback_files(h: BanwatchHarness) -> dict[str, bytes]:
    return {f.filename: f.data for f in h.server.requests_matching("callback")[-1].files}


async def create_by_modal(
    h: BanwatchHarness,
    title: str,
    *,
    place: str | None = None,
    goal: int = 10,
    deadline: str = "",
    demand: str = "Ban city use of facial recognition.",
) -> int:
    opened = h.slash("petition create", {"place": place} if place else {}, as_moderator=True)
    await opened
    assert opened.modal is not None, opened.response
    values = {
        "petition_title": title,
        "demand": demand,
        "target": "City Council",
        "goal": str(goal),
        "deadline": deadline,
    }
    response = await h.submit_modal(opened, values)
    content = response["data"].get("content") or ""
    assert "Created petition #" in content, response
    return int(content.split("#")[1].split(".")[0])


async def test_status_lists_the_guilds_open_petitions_for_the_place(
    harness: BanwatchHarness,
) -> None:
    h = harness
    quiet = await h.slash("status", {"place": "Chicago"})
    assert "Open petitions" not in embed_text(quiet)
    petition_id, message = await create_and_post(h)
    await sign_by_button(h, message, h.member)
    closed_id = await create_by_modal(h, "An old Chicago petition", place="Chicago")
    await h.slash("petition close", {"petition": closed_id}, as_moderator=True)
    elsewhere = await create_by_modal(h, "Somewhere else", place="Springfield MA")
    await h.store.create_petition(
        guild_id="123456789012345678",
        title="Another server's petition",
        demand="D",
        target="X",
        jurisdiction_key=(await h.app.resolve_place("Chicago")).key,
        jurisdiction="Chicago, IL",
        goal=5,
        deadline=None,
        created_by="1",
    )

    response = await h.slash("status", {"place": "Chicago"})
    fields = {f["name"]: f["value"] for f in response["data"]["embeds"][0]["fields"]}
    assert fields["Open petitions"] == (
        f"#{petition_id} Ban face recognition in Chicago: 1/10 signatures"
        f" (/petition show {petition_id})"
    )
    springfield = await h.slash("status", {"place": "Springfield MA"})
    assert f"#{elsewhere} Somewhere else: 0/10" in embed_text(springfield)
    assert "Ban face recognition" not in embed_text(springfield)


async def test_post_to_another_channel_says_where(harness: BanwatchHarness) -> None:
    h = harness
    petition_id = await create_by_modal(h, "Post me elsewhere", place="Chicago")
    here = h.slash("petition post", {"petition": petition_id}, as_moderator=True)
    await here
    (note,) = await here.wait_followups(1)
    assert note["content"] == f"Posted petition #{petition_id} in <#{h.channel.id}>."
    assert note["flags"] & 64

    elsewhere = h.server.add_channel(h.guild, "petitions")
    answer = await h.slash(
        "petition post", {"petition": petition_id, "channel": elsewhere}, as_moderator=True
    )
    assert h.is_ephemeral(answer)
    assert answer["data"]["content"].startswith(
        f"Posted petition #{petition_id} in <#{elsewhere.id}>: "
    )
    (message,) = h.server.messages_in(elsewhere)
    assert answer["data"]["content"].endswith(f"/{elsewhere.id}/{message['id']}")
    assert "0 of 10" in embed_text(message)
    assert len(await h.store.petition_posts(petition_id)) == 2
    signed = await sign_by_button(h, message, h.member)
    assert "1 of 10" in signed["data"]["content"]
    await wait_for_count(h, message, "1 of 10")  # both copies stay live
    await wait_for_count(h, await here.wait_original(), "1 of 10")

    refused = await h.slash("petition post", {"petition": petition_id, "channel": elsewhere})
    assert "only moderators" in refused["data"]["content"]


async def test_first_slash_signature_asks_consent_once(harness: BanwatchHarness) -> None:
    h = harness
    first = await create_by_modal(h, "First", place="Chicago")
    second = await create_by_modal(h, "Second", place="Chicago")
    signer = h.server.add_member("Quorra Zyxwv", guild=h.guild)

    asked = h.slash(
        "petition sign", {"petition": first, "public_name": "Q. Z.", "zip": "60614"}, member=signer
    )
    notice = await asked
    assert h.is_ephemeral(notice)
    assert notice["data"]["content"].startswith("**Before you sign: what banwatch keeps about you")
    (button,) = notice["data"]["components"][0]["components"]
    assert button["label"] == "I agree, sign"
    assert await h.store.count_signatures(first) == 0  # nothing stored before agreeing
    assert await h.store.consent_version(str(signer.id)) is None

    original = await asked.wait_original()
    agreed = await h.click(original, button["custom_id"], member=signer)
    assert agreed["data"]["content"].startswith(f"Signed petition #{first}: 1 of 10")
    assert agreed["data"]["components"] == []
    (signature,) = await h.store.signatures(first)
    assert (signature.public_name, signature.zip) == ("Q. Z.", "60614")

    again = await h.slash("petition sign", {"petition": second}, member=signer)
    assert again["data"]["content"].startswith(f"Signed petition #{second}: 1 of 10")
    assert "Before you sign" not in again["data"]["content"]
    assert not again["data"].get("components")
    (anonymous,) = await h.store.signatures(second)
    # Nothing from the profile: no public name unless typed, and the Discord name nowhere.
    assert anonymous.public_name is None
    for table in await h.store.table_names():
        async with h.store._db.execute(f'SELECT * FROM "{table}"') as cursor:
            for row in await cursor.fetchall():
                assert not any("Zyxwv" in str(cell) for cell in tuple(row)), table


async def test_edit_keeps_signatures_and_show_has_history(harness: BanwatchHarness) -> None:
    h = harness
    demand = "Ban it.\n\nNo *exceptions* @everyone."
    petition_id = await create_by_modal(
        h, "Draft title", goal=4, deadline="2099-12-31", demand=demand
    )
    before = await h.slash("petition show", {"petition": petition_id})
    # Paragraphs stay; markdown and mentions are shown literally.
    assert (
        before["data"]["embeds"][0]["description"]
        == "Ban it.\n\nNo \\*exceptions\\* @\u200beveryone."
    )
    await h.app.store.record_consent(str(h.member.id), 1)
    await h.slash("petition sign", {"petition": petition_id})

    refused = await h.slash("petition edit", {"petition": petition_id, "title": "Mine now"})
    assert "only moderators" in refused["data"]["content"]
    edited = await h.slash(
        "petition edit",
        {"petition": petition_id, "title": "Final title", "demand": "Ban it for good."},
        as_moderator=True,
    )
    assert h.is_ephemeral(edited) and edited["data"]["content"] == "Changed demand, title."
    assert await h.store.count_signatures(petition_id) == 1

    shown = await h.slash("petition show", {"petition": petition_id})
    assert h.is_ephemeral(shown)
    (embed,) = shown["data"]["embeds"]
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert embed["title"] == f"#{petition_id} Final title"
    assert embed["description"] == "Ban it for good."
    assert fields["To"] == "City Council"
    assert fields["Signatures"] == "1 of 4\n`[#####...............] 25%`"
    assert fields["Deadline"] == "2099-12-31" and fields["Status"] == "open"
    history = fields["Revision history"].splitlines()
    assert [line.split(" ", 2)[2] for line in history] == [
        'demand changed: "Ban it. No \\*exceptions\\* @\u200beveryone." -> "Ban it for good."',
        'title changed: "Draft title" -> "Final title"',
    ]
    assert "Edited 2 time(s)" in embed["footer"]["text"]

    await h.slash("petition close", {"petition": petition_id}, as_moderator=True)
    closed = await h.slash("petition show", {"petition": petition_id})
    assert "Status: closed" in embed_text(closed)
    missing = await h.slash("petition show", {"petition": 999})
    assert "no petition #999" in missing["data"]["content"]


async def test_list_and_the_place_autocomplete(harness: BanwatchHarness) -> None:
    h = harness
    typed = h.autocomplete("petition create", "place", "chicag", as_moderator=True)
    await typed
    assert typed.choices, typed.callbacks
    chosen = typed.choices[0]
    assert "Chicago" in chosen["name"]
    chicago = await create_by_modal(h, "About Chicago", place=chosen["value"])
    other = await create_by_modal(h, "About nowhere")
    assert (await h.store.get_petition(chicago)).jurisdiction == "Chicago, IL"  # type: ignore[union-attr]

    listed = await h.slash("petition list")
    assert h.is_ephemeral(listed)
    assert listed["data"]["content"].replace("\\", "").splitlines() == [
        f"#{other} About nowhere [open] 0/10",
        f"#{chicago} About Chicago [open] 0/10 - Chicago, IL",
    ]
    only = await h.slash("petition list", {"place": "Chicago"})
    assert (
        only["data"]["content"].replace("\\", "")
        == f"#{chicago} About Chicago [open] 0/10 - Chicago, IL"
    )
    none = await h.slash("petition list", {"place": "Springfield MA"})
    assert none["data"]["content"] == "No petitions yet."
    listing = h.autocomplete("petition list", "place", "Springf")
    await listing
    assert any("Springfield" in c["name"] for c in listing.choices or [])


async def test_milestone_reaches_the_alert_channel_once(harness: BanwatchHarness) -> None:
    h = harness
    channel = h.server.add_channel(h.guild, "alerts")
    subscribed = await h.slash("alerts subscribe", {"channel": channel}, as_moderator=True)
    assert subscribed["data"]["content"].startswith("Subscribed"), subscribed
    petition_id = await create_by_modal(h, "Milestones", goal=8)
    signers = [h.server.add_member(f"m{n}", guild=h.guild) for n in range(3)]
    for signer in signers:
        await h.store.record_consent(str(signer.id), 1)
    for signer in signers[:2]:  # 2 of 8: 25%
        await h.slash("petition sign", {"petition": petition_id}, member=signer)
    (post,) = await h.server.wait_for_messages(channel, 1, timeout=10)
    assert post["embeds"][0]["title"] == f"Petition #{petition_id} is 25% of the way to its goal"
    assert "2 of 8 signatures" in post["embeds"][0]["description"]

    await h.slash("petition sign", {"petition": petition_id}, member=signers[2])  # 37%: no mark
    cog = h.bot.get_cog("AlertsCog")
    await cog.sender.run_once()  # type: ignore[union-attr]
    assert len(h.server.messages_in(channel)) == 1
    for signer in signers[:2]:  # down under 25% and back up: the mark was already posted
        await h.slash("petition unsign", {"petition": petition_id}, member=signer)
        await h.slash("petition sign", {"petition": petition_id}, member=signer)
    await cog.sender.run_once()  # type: ignore[union-attr]
    assert len(h.server.messages_in(channel)) == 1
