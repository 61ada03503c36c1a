"""Labelled sets (the shape of tests/data/dev.yaml): reading them, and judging a place.

The figures themselves come from cross-validation: ``bot/extraction/train.py``.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import yaml

from bot.models import Article, Place
from bot.places import gazetteer, name_key


def load_items(path: Path) -> list[dict[str, Any]]:
    """The labelled items of a dev-set file."""
    # libyaml's parser when PyYAML was built with it: the labelled sets are megabytes of YAML,
    # and the pure-Python parser took seconds to read them (the same safe constructor).
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise ValueError(f"{path}: expected a mapping with an 'items' list")
    return data["items"]


def _published(value: Any) -> dt.datetime | None:
    """A full publish date as a datetime; month-only or missing dates give None."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\d", value):
        return dt.datetime.fromisoformat(value)
    return None


def article_from_item(item: dict[str, Any]) -> Article:
    """Build the Article an item describes."""
    domain = str(item.get("source_domain") or "").split(" ")[0] or None
    return Article(
        id=str(item.get("id", "")),
        title=str(item.get("title") or ""),
        excerpt=str(item.get("excerpt") or ""),
        body=str(item.get("body") or ""),
        url=item.get("url"),
        published_at=_published(item.get("published")),
        provider_domain=domain,
    )


def _same(expected: Any, got: Any) -> bool:
    """Case-insensitive equality with None equal to None."""
    if expected is None or got is None:
        return expected is None and got is None
    return str(expected).casefold() == str(got).casefold()


# Provinces and states outside the US, by the postal codes readers write for them.
_REGION_CODES = {
    ("CA", "ab"): "alberta", ("CA", "bc"): "british columbia", ("CA", "mb"): "manitoba",
    ("CA", "nb"): "new brunswick", ("CA", "nl"): "newfoundland and labrador",
    ("CA", "ns"): "nova scotia", ("CA", "nt"): "northwest territories", ("CA", "nu"): "nunavut",
    ("CA", "on"): "ontario", ("CA", "pe"): "prince edward island", ("CA", "qc"): "quebec",
    ("CA", "sk"): "saskatchewan", ("CA", "yt"): "yukon",
    ("AU", "nsw"): "new south wales", ("AU", "vic"): "victoria", ("AU", "qld"): "queensland",
    ("AU", "wa"): "western australia", ("AU", "sa"): "south australia", ("AU", "tas"): "tasmania",
    ("AU", "act"): "australian capital territory", ("AU", "nt"): "northern territory",
}  # fmt: skip


def _region_name(country: Any, state: Any) -> Any:
    """A province or state abroad by its name, when written as its postal code ("ON")."""
    if isinstance(state, str) and isinstance(country, str):
        return _REGION_CODES.get((country.upper(), state.strip().casefold()), state)
    return state


def _same_name(expected: Any, got: Any) -> bool:
    """Whether two names of a place agree as people write them: case, accents and dots aside
    ("Montreal" and "Montréal"), and a city's "City" suffix aside ("New York" and "New York
    City", the gazetteer's name)."""
    if expected is None or got is None:
        return expected is None and got is None
    want, have = name_key(str(expected)), name_key(str(got))
    return want == have or f"{want} city" == have or want == f"{have} city"


def place_matches(labels: dict[str, Any], place: Place | None) -> bool:
    """Whether the main place agrees with the labelled jurisdiction and level."""
    jurisdiction = labels.get("jurisdiction") or {}
    if place is None:
        return not any(jurisdiction.values())
    if place.country in gazetteer().city_states and place.level in ("city", "national"):
        # Hong Kong the city is Hong Kong the country: a reader may label either.
        return _same(jurisdiction.get("country"), place.country) and labels.get("level") in (
            None,
            "city",
            "national",
        )
    city = place.city if place.level == "city" else None
    state_label = _region_name(jurisdiction.get("country"), jurisdiction.get("state"))
    state_ok = _same_name(state_label, _region_name(place.country, place.state))
    if not state_ok and isinstance(state_label, str):
        # "Essex (England)": a county named first, its region in brackets.
        match = re.fullmatch(r"(.+?) \((.+)\)", state_label)
        if match:
            state_ok = _same(match.group(1), place.county) and _same(match.group(2), place.state)
    if not state_ok and city and place.country != "US" and (place.state is None or not state_label):
        # The gazetteer keeps no region for most cities outside the US ("São Paulo",
        # "Lausanne"), and a reader often names none ("Beijing"): where either says nothing,
        # the city and its country decide, as they do for a reader.
        state_ok = True
    level = labels.get("level")
    return (
        _same_name(jurisdiction.get("city"), city)
        and state_ok
        and _same(jurisdiction.get("country"), place.country)
        and (level is None or level == place.level)
    )
