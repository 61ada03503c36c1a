"""Place answers that help: a state lists its tracked places, a name shared by many says which
are tracked, a state that isn't one says so, dates say which they are, alerts name places."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.console import Console
from bot.errors import AmbiguousPlace
from bot.service import Banwatch, BanwatchError
from bot.store import Store


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One ingest of the seed corpus for the module; each test copies the database."""
    import asyncio
    import shutil

    from tests.conftest import SEEDS_DIR

    directory = tmp_path_factory.mktemp("seeded")
    shutil.copytree(SEEDS_DIR, directory / "corpus")

    async def ingest() -> None:
        async with await Store.open(directory / "b.db") as store:
            await Banwatch(store, directory / "corpus").ingest()

    asyncio.run(ingest())
    return directory


@pytest.fixture
async def console(seeded: Path, tmp_path: Path) -> AsyncIterator[Console]:
    import shutil

    shutil.copy(seeded / "b.db", tmp_path / "b.db")
    async with await Store.open(tmp_path / "b.db") as store:
        yield Console(Banwatch(store, seeded / "corpus"), user_id="u")


async def test_a_state_with_no_events_of_its_own_lists_its_tracked_places(
    console: Console,
) -> None:
    answer = await console.handle("/status Massachusetts")
    assert "Springfield, MA" in answer
    assert "no policy events recorded" not in answer or "Tracked places" in answer


async def test_a_name_many_places_share_says_which_are_tracked(console: Console) -> None:
    app = console.app
    with pytest.raises(AmbiguousPlace) as raised:
        await app.resolve_place("Portland")
    message = str(raised.value)
    assert "tracked" in message.lower()


async def test_a_state_that_is_not_one_is_said_so(console: Console) -> None:
    with pytest.raises(BanwatchError, match="not a state"):
        await console.app.cities(state="ZZ")
    assert "not a state" in await console.handle("/cities state:ZZ")


async def test_news_and_timeline_say_which_date_they_show(console: Console) -> None:
    news = await console.handle("/news")
    assert "published" in news
    timeline = await console.handle("/timeline Chicago")
    assert "event date" in timeline.lower()


async def test_alerts_list_names_the_place_not_its_key(console: Console) -> None:
    await console.handle("/alerts subscribe channel:chi place:Chicago")
    listing = await console.handle("/alerts list")
    assert "Chicago, IL" in listing and "city:US:IL:Chicago" not in listing
