"""Every petition and privacy command through the console, as its fixed local user."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.console import Console
from bot.service import Banwatch
from bot.store import Store

USER = "499999999999999999"


@pytest.fixture
async def console(db_path: Path, migrated_db: Path, tmp_path: Path) -> AsyncIterator[Console]:
    shutil.copyfile(migrated_db, db_path)  # migrated once per session
    async with await Store.open(db_path) as store:
        yield Console(Banwatch(store, tmp_path), user_id=USER)


async def test_petition_lifecycle_in_the_console(console: Console, tmp_path: Path) -> None:
    answer = await console.handle(
        '/petition create title:"Ban FR in Springfield" demand:"Ban it now."'
        ' target:"City Council" goal:2'
    )
    assert "Petition #1: Ban FR in Springfield [open]" in answer
    assert "/petition create" in await console.handle("/help")

    notice = await console.handle("/petition sign 1")
    assert "Before you sign" in notice and "agree:yes" in notice
    assert "1 of 2" in await console.handle(
        '/petition sign 1 public_name:"Sam" zip:02118 agree:yes'
    )
    assert "already signed" in await console.handle("/petition sign 1")
    assert "#1 Ban FR in Springfield [open] 1/2" in await console.handle("/petition list")

    edited = await console.handle('/petition edit 1 demand:"Ban it today."')
    assert "Changed demand" in edited and "Ban it today." in edited
    assert "demand changed" in await console.handle("/petition show 1")

    exported = await console.handle("/petition export 1")
    assert "Sam,02118" in exported and USER not in exported
    written = await console.handle(f"/petition export 1 dir:{tmp_path / 'out'}")
    assert (tmp_path / "out" / "petition-1.osdi.json").exists(), written

    assert "withdrawn (0 left)" in await console.handle("/petition unsign 1")
    assert "Closed petition #1" in await console.handle("/petition close 1")
    assert "is closed" in await console.handle("/petition sign 1")
    assert "no petition #7" in await console.handle("/petition show 7")


async def test_privacy_in_the_console(console: Console) -> None:
    await console.handle('/petition create title:"T" demand:"D" target:"X" goal:5')
    await console.handle("/petition sign 1 agree:yes reason:because")
    mydata = await console.handle("/privacy mydata")
    assert "signature on petition #1" in mydata and '"reason": "because"' in mydata
    assert "confirm:yes" in await console.handle("/privacy forget")
    assert "erased" in await console.handle("/privacy forget confirm:yes")
    assert "holds nothing" in await console.handle("/privacy mydata")
    assert "0/5" in await console.handle("/petition list")


async def test_status_lists_the_places_open_petitions(db_path: Path, corpus_dir: Path) -> None:
    async with await Store.open(db_path) as store:
        app = Banwatch(store, corpus_dir)
        await app.ingest()
        console = Console(app, user_id=USER)
        assert "Open petitions" not in await console.handle("/status Chicago")
        await console.handle(
            '/petition create title:"No face scans in Chicago" demand:"Ban it." target:"Mayor"'
            " goal:40 place:Chicago"
        )
        await console.handle('/petition create title:"Elsewhere" demand:"D" target:"X" goal:5')
        await console.handle(
            '/petition create title:"Closed one" demand:"D" target:"X" goal:5 place:Chicago'
        )
        await console.handle("/petition close 3")
        await console.handle("/petition sign 1 agree:yes")
        # Another community's petition about the same place is not this console's to list.
        await app.store.create_petition(
            guild_id="123456789012345678",
            title="Other server's petition",
            demand="D",
            target="X",
            jurisdiction_key=(await app.resolve_place("Chicago")).key,
            jurisdiction="Chicago, IL",
            goal=5,
            deadline=None,
            created_by="1",
        )
        answer = await console.handle("/status Chicago")
        assert "Open petitions:\n#1 No face scans in Chicago: 1/40 signatures" in answer
        assert "/petition show 1" in answer
        for absent in ("Elsewhere", "Closed one", "Other server"):
            assert absent not in answer


async def test_consent_is_asked_as_a_question_and_counts_are_plural_only_when_plural(
    console: Console,
) -> None:
    await console.handle('/petition create title:"Ban FR" demand:"Ban it." target:"Mayor" goal:2')
    notice = await console.handle("/petition sign 1")
    assert not notice.startswith("Sorry")
    assert "Do you accept?" in notice and "agree:yes" in notice
    await console.handle("/petition sign 1 agree:yes")
    again = await console.handle("/petition sign 1")
    assert "(1 signature)" in again


@pytest.mark.parametrize(
    ("zip_code", "accepted"),
    [("02118", True), ("02118-1234", True), ('"Ward 32"', True), ("123", False),
     ("123456", False), ("00000", False), ("!!", False), ("####", False)],
)  # fmt: skip
async def test_zip_codes_are_checked(console: Console, zip_code: str, accepted: bool) -> None:
    await console.handle('/petition create title:"Ban FR" demand:"Ban it." target:"Mayor" goal:2')
    answer = await console.handle(f"/petition sign 1 agree:yes zip:{zip_code}")
    assert answer.startswith("Signed") is accepted, answer
