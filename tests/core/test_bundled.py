"""The bundled corpus: generated from the labelled sets, loaded on a first start within a
minute, trusted only from the package, and answering hand-checked statuses out of the box."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest
import yaml

from bot import bundled
from bot.console import Console
from bot.corpus import parse_document
from bot.data import BUNDLED_CORPUS
from bot.ingest import IngestSummary
from bot.service import Banwatch
from bot.store import Store

# Statuses read by hand from the bundled items' headlines and labels (bot/data/bundled/items),
# by TAXONOMY.md's rules: what a reader of those items would answer, not what the tracker
# computes. Query as a user types it -> (status, scope or None when not checked).
#
# One place where a reader disagrees with what the tracker can know, left out below:
# California's body-camera moratorium was for three years (2020-2022) and lapsed, but
# nothing records an expiry date.
HAND_CHECKED: dict[str, tuple[str, str | None]] = {
    # Bans enacted and never repealed in the items.
    "Oakland, CA": ("ban", "government"),  # council votes to ban government use, 2019-07-16
    # The first ban, 2019-05-14, loosened in December 2019 (city iPhones): still in force.
    "San Francisco, CA": ("ban", "government"),
    "Berkeley, CA": ("ban", "government"),  # fourth US city to ban police use, 2019-10-15
    "Alameda, CA": ("ban", "government"),  # "East Bay city becomes latest to ban", 2019-12
    "Somerville, MA": ("ban", "government"),  # second US city, 2019-06-27
    "Brookline, MA": ("ban", "government"),  # Town Meeting ban, 2019-12-11
    "Northampton, MA": ("ban", "government"),  # third in Massachusetts, 2019-12-19
    "Cambridge, MA": ("ban", "government"),  # council vote, 2020-01-13
    "Boston, MA": ("ban", "government"),  # city departments can no longer use it, 2020-06-24
    "Easthampton, MA": ("ban", "government"),  # municipal ban, 2020-07
    "Worcester, MA": ("ban", "government"),  # city use banned, 2021-12
    "Portland, OR": ("ban", None),  # private and government use, 2020-09-09
    "Portland, ME": ("ban", "government"),  # council 2020-08-03, voters 2020-11-03
    "Madison, WI": ("ban", "government"),  # city agencies, 2020-12-02
    "Minneapolis, MN": ("ban", None),  # police department prohibited, 2021-02-12
    "King County, WA": ("ban", "government"),  # after the Port of Seattle's pause, 2021-06-01
    "New York": ("ban", None),  # the state's schools: moratorium 2020, ban 2023-09-27
    # Moratoria in force.
    "Springfield, MA": ("moratorium", None),  # after months of debate and delay, 2020-02-24
    "Baltimore, MD": ("moratorium", None),  # city council moratorium, police exempt, 2021
    "Italy": ("moratorium", None),  # video-surveillance FR moratorium, 2021-12
    # Rules, oversight and orders without a ban.
    "Vermont": ("restricted", None),  # AG: the DMV's FR system is illegal, 2017
    "New Jersey": ("restricted", "police"),  # AG tells police to halt Clearview, 2020-01-24
    # "Washington" also names the capital: the pick menu sends the state's key.
    "state:US:WA": ("restricted", "government"),  # state law reining in government use, 2020
    # Police reform law's FR rules, 2020-12; the unemployment agency drops FR, 2022-02-28.
    "Massachusetts": ("restricted", "government"),
    "Maine": ("restricted", "government"),  # "strongest" restrictions, 2021-06-30
    "Colorado": ("restricted", "government"),  # government-agency limits, 2022-06-08
    "New York City": ("restricted", "private"),  # businesses must post notice, 2020-12
    "Los Angeles, CA": ("restricted", "police"),  # LAPD bars unapproved platforms, 2020-11
    "Pittsburgh, PA": ("restricted", "police"),  # council regulates police use, 2020-09-22
    "Detroit, MI": ("restricted", None),  # police board policy, council ordinance
    "New Orleans, LA": ("restricted", "police"),  # ban 2020, reversed 2022, then rules
    "Lockport, NY": ("restricted", "government"),  # school board rules, then the state ban
    "Milwaukee, WI": ("restricted", "police"),  # police chief bans the department's use, 2026
    # The county board's resolution asking the sheriff for a policy, 2025-06.
    "Milwaukee County, WI": ("restricted", "police"),
    "European Union": ("restricted", None),  # AI Act: limits agreed, prohibitions apply 2025
    "UK": ("restricted", None),  # ICO orders and fines; police use keeps growing
    "China": ("restricted", None),  # Supreme Court rules 2021, national measures 2025
    "France": ("restricted", None),  # CNIL fines Clearview, 2022
    # Police pledge no live FR, 2021-12; the biometric processing privacy code, 2025-08.
    "New Zealand": ("restricted", "all"),
    # Repealed, with nothing in its place in the items.
    "Virginia": ("repealed", "police"),  # local police ban 2021, ditched 2022-07-01
    # Only proposals, debates or campaigns.

    "Germany": ("pending", None),  # coalition backs a ban, 2021; campaigns
    "Ann Arbor, MI": ("restricted", "police"),  # council orders a police FR policy, 2024-06
    "Long Beach, CA": ("pending", "government"),  # commission asks for a moratorium, 2022
    # The Met bars its officers from PimEyes, 2024-05 (an order in force, TAXONOMY: restricted),
    # though it trials handheld FR in 2026.
    "London": ("restricted", "police"),
    # Adopted, nothing in force or pending after the adoption (TAXONOMY.md).
    "Moscow, Russia": ("in_use", None),  # metro pay system, 2021
    # MSPs: "not fit for purpose", 2020-02; Police Scotland's strategy seeks real-time
    # biometrics, 2023-08; the police authority's live FR report is debated, 2025-06.
    "Scotland": ("pending", "police"),
    # Airport pilot, 2020; digital rights groups protest the Phillies' face entry, 2023-10.
    "Philadelphia, PA": ("pending", "private"),
    # A 2020 call to halt AFRS, airports' DigiYatra 2022-24, and the election commission's
    # 2024-01 order blocking an FR procurement (an order in force, TAXONOMY: restricted).
    "India": ("restricted", None),
    "Hyderabad": ("in_use", "police"),  # #BanTheScan 2021, then police use for COVID, 2022
    # Bills to ban, 2022; used on rioters, 2023-01; the data authority's stadium note, 2023-11;
    # its inspection of 23 football clubs' FR, 2025-02 (private use); the Justice Ministry's
    # rules for police use of AI to find missing people, 2025-06 (the seventh split).
    "Brazil": ("restricted", "police"),
    # Lawsuits and settlements only: no measure (BIPA itself is not an item).
    "Illinois": ("restricted", "police"),  # no FR from police drones, law of 2023-06
}


@pytest.fixture(scope="module")
def bundled_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, IngestSummary]:
    """A first start on the bundled corpus alone: the database, an empty corpus directory,
    and what the ingest did (its time is a benchmark's: python -m bench.ingest_corpus
    --bundled)."""
    import asyncio

    root = tmp_path_factory.mktemp("bundled")
    corpus = root / "corpus"
    corpus.mkdir()

    async def first_start() -> IngestSummary:
        async with await Store.open(root / "banwatch.db") as store:
            return await Banwatch(store, corpus, bundled_corpus=True).ingest()

    return root / "banwatch.db", corpus, asyncio.run(first_start())


@functools.cache
def generated() -> tuple[list[bundled.BundledItem], str]:
    """The bundled files generated from the labelled sets (once per test process)."""
    return bundled.generate()


def test_the_bundled_corpus_is_generated_from_the_verbatim_labelled_sets() -> None:
    items, sources = generated()
    assert bundled.differences(items, sources) == []
    assert len(items) >= 500
    assert all(entry.item.get("paraphrased") is False for entry in items)
    assert sources.count("\n- ") == len({e.item.get("source_domain") for e in items})
    # Every file parses, with its reviewed reading.
    for path in sorted(BUNDLED_CORPUS.rglob("*.md"))[:50]:
        (article,) = parse_document(path.read_bytes(), path=str(path)).articles
        assert article.labels is not None and article.url


def test_libyamls_emitter_writes_what_the_pure_python_one_does(monkeypatch) -> None:
    """The bundled files are written by libyaml's emitter where PyYAML has it: a machine
    without it must write the same bytes, or the corpus would differ by machine."""
    if not hasattr(yaml, "CSafeDumper"):
        pytest.skip("PyYAML without libyaml")
    entries = generated()[0][::20]
    monkeypatch.setattr(bundled, "_DUMPER", yaml.SafeDumper)
    slow = [bundled.corpus_file(entry.item, entry.source_file).text for entry in entries]
    assert slow == [entry.text for entry in entries]


def test_a_first_start_stores_every_bundled_item(
    bundled_db: tuple[Path, Path, IngestSummary],
) -> None:
    summary = bundled_db[2]
    files = sorted(BUNDLED_CORPUS.rglob("*.md"))
    assert summary.rejected == []
    assert summary.files_parsed == len(files) > 3000
    assert len(summary.new) == len(files)


async def test_out_of_the_box_answers_are_the_hand_checked_ones(
    bundled_db: tuple[Path, Path, IngestSummary],
) -> None:
    db_path, corpus, _ = bundled_db
    async with await Store.open(db_path) as store:
        app = Banwatch(store, corpus, bundled_corpus=True)
        assert (await app.ingest()).files_parsed == 0  # the second start reads nothing
        console = Console(app)
        wrong = []
        for query, (status, scope) in HAND_CHECKED.items():
            answer = await console.handle(f'/status "{query}"')
            line = next((line for line in answer.splitlines() if line.startswith("Status:")), "")
            expected = f"Status: {status}" + (f"  Scope: {scope}" if scope else "")
            if not line.startswith(expected):
                wrong.append(f"{query}: expected {expected!r}, the bot said {answer[:160]!r}")
        assert wrong == []
        assert len(HAND_CHECKED) >= 30
        # Bundled readings are reviewed: nothing out of the box is marked unconfirmed.
        oakland = await console.handle("/status Oakland")
        assert "Ban in force" in oakland and "Unconfirmed" not in oakland
        assert (await app.status("Oakland, CA")).reviews
        assert all(s.state == "bundled" for s in (await app.status("Oakland")).reviews.values())


LABELLED_ITEM = """---
title: "{title}"
excerpt: "The council voted to ban city use of facial recognition."
publishedDateTime: 2020-08-03T12:00:00Z
webUrl: "https://example.org/{slug}"
labels:
  action: ban_enacted
  scope: government
  place: "city:US:ME:Portland"
  event_date: 2020-08-03
---
"""


async def test_labels_are_trusted_from_the_package_folder_only_and_the_switch_drops_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.ingest
    import bot.service

    package = tmp_path / "package-bundled"
    package.mkdir()
    (package / "a.md").write_text(
        LABELLED_ITEM.format(title="Portland votes to ban facial recognition", slug="a")
    )
    monkeypatch.setattr(bot.ingest, "BUNDLED_CORPUS", package)
    monkeypatch.setattr(bot.service, "BUNDLED_CORPUS", package)
    own = tmp_path / "own"
    own.mkdir()
    (own / "b.md").write_text(
        LABELLED_ITEM.format(
            title="Portland mayor hails the facial recognition ban", slug="b"
        ).replace("ban_enacted", "ban_repealed_or_weakened")
    )
    async with await Store.open(tmp_path / "switch.db") as store:
        app = Banwatch(store, own, bundled_corpus=True)
        summary = await app.ingest()
        assert len(summary.new) == 2
        articles = {a.title: a for a in await store.all_articles()}
        bundled_one = articles["Portland votes to ban facial recognition"]
        assert bundled_one.review == "bundled" and bundled_one.origin == "bundled"
        forged = articles["Portland mayor hails the facial recognition ban"]
        assert forged.review is None  # its labels were ignored
        assert (await app.status("Portland, ME")).status == "ban"

        app.bundled_corpus = False  # BANWATCH_BUNDLED_CORPUS=off
        summary = await app.ingest()
        assert summary.retracted == [bundled_one.id]
        assert (await app.status("Portland, ME")).status != "ban"


def test_the_switch_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.settings import SettingsError, load_settings

    monkeypatch.delenv("BANWATCH_BUNDLED_CORPUS", raising=False)
    assert load_settings(Path("/nonexistent/.env")).bundled_corpus is True
    monkeypatch.setenv("BANWATCH_BUNDLED_CORPUS", "off")
    assert load_settings(Path("/nonexistent/.env")).bundled_corpus is False
    monkeypatch.setenv("BANWATCH_BUNDLED_CORPUS", "maybe")
    with pytest.raises(SettingsError, match="on or off"):
        load_settings(Path("/nonexistent/.env"))
    monkeypatch.setenv("BANWATCH_HOME_GUILD", "42")
    monkeypatch.setenv("BANWATCH_BUNDLED_CORPUS", "on")
    assert load_settings(Path("/nonexistent/.env")).home_guild_id == 42


def test_a_frozen_test_split_is_neither_bundled_nor_read_for_common_words(tmp_path: Path) -> None:
    from bot.bundled import labelled_files

    (tmp_path / "labelled").mkdir()
    (tmp_path / "labelled" / "pool.yaml").write_text("items: []\n")
    (tmp_path / "labelled" / "test_split.yaml").write_text("not: read\n")
    assert [path.name for path in labelled_files(tmp_path)] == ["pool.yaml"]
