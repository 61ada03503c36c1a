"""Measure the extraction against a labelled set (the shape of tests/data/dev.yaml)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.extraction import extract
from bot.models import Article, Extraction, Place

METRICS = ("action", "is_policy", "place", "scope", "event_date")


@dataclass(slots=True)
class Report:
    """Counts of correct answers per metric, and what went wrong where."""

    total: int = 0
    correct: dict[str, int] = field(default_factory=lambda: dict.fromkeys(METRICS, 0))
    misses: list[tuple[str, str, str, str]] = field(default_factory=list)

    def accuracy(self, metric: str) -> float:
        """Share of items right on ``metric`` (0 with no items)."""
        return self.correct[metric] / self.total if self.total else 0.0

    def table(self) -> str:
        """The figures as a small text table."""
        lines = [f"{'metric':<12} {'correct':>8} {'accuracy':>9}"]
        for metric in METRICS:
            share = self.accuracy(metric)
            lines.append(f"{metric:<12} {self.correct[metric]:>4}/{self.total:<3} {share:>9.1%}")
        return "\n".join(lines)


def load_items(path: Path) -> list[dict[str, Any]]:
    """The labelled items of a dev-set file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
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


def place_matches(labels: dict[str, Any], place: Place | None) -> bool:
    """Whether the main place agrees with the labelled jurisdiction and level."""
    jurisdiction = labels.get("jurisdiction") or {}
    if place is None:
        return not any(jurisdiction.values())
    city = place.city if place.level == "city" else None
    state_label = jurisdiction.get("state")
    state_ok = _same(state_label, place.state)
    if not state_ok and isinstance(state_label, str):
        # "Essex (England)": a county named first, its region in brackets.
        match = re.fullmatch(r"(.+?) \((.+)\)", state_label)
        if match:
            state_ok = _same(match.group(1), place.county) and _same(match.group(2), place.state)
    level = labels.get("level")
    return (
        _same(jurisdiction.get("city"), city)
        and state_ok
        and _same(jurisdiction.get("country"), place.country)
        and (level is None or level == place.level)
    )


def _date_text(value: Any) -> str | None:
    """A labelled or extracted date as YYYY-MM-DD text."""
    if value is None:
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def judge(item: dict[str, Any], result: Extraction) -> dict[str, bool]:
    """Which metrics the extraction got right for one item."""
    labels = item["labels"]
    acceptable = set(item.get("acceptable_actions") or []) | {labels["action"]}
    return {
        "action": result.action in acceptable,
        "is_policy": result.is_policy == bool(labels["is_policy"]),
        "place": place_matches(labels, result.place),
        "scope": result.scope == labels["scope"],
        "event_date": _date_text(result.event_date) == _date_text(labels.get("event_date")),
    }


def evaluate(items: list[dict[str, Any]]) -> Report:
    """Run the extraction over the items and count what it gets right."""
    report = Report()
    for item in items:
        result = extract(article_from_item(item))
        verdict = judge(item, result)
        report.total += 1
        for metric, ok in verdict.items():
            if ok:
                report.correct[metric] += 1
                continue
            labels = item["labels"]
            expected = {
                "action": labels["action"],
                "is_policy": labels["is_policy"],
                "place": labels.get("jurisdiction"),
                "scope": labels["scope"],
                "event_date": labels.get("event_date"),
            }[metric]
            got = {
                "action": result.action,
                "is_policy": result.is_policy,
                "place": result.place.display + f" ({result.place.level})"
                if result.place
                else None,
                "scope": result.scope,
                "event_date": result.event_date,
            }[metric]
            report.misses.append((str(item.get("id")), metric, str(expected), str(got)))
    return report
