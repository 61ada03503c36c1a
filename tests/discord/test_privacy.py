"""/privacy end to end: mydata names every table holding the caller's id; nothing is logged."""

from __future__ import annotations

import json
import logging

import pytest

from tests.discord.harness import BanwatchHarness
from tests.discord.test_petitions import create_by_modal, sign_button


async def tables_holding(h: BanwatchHarness, value: str) -> set[str]:
    """Tables with a row holding ``value`` anywhere, by scanning every cell."""
    found = set()
    for table in await h.store.table_names():
        async with h.store._db.execute(f'SELECT * FROM "{table}"') as cursor:
            for row in await cursor.fetchall():
                if any(value in str(cell) for cell in tuple(row)):
                    found.add(table)
    return found


async def test_mydata_covers_every_table_and_nothing_reaches_the_logs(
    banwatch_bot: BanwatchHarness, caplog: pytest.LogCaptureFixture
) -> None:
    h = banwatch_bot
    caplog.set_level(logging.DEBUG)
    moderator = str(h.moderator.id)
    # The moderator leaves their id in several features' tables, then signs as anyone would.
    alerts = h.server.add_channel(h.guild, "alerts")
    await h.slash("alerts subscribe", {"channel": alerts}, as_moderator=True)
    petition_id = await create_by_modal(h, "Ban it", place="Chicago", goal=4)
    await h.slash(
        "petition edit", {"petition": petition_id, "title": "Ban it now"}, as_moderator=True
    )
    posted = h.slash("petition post", {"petition": petition_id}, as_moderator=True)
    message = await posted.wait_original()
    click = h.click(message, sign_button(message)["custom_id"], as_moderator=True)
    await click
    secrets = {"public_name": "Quill Ravensong", "zip_code": "60614", "reason": "Xylograph vow"}
    signed = await h.submit_modal(click, secrets)
    assert "1 of 4" in signed["data"]["content"]
    await h.server.wait_for_messages(alerts, 1, timeout=10)  # the 25% milestone

    held = await tables_holding(h, moderator)
    assert {"petition_signatures", "privacy_consents", "petitions", "audit_log"} <= held
    assert "alert_subscriptions" in held
    mydata = await h.slash("privacy mydata", as_moderator=True)
    files = {f.filename: f.data for f in h.server.requests_matching("callback")[-1].files}
    data = json.loads(files["banwatch-mydata.json"])
    assert set(data["records"]) == held
    assert "Quill Ravensong" in mydata["data"]["content"]

    asked = h.slash("privacy forget", as_moderator=True)
    await asked
    original = await asked.wait_original()
    button = original["components"][0]["components"][0]
    confirmed = await h.click(original, button["custom_id"], as_moderator=True)
    assert confirmed["data"]["content"].startswith("Done.")
    assert await tables_holding(h, moderator) == set()
    for secret in secrets.values():
        assert await tables_holding(h, secret) == set()

    # banwatch's own loggers (bot.*, cogs.*) never carry a signer's id or what they typed.
    ours = [r for r in caplog.records if r.name.startswith(("bot", "cogs"))]
    text = "\n".join(r.getMessage() for r in ours)
    for secret in (moderator, *secrets.values()):
        assert secret not in text
