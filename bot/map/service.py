"""The map feature's service: /map's picture and the published status page."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from bot.map import REGIONS, STATUS_STYLES, MapPlace, check_options, layout
from bot.models import DEFAULT_CONFIDENCE_THRESHOLD

if TYPE_CHECKING:
    from bot.service import Banwatch


@dataclass(frozen=True, slots=True)
class MapPicture:
    """A drawn map and what a caption says about it."""

    png: bytes
    title: str
    as_of: dt.date
    counts: dict[str, int]
    not_drawn: list[tuple[str, str]] = field(default_factory=list)
    region_wide: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        """Whether the map has nothing on it and nothing left out."""
        return not (self.counts or self.not_drawn or self.region_wide)

    def caption(self) -> str:
        """One line per fact: what is drawn, what covers the whole region, what is not."""
        if self.empty:
            return f"{self.title}: no place here has a status on record yet."
        counted = ", ".join(
            f"{STATUS_STYLES[status].label.lower()} {n}" for status, n in self.counts.items()
        )
        lines = [f"{self.title}, as of {self.as_of.isoformat()}: {counted or 'nothing drawn'}."]
        if self.region_wide:
            lines.append("Nationwide: " + "; ".join(self.region_wide) + ".")
        if self.not_drawn:
            shown = "; ".join(f"{name} ({why})" for name, why in self.not_drawn[:10])
            more = len(self.not_drawn) - 10
            lines.append("Not drawn: " + shown + (f"; and {more} more." if more > 0 else "."))
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class SiteResult:
    """What ``banwatch site`` wrote."""

    path: Path
    places: int


class Maps:
    """Draws the tracked places. Drawing runs on a worker thread: a map of 1,000 places
    takes about a second of CPU, which the bot's event loop must not wait on."""

    def __init__(self, app: Banwatch) -> None:
        self.app = app

    @staticmethod
    def check(region: str | None, state: str | None) -> None:
        """Refuse a region or state no map can be drawn of, before any work is done."""
        check_options(region, state)

    async def places(self, guild_id: int | str | None = None) -> list[MapPlace]:
        """Every place with a status to show, as the map sees it; a status resting only on
        automatic readings under ``guild_id``'s confidence threshold is marked unconfirmed
        (bot.review)."""
        results = await self.app.cities()
        await self.app.add_reviews(results)
        threshold = await self.app.review.threshold(guild_id)
        return [
            MapPlace.from_status(result, unconfirmed=result.unconfirmed(threshold))
            for result in results
        ]

    async def picture(
        self,
        region: str = "us",
        state: str | None = None,
        *,
        guild_id: int | str | None = None,
        today: dt.date | None = None,
    ) -> MapPicture:
        """The map of ``region`` (us, europe, world) or of one US state, as a PNG; what is
        unconfirmed follows ``guild_id``'s confidence threshold (the default without one)."""
        from bot.map.png import render_png

        places = await self.places(guild_id)
        as_of = today or dt.datetime.now(dt.UTC).date()
        drawing = await asyncio.to_thread(layout, places, region, state=state, as_of=as_of)
        png = await asyncio.to_thread(render_png, drawing)
        return MapPicture(
            png=png,
            title=drawing.title,
            as_of=as_of,
            counts=drawing.counts(),
            not_drawn=[(place.name, why) for place, why in drawing.not_drawn],
            region_wide=[
                f"{p.name}: {STATUS_STYLES[p.status].label.lower()}" for p in drawing.region_wide
            ],
        )

    async def site(self, out_dir: Path, *, today: dt.date | None = None) -> SiteResult:
        """Write the self-contained status page into ``out_dir``."""
        from bot.map.site import SitePlace, write_site

        results = [
            await self.app.timeline(result.jurisdiction.key) for result in await self.app.cities()
        ]
        as_of = today or dt.datetime.now(dt.UTC).date()
        path = await asyncio.to_thread(
            write_site,
            [
                SitePlace(result, unconfirmed=result.unconfirmed(DEFAULT_CONFIDENCE_THRESHOLD))
                for result in results
            ],
            out_dir,
            as_of=as_of,
        )
        return SiteResult(path, len(results))


__all__ = ["REGIONS", "MapPicture", "Maps", "SiteResult"]
