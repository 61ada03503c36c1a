"""Petitions and privacy end to end: the real bot, the loopback Discord server, a real SQLite."""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.client import EXTENSIONS
from bot.store import Store
from tests.discord.harness import BanwatchHarness, start_banwatch
from tests.loopback.fixtures import DiscordErrors
from tests.loopback.server import LoopbackDiscord

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
        yield running


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
        signed = await sign_by_button(second, message, second.member)
        assert "1 of 10" in signed["data"]["content"]
        assert await banwatch_store.count_signatures(petition_id) == 1
        await wait_for_count(second, message, "1 of 10")


async def test_concurrent_signers_through_discord(harness: BanwatchHarness) -> None:
    """A burst through the loopback server (the 500-signer case runs at the core level)."""
    h = harness
    petition_id, _ = await create_and_post(h, goal=100)
    await h.slash("petition sign", {"petition": petition_id})  # consent for h.member first
    members = [h.server.add_member(f"signer{n}", guild=h.guild) for n in range(40)]
    await h.app.store.record_consent(str(h.member.id), 1)
    for member in members:
        await h.app.store.record_consent(str(member.id), 1)
    handles = [h.slash("petition sign", {"petition": petition_id}, member=m) for m in members]
    handles += [h.slash("petition sign", {"petition": petition_id}) for _ in range(10)]
    responses = await asyncio.gather(*(handle.wait_response(15) for handle in handles))
    assert all(h.is_ephemeral(r) for r in responses)
    assert await h.store.count_signatures(petition_id) == 41
    petition = await h.store.get_petition(petition_id)
    assert petition is not None and petition.signature_count == 41


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
