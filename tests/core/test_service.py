"""The core commands on the seed corpus: look-ups as people type them, status, corrections."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.articles import Actor, Moderation
from bot.service import AmbiguousPlace, Banwatch, BanwatchError, PlaceNotFound
from bot.store import Store

MODERATOR = Actor(user_id="42", guild_id="1")


@pytest.fixture
async def app(db_path: Path, migrated_db: Path, corpus_dir: Path):
    shutil.copyfile(migrated_db, db_path)  # migrated once per session
    async with await Store.open(db_path) as store:
        banwatch = Banwatch(store, corpus_dir)
        await banwatch.ingest()
        yield banwatch


def write_article(
    directory: Path, name: str, title: str, url: str, date: str, excerpt: str
) -> None:
    (directory / name).write_text(
        f'---\ntitle: "{title}"\nwebUrl: "{url}"\npublishedDateTime: {date}\n'
        f'excerpt: "{excerpt}"\n---\n',
        encoding="utf-8",
    )


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("chicago", "city:US:IL:Chicago"),
        ("Chicago, IL", "city:US:IL:Chicago"),
        ("  CHICAGO  ", "city:US:IL:Chicago"),
        ("chicgo", "city:US:IL:Chicago"),
        ("Springfield MA", "city:US:MA:Springfield"),
        ("Springfield, Mass.", "city:US:MA:Springfield"),
        ("springfeild ma", "city:US:MA:Springfield"),
        ("Portland, Oregon", "city:US:OR:Portland"),
        ("NJ", "state:US:NJ"),
        ("New Jersey", "state:US:NJ"),
        ("Moscow, Russia", "city:RU::Moscow"),
        ("city:US:OR:Portland", "city:US:OR:Portland"),
    ],
)
async def test_places_resolve_as_people_type_them(app: Banwatch, typed: str, key: str) -> None:
    assert (await app.resolve_place(typed)).key == key


async def test_ambiguous_name_lists_candidates_instead_of_guessing(app: Banwatch) -> None:
    with pytest.raises(AmbiguousPlace) as excinfo:
        await app.resolve_place("Portland")
    displays = [j.display for j in excinfo.value.candidates]
    assert "Portland, OR" in displays and "Portland, ME" in displays
    assert "Which one?" in str(excinfo.value)


async def test_two_tracked_springfields_are_ambiguous(app: Banwatch, corpus_dir: Path) -> None:
    write_article(
        corpus_dir,
        "il.md",
        "Springfield, Illinois city council votes to ban facial recognition",
        "https://www.sj-r.com/story/news/springfield-ban",
        "2021-03-02T12:00:00Z",
        "SPRINGFIELD, Ill. — The Springfield City Council voted Monday to ban police use of "
        "facial recognition technology.",
    )
    await app.ingest()
    with pytest.raises(AmbiguousPlace) as excinfo:
        await app.resolve_place("Springfield")
    assert {j.key for j in excinfo.value.candidates} >= {
        "city:US:MA:Springfield",
        "city:US:IL:Springfield",
    }
    assert (await app.status("Springfield, IL")).status == "ban"
    assert (await app.status("Springfield MA")).status == "pending"


async def test_unknown_place_is_a_clear_error(app: Banwatch) -> None:
    with pytest.raises(PlaceNotFound, match="Narnia"):
        await app.resolve_place("Narnia")
    with pytest.raises(BanwatchError, match="which place"):
        await app.resolve_place("   ")


async def test_hostile_place_text_is_cut_not_crashed(app: Banwatch) -> None:
    with pytest.raises(BanwatchError) as excinfo:
        await app.resolve_place("@everyone " * 1000)
    assert len(str(excinfo.value)) < 1000


async def test_status_chicago_from_the_seed_corpus(app: Banwatch) -> None:
    result = await app.status("Chicago")
    assert result.status == "pending"
    titles = [event.title for event in result.events]
    assert any("Coalition calls for Chicago" in t for t in titles)
    assert any("Chicago-Area Groups Demand End" in t for t in titles)
    assert all(event.action == "campaign_or_petition" for event in result.events)
    notes = " ".join(result.notes.values())
    assert "working group" in notes  # the mayor's response, from the NBC article's body
    assert result.since is not None


async def test_status_springfield_shows_debate_and_postponed_vote(app: Banwatch) -> None:
    result = await app.status("Springfield MA")
    actions = [event.action for event in result.events]
    assert "ordinance_debated" in actions and "vote_postponed" in actions
    assert result.status == "pending"
    assert result.events[0].title.startswith("Springfield City Council finalizes")


async def test_veridium_launch_is_not_policy(app: Banwatch) -> None:
    [veridium] = await app.search("Veridium vFace")
    assert veridium.extraction is not None and not veridium.extraction.is_policy
    assert veridium.extraction.action == "none"
    assert veridium.id not in {a.id for a in await app.news()}


async def test_cities_filters_by_status_and_state(app: Banwatch) -> None:
    everything = await app.cities()
    assert {r.jurisdiction.display for r in everything} >= {"Chicago, IL", "Springfield, MA"}
    assert all(r.status != "no_action" for r in everything)
    in_ma = await app.cities(state="Massachusetts")
    assert [r.jurisdiction.display for r in in_ma] == ["Springfield, MA"]
    assert await app.cities(status="ban") == []
    with pytest.raises(BanwatchError, match="Unknown status"):
        await app.cities(status="banned-ish")


async def test_correction_wins_and_survives_reingest(app: Banwatch, corpus_dir: Path) -> None:
    moderation = Moderation(app)
    [postponed] = await app.search("Choosing Not to Decide")
    await moderation.correct_article(postponed.id, MODERATOR, action="moratorium_enacted")
    assert (await app.status("Springfield MA")).status == "moratorium"
    # Touch the corpus so the file is re-read and the article re-extracted.
    path = corpus_dir / "002_da0adec2a5986680.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    summary = await app.ingest()
    assert summary.files_parsed == 1
    result = await app.status("Springfield MA")
    assert result.status == "moratorium"
    assert any(event.corrected for event in result.events)
    entries = await app.store.audit_entries()
    assert entries and entries[0].actor_id == "42"


async def test_correction_can_move_an_article_to_another_place(app: Banwatch) -> None:
    moderation = Moderation(app)
    [moscow] = await app.search("Moscow court")
    await moderation.correct_article(moscow.id, MODERATOR, place="Springfield MA")
    timeline = await app.timeline("Springfield MA")
    assert moscow.id in {event.article_id for event in timeline.events}


async def test_search_and_news(app: Banwatch) -> None:
    results = await app.search("clearview")
    assert results and "Chicago" in results[0].title
    news = await app.news("Springfield MA")
    assert news and all("Springfield" in a.text or "City" in a.title for a in news)
    assert await app.news(days=30) == []  # the seed corpus is from 2020
    for days in (0, -3, 10**20):
        with pytest.raises(BanwatchError, match="between 1 and"):
            await app.news(days=days)


async def test_place_choices_for_autocomplete(app: Banwatch) -> None:
    choices = await app.place_choices("spring")
    assert choices[0].label == "Springfield, MA"
    assert (await app.resolve_place(choices[0].value)).key == "city:US:MA:Springfield"
    assert len(await app.place_choices("")) <= 25
    assert (await app.place_choices("chcago"))[0].label == "Chicago, IL"
