"""/privacy mydata and forget on a real SQLite file, checked by scanning every table."""

from __future__ import annotations

import json
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.petitions import Petitions
from bot.privacy import CONSENT_TEXT, Privacy, render_forget, render_mydata
from bot.service import Banwatch, BanwatchError
from bot.store import Store, utcnow

GUILD = "111111111111111111"
SIGNER = "412345678901234567"
OTHER = "498765432109876543"
MODERATOR = "300000000000000001"


async def rows_holding(store: Store, value: str) -> dict[str, int]:
    """How many rows of each table hold ``value`` in any column, whole or inside text."""
    found = {}
    for table in await store.table_names():
        async with store._db.execute(f'SELECT * FROM "{table}"') as cursor:
            rows = await cursor.fetchall()
        hits = sum(1 for row in rows if any(value in str(cell) for cell in tuple(row)))
        if hits:
            found[table] = hits
    return found


async def nothing_to_notify(*args: object, **kwargs: object) -> None:
    return None


@pytest.fixture
async def store(db_path: Path, migrated_db: Path) -> AsyncIterator[Store]:
    shutil.copyfile(migrated_db, db_path)  # migrated once per session
    async with await Store.open(db_path) as opened:
        yield opened


@pytest.fixture
def petitions(store: Store, tmp_path: Path) -> Petitions:
    return Petitions(Banwatch(store, tmp_path), notify=nothing_to_notify)


async def busy_database(store: Store, petitions: Petitions) -> tuple[int, int]:
    """Two petitions signed by SIGNER and OTHER, one created by SIGNER as a moderator, and
    rows in other features' tables naming SIGNER."""
    first = await petitions.create(
        guild_id=GUILD,
        created_by=MODERATOR,
        title="Ban FR in Boston",
        demand="Ban it.",
        target="Boston City Council",
        goal=10,
    )
    second = await petitions.create(
        guild_id=GUILD,
        created_by=SIGNER,
        title="Moratorium now",
        demand="Pause it.",
        target="Mayor",
        goal=10,
    )
    await petitions.edit(second.id, guild_id=GUILD, edited_by=SIGNER, title="A moratorium now")
    for petition in (first, second):
        await petitions.sign(
            petition.id,
            SIGNER,
            guild_id=GUILD,
            public_name="Sam Signer",
            zip_code="02118",
            reason="Privacy matters",
            consent=True,
        )
        await petitions.sign(petition.id, OTHER, guild_id=GUILD, consent=True)
    await store.record_audit(
        actor_id=MODERATOR,
        action="note",
        target=SIGNER,
        detail={"about": SIGNER, "n": 1},
        guild_id=GUILD,
    )
    tables = set(await store.table_names())
    async with store.transaction() as db:
        if "alert_subscriptions" in tables:
            await db.execute(
                "INSERT INTO alert_subscriptions (guild_id, channel_id, created_by, created_at)"
                " VALUES (?, ?, ?, ?)",
                (GUILD, "555", SIGNER, utcnow()),
            )
        if "guild_settings" in tables:
            await db.execute(
                "INSERT INTO guild_settings (guild_id, updated_by, updated_at) VALUES (?, ?, ?)",
                (GUILD, SIGNER, utcnow()),
            )
    return first.id, second.id


async def test_mydata_returns_every_row_naming_the_user(store: Store, petitions: Petitions) -> None:
    await busy_database(store, petitions)
    data = await Privacy(store).mydata(SIGNER)
    held = await rows_holding(store, SIGNER)
    assert {table: len(rows) for table, rows in data["records"].items()} == held
    assert data["summary"]["signatures"] == 2
    assert data["notice"] == CONSENT_TEXT
    signature = data["records"]["petition_signatures"][0]
    assert signature["public_name"] == "Sam Signer" and signature["zip"] == "02118"
    assert "audit_log" in data["records"]
    json.dumps(data)  # the attachment must serialise
    text = render_mydata(data)
    assert "Sam Signer" in text and "/privacy forget" in text
    assert OTHER not in json.dumps(data["records"]["petition_signatures"])


async def test_forget_leaves_no_row_with_the_user_id(store: Store, petitions: Petitions) -> None:
    first, second = await busy_database(store, petitions)
    assert await rows_holding(store, SIGNER)

    report = await Privacy(store).forget(SIGNER)

    assert await rows_holding(store, SIGNER) == {}
    assert await rows_holding(store, "Sam Signer") == {}
    assert report.rows["petition_signatures"] == 2
    assert "erased" in render_forget(report)
    for petition_id in (first, second):
        petition = await store.get_petition(petition_id)
        assert petition is not None and petition.signature_count == 1
        assert await store.count_signatures(petition_id) == 1
    # The petition SIGNER created survives, its history too, without their id.
    revisions = await store.petition_revisions(second)
    assert revisions and revisions[0].revised_by == "[forgotten]"
    # Other people are untouched.
    assert (await rows_holding(store, OTHER))["petition_signatures"] == 2
    assert (await Privacy(store).mydata(SIGNER))["records"] == {}
    assert render_forget(await Privacy(store).forget(SIGNER)).startswith("banwatch held nothing")


async def test_forget_then_sign_again_asks_consent_again(
    store: Store, petitions: Petitions
) -> None:
    first, _ = await busy_database(store, petitions)
    await Privacy(store).forget(SIGNER)
    with pytest.raises(BanwatchError, match="Before you sign"):
        await petitions.sign(first, SIGNER, guild_id=GUILD)


async def test_short_ids_do_not_redact_unrelated_text(store: Store, petitions: Petitions) -> None:
    petition = await petitions.create(
        guild_id=GUILD,
        created_by=MODERATOR,
        title="Ban 42 cameras",
        demand="Remove the 42 cameras.",
        target="Council",
        goal=42,
    )
    await petitions.sign(petition.id, "42", guild_id=GUILD, consent=True)
    await Privacy(store).forget("42")
    kept = await store.get_petition(petition.id)
    assert kept is not None and kept.title == "Ban 42 cameras" and kept.goal == 42
    assert kept.signature_count == 0


async def test_blank_user_id_is_refused(store: Store) -> None:
    with pytest.raises(BanwatchError):
        await Privacy(store).mydata(" ")


async def test_forget_deletes_rows_the_user_owns_in_any_table(store: Store) -> None:
    """A table added by a later feature (say, unpublished drafts keyed by ``owner_id``): the
    forgotten user's own rows go; a row that only names them is redacted."""
    async with store.transaction() as db:
        await db.execute(
            "CREATE TABLE later_feature (id TEXT PRIMARY KEY, owner_id TEXT NOT NULL,"
            " reviewed_by TEXT, body TEXT NOT NULL)"
        )
        await db.execute(
            "INSERT INTO later_feature VALUES ('a', ?, NULL, 'mine'), ('b', ?, ?, 'theirs')",
            (SIGNER, OTHER, SIGNER),
        )
    assert set((await Privacy(store).mydata(SIGNER))["records"]) == {"later_feature"}
    await Privacy(store).forget(SIGNER)
    async with store._db.execute("SELECT id, owner_id, reviewed_by FROM later_feature") as cursor:
        assert [tuple(row) for row in await cursor.fetchall()] == [("b", OTHER, None)]


def raw_files(db_path: Path) -> dict[str, bytes]:
    """The database file and its WAL as bytes on disk (the WAL may be absent or empty)."""
    found = {}
    for path in (db_path, db_path.with_name(db_path.name + "-wal")):
        if path.exists():
            found[path.name] = path.read_bytes()
    return found


async def test_forget_leaves_no_bytes_in_the_database_or_its_wal_with_upstream_secure_delete(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Upstream SQLite's default (many distributions compile it on): erased rows would stay
    # readable in free pages and in the WAL unless the erasure turns it on itself.
    import bot.store._base as base

    monkeypatch.setattr(base, "CONNECTION_PRAGMAS", (*base.CONNECTION_PRAGMAS,
                                                     "PRAGMA secure_delete = 0"))  # fmt: skip
    secrets = [SIGNER.encode(), b"Sam Signer", b"02118", b"Privacy matters"]
    async with await Store.open(db_path) as store:
        row = await store._fetchone("PRAGMA secure_delete")
        assert row is not None and row[0] == 0
        petitions = Petitions(Banwatch(store, tmp_path), notify=nothing_to_notify)
        await busy_database(store, petitions)
        async with store.transaction():
            pass  # pages written to the WAL, not yet checkpointed
        assert any(b"Sam Signer" in data for data in raw_files(db_path).values())

        await Privacy(store).forget(SIGNER)

        # While the bot still runs: neither the file nor its WAL holds any of it.
        for name, data in raw_files(db_path).items():
            for secret in secrets:
                assert secret not in data, (name, secret)
        # Ingests pay no extra writes: secure_delete is on for the erasure only.
        row = await store._fetchone("PRAGMA secure_delete")
        assert row is not None and row[0] == 0
    for name, data in raw_files(db_path).items():
        for secret in secrets:
            assert secret not in data, (name, secret)
