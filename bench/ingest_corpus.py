"""Benchmark (not a test): ingest a synthetic corpus of thousands of files, then look things up.

Generates a realistic corpus (front-matter documents with 0-8 related items, plain-text
articles, near-duplicate headlines from one provider, shared URLs arriving as AMP/CDN/tracking
variants, a few bad files) and measures, on a fresh database per run: the first ingest, a
re-ingest of the unchanged corpus, a re-ingest after touching 1% of the files (mtime only) and
after editing 1% of them; then status and search look-ups on the big database. Run:
``python -m bench.ingest_corpus [--files 3000] [--runs 3] [--cli]``.

``--bundled`` times instead what a newcomer waits for: the first start on the corpus bundled
with banwatch (README: "5-20 s on the 2-core development machine"), on a fresh database each
run, with an empty corpus directory beside it.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    # Runnable from a checkout without installing the package.
    sys.path.insert(0, str(PROJECT_ROOT))

from bot.ingest import IngestSummary, ingest_corpus  # noqa: E402
from bot.service import Banwatch  # noqa: E402
from bot.store import Store  # noqa: E402

PLACES = [
    ("Chicago", "Ill.", "IL"),
    ("Springfield", "Mass.", "MA"),
    ("Portland", "Ore.", "OR"),
    ("San Francisco", "Calif.", "CA"),
    ("Oakland", "Calif.", "CA"),
    ("Boston", "Mass.", "MA"),
    ("Somerville", "Mass.", "MA"),
    ("Minneapolis", "Minn.", "MN"),
    ("New Orleans", "La.", "LA"),
    ("Detroit", "Mich.", "MI"),
    ("Baltimore", "Md.", "MD"),
    ("Pittsburgh", "Pa.", "PA"),
    ("Madison", "Wis.", "WI"),
    ("Jackson", "Miss.", "MS"),
    ("Berkeley", "Calif.", "CA"),
    ("Cambridge", "Mass.", "MA"),
    ("Seattle", "Wash.", "WA"),
    ("Denver", "Colo.", "CO"),
    ("Austin", "Texas", "TX"),
    ("Atlanta", "Ga.", "GA"),
]
POLICY_HEADLINES = [
    "{city} City Council votes to ban facial recognition technology",
    "{city} council postpones vote on facial recognition ordinance",
    "Lawmakers in {city} propose moratorium on police use of facial recognition",
    "ACLU sues {city} police over facial recognition searches",
    "Coalition calls for {city} to end use of facial recognition technology",
    "{city} committee advances ban on government facial recognition",
    "Mayor of {city} forms working group to review facial recognition",
    "{city} extends moratorium on facial recognition by police",
]
OTHER_HEADLINES = [
    "{company} launches facial recognition camera for retailers",
    "{company} raises funding for face-matching software",
    "Airport in {city} tests face scans at boarding gates",
    "{company} unveils new AI chip for computer vision",
]
COMPANIES = ["Veridium", "Clearview", "FaceFirst", "Vigilant", "NEC", "Idemia", "Rekor", "Ayonix"]
PROVIDERS = [(f"News Outlet {n}", f"outlet{n}.example.com") for n in range(40)]
BODY = (
    "{dateline} ({provider}) – Officials in {city} discussed facial recognition on {day}.\n\n"
    "Civil liberties groups said the technology is biased and threatens privacy, while the"
    " police department said it only uses the tool to solve crimes already reported.\n\n"
    "The measure would bar city departments from acquiring or using face surveillance"
    " software, with exceptions for {company} products already under contract.\n\n"
    "A public hearing is expected next month.\n\nContact Us\n"
)


@dataclass(slots=True)
class Corpus:
    """What was generated, so the runs can touch and edit the same files."""

    directory: Path
    files: list[Path]
    bad_files: int


def _item(rng: random.Random, when: dt.datetime, serial: int) -> dict[str, object]:
    city, abbreviation, _ = rng.choice(PLACES)
    company = rng.choice(COMPANIES)
    provider, domain = rng.choice(PROVIDERS)
    template = rng.choice(POLICY_HEADLINES if rng.random() < 0.7 else OTHER_HEADLINES)
    title = template.format(city=city, company=company) + f" ({serial})"
    slug = "-".join(title.lower().replace("(", "").replace(")", "").split())
    return {
        "title": title,
        "excerpt": f"{city.upper()}, {abbreviation} ({provider}) – {title}. More to follow.",
        "publishedDateTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "url": f"https://www.{domain}/{when:%Y/%m/%d}/{slug}/",
        "provider": provider,
        "domain": domain,
        "city": city,
        "abbreviation": abbreviation,
        "company": company,
    }


def _yaml_item(item: dict[str, object], indent: str, rng: random.Random) -> list[str]:
    url = str(item["url"])
    lines = [
        f'{indent}title: "{item["title"]}"',
        f'{indent}excerpt: "{item["excerpt"]}"',
        f"{indent}publishedDateTime: {item['publishedDateTime']}",
        f'{indent}webUrl: "{url}"',
    ]
    if rng.random() < 0.5:
        lines.append(f'{indent}ampWebUrl: "{url}amp/"')
    if rng.random() < 0.3:
        host = url.split("/")[2]
        rest = "/".join(url.split("/")[3:])
        lines.append(
            f'{indent}cdnAmpWebUrl: "https://{host.replace(".", "-")}.cdn.ampproject.org/c/s/'
            f'{host}/{rest}amp/"'
        )
    lines += [
        f"{indent}type: article",
        f"{indent}provider:",
        f'{indent}  name: "{item["provider"]}"',
        f"{indent}  domain: {item['domain']}",
    ]
    return lines


def generate(directory: Path, files: int, seed: int = 7) -> Corpus:
    """Write ``files`` corpus files into ``directory``; the same seed gives the same corpus."""
    rng = random.Random(seed)
    start = dt.datetime(2019, 1, 1, tzinfo=dt.UTC)
    written: list[Path] = []
    recent: list[dict[str, object]] = []
    bad = 0
    for number in range(files):
        when = start + dt.timedelta(minutes=rng.randrange(0, 5 * 365 * 24 * 60))
        path = directory / f"{number // 500:02d}" / f"{number:05d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        roll = rng.random()
        if roll < 0.01:
            bad += 1
            kind = number % 4
            if kind == 0:
                path.write_bytes(b"---\ntitle: [unclosed\nexcerpt: oops\n---\n")
            elif kind == 1:
                path.write_bytes(b"\x00\x01\x02binary" * 50)
            elif kind == 2:
                path.write_bytes(b"---\ntitle: Bad date\npublishedDateTime: not a date\n---\n")
            else:
                path.write_bytes("caf\u00e9 facial recognition".encode("latin-1"))
            written.append(path)
            continue
        item = _item(rng, when, number)
        body = BODY.format(
            dateline=f"{str(item['city']).upper()}, {item['abbreviation']}",
            provider=item["provider"],
            city=item["city"],
            day=when.strftime("%A"),
            company=item["company"],
        )
        if roll < 0.25:
            text = (
                f"facial recognition\n\n{item['title']}\n\n{item['excerpt']}\n\n"
                f"{item['provider']}\n\n{body}"
            )
            path.write_text(text, encoding="utf-8")
            written.append(path)
            continue
        lines = ["---", "category: news", *_yaml_item(item, "", rng), "topics:", "  - AI"]
        related = rng.randrange(0, 9)
        if related:
            lines.append("related:")
        for serial in range(related):
            choice = rng.random()
            if choice < 0.08 and recent:
                # The same story again from another file, under an AMP or tracking variant.
                other = dict(rng.choice(recent))
                other["url"] = str(other["url"]) + rng.choice(["amp/", "?utm_source=twitter"])
                child = other
            elif choice < 0.15 and recent:
                # A near-identical headline from the same provider a few hours later.
                other = dict(rng.choice(recent))
                other["title"] = str(other["title"]).replace("facial", "face") + "."
                other["url"] = str(other["url"]).rstrip("/") + "-update/"
                child = other
            else:
                offset = dt.timedelta(hours=rng.randrange(-72, 72))
                child = _item(rng, when + offset, number * 10 + serial)
            lines.append("  - " + _yaml_item(child, "    ", rng)[0].strip())
            lines += _yaml_item(child, "    ", rng)[1:]
            recent.append(child)
        recent = recent[-200:]
        lines += ["---", "", body]
        path.write_text("\n".join(lines), encoding="utf-8")
        written.append(path)
    return Corpus(directory, written, bad)


async def timed_ingest(db: Path, directory: Path) -> tuple[float, IngestSummary]:
    """Seconds for one ingest of ``directory`` into ``db``, and its summary."""
    async with await Store.open(db) as store:
        started = time.perf_counter()
        summary = await ingest_corpus(store, directory)
        return time.perf_counter() - started, summary


async def lookups(db: Path, directory: Path, count: int) -> tuple[list[float], list[float]]:
    """Latencies (seconds) of ``count`` status look-ups and ``count`` searches."""
    status_times, search_times = [], []
    queries = ["Chicago", "Springfield MA", "Portland, Oregon", "Boston", "Seattle"]
    words = ["clearview", "moratorium", "ordinance council", "police facial", "veridium"]
    async with await Store.open(db) as store:
        app = Banwatch(store, directory)
        for number in range(count):
            started = time.perf_counter()
            await app.status(queries[number % len(queries)])
            status_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            await app.search(words[number % len(words)])
            search_times.append(time.perf_counter() - started)
    return status_times, search_times


def cli_status(db: Path, directory: Path, count: int) -> list[float]:
    """Wall time of ``banwatch status Chicago`` as a user runs it (a re-ingest check first)."""
    # The bench measures its own corpus: the bundled one stays out of its database.
    env = dict(
        os.environ,
        BANWATCH_DB=str(db),
        BANWATCH_CORPUS=str(directory),
        BANWATCH_BUNDLED_CORPUS="off",
    )
    times = []
    for _ in range(count):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "bot", "status", "Chicago"],
            env=env,
            check=True,
            capture_output=True,
        )
        times.append(time.perf_counter() - started)
    return times


def one_run(files: int, with_cli: bool) -> dict[str, float]:
    """Generate a corpus, ingest it into a fresh database, re-ingest it three ways, look up."""
    figures: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        corpus = generate(Path(tmp) / "corpus", files)
        db = Path(tmp) / "bench.db"
        seconds, first = asyncio.run(timed_ingest(db, corpus.directory))
        articles = len(first.new)
        figures.update(
            first_seconds=seconds,
            files_per_s=files / seconds,
            articles_per_s=articles / seconds,
            articles=articles,
            merged=first.merged,
            rejected=len(first.rejected),
        )
        seconds, again = asyncio.run(timed_ingest(db, corpus.directory))
        assert not again.new and not again.updated, "re-ingest of an unchanged corpus changed it"
        figures.update(unchanged_seconds=seconds, unchanged_parsed=again.files_parsed)

        rng = random.Random(11)
        sample = rng.sample(corpus.files, max(1, len(corpus.files) // 100))
        later = time.time() + 60
        for path in sample:
            os.utime(path, (later, later))
        seconds, touched = asyncio.run(timed_ingest(db, corpus.directory))
        figures.update(touched_seconds=seconds, touched_parsed=touched.files_parsed)

        edited = [p for p in rng.sample(corpus.files, len(sample) * 2) if p not in sample]
        edited = edited[: len(sample)]
        for path in edited:
            data = path.read_bytes()
            path.write_bytes(data.replace(b"A public hearing", b"A public meeting", 1) + b"\n")
        seconds, changed = asyncio.run(timed_ingest(db, corpus.directory))
        figures.update(
            edited_seconds=seconds,
            edited_parsed=changed.files_parsed,
            edited_updated=len(changed.updated),
        )

        status_times, search_times = asyncio.run(lookups(db, corpus.directory, 20))
        figures.update(
            status_ms=statistics.median(status_times) * 1000,
            search_ms=statistics.median(search_times) * 1000,
        )
        if with_cli:
            figures["cli_status_ms"] = statistics.median(cli_status(db, corpus.directory, 5)) * 1000
    return figures


async def bundled_first_start(db: Path, corpus: Path) -> tuple[float, int]:
    """Seconds for a first start on the bundled corpus alone, and the items it stored."""
    async with await Store.open(db) as store:
        app = Banwatch(store, corpus, bundled_corpus=True)
        started = time.perf_counter()
        summary = await app.ingest()
        return time.perf_counter() - started, len(summary.new)


def bundled_runs(runs: int) -> list[tuple[float, int]]:
    """The bundled corpus's first start on ``runs`` fresh databases."""
    results = []
    for number in range(1, runs + 1):
        with tempfile.TemporaryDirectory() as tmp:
            corpus = Path(tmp) / "corpus"
            corpus.mkdir()
            seconds, stored = asyncio.run(bundled_first_start(Path(tmp) / "bench.db", corpus))
        print(f"run {number}: first start {seconds:.1f} s, {stored:,} articles stored")
        results.append((seconds, stored))
    return results


ROWS = [
    ("first ingest: seconds", "first_seconds", "{:.1f}"),
    ("first ingest: files/s", "files_per_s", "{:,.0f}"),
    ("first ingest: articles/s", "articles_per_s", "{:,.0f}"),
    ("articles stored / merged / files rejected", None, ""),
    ("unchanged re-ingest: seconds (files parsed)", "unchanged_seconds", "{:.2f}"),
    ("1% touched (mtime only): seconds (files parsed)", "touched_seconds", "{:.2f}"),
    ("1% edited: seconds (files parsed)", "edited_seconds", "{:.2f}"),
    ("status look-up, in process: ms", "status_ms", "{:.1f}"),
    ("search look-up, in process: ms", "search_ms", "{:.1f}"),
    ("`banwatch status Chicago` subprocess: ms", "cli_status_ms", "{:.0f}"),
]
PARSED = {
    "unchanged_seconds": "unchanged_parsed",
    "touched_seconds": "touched_parsed",
    "edited_seconds": "edited_parsed",
}


def table(runs: list[dict[str, float]]) -> str:
    """A Markdown table: one column per run and the median."""
    header = "| measure | " + " | ".join(f"run {n}" for n in range(1, len(runs) + 1))
    lines = [header + " | median |", "| --- |" + " --- |" * (len(runs) + 1)]
    for label, key, fmt in ROWS:
        if key is None:
            cells = [
                f"{r['articles']:,.0f} / {r['merged']:,.0f} / {r['rejected']:.0f}" for r in runs
            ]
            lines.append(f"| {label} | " + " | ".join(cells) + f" | {cells[-1]} |")
            continue
        if key not in runs[0]:
            continue
        values = [r[key] for r in runs]
        cells = [fmt.format(v) for v in values]
        median = fmt.format(statistics.median(values))
        if key in PARSED:
            parsed = [int(r[PARSED[key]]) for r in runs]
            cells = [f"{c} ({p})" for c, p in zip(cells, parsed, strict=True)]
            median += f" ({int(statistics.median(parsed))})"
        lines.append(f"| {label} | " + " | ".join(cells) + f" | **{median}** |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--files", type=int, default=3000, help="corpus files to generate")
    parser.add_argument("--runs", type=int, default=3, help="fresh databases to measure")
    parser.add_argument("--cli", action="store_true", help="also time `banwatch status`")
    parser.add_argument("--keep", type=Path, help="only write the corpus into this directory")
    parser.add_argument(
        "--bundled", action="store_true", help="time the first start on the bundled corpus"
    )
    args = parser.parse_args(argv)
    # Rejections are expected (the corpus has bad files on purpose): keep the output a table.
    logging.disable(logging.WARNING)
    if args.bundled:
        results = bundled_runs(args.runs)
        seconds = statistics.median(s for s, _ in results)
        print(
            f"median first start on the bundled corpus: {seconds:.1f} s "
            f"({results[0][1]:,} articles, {results[0][1] / seconds:,.0f}/s)"
        )
        return 0
    if args.keep:
        corpus = generate(args.keep, args.files)
        print(f"wrote {len(corpus.files)} files ({corpus.bad_files} bad) into {args.keep}")
        return 0
    runs = []
    for number in range(1, args.runs + 1):
        figures = one_run(args.files, args.cli)
        print(f"run {number}: " + ", ".join(f"{k}={v:.3g}" for k, v in figures.items()))
        runs.append(figures)
    print()
    print(f"{args.files:,} files, {args.runs} runs, fresh database each:\n")
    print(table(runs))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
