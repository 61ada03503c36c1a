"""The bundled corpus, generated from the verbatim labelled sets: ``python -m bot.bundled``.

The labelled sets under ``tests/data`` (``tests/data/labelled/*.yaml`` and the older sets)
are the one source: every item marked ``paraphrased: false`` (copied verbatim from a page
someone read) becomes one corpus file in ``bot/data/bundled/items/``, in the seed front-matter
format, with its reviewed reading (its labels) under ``labels:``. Items that may paraphrase are
never shipped. ``bot/data/bundled/SOURCES.md`` lists where the items came from, one line per
source. Nothing in ``bot/data/bundled`` is edited by hand: change a labelled set and run this
again (``--check`` says whether the files are up to date, as a test does).

Labels name places as people do (``city: Portland, state: OR``); the files carry the tracker's
place key (``city:US:OR:Portland``), settled with the gazetteer the extraction uses.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot import places
from bot.corpus import canonical_url
from bot.data import BUNDLED_CORPUS, BUNDLED_DIR
from bot.models import Place
from bot.taxonomy import ACTIONS, SCOPES

LABELLED_ROOT = Path(__file__).resolve().parent.parent / "tests" / "data"
SOURCES_FILE = BUNDLED_DIR / "SOURCES.md"
COUNTY_NAME = re.compile(r"\b((?:[A-Z][\w.'-]+ ){1,3}(?:County|Parish|Borough))\b")


class LabelledSetError(ValueError):
    """A labelled item can't be shipped as it is; says which and why."""


@dataclass(frozen=True, slots=True)
class BundledItem:
    """One labelled item as a corpus file: where it goes and what it holds."""

    relative_path: str
    text: str
    item: dict[str, Any]
    source_file: str


def labelled_files(root: Path = LABELLED_ROOT) -> list[Path]:
    """Every labelled set, in a stable order (the older sets, then ``labelled/``); a frozen
    test split is left out until it is scored and spent (nothing but the scoring opens it)."""
    return sorted(
        (path for path in root.rglob("*.yaml") if "test_split" not in path.name),
        key=lambda path: (len(path.parts), str(path)),
    )


def verbatim_items(files: Iterable[Path]) -> list[tuple[dict[str, Any], str]]:
    """(item, file name) for every item explicitly marked ``paraphrased: false``, each story
    once (the first by canonical URL)."""
    found: list[tuple[dict[str, Any], str]] = []
    seen: set[str] = set()
    for path in files:
        # libyaml's safe loader when PyYAML has it (ten times quicker on these files).
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
        items = data.get("items") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise LabelledSetError(f"{path}: expected a mapping with an 'items' list")
        for item in items:
            if not isinstance(item, dict) or item.get("paraphrased") is not False:
                continue
            url = str(item.get("url") or "")
            key = canonical_url(url) if url else f"id:{item.get('id')}"
            if key in seen:
                continue
            seen.add(key)
            found.append((item, path.name))
    return found


def _state_of(label: str | None, country: str | None) -> str | None:
    if not label:
        return None
    if country in (None, "US"):
        return places.state_code(label) or label
    return places.state_code(label) or label


def label_place(item: dict[str, Any]) -> Place | None:
    """The tracker's place for an item's labelled jurisdiction and level (None: none)."""
    labels = item.get("labels") or {}
    where = labels.get("jurisdiction") or {}
    city, state_label, country = where.get("city"), where.get("state"), where.get("country")
    level = labels.get("level")
    if level is None:
        level = "city" if city else "state" if state_label else "national" if country else None
    if level is None:
        return None
    if level == "national":
        return Place(level="national", country=country) if country else None
    if level == "state":
        state = _state_of(state_label, country)
        return Place(level="state", country=country, state=state) if state else None
    if level == "city" and city:
        return _city(city, state_label, country)
    if level == "county":
        return _county(item, state_label, country)
    return None


def _city(name: str, state_label: str | None, country: str | None) -> Place:
    state = _state_of(state_label, country)
    for candidate_name in (name, f"{name} City"):
        candidates = [
            place
            for place in places.city_candidates(candidate_name)
            if (country is None or place.country == country)
            and (state is None or (place.state or "").casefold() == state.casefold())
        ]
        if candidates:
            return candidates[0]
    return Place(level="city", country=country, state=state, city=name)


def _county(item: dict[str, Any], state_label: str | None, country: str | None) -> Place | None:
    """A county named in the headline, excerpt or labelling notes (labels often give only
    its state), checked against the gazetteer's counties of that state when in the US."""
    bracketed = re.fullmatch(r"(.+?) \((.+)\)", state_label or "")
    if bracketed:
        # "Essex (England)": the county, then its region.
        name, region = bracketed.groups()
        return Place(level="county", country=country, state=region, county=name)
    state = _state_of(state_label, country)
    texts = [str(item.get(key) or "") for key in ("title", "excerpt", "notes")]
    for text in texts:
        for match in COUNTY_NAME.finditer(text):
            name = match.group(1)
            if country == "US":
                known = [p for p in places.county_candidates(name) if p.state == state]
                if known:
                    return known[0]
            else:
                return Place(level="county", country=country, state=state, county=name)
    return None


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d\d-\d\d", value.strip()):
        return dt.date.fromisoformat(value.strip())
    return None


# libyaml's emitter where PyYAML has it: the same safe representer, and for every bundled item
# the same text as the pure-Python emitter's (all 3,024 compared), in a third of the time.
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def corpus_file(item: dict[str, Any], source_file: str) -> BundledItem:
    """The corpus file for one labelled item (front matter with its labels)."""
    item_id = str(item.get("id") or "")
    labels = item.get("labels") or {}
    action, scope = labels.get("action"), labels.get("scope")
    if not item_id or not item.get("title"):
        raise LabelledSetError(f"{source_file}: an item lacks an id or a title")
    if action not in ACTIONS or scope not in SCOPES:
        raise LabelledSetError(f"{source_file}: {item_id}: unknown action or scope")
    published = _date(item.get("published"))
    place = label_place(item)
    event_date = _date(labels.get("event_date"))
    domain = str(item.get("source_domain") or "").split(" ")[0] or None
    meta: dict[str, Any] = {
        "title": " ".join(str(item["title"]).split()),
        "excerpt": " ".join(str(item.get("excerpt") or "").split()),
        "publishedDateTime": f"{published.isoformat()}T12:00:00Z" if published else None,
        "webUrl": item.get("url"),
        "provider": {"name": domain, "domain": domain} if domain else None,
        "labels": {
            "action": action,
            "scope": scope,
            "place": place.key if place else None,
            "event_date": event_date.isoformat() if event_date else None,
        },
        "labelled": {
            "set": source_file,
            "id": item_id,
            "read_at": item.get("read_at"),
            "language": item.get("language"),
            "event": item.get("event"),
        },
    }
    meta = {key: value for key, value in meta.items() if value is not None}
    dumped = yaml.dump(meta, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, width=100)
    text = "---\n" + dumped + "---\n"
    year = published.year if published else "undated"
    folder = re.sub(r"[^a-z0-9]+", "-", Path(source_file).stem.lower()).strip("-")
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", item_id)
    return BundledItem(f"{year}/{folder}-{name}.md", text, item, source_file)


def generate(files: Sequence[Path] | None = None) -> tuple[list[BundledItem], str]:
    """Every bundled file and the SOURCES.md text, from the labelled sets."""
    bundled = [corpus_file(item, name) for item, name in verbatim_items(files or labelled_files())]
    return bundled, sources_text(bundled)


def sources_text(bundled: Sequence[BundledItem]) -> str:
    """Where the bundled items came from: one line per source (outlet)."""
    by_source: dict[str, list[BundledItem]] = collections.defaultdict(list)
    for entry in bundled:
        domain = str(entry.item.get("source_domain") or "unknown").split(" ")[0]
        by_source[domain].append(entry)
    lines = [
        "# Where the bundled corpus comes from",
        "",
        "Generated by `python -m bot.bundled` from the verbatim labelled sets in `tests/data`"
        " (items marked `paraphrased: false`); do not edit. Each item's file names its labelled"
        " set, its id and where its text was read (`labelled.read_at`). One line per source:"
        " outlet, items, years, where they were read.",
        "",
        f"{len(bundled)} items from {len(by_source)} sources.",
        "",
    ]
    for domain in sorted(by_source, key=lambda d: (-len(by_source[d]), d)):
        entries = by_source[domain]
        years = sorted({str(e.item.get("published") or "")[:4] for e in entries} - {""})
        span = f"{years[0]}–{years[-1]}" if len(years) > 1 else (years[0] if years else "undated")
        read = sorted({_read_origin(e.item.get("read_at")) for e in entries})
        lines.append(f"- {domain}: {len(entries)} item(s), {span}, read at {', '.join(read)}")
    return "\n".join(lines) + "\n"


def _read_origin(read_at: Any) -> str:
    """Where an item was read, to the repository or the web host."""
    text = str(read_at or "unknown")
    match = re.search(r"github:([\w.-]+/[\w.-]+)", text)
    if match:
        return "github.com/" + match.group(1)
    match = re.search(r"https?://([^/\s]+)", text)
    return match.group(1).removeprefix("www.") if match else text


def write(bundled: Sequence[BundledItem], sources: str, target: Path = BUNDLED_CORPUS) -> int:
    """Replace the bundled corpus with ``bundled``; returns how many files were written."""
    target.mkdir(parents=True, exist_ok=True)
    wanted = {entry.relative_path for entry in bundled}
    for old in sorted(target.rglob("*.md")):
        if str(old.relative_to(target)) not in wanted:
            old.unlink()
    for entry in bundled:
        path = target / entry.relative_path
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != entry.text:
            path.write_text(entry.text, encoding="utf-8")
    for folder in sorted(target.rglob("*"), reverse=True):
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()
    (target.parent / SOURCES_FILE.name).write_text(sources, encoding="utf-8")
    return len(bundled)


def differences(
    bundled: Sequence[BundledItem], sources: str, target: Path = BUNDLED_CORPUS
) -> list[str]:
    """What differs between the generated corpus and the one on disk (empty: up to date)."""
    wanted = {entry.relative_path: entry.text for entry in bundled}
    on_disk = (
        {
            str(path.relative_to(target)): path.read_text(encoding="utf-8")
            for path in target.rglob("*.md")
        }
        if target.is_dir()
        else {}
    )
    found = [f"missing {name}" for name in sorted(wanted.keys() - on_disk.keys())]
    found += [f"not generated {name}" for name in sorted(on_disk.keys() - wanted.keys())]
    found += [
        f"differs {name}"
        for name in sorted(wanted.keys() & on_disk.keys())
        if wanted[name] != on_disk[name]
    ]
    sources_path = target.parent / SOURCES_FILE.name
    if not sources_path.exists() or sources_path.read_text(encoding="utf-8") != sources:
        found.append(f"differs {SOURCES_FILE.name}")
    return found


def main(argv: Sequence[str] | None = None) -> int:
    """Generate (or with --check, verify) the bundled corpus."""
    parser = argparse.ArgumentParser(prog="python -m bot.bundled", description=__doc__)
    parser.add_argument("--check", action="store_true", help="only say whether it is up to date")
    parser.add_argument("files", nargs="*", type=Path, help="labelled sets (default: tests/data)")
    args = parser.parse_args(argv)
    bundled, sources = generate(args.files or None)
    if args.check:
        problems = differences(bundled, sources)
        for problem in problems[:50]:
            print(problem)
        print("up to date" if not problems else f"{len(problems)} difference(s)")
        return 1 if problems else 0
    count = write(bundled, sources)
    placed = sum(
        1 for entry in bundled if "place: " in entry.text and "place: null" not in entry.text
    )
    print(f"wrote {count} items to {BUNDLED_CORPUS} ({placed} with a place); {SOURCES_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
