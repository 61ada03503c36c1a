"""Petitions on a real SQLite file: signing rules, concurrency, milestones, export, retention."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import json
import logging
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.petitions import (
    PetitionExport,
    Petitions,
    goal_milestones_crossed,
    parse_petition_id,
    progress_bar,
)
from bot.privacy import ConsentRequired
from bot.service import Banwatch, BanwatchError
from bot.store import Store

GUILD = "111111111111111111"
OTHER_GUILD = "222222222222222222"
MODERATOR = "300000000000000001"


class Notices:
    """Records what would be posted through the alerts outbox."""

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    async def __call__(
        self,
        store: Store,
        guild_id: str,
        key: str,
        title: str,
        description: str,
        url: str | None = None,
    ) -> None:
        self.calls.append(
            {"guild_id": guild_id, "key": key, "title": title, "description": description}
        )

    @property
    def keys(self) -> list[str]:
        return [call["key"] for call in self.calls]


class Clock:
    """A settable now()."""

    def __init__(self) -> None:
        self.now = dt.datetime.now(dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
async def store(db_path: Path, migrated_db: Path) -> AsyncIterator[Store]:
    shutil.copyfile(migrated_db, db_path)  # migrated once per session
    async with await Store.open(db_path) as opened:
        yield opened


@pytest.fixture
def notices() -> Notices:
    return Notices()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def petitions(store: Store, tmp_path: Path, notices: Notices, clock: Clock) -> Petitions:
    return Petitions(Banwatch(store, tmp_path), notify=notices, clock=clock)


async def make(petitions: Petitions, **overrides: Any):
    fields: dict[str, Any] = {
        "guild_id": GUILD,
        "created_by": MODERATOR,
        "title": "Ban face surveillance in Springfield",
        "demand": "Pass an ordinance banning city use of facial recognition.",
        "target": "Springfield City Council",
        "goal": 4,
    }
    fields.update(overrides)
    return await petitions.create(**fields)


def user(number: int) -> str:
    return str(400000000000000000 + number)


async def test_create_sign_unsign_and_counts(petitions: Petitions, store: Store) -> None:
    petition = await make(petitions)
    assert petition.status == "open" and petition.signature_count == 0

    receipt = await petitions.sign(
        petition.id, user(1), guild_id=GUILD, public_name="Ada", zip_code="60614", consent=True
    )
    assert receipt.count == 1 and not receipt.already_signed
    # Consent is asked once: the second petition signature needs no agree flag.
    receipt = await petitions.sign(f"#{petition.id}", user(1), guild_id=GUILD)
    assert receipt.already_signed and receipt.count == 1

    receipt = await petitions.unsign(petition.id, user(1), guild_id=GUILD)
    assert receipt.count == 0
    assert (await petitions.get(petition.id, guild_id=GUILD)).signature_count == 0
    with pytest.raises(BanwatchError, match="haven't signed"):
        await petitions.unsign(petition.id, user(1), guild_id=GUILD)


async def test_first_signature_needs_consent(petitions: Petitions, store: Store) -> None:
    petition = await make(petitions)
    with pytest.raises(ConsentRequired) as caught:
        await petitions.sign(petition.id, user(2), guild_id=GUILD)
    for words in ("user id", "Why", "Who sees it", "/privacy forget"):
        assert words in str(caught.value)
    assert await store.count_signatures(petition.id) == 0
    await petitions.sign(petition.id, user(2), guild_id=GUILD, consent=True)
    assert await store.consent_version(user(2)) == 1


@pytest.mark.parametrize(
    ("petition_id", "message"),
    [("999", "no petition #999"), ("abc", "not a petition number"), ("0", "not a petition")],
)
async def test_signing_unknown_petitions_is_refused(
    petitions: Petitions, petition_id: str, message: str
) -> None:
    with pytest.raises(BanwatchError, match=message):
        await petitions.sign(petition_id, user(3), guild_id=GUILD, consent=True)


async def test_signing_closed_expired_or_other_guild_is_refused(
    petitions: Petitions, store: Store, clock: Clock
) -> None:
    petition = await make(petitions)
    with pytest.raises(BanwatchError, match="no petition"):
        await petitions.sign(petition.id, user(4), guild_id=OTHER_GUILD, consent=True)
    await petitions.close(petition.id, guild_id=GUILD, closed_by=MODERATOR)
    with pytest.raises(BanwatchError, match="is closed"):
        await petitions.sign(petition.id, user(4), guild_id=GUILD, consent=True)
    with pytest.raises(BanwatchError, match="already closed"):
        await petitions.close(petition.id, guild_id=GUILD, closed_by=MODERATOR)

    tomorrow = (clock.now + dt.timedelta(days=1)).date().isoformat()
    expiring = await make(petitions, deadline=tomorrow)
    clock.now += dt.timedelta(days=3)
    # The stored deadline is compared with the real time when signing: move it into the past.
    async with store.transaction() as db:
        await db.execute(
            "UPDATE petitions SET deadline = ? WHERE id = ?", ("2000-01-01", expiring.id)
        )
    with pytest.raises(BanwatchError, match=r"deadline .* has passed"):
        await petitions.sign(expiring.id, user(4), guild_id=GUILD, consent=True)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"title": " "}, "needs a title"),
        ({"demand": ""}, "needs a demand"),
        ({"target": "x" * 101}, "too long"),
        ({"goal": "lots"}, "must be a number"),
        ({"goal": 0}, "between 1"),
        ({"deadline": "2001-01-01"}, "in the future"),
        ({"deadline": "next tuesday"}, "date like"),
    ],
)
async def test_create_rejects_bad_input(
    petitions: Petitions, fields: dict[str, Any], message: str
) -> None:
    with pytest.raises(BanwatchError, match=message):
        await make(petitions, **fields)


async def test_moderators_see_only_their_guilds_petitions(petitions: Petitions) -> None:
    petition = await make(petitions)
    for call in (
        petitions.get(petition.id, guild_id=OTHER_GUILD),
        petitions.export(petition.id, guild_id=OTHER_GUILD),
        petitions.close(petition.id, guild_id=OTHER_GUILD, closed_by=MODERATOR),
        petitions.edit(petition.id, guild_id=OTHER_GUILD, edited_by=MODERATOR, title="x"),
    ):
        with pytest.raises(BanwatchError, match="no petition"):
            await call
    assert await petitions.list(guild_id=OTHER_GUILD) == []
    assert [p.id for p in await petitions.list(guild_id=GUILD)] == [petition.id]


async def test_edit_keeps_signatures_and_logs_revisions(petitions: Petitions) -> None:
    petition = await make(petitions)
    await petitions.sign(petition.id, user(5), guild_id=GUILD, consent=True)
    edited, revisions = await petitions.edit(
        petition.id, guild_id=GUILD, edited_by=MODERATOR, demand="A moratorium, at least."
    )
    assert edited.demand == "A moratorium, at least." and edited.signature_count == 1
    assert [(r.field, r.new_value) for r in revisions] == [("demand", "A moratorium, at least.")]
    history = await petitions.revisions(edited)
    assert history[0].old_value.startswith("Pass an ordinance")
    with pytest.raises(BanwatchError, match="Nothing to change"):
        await petitions.edit(petition.id, guild_id=GUILD, edited_by=MODERATOR)


async def test_500_concurrent_signers_are_all_counted(petitions: Petitions, store: Store) -> None:
    petition = await make(petitions, goal=1000)
    receipts = await asyncio.gather(
        *(petitions.sign(petition.id, user(n), guild_id=GUILD, consent=True) for n in range(500))
    )
    assert sorted(r.count for r in receipts) == list(range(1, 501))
    assert await store.count_signatures(petition.id) == 500
    assert (await petitions.get(petition.id, guild_id=GUILD)).signature_count == 500


async def test_50_repeated_signs_from_one_user_count_once(
    petitions: Petitions, store: Store
) -> None:
    petition = await make(petitions)
    receipts = await asyncio.gather(
        *(petitions.sign(petition.id, user(7), guild_id=GUILD, consent=True) for _ in range(50))
    )
    assert sum(not r.already_signed for r in receipts) == 1
    assert await store.count_signatures(petition.id) == 1
    assert (await petitions.get(petition.id, guild_id=GUILD)).signature_count == 1


@pytest.mark.parametrize(
    ("previous", "current", "goal", "crossed"),
    [
        (0, 1, 4, [25]),
        (1, 2, 4, [50]),
        (0, 4, 4, [25, 50, 75, 100]),
        (4, 5, 4, []),
        (24, 25, 100, [25]),
        (25, 26, 100, []),
        (0, 1, 1000, []),
        (0, 0, 0, []),
    ],
)
def test_goal_milestones_crossed(
    previous: int, current: int, goal: int, crossed: list[int]
) -> None:
    assert goal_milestones_crossed(previous, current, goal) == crossed


async def test_milestones_post_once(petitions: Petitions, notices: Notices) -> None:
    petition = await make(petitions, goal=4)
    for n in range(4):
        await petitions.sign(petition.id, user(n), guild_id=GUILD, consent=True)
    # Dropping below and crossing again does not announce twice.
    await petitions.unsign(petition.id, user(3), guild_id=GUILD)
    await petitions.sign(petition.id, user(3), guild_id=GUILD)
    await petitions.sign(petition.id, user(9), guild_id=GUILD, consent=True)
    key = f"petition:{petition.id}"
    assert notices.keys == [f"{key}:goal-25", f"{key}:goal-50", f"{key}:goal-75", f"{key}:goal-100"]
    assert all(call["guild_id"] == GUILD for call in notices.calls)
    assert "reached its goal" in notices.calls[-1]["title"]
    await petitions.close(petition.id, guild_id=GUILD, closed_by=MODERATOR)
    assert notices.keys[-1] == f"{key}:closed"


async def test_a_jump_past_several_marks_announces_the_highest(
    petitions: Petitions, notices: Notices
) -> None:
    petition = await make(petitions, goal=1)
    await petitions.sign(petition.id, user(1), guild_id=GUILD, consent=True)
    assert notices.keys == [f"petition:{petition.id}:goal-100"]


async def test_a_failing_outbox_does_not_undo_a_signature(
    store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("outbox down")

    petitions = Petitions(Banwatch(store, tmp_path), notify=broken)
    petition = await make(petitions, goal=1)
    receipt = await petitions.sign(petition.id, user(1), guild_id=GUILD, consent=True)
    assert receipt.count == 1 and "could not queue milestone" in caplog.text


async def test_milestones_go_through_the_alerts_outbox(store: Store, tmp_path: Path) -> None:
    subscription = await store.add_subscription(
        guild_id=GUILD, channel_id="600000000000000001", channel_kind="text", created_by=MODERATOR
    )
    petitions = Petitions(Banwatch(store, tmp_path))
    petition = await make(petitions, goal=2)
    await petitions.sign(petition.id, user(1), guild_id=GUILD, consent=True)
    await petitions.sign(petition.id, user(2), guild_id=GUILD, consent=True)
    entries = await store.outbox_entries(subscription_id=subscription.id)
    assert sorted(e.subject for e in entries) == [
        f"petition:{petition.id}:goal-100",
        f"petition:{petition.id}:goal-50",
    ]


async def test_tick_warns_before_deadline_then_closes(
    petitions: Petitions, notices: Notices, clock: Clock
) -> None:
    deadline = (clock.now + dt.timedelta(days=1)).date().isoformat()
    petition = await make(petitions, deadline=deadline)
    assert await petitions.tick() == [f"deadline warning #{petition.id}"]
    assert await petitions.tick() == []
    clock.now += dt.timedelta(days=3)
    assert await petitions.tick() == [f"closed #{petition.id}"]
    assert (await petitions.get(petition.id, guild_id=GUILD)).status == "closed"
    assert [k.rsplit(":", 1)[1] for k in notices.keys] == ["deadline", "closed"]


async def test_missing_alerts_outbox_does_not_break_signing(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.petitions._default_notifier", lambda: None)
    petitions = Petitions(Banwatch(store, tmp_path))
    petition = await make(petitions, goal=1)
    receipt = await petitions.sign(petition.id, user(1), guild_id=GUILD, consent=True)
    assert receipt.milestones == ("goal-25", "goal-50", "goal-75", "goal-100")


async def signed_petition(petitions: Petitions) -> PetitionExport:
    petition = await make(petitions, goal=10)
    await petitions.sign(
        petition.id,
        user(1),
        guild_id=GUILD,
        public_name="Ada Lovelace",
        zip_code="60614-1234",
        reason="Faces are not barcodes",
        consent=True,
    )
    await petitions.sign(petition.id, user(2), guild_id=GUILD, zip_code="60614", consent=True)
    await petitions.sign(
        petition.id, user(3), guild_id=GUILD, public_name="=HYPERLINK(1)", consent=True
    )
    return await petitions.export(petition.id, guild_id=GUILD)


async def test_export_csv_and_osdi(petitions: Petitions) -> None:
    export = await signed_petition(petitions)
    stem = f"petition-{export.petition.id}"
    assert set(export.files) == {
        f"{stem}-signatures.csv",
        f"{stem}-by-ward.csv",
        f"{stem}.osdi.json",
    }
    rows = list(csv.DictReader(io.StringIO(export.files[f"{stem}-signatures.csv"].decode())))
    assert [r["name"] for r in rows] == ["Ada Lovelace", "(name withheld)", "'=HYPERLINK(1)"]
    assert [r["zip_or_ward"] for r in rows] == ["60614", "60614", ""]
    assert rows[0]["comment"] == "Faces are not barcodes"
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert {r["signed_on"] for r in rows} == {today}
    wards = list(csv.reader(io.StringIO(export.files[f"{stem}-by-ward.csv"].decode())))
    assert wards == [["zip_or_ward", "signatures"], ["60614", "2"], ["(not given)", "1"]]

    osdi = json.loads(export.files[f"{stem}.osdi.json"])
    assert osdi["title"] == export.petition.title
    assert osdi["petition_text"] == export.petition.demand
    assert osdi["target"] == [{"name": "Springfield City Council"}]
    assert osdi["total_signatures"] == 3
    assert osdi["signatures"][0]["comments"] == "Faces are not barcodes"
    assert all("action_date" in s for s in osdi["signatures"])
    assert osdi["signatures"][1]["person"] == {"postal_addresses": [{"postal_code": "60614"}]}
    for content in export.files.values():
        for n in (1, 2, 3):
            assert user(n).encode() not in content


async def test_retention_drops_signer_details_keeps_counts(
    petitions: Petitions, store: Store, clock: Clock
) -> None:
    export = await signed_petition(petitions)
    petition = export.petition
    await petitions.close(petition.id, guild_id=GUILD, closed_by=MODERATOR)
    assert await petitions.tick() == []
    clock.now += dt.timedelta(days=181)
    assert await petitions.tick() == [f"purged #{petition.id}"]
    assert await store.signatures(petition.id) == []
    kept = await petitions.get(petition.id, guild_id=GUILD)
    assert kept.signature_count == 3
    export = await petitions.export(petition.id, guild_id=GUILD)
    stem = f"petition-{petition.id}"
    assert b"60614,2" in export.files[f"{stem}-by-ward.csv"]
    assert export.osdi["total_signatures"] == 3 and export.osdi["signatures"] == []
    for table_rows in (await store.rows_mentioning(user(1))).values():
        assert not table_rows


def test_retention_setting_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.settings import load_settings

    monkeypatch.setenv("BANWATCH_SIGNER_RETENTION_DAYS", "30")
    assert load_settings().signer_retention_days == 30
    monkeypatch.delenv("BANWATCH_SIGNER_RETENTION_DAYS")
    assert load_settings().signer_retention_days == 180


async def test_signers_details_are_never_logged(
    petitions: Petitions, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    await signed_petition(petitions)
    text = caplog.text
    for secret in (user(1), "Ada Lovelace", "60614", "Faces are not barcodes"):
        assert secret not in text


def test_progress_bar_and_ids() -> None:
    assert progress_bar(5, 10, width=10) == "[#####.....] 50%"
    assert progress_bar(30, 10, width=4) == "[####] 300%"
    assert parse_petition_id("#12") == 12
