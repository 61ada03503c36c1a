"""Map projections in plain arithmetic: Albers equal-area conic and Equal Earth.

Coordinates come out on the unit sphere's scale with y growing north; the drawing code
scales them to its canvas.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

Point = tuple[float, float]
Project = Callable[[float, float], Point]


@dataclass(frozen=True, slots=True)
class Albers:
    """Albers equal-area conic on a sphere (Snyder, Map Projections: A Working Manual, 14)."""

    lon0: float
    lat0: float
    parallel1: float
    parallel2: float
    scale: float = 1.0
    dx: float = 0.0
    dy: float = 0.0

    def __call__(self, lon: float, lat: float) -> Point:
        sin1 = math.sin(math.radians(self.parallel1))
        n = (sin1 + math.sin(math.radians(self.parallel2))) / 2
        c = math.cos(math.radians(self.parallel1)) ** 2 + 2 * n * sin1
        rho0 = math.sqrt(c - 2 * n * math.sin(math.radians(self.lat0))) / n
        rho = math.sqrt(max(c - 2 * n * math.sin(math.radians(lat)), 0.0)) / n
        # Longitudes wrap: a place at 179°E seen from 154°W is 27° west, not 333° east.
        delta = (lon - self.lon0 + 180) % 360 - 180
        theta = n * math.radians(delta)
        x = rho * math.sin(theta)
        y = rho0 - rho * math.cos(theta)
        return x * self.scale + self.dx, y * self.scale + self.dy


_A1, _A2, _A3, _A4 = 1.340264, -0.081106, 0.000893, 0.003796
_M = math.sqrt(3) / 2


def equal_earth(lon: float, lat: float) -> Point:
    """The Equal Earth projection (Šavrič, Patterson and Jenny, 2018), centred on 0°."""
    lam = math.radians(lon)
    theta = math.asin(_M * math.sin(math.radians(lat)))
    t2 = theta * theta
    t6 = t2 * t2 * t2
    x = lam * math.cos(theta) / (_M * (_A1 + 3 * _A2 * t2 + t6 * (7 * _A3 + 9 * _A4 * t2)))
    y = theta * (_A1 + _A2 * t2 + t6 * (_A3 + _A4 * t2))
    return x, y


# The lower 48 states, and Alaska and Hawaii moved and scaled into insets below them, as
# US maps usually show them (the layout of d3's geoAlbersUsa, computed anew here).
LOWER_48 = Albers(lon0=-96, lat0=37.5, parallel1=29.5, parallel2=45.5)
ALASKA = Albers(lon0=-154, lat0=50, parallel1=55, parallel2=65, scale=0.35, dx=-0.30, dy=-0.27)
HAWAII = Albers(lon0=-157, lat0=3, parallel1=8, parallel2=18, dx=-0.12, dy=-0.54)
EUROPE = Albers(lon0=10, lat0=52, parallel1=43, parallel2=62)


def us_projection(state: str | None) -> Project:
    """The projection a US place is drawn with: its inset for Alaska and Hawaii."""
    if state == "AK":
        return ALASKA
    if state == "HI":
        return HAWAII
    return LOWER_48
