"""Benchmark (not a test): banwatch at 100,000 articles, measured by one command.

On a seeded synthetic corpus written by :func:`bench.make_corpus.write_corpus` into a work
directory, it measures:

1. **the floor**: the same files read, front matter parsed with libyaml (``yaml.CSafeLoader``)
   and one row per article inserted into a bare SQLite table (``executemany``, one
   transaction) -- the least any ingest has to do;
2. **ingest**: ``python -m bot ingest`` into a fresh database, in a subprocess timed from
   outside, with its peak RSS (VmHWM sampled from /proc, not ``os.wait4``'s ``ru_maxrss``,
   which counts this process's own peak: see :class:`PeakWatcher`); then re-ingests of the
   unchanged corpus; and the subprocess start-up alone (an empty corpus, and a one-file
   corpus, which also loads the gazetteer);
3. **look-ups**: ``Banwatch.status``, ``place_choices`` (autocomplete), ``cities`` and
   ``search`` -- the functions the cogs call -- on the ingested database, in process, with
   varied seeded queries timed one by one after a warm-up: p50, p99 and max;
4. **memory at rest**: ``python -m bot run`` against the loopback Discord server
   (``tests/loopback``), read from /proc once it has identified, synced its commands and
   settled.

Progress goes to stderr; a Markdown report (machine, figures, targets met or missed) goes to
stdout and, with ``--report FILE``, to a file. Run from the checkout::

    python -m bench.scale [--articles 100000] [--queries 1000] [--seed 7] [--budget 120]
                          [--workdir DIR] [--keep] [--skip-bot] [--report FILE]

``--articles 4000 --queries 200`` takes a minute or two; 100,000 articles take most of an
hour on a 2-core machine (the full ingest dominates).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import functools
import gc
import math
import os
import platform
import random
import re
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    # Runnable from a checkout without installing the package.
    sys.path.insert(0, str(PROJECT_ROOT))

from bot import places  # noqa: E402
from bot.arguments import positive_int  # noqa: E402
from bot.discord.runner import PAGE_CACHE_MIB, STATUSES_KEPT  # noqa: E402
from bot.models import Jurisdiction  # noqa: E402
from bot.service import Banwatch, BanwatchError  # noqa: E402
from bot.store import Store  # noqa: E402
from bot.taxonomy import STATUSES  # noqa: E402
from tests.subprocess_env import subprocess_env  # noqa: E402

WARMUP = 20
# Short subprocess runs (start-up, re-ingest) are repeated; the report gives the median run.
REPEATS = 3
SETTLE_SECONDS = 5.0
# What the bot logs once a scan has matched new items (bot/alerts/service.py).
ALERTS_SCANNED = "alerts: matched "
BOT_READY_TIMEOUT = 600.0
TARGET_FLOOR_RATIO = 2.0
TARGET_INGEST_RSS_MB = 300.0
TARGET_REINGEST_SHARE = 0.02
TARGET_P99_MS = {"status": 5.0, "autocomplete": 10.0, "search": 20.0}
TARGET_RSS_AT_REST_MB = 150.0
# Bytes a full ingest writes to storage (process and workers), over the database it leaves.
TARGET_WRITE_RATIO = 4.0
# A command-line look-up, the whole process, over the fixed baseline below (issue 18).
TARGET_CLI_RATIO = 6.0
CLI_BASELINE = ["-c", "import sqlite3, yaml"]
CLI_LOOKUPS = {"status": ["status", "Chicago"], "search": ["search", "clearview"]}
CLI_RUNS = 9

UNKNOWN_PLACES = ["Xyzzyville", "Qwertyburg", "Nowhere Springs, ZZ", "Plughton", "Frobozz City"]
NOWHERE_WORDS = ["zqxvbn", "xyzzyplugh", "qwfpgjluy", "vvvzzzkk", "blorptastic"]
SHOWCASE_STATUS = ["chicago", "Springfield, MA", "Portland Oregon", "New Jersey", "Chicgao"]
CITY_STATES = [None, "MA", "California"]
# The place asked about through Discord: the first of these the corpus has.
WELL_KNOWN = ["San Francisco, CA", "Springfield, MA", "Chicago, IL", "Portland, OR"]

_started = time.perf_counter()


def progress(message: str) -> None:
    """One line of progress on stderr, stamped with the time since the start."""
    elapsed = int(time.perf_counter() - _started)
    print(f"[{elapsed // 60:02d}:{elapsed % 60:02d}] {message}", file=sys.stderr, flush=True)


# -- small helpers -----------------------------------------------------------------------------


def percentile(values: list[float], pct: float) -> float:
    """The nearest-rank percentile (``pct`` in 0-100) of ``values``; NaN when empty."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def md_table(headers: list[str], rows: list[list[Any]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(headers) + " |", "|" + " --- |" * len(headers)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def met(ok: bool) -> str:
    return "met" if ok else "**missed**"


def code_version() -> str:
    """The commit measured, and whether bot/ or cogs/ had uncommitted changes."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "bot", "cogs"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return commit + (" + uncommitted changes in bot/ or cogs/" if dirty else "")


def code_version_during(at_start: str) -> str:
    """The code measured; other people commit to the same checkout, so say if it moved."""
    at_end = code_version()
    return at_start if at_end == at_start else f"{at_start} at start, {at_end} at end"


def load_average() -> str:
    return " / ".join(f"{value:.2f}" for value in os.getloadavg())


def machine(load_at_start: str, code_at_start: str) -> list[list[str]]:
    """What the figures were measured on, and how busy it was."""
    cpu = platform.processor() or platform.machine()
    ram = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    return [
        ["CPU", cpu],
        ["cores", str(os.cpu_count())],
        ["RAM", ram],
        ["OS", f"{platform.system()} {platform.release()}"],
        ["Python", platform.python_version()],
        ["SQLite", sqlite3.sqlite_version],
        ["date", dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")],
        ["code", code_version_during(code_at_start)],
        ["load average 1/5/15 min, at start", load_at_start],
        ["load average 1/5/15 min, at end", load_average()],
        ["OS page cache at the end (buff/cache)", page_cache()],
        ["I/O pressure at the end (some, avg 60 s / 300 s)", io_pressure()],
    ]


def meminfo_kib() -> dict[str, int]:
    """The fields of /proc/meminfo, in KiB."""
    fields = {}
    for line in Path("/proc/meminfo").read_text().splitlines():
        name, _, value = line.partition(":")
        fields[name] = int(value.split()[0])
    return fields


def page_cache() -> str:
    """How much file data the OS keeps in memory: when small, cold database pages come from
    the disk, and look-up times say more about the disk than about banwatch."""
    fields = meminfo_kib()
    cached = fields.get("Cached", 0) + fields.get("Buffers", 0)
    return f"{cached / 1024:,.0f} MB of {fields.get('MemTotal', 0) / 1024:,.0f} MB"


def settle_writes(limit: float = 120.0) -> float:
    """Flush what earlier steps wrote (sync) and wait until the disk has written it back.

    The ingests leave a gigabyte or more of dirty pages; timed while the disk writes them
    back, each cold database page a look-up reads waits in that queue, and the look-ups
    would measure the previous step. Returns the seconds it took.
    """
    started = time.perf_counter()
    os.sync()
    while time.perf_counter() - started < limit:
        fields = meminfo_kib()
        if fields.get("Dirty", 0) + fields.get("Writeback", 0) < 16 * 1024:
            break
        time.sleep(0.5)
    return time.perf_counter() - started


def io_pressure() -> str:
    """Share of time some task waited on I/O (Linux PSI), or "n/a"."""
    try:
        some = Path("/proc/pressure/io").read_text().splitlines()[0]
    except (OSError, IndexError):
        return "n/a"
    values = dict(part.split("=") for part in some.split()[1:])
    return f"{values.get('avg60', '?')}% / {values.get('avg300', '?')}%"


def io_stalled_us() -> int | None:
    """Microseconds some task has waited on I/O since boot (Linux PSI), or None."""
    try:
        some = Path("/proc/pressure/io").read_text().splitlines()[0]
    except (OSError, IndexError):
        return None
    values = dict(part.split("=") for part in some.split()[1:])
    return int(values["total"]) if "total" in values else None


def proc_status_kib(pid: int, field_name: str) -> int:
    """A ``kB`` field (VmRSS, VmHWM) of /proc/PID/status; 0 once the process is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith(field_name + ":"):
            return int(line.split()[1])
    return 0  # a zombie has no memory fields


def proc_pss_kib(pid: int) -> int:
    """The process's proportional set size: its RSS with each shared page divided among the
    processes sharing it, so a sum over processes counts memory once (0 once gone)."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


def proc_write_bytes(pid: int) -> int:
    """Bytes the process has caused to be written to storage (/proc/PID/io ``write_bytes``,
    counted when it dirties a page of a file); 0 once it is reaped."""
    try:
        text = Path(f"/proc/{pid}/io").read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith("write_bytes:"):
            return int(line.split()[1])
    return 0


def descendants(pid: int) -> list[int]:
    """The process's children, their children and so on (ingest's worker processes)."""
    found: list[int] = []
    stack = [pid]
    while stack:
        parent = stack.pop()
        try:
            tasks = list(Path(f"/proc/{parent}/task").iterdir())
        except OSError:
            continue
        for task in tasks:
            try:
                children = [int(text) for text in (task / "children").read_text().split()]
            except (OSError, ValueError):
                continue
            found.extend(children)
            stack.extend(children)
    return found


class PeakWatcher(threading.Thread):
    """Samples a process's VmHWM (its peak RSS so far) every 20 ms until stopped, and the sum
    of the RSS of it and its descendants (ingest's worker processes), keeping the largest.

    Why not ``ru_maxrss`` from ``os.wait4``: Linux carries the spawning process's high-water
    mark into the child across ``exec`` (Python spawns with vfork), so every child of this
    benchmark -- which holds the corpus generator's tables -- would report at least this
    process's own peak. VmHWM belongs to the child's own address space. The last sample
    before exit is the peak, short of whatever it grows in its final 20 ms. The tree's sum
    counts pages the processes share (the interpreter, libraries) once per process: an
    upper bound.
    """

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kib = 0
        self.tree_peak_kib = 0
        self.tree_pss_peak_kib = 0
        # Each process's write_bytes as last read (a running total): the workers' are kept
        # after they exit, the main process's is read once more at its exit (see run_bot).
        self.written: dict[int, int] = {}
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            self.peak_kib = max(self.peak_kib, proc_status_kib(self.pid, "VmHWM"))
            tree = [self.pid, *descendants(self.pid)]
            rss = sum(proc_status_kib(pid, "VmRSS") for pid in tree)
            self.tree_peak_kib = max(self.tree_peak_kib, rss, self.peak_kib)
            self.tree_pss_peak_kib = max(self.tree_pss_peak_kib, sum(map(proc_pss_kib, tree)))
            self.note_writes(tree)
            self._halt.wait(0.02)

    def note_writes(self, pids: list[int]) -> None:
        """Read the processes' write_bytes, keeping the largest seen for each."""
        for pid in pids:
            self.written[pid] = max(self.written.get(pid, 0), proc_write_bytes(pid))

    def stop(self) -> int:
        """Stop sampling; the process's own peak in KiB (``tree_peak_kib`` has the tree's)."""
        self._halt.set()
        self.join()
        return self.peak_kib


# -- 1. corpus ---------------------------------------------------------------------------------


def corpus_files(directory: Path) -> list[Path]:
    """Every non-hidden file under ``directory``, sorted (what ``banwatch ingest`` reads)."""
    return sorted(
        path
        for path in directory.rglob("*")
        if path.is_file()
        and not any(part.startswith(".") for part in path.relative_to(directory).parts)
    )


def make_corpus(articles: int, directory: Path, seed: int) -> tuple[Any, float]:
    """Write a corpus of about ``articles`` articles; its stats and the seconds it took.

    A small sample first gives the generator's articles per document, so the document count
    can be chosen to land near ``articles``; the report gives the actual count.
    """
    from bench.make_corpus import write_corpus

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(dir=directory.parent) as scratch:
        sample = write_corpus(max(1, min(articles // 4, 500)), Path(scratch), seed=seed)
    per_document = sample.articles / sample.documents if sample.articles else 4.0
    documents = max(1, round(articles / per_document))
    stats = write_corpus(documents, directory, seed=seed)
    return stats, time.perf_counter() - started


# -- 2. floor ----------------------------------------------------------------------------------

FLOOR_SCHEMA = (
    "CREATE TABLE articles (title TEXT, excerpt TEXT, body TEXT, url TEXT, published TEXT,"
    " provider_name TEXT, provider_domain TEXT, path TEXT, position INTEGER)"
)
FLOOR_INSERT = "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"


def _text(value: Any) -> str | None:
    """A YAML scalar as text (dates included); None for missing values and flags."""
    if value is None or isinstance(value, bool | dict | list):
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def _item_fields(item: dict[str, Any], body: str) -> tuple[Any, ...]:
    """(title, excerpt, body, url, published, provider name, provider domain) of one item."""
    provider = item.get("provider")
    name, domain = (
        (provider.get("name"), provider.get("domain"))
        if isinstance(provider, dict)
        else (provider, None)
    )
    published = next(
        (item[key] for key in ("publishedDateTime", "published", "date") if item.get(key)), None
    )
    return (
        _text(item.get("title")) or "",
        _text(item.get("excerpt") or item.get("description")) or "",
        body,
        _text(item.get("webUrl") or item.get("url")),
        _text(published),
        _text(name),
        _text(domain),
    )


def floor_articles(data: bytes) -> list[tuple[Any, ...]]:
    """The article fields in one corpus file; raises ValueError (or a YAML error) if it's bad.

    Front matter (``---`` ... ``---``): the document's own item, then its ``related`` items.
    Plain text: one article (an optional lower-case topic line, headline, standfirst, body).
    """
    if b"\x00" in data[:8192]:
        raise ValueError("binary file")
    text = data.decode("utf-8-sig").replace("\r\n", "\n")
    if text.startswith("---"):
        lines = text.split("\n")
        end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
        if end is None:
            raise ValueError("front matter never ends")
        meta = yaml.load("\n".join(lines[1:end]), Loader=yaml.CSafeLoader)
        if not isinstance(meta, dict):
            raise ValueError("front matter is not a mapping")
        related = meta.get("related")
        items = (
            [item for item in related if isinstance(item, dict)]
            if isinstance(related, list)
            else []
        )
        body = "\n".join(lines[end + 1 :]).strip()
        return [_item_fields(meta, body)] + [_item_fields(item, "") for item in items]
    paragraphs = [line.strip() for line in text.split("\n") if line.strip()]
    if len(paragraphs) >= 2 and len(paragraphs[0]) <= 40 and paragraphs[0] == paragraphs[0].lower():
        paragraphs.pop(0)
    if not paragraphs:
        raise ValueError("empty file")
    title, excerpt = paragraphs[0], (paragraphs[1] if len(paragraphs) > 1 else "")
    return [(title, excerpt, "\n\n".join(paragraphs[2:]), None, None, None, None)]


@dataclass(slots=True)
class Floor:
    files: int = 0
    skipped: int = 0
    articles: int = 0
    seconds: float = 0.0


def floor_rows(directory: Path, floor: Floor) -> Iterator[tuple[Any, ...]]:
    """One row per article in the corpus; counts files read and skipped into ``floor``."""
    for path in corpus_files(directory):
        floor.files += 1
        try:
            fields = floor_articles(path.read_bytes())
        except (OSError, ValueError, yaml.YAMLError):
            floor.skipped += 1
            continue
        name = str(path.relative_to(directory))
        for position, article in enumerate(fields):
            yield (*article, name, position)


def measure_floor(directory: Path, db: Path) -> Floor:
    """Read, parse and insert the whole corpus into a bare table in a fresh database."""
    floor = Floor()
    started = time.perf_counter()
    connection = sqlite3.connect(db)
    try:
        connection.execute(FLOOR_SCHEMA)
        with connection:
            connection.executemany(FLOOR_INSERT, floor_rows(directory, floor))
        floor.seconds = time.perf_counter() - started
        floor.articles = connection.execute("SELECT count(*) FROM articles").fetchone()[0]
    finally:
        connection.close()
    return floor


# -- 3. ingest in a subprocess ---------------------------------------------------------------

SUMMARY = re.compile(
    r"Ingest: (?P<new>\d+) new, (?P<updated>\d+) updated, (?P<unchanged>\d+) unchanged,"
    r" (?P<merged>\d+) duplicates merged, (?P<removed>\d+) removed, (?P<rejected>\d+) rejected"
    r" \((?P<read>\d+) files read, (?P<skipped>\d+) unchanged files skipped\)"
)


@dataclass(slots=True)
class Run:
    """One ``python -m bot ...`` subprocess, timed from outside."""

    seconds: float
    max_rss_kib: int
    returncode: int
    stdout: str
    stderr: str
    # The largest sum of RSS over the process and its worker processes at one moment, and
    # of their PSS (shared pages counted once).
    tree_rss_kib: int = 0
    tree_pss_kib: int = 0
    # Bytes the process and its workers caused to be written to storage.
    write_bytes: int = 0

    def summary(self) -> dict[str, int]:
        """The counts from the ``Ingest: ...`` line ({} when there is none)."""
        match = SUMMARY.search(self.stdout)
        return {key: int(value) for key, value in match.groupdict().items()} if match else {}


def run_bot(args: list[str], workdir: Path, module: str = "bot") -> Run:
    """Run ``python -m bot ARGS`` to completion: wall seconds from outside, and its peak RSS
    (see :class:`PeakWatcher`). Output goes to files, not pipes: a long rejection list must
    not block the child."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", module, *args],
            cwd=workdir,
            env=subprocess_env(),
            stdout=out,
            stderr=err,
        )
        watcher = PeakWatcher(process.pid)
        watcher.start()
        # Wait for the exit without reaping, so its final write_bytes (its closing checkpoint
        # included) can still be read from /proc.
        os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)
        seconds = time.perf_counter() - started
        watcher.note_writes([process.pid])
        process.wait()
        peak = watcher.stop()
        out.seek(0)
        err.seek(0)
        return Run(
            seconds,
            peak,
            process.returncode,
            out.read().decode(errors="replace"),
            err.read().decode(errors="replace"),
            watcher.tree_peak_kib,
            watcher.tree_pss_peak_kib,
            sum(watcher.written.values()),
        )


def median_run(runs: list[Run]) -> Run:
    """The run with the median wall time."""
    return sorted(runs, key=lambda run: run.seconds)[len(runs) // 2]


def spread(runs: list[Run]) -> str:
    """ "min–max s over N runs", for the notes."""
    times = [run.seconds for run in runs]
    return f"{min(times):.2f}–{max(times):.2f} s over {len(runs)} runs"


def ingest(db: Path, corpus: Path, workdir: Path, module: str = "bot") -> Run:
    """``python -m bot --db DB --corpus DIR ingest``; fails loudly if it fails."""
    run = run_bot(["--db", str(db), "--corpus", str(corpus), "ingest"], workdir, module)
    if run.returncode != 0 or not run.summary():
        output = run.stdout[-2000:] + run.stderr[-2000:]
        raise SystemExit(f"bench.scale: ingest exited {run.returncode}:\n{output}")
    return run


# -- 4. look-ups -------------------------------------------------------------------------------


def typo(rng: random.Random, word: str) -> str:
    """``word`` with two neighbouring letters swapped ("Chicago" -> "Chicgao")."""
    if len(word) < 4:
        return word + word[-1:]
    index = rng.randrange(1, len(word) - 2)
    return word[:index] + word[index + 1] + word[index] + word[index + 2 :]


def _spelled_with_state(place: Jurisdiction) -> str:
    """ "Portland Oregon": the city and its state's full name, no comma."""
    state = places.state_name(place.state) if place.country == "US" and place.state else None
    return f"{place.name} {state}" if state else place.display


def _draw(rng: random.Random, count: int, makers: list[tuple[int, Callable[[], Any]]]) -> list:
    """``count`` values, each made by a maker picked by weight."""
    weights = [weight for weight, _ in makers]
    return [rng.choices(makers, weights)[0][1]() for _ in range(count)]


def status_queries(rng: random.Random, known: list[Jurisdiction], count: int) -> list[str]:
    """Places as users type them: shown names, lower case, "City State", state names, typos,
    unknown places."""
    cities = [j for j in known if j.level in ("city", "county")]
    if not cities:
        return [rng.choice(SHOWCASE_STATUS + UNKNOWN_PLACES) for _ in range(count)]
    states = sorted({j.state for j in cities if j.country == "US" and j.state}) or ["NJ"]
    queries = _draw(
        rng,
        count - len(SHOWCASE_STATUS) - 1,
        [
            (30, lambda: rng.choice(known).display),
            (15, lambda: rng.choice(cities).name.lower()),
            (15, lambda: _spelled_with_state(rng.choice(cities))),
            (10, lambda: places.state_name(rng.choice(states)) or "New Jersey"),
            (20, lambda: typo(rng, rng.choice(cities).name)),
            (10, lambda: rng.choice(UNKNOWN_PLACES)),
        ],
    )
    queries += [*SHOWCASE_STATUS, UNKNOWN_PLACES[0]]
    rng.shuffle(queries)
    return queries


def autocomplete_queries(rng: random.Random, known: list[Jurisdiction], count: int) -> list[str]:
    """What is in the box while typing: prefixes of 1-8 characters, typos, nothing at all."""
    names = [j.display for j in known] or SHOWCASE_STATUS
    codes = sorted({j.state.lower() for j in known if j.state}) or ["ma"]
    return _draw(
        rng,
        count,
        [
            (50, lambda: rng.choice(names)[: rng.randint(1, 8)]),
            (15, lambda: rng.choice(names)[: rng.randint(1, 8)].lower()),
            (15, lambda: typo(rng, rng.choice(names))[: rng.randint(4, 8)]),
            (10, lambda: rng.choice(codes)),
            (5, lambda: ""),
            (5, lambda: rng.choice(UNKNOWN_PLACES)[: rng.randint(3, 8)]),
        ],
    )


def city_queries(
    rng: random.Random, known: list[Jurisdiction], count: int
) -> list[tuple[str | None, str | None]]:
    """(status, state) pairs: every status and none, with and without a state."""
    states = CITY_STATES + sorted({j.state for j in known if j.country == "US" and j.state})[:10]
    pairs = [(status, state) for status in (*STATUSES, None) for state in states]
    return [rng.choice(pairs) for _ in range(count)]


def search_queries(rng: random.Random, terms: list[str], count: int) -> list[str]:
    """The corpus's own terms, two-word combinations, phrases, and words found nowhere."""
    terms = terms or ["facial recognition"]
    words = sorted({word for term in terms for word in term.split()})
    phrases = [term for term in terms if " " in term] or terms
    return _draw(
        rng,
        count,
        [
            (35, lambda: rng.choice(terms)),
            (25, lambda: f"{rng.choice(words)} {rng.choice(words)}"),
            (15, lambda: rng.choice(phrases)),
            (10, lambda: rng.choice(NOWHERE_WORDS)),
            (10, lambda: f"{rng.choice(terms)} {rng.choice(NOWHERE_WORDS)}"),
            (5, lambda: rng.choice(terms).upper()),
        ],
    )


@dataclass(slots=True)
class Latencies:
    """Timings of one look-up, after the warm-up."""

    name: str
    seconds: list[float] = field(default_factory=list)
    refused: int = 0
    errors: list[str] = field(default_factory=list)
    slowest: tuple[float, str] = (0.0, "")
    out_of_time: bool = False
    # Share of the look-up's wall time in which some task waited on I/O (Linux PSI "some"):
    # a disk stall shows here, and with it the slowest answers; None where PSI is missing.
    io_stalled: float | None = None

    def ms(self, pct: float) -> float:
        return percentile(self.seconds, pct) * 1000


Call = tuple[str, Callable[[], Awaitable[Any]]]


async def time_calls(name: str, calls: list[Call], budget: float) -> Latencies:
    """Run ``calls`` one by one; the first WARMUP are not counted, and the timing stops
    once the counted calls have taken ``budget`` seconds (a slow look-up at 100,000 articles
    would otherwise keep the benchmark busy for hours).

    A BanwatchError (ambiguous, unknown place) is an answer the user sees: counted, as
    "refused"; any other exception is a bug, kept for the report.
    """
    result = Latencies(name)
    stalled_before, started_all = io_stalled_us(), time.perf_counter()
    for number, (label, call) in enumerate(calls):
        if sum(result.seconds) > budget:
            result.out_of_time = True
            break
        refused, error = False, None
        started = time.perf_counter()
        try:
            await call()
        except BanwatchError:
            refused = True
        except Exception as exc:
            error = f"{label!r}: {type(exc).__name__}: {exc}"
        elapsed = time.perf_counter() - started
        if number < WARMUP:
            continue
        result.seconds.append(elapsed)
        result.refused += refused
        if error:
            result.errors.append(error)
        result.slowest = max(result.slowest, (elapsed, label))
    stalled_after, wall = io_stalled_us(), time.perf_counter() - started_all
    if stalled_before is not None and stalled_after is not None and wall > 0:
        result.io_stalled = (stalled_after - stalled_before) / 1e6 / wall
    return result


@dataclass(slots=True)
class LookupRun:
    """The four look-ups' latencies, and what the bot had done before it served them."""

    results: list[Latencies]
    known_places: int
    # Places whose status was worked out ahead, as `banwatch run` does once it serves.
    kept_places: int
    kept_seconds: float


async def measure_lookups(
    db: Path, corpus: Path, search_terms: list[str], count: int, seed: int, budget: float
) -> LookupRun:
    """p50/p99/max material for the four look-ups, on a bot core prepared as ``banwatch
    run`` prepares it."""
    rng = random.Random(seed)
    total = count + WARMUP
    # As `banwatch run` starts serving (bot/discord/runner.py): gazetteer loaded, start-up objects
    # frozen out of full GC collections, its SQLite page cache, every place's status worked
    # out ahead.
    places.gazetteer()
    gc.collect()
    gc.freeze()
    async with await Store.open(db) as store:
        await store.set_page_cache(PAGE_CACHE_MIB)
        app = Banwatch(store, corpus)
        started = time.perf_counter()
        kept_places = await app.keep_statuses()
        kept_seconds = time.perf_counter() - started
        progress(f"worked out ahead the status of {kept_places:,} places in {kept_seconds:.1f} s")
        known = list(await store.known_jurisdictions())
        status: list[Call] = [
            (q, functools.partial(app.status, q)) for q in status_queries(rng, known, total)
        ]
        autocomplete: list[Call] = [
            (q, functools.partial(app.place_choices, q, limit=25))
            for q in autocomplete_queries(rng, known, total)
        ]
        cities: list[Call] = [
            (f"{s} / {st}", functools.partial(app.cities, status=s, state=st))
            for s, st in city_queries(rng, known, total)
        ]
        search: list[Call] = [
            (q, functools.partial(app.search, q)) for q in search_queries(rng, search_terms, total)
        ]
        results = []
        for name, calls in (
            ("status", status),
            ("autocomplete", autocomplete),
            ("cities", cities),
            ("search", search),
        ):
            progress(f"look-ups: {name} x {len(calls)}")
            results.append(await time_calls(name, calls, budget))
        return LookupRun(results, len(known), kept_places, kept_seconds)


# -- 5. memory at rest -------------------------------------------------------------------------


@dataclass(slots=True)
class AtRest:
    """The bot process's memory once ready, and after it has answered one /status."""

    rss_kib: int = 0
    hwm_kib: int = 0
    ready_seconds: float = 0.0
    # From ready until the alerts' first scan (every stored item unseen) was done.
    alerts_seconds: float = 0.0
    # From ready until every place's status was worked out ahead (bot/discord/runner.py).
    kept_seconds: float = 0.0
    status_place: str = ""
    status_seconds: float = 0.0
    # Seconds per /status question asked through Discord while the bot's loops run.
    through_discord: list[float] = field(default_factory=list)
    rss_after_status_kib: int = 0
    max_rss_kib: int = 0
    returncode: int | None = None
    problem: str = ""


def ready(server: Any, guild: Any) -> bool:
    """The bot has sent IDENTIFY on the gateway and synced its commands to the guild."""
    identified = any(op.get("op") == 2 for op in server.gateway_ops)
    return identified and bool(server.commands_for(guild))


async def _wait_until(predicate: Callable[[], Any], process: subprocess.Popen, timeout: float):
    """Poll ``predicate`` until true; raise RuntimeError if the process exits or time runs out."""
    deadline = time.perf_counter() + timeout
    while not predicate():
        if process.poll() is not None:
            raise RuntimeError(f"the bot exited with code {process.returncode} before it was ready")
        if time.perf_counter() > deadline:
            raise RuntimeError(f"the bot was not ready after {timeout:.0f} s")
        await asyncio.sleep(0.05)


async def answer_status(server: Any, guild: Any, member: Any, place: str) -> float:
    """Seconds for the bot to answer ``/status place`` through the loopback server (the
    deferred reply edited with the answer, when it defers)."""
    started = time.perf_counter()
    handle = server.dispatch_slash(
        "status", {"place": place}, channel=guild.channel_named("general"), member=member
    )
    response = await handle.wait_response(timeout=120)
    if response.get("type") == 5:  # DEFERRED_CHANNEL_MESSAGE_WITH_SOURCE
        await handle.wait_edited(timeout=120)
    return time.perf_counter() - started


# /status questions asked through the loopback server once the bot is at rest, about this
# many seconds apart.
THROUGH_DISCORD = 200
QUESTION_GAP = 0.05


async def discord_questions(db: Path, args: argparse.Namespace) -> list[str]:
    """Varied /status questions (as the look-ups ask) for the bot through Discord."""
    async with await Store.open(db) as store:
        known = list(await store.known_jurisdictions())
    return status_queries(random.Random(args.seed + 1), known, THROUGH_DISCORD)


async def measure_at_rest(
    db: Path, corpus: Path, workdir: Path, place: str, questions: list[str]
) -> AtRest:
    """Start ``python -m bot run`` against the loopback server, wait until it has identified on
    the gateway and synced its commands (what tests/discord/test_runner.py waits for) and its
    alerts have matched the stored items, let it settle and read its memory; then ask it
    ``/status place`` and read it again; then time ``questions`` asked through Discord at
    random moments, with the bot's background loops (alerts, corpus re-scan) running; then
    stop it with SIGTERM."""
    from tests.loopback.server import LoopbackDiscord

    result = AtRest(status_place=place)
    server = LoopbackDiscord()
    await server.start()
    guild = server.add_guild()
    member = server.add_member("reader", guild=guild)
    env = subprocess_env(
        DISCORD_TOKEN=server.token,
        DISCORD_API_BASE=server.api_base,
        DEV_GUILD_ID=str(guild.id),
    )
    log = workdir / "bot-run.log"
    with log.open("wb") as output:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "--db", str(db), "--corpus", str(corpus), "run"],
            cwd=workdir,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        watcher = PeakWatcher(process.pid)
        watcher.start()
        try:
            await _wait_until(lambda: ready(server, guild), process, BOT_READY_TIMEOUT)
            result.ready_seconds = time.perf_counter() - started
            # A bot first started on an ingested corpus has every item unseen by the
            # alerts: "at rest" is after that first scan, not in the middle of it.
            await _wait_until(
                lambda: ALERTS_SCANNED in log.read_text(errors="replace"),
                process,
                BOT_READY_TIMEOUT,
            )
            result.alerts_seconds = time.perf_counter() - started - result.ready_seconds
            # ...and once it has worked out every place's status ahead, as it does on start.
            await _wait_until(
                lambda: STATUSES_KEPT in log.read_text(errors="replace"),
                process,
                BOT_READY_TIMEOUT,
            )
            result.kept_seconds = time.perf_counter() - started - result.ready_seconds
            await asyncio.sleep(SETTLE_SECONDS)
            if process.poll() is None:
                result.rss_kib = proc_status_kib(process.pid, "VmRSS")
                result.hwm_kib = proc_status_kib(process.pid, "VmHWM")
            result.status_seconds = await answer_status(server, guild, member, place)
            await asyncio.sleep(1.0)
            if process.poll() is None:
                result.rss_after_status_kib = proc_status_kib(process.pid, "VmRSS")
            # At random moments over ~10 s, as people ask, not back to back: a question
            # sent straight after the last answer rarely meets the bot's once-a-second work.
            pauses = random.Random(len(questions))
            for question in questions:
                await asyncio.sleep(pauses.uniform(0, 2 * QUESTION_GAP))
                result.through_discord.append(await answer_status(server, guild, member, question))
        except (RuntimeError, AssertionError) as exc:
            # AssertionError: the loopback server's wait timed out (no answer to /status).
            result.problem = f"{exc}; see {log.name}: {log.read_text()[-500:]!r}"
        finally:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
            result.returncode = await _reap(process)
            result.max_rss_kib = watcher.stop()
            await server.close()
    return result


async def _reap(process: subprocess.Popen, timeout: float = 30.0) -> int:
    """Wait for ``process`` without blocking the loop (the server must keep answering);
    SIGKILL after ``timeout``. Its exit code."""
    deadline = time.perf_counter() + timeout
    while True:
        if process.poll() is not None:
            return process.returncode
        if time.perf_counter() > deadline:
            process.kill()
            deadline = math.inf
        await asyncio.sleep(0.05)


# -- report ------------------------------------------------------------------------------------


@dataclass(slots=True)
class Figures:
    """Everything measured, for the report."""

    args: argparse.Namespace
    load_at_start: str = ""
    code_at_start: str = ""
    stats: Any = None
    corpus_seconds: float = 0.0
    files: int = 0
    floor: Floor | None = None
    startup_empty: list[Run] = field(default_factory=list)
    startup_one: list[Run] = field(default_factory=list)
    full: Run | None = None
    unread: Run | None = None
    again: list[Run] = field(default_factory=list)
    lookups: list[Latencies] = field(default_factory=list)
    # How long the disk took to write back what the ingests wrote, and the OS page cache
    # and I/O pressure when the look-ups began.
    settle_seconds: float = 0.0
    lookups_page_cache: str = ""
    lookups_io_pressure: str = ""
    known_places: int = 0
    kept_places: int = 0
    kept_seconds: float = 0.0
    at_rest: AtRest | None = None
    # The database's size right after the full ingest (it closes with the WAL checkpointed).
    db_bytes: int = 0
    cli: CliTimes | None = None


def cli_section(f: Figures) -> str:
    c = f.cli
    if c is None:
        return ""
    base = statistics.median(c.baseline)
    baseline = "`python " + " ".join(CLI_BASELINE) + "` (the baseline)"
    rows = [[baseline, f"{base * 1000:.0f}", "1.0×", ""]]
    for name, args in CLI_LOOKUPS.items():
        times = c.steady[name]
        median = statistics.median(times)
        rows.append(
            [
                f"`banwatch {' '.join(args)}`",
                f"{median * 1000:.0f}",
                f"{median / base:.1f}×",
                f"{min(times) * 1000:.0f}–{max(times) * 1000:.0f} ms over {len(times)} runs;"
                f" first run {c.first[name] * 1000:.0f} ms",
            ]
        )
    return (
        "## Command-line look-ups (whole process, side by side)\n\n"
        f"Medians of {CLI_RUNS} runs each, taken in turn (baseline, status, search, ...). Each"
        " look-up's first run came more than BANWATCH_REFRESH_SECONDS after the last ingest, so"
        " it re-read the corpus, and it read its place with the gazetteer (then stored)."
        " The runs after it are what a look-up costs within a minute of another, or of the"
        " bot's re-scan.\n\n"
        + md_table(["command", "ms", "× baseline", ""], rows)
    )


def corpus_section(f: Figures) -> str:
    s = f.stats
    rows = [
        ["documents written", f"{s.documents:,}"],
        ["files", f"{f.files:,}"],
        ["articles (generator's count)", f"{s.articles:,}"],
        ["malformed files/items", f"{s.malformed:,}"],
        ["place names / search terms", f"{len(s.places):,} / {len(s.search_terms):,}"],
        ["seconds to generate", f"{f.corpus_seconds:.1f}"],
    ]
    return "## Corpus\n\n" + md_table(["", ""], rows)


def ingest_section(f: Figures) -> str:
    floor, full, again = f.floor, f.full, median_run(f.again)
    empty, one = median_run(f.startup_empty), median_run(f.startup_one)
    counts = full.summary()
    articles = f.stats.articles
    share = again.seconds / full.seconds
    rows = [
        [
            "floor: read + libyaml + bare executemany",
            f"{floor.seconds:.1f}",
            f"{floor.articles / floor.seconds:,.0f}",
            f"{floor.articles:,} rows from {floor.files:,} files ({floor.skipped} skipped)",
        ],
        [
            "start-up: `ingest` of an empty corpus",
            f"{empty.seconds:.2f}",
            "",
            f"imports + database; peak RSS {empty.max_rss_kib / 1024:.0f} MB;"
            f" {spread(f.startup_empty)}",
        ],
        [
            "start-up: `ingest` of one file",
            f"{one.seconds:.2f}",
            "",
            f"+ gazetteer, one file's articles; peak RSS {one.max_rss_kib / 1024:.0f} MB;"
            f" {spread(f.startup_one)}",
        ],
        [
            "**full ingest** (subprocess)",
            f"**{full.seconds:.1f}**",
            f"**{articles / full.seconds:,.0f}**",
            f"{full.seconds / floor.seconds:.1f}× the floor",
        ],
        [
            "ingest with the extractor switched off (in one process)",
            f"{f.unread.seconds:.1f}",
            f"{articles / f.unread.seconds:,.0f}",
            f"{f.unread.seconds / floor.seconds:.1f}× the floor: the store path alone (dedup,"
            " text index, events, one savepoint a file)",
        ],
        [
            "re-ingest, unchanged corpus",
            f"{again.seconds:.2f}",
            "",
            f"{share:.2%} of the full ingest; {again.summary().get('read', '?')} files read;"
            f" {spread(f.again)}; start-up alone is about {empty.seconds:.2f} s",
        ],
    ]
    table = md_table(["step", "seconds", "articles/s", "notes"], rows)
    detail = md_table(
        ["full ingest", "figure"],
        [
            [
                "peak memory of a full ingest with its worker processes (sum of PSS)",
                f"**{full.tree_pss_kib / 1024:,.0f} MB**",
            ],
            [
                "the same as a sum of RSS (shared pages counted in every process)",
                f"{full.tree_rss_kib / 1024:,.0f} MB",
            ],
            ["peak RSS of the ingest process alone", f"{full.max_rss_kib / 1024:,.0f} MB"],
            ["articles stored (new)", f"{counts['new']:,}"],
            ["duplicates merged", f"{counts['merged']:,}"],
            ["rejected (files or items)", f"{counts['rejected']:,}"],
            ["files read", f"{counts['read']:,}"],
        ],
    )
    return (
        "## Ingest\n\nArticles/s is the corpus's article count over wall seconds, timed from "
        "outside the subprocess (start-up included).\n\n" + table + "\n\n" + detail
    )


def lookups_section(f: Figures) -> str:
    rows = []
    for lat in f.lookups:
        target = TARGET_P99_MS.get(lat.name)
        p99 = lat.ms(99)
        slow_ms, slow_query = lat.slowest
        rows.append(
            [
                f"`{lat.name}`",
                f"{len(lat.seconds):,}" + (" (budget)" if lat.out_of_time else ""),
                f"{lat.refused:,}",
                f"{len(lat.errors):,}",
                f"{lat.ms(50):.2f}",
                f"**{p99:.2f}**",
                f"{slow_ms * 1000:.2f} ({slow_query[:40]!r})",
                f"{lat.io_stalled:.1%}" if lat.io_stalled is not None else "n/a",
                f"≤ {target:g}" if target is not None else "—",
            ]
        )
    table = md_table(
        [
            "look-up",
            "queries",
            "refused",
            "errors",
            "p50 ms",
            "p99 ms",
            "max ms (query)",
            "I/O stalled",
            "p99 target",
        ],
        rows,
    )
    errors = [f"- {lat.name}: {error}" for lat in f.lookups for error in lat.errors[:5]]
    text = (
        f"## Look-ups\n\nIn process on the ingested database ({f.known_places:,} known places), "
        "through the functions the cogs call, once the status of every place with events "
        f"({f.kept_places:,}) was worked out ahead in {f.kept_seconds:.1f} s, as `banwatch run` "
        f"does once it serves; {WARMUP} warm-up queries first, not counted; "
        f"a look-up stops early, marked (budget), once its timed queries add up to "
        f"{f.args.budget:g} s. "
        "*Refused* = a BanwatchError the user sees (ambiguous or unknown place); *errors* = any "
        "other exception; *I/O stalled* = the share of the look-up's time in which some task "
        "on the machine waited on the disk (Linux PSI; a disk stall shows there first). "
        "Before them, what the ingests wrote was written back to the disk "
        f"({f.settle_seconds:.1f} s); then the OS page cache held {f.lookups_page_cache} and "
        f"I/O pressure (some, avg 60 s / 300 s) was {f.lookups_io_pressure}.\n\n" + table
    )
    return text + ("\n\nErrors:\n" + "\n".join(errors) if errors else "")


def at_rest_section(f: Figures) -> str:
    if f.args.skip_bot:
        return "## Memory at rest\n\nSkipped (`--skip-bot`)."
    rest = f.at_rest
    if not rest.rss_kib:
        return f"## Memory at rest\n\nNot measured: {rest.problem or 'the bot exited'}."
    rss = rest.rss_kib / 1024
    rows = [
        ["start to ready (identified, commands synced)", f"{rest.ready_seconds:.1f} s"],
        [
            "ready to the alerts' first scan done (every stored item unseen, no subscription)",
            f"{rest.alerts_seconds:.1f} s",
        ],
        [
            "ready to every place's status worked out ahead (in the background)",
            f"{rest.kept_seconds:.1f} s",
        ],
        [
            f"**RSS at rest** (VmRSS, {SETTLE_SECONDS:g} s after both)",
            f"**{rss:.0f} MB**",
        ],
        ["VmHWM (peak so far, start-up re-ingest included)", f"{rest.hwm_kib / 1024:.0f} MB"],
        [
            f"first command: `/status {rest.status_place}` answered through Discord",
            f"{rest.status_seconds:.2f} s",
        ],
        ["RSS after that answer (gazetteer loaded)", f"{rest.rss_after_status_kib / 1024:.0f} MB"],
        [
            f"{len(rest.through_discord)} varied `/status` questions through Discord at random"
            f" moments (~{QUESTION_GAP * 1000:.0f} ms apart), the bot's loops running:"
            " p50 / p99 / max",
            " / ".join(
                f"{percentile(rest.through_discord, pct) * 1000:.1f} ms" for pct in (50, 99, 100)
            )
            if rest.through_discord
            else "—",
        ],
        ["peak RSS over the bot's life", f"{rest.max_rss_kib / 1024:.0f} MB"],
        ["exit code after SIGTERM", str(rest.returncode)],
    ]
    problem = f"\n\nProblem: {rest.problem}" if rest.problem else ""
    return (
        "## Memory at rest\n\n`python -m bot run` with the ingested database and corpus, "
        "against the loopback Discord server (tests/loopback).\n\n"
        + md_table(["", ""], rows)
        + problem
    )


def target_rows(f: Figures) -> list[list[str]]:
    """Every target beside its figure, met or missed."""
    again = median_run(f.again)
    share = again.seconds / f.full.seconds
    ratio = f.full.seconds / f.floor.seconds
    peak = f.full.tree_pss_kib / 1024
    rows = [
        [
            f"full ingest ≤ {TARGET_FLOOR_RATIO:g}× the floor",
            f"{ratio:.1f}× ({f.full.seconds:.1f} s vs {f.floor.seconds:.1f} s)",
            met(ratio <= TARGET_FLOOR_RATIO),
        ],
        [
            f"peak RSS of a full ingest ≤ {TARGET_INGEST_RSS_MB:g} MB (workers included, PSS)",
            f"{peak:.0f} MB (sum of RSS {f.full.tree_rss_kib / 1024:.0f} MB)",
            met(peak <= TARGET_INGEST_RSS_MB),
        ],
        [
            f"re-ingest ≤ {TARGET_REINGEST_SHARE:.0%} of the full ingest",
            f"{share:.2%} ({again.seconds:.2f} s of {f.full.seconds:.1f} s)",
            met(share <= TARGET_REINGEST_SHARE),
        ],
    ]
    if f.db_bytes:
        written = f.full.write_bytes / f.db_bytes
        rows.append(
            [
                f"bytes a full ingest writes ≤ {TARGET_WRITE_RATIO:g}× the database it leaves",
                f"{written:.1f}× ({f.full.write_bytes / 2**20:,.0f} MiB written,"
                f" database {f.db_bytes / 2**20:,.0f} MiB)",
                met(written <= TARGET_WRITE_RATIO),
            ]
        )
    if f.cli is not None:
        base = statistics.median(f.cli.baseline)
        for name, args in CLI_LOOKUPS.items():
            ratio_cli = statistics.median(f.cli.steady[name]) / base
            rows.append(
                [
                    f"`banwatch {' '.join(args)}` ≤ {TARGET_CLI_RATIO:g}× the baseline",
                    f"{ratio_cli:.1f}× (first run {f.cli.first[name] / base:.1f}×)",
                    met(ratio_cli <= TARGET_CLI_RATIO),
                ]
            )
    for lat in f.lookups:
        target = TARGET_P99_MS.get(lat.name)
        if target is not None:
            p99 = lat.ms(99)
            rows.append([f"{lat.name} p99 ≤ {target:g} ms", f"{p99:.1f} ms", met(p99 <= target)])
    wanted = f"RSS at rest ≤ {TARGET_RSS_AT_REST_MB:g} MB"
    if f.at_rest is None or not f.at_rest.rss_kib:
        rows.append([wanted, "not measured", "—"])
    else:
        rss = f.at_rest.rss_kib / 1024
        rows.append([wanted, f"{rss:.0f} MB", met(rss <= TARGET_RSS_AT_REST_MB)])
    return rows


def report(f: Figures) -> str:
    a = f.args
    head = (
        f"# banwatch at {f.stats.articles:,} articles\n\n"
        f"`python -m bench.scale --articles {a.articles} --queries {a.queries} --seed {a.seed}"
        f" --budget {a.budget:g}{' --skip-bot' if a.skip_bot else ''}`\n\n"
        + md_table(["machine", ""], machine(f.load_at_start, f.code_at_start))
    )
    sections = [
        head,
        corpus_section(f),
        ingest_section(f),
        lookups_section(f),
        cli_section(f),
        at_rest_section(f),
    ]
    summary = "## Targets\n\n" + md_table(["target", "figure", ""], target_rows(f))
    return "\n\n".join([*sections, summary]) + "\n"


# -- main --------------------------------------------------------------------------------------


def prepare_workdir(given: Path | None) -> tuple[Path, bool]:
    """The work directory and whether this run created it (an existing one must be empty)."""
    if given is None:
        return Path(tempfile.mkdtemp(prefix="banwatch-scale-")), True
    if given.exists() and any(given.iterdir()):
        raise SystemExit(f"bench.scale: --workdir {given} is not empty")
    created = not given.exists()
    given.mkdir(parents=True, exist_ok=True)
    return given, created


def clean_up(workdir: Path, created: bool) -> None:
    """Remove what this run wrote (the directory itself only if this run made it)."""
    if created:
        shutil.rmtree(workdir, ignore_errors=True)
        return
    for child in workdir.iterdir():
        if child.is_dir():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


@dataclass
class CliTimes:
    """Wall seconds of whole command-line processes, measured in turn."""

    baseline: list[float] = field(default_factory=list)
    first: dict[str, float] = field(default_factory=dict)
    steady: dict[str, list[float]] = field(default_factory=dict)


def _timed(argv: list[str], workdir: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=workdir, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"bench.scale: {' '.join(argv)} exited {done.returncode}: {done.stderr}")
    return seconds


def measure_cli(db: Path, corpus: Path, workdir: Path) -> CliTimes:
    """``banwatch status Chicago`` and ``banwatch search clearview`` as whole processes,
    beside the baseline ``python -c "import sqlite3, yaml"``, in turn so load hits each alike.
    """
    env = subprocess_env(BANWATCH_DB=str(db), BANWATCH_CORPUS=str(corpus))
    times = CliTimes(steady={name: [] for name in CLI_LOOKUPS})
    python = [sys.executable]
    for name, args in CLI_LOOKUPS.items():
        times.first[name] = _timed([*python, "-m", "bot", *args], workdir, env)
    for _ in range(CLI_RUNS):
        times.baseline.append(_timed([*python, *CLI_BASELINE], workdir, env))
        for name, args in CLI_LOOKUPS.items():
            times.steady[name].append(_timed([*python, "-m", "bot", *args], workdir, env))
    return times


def measure(args: argparse.Namespace, workdir: Path) -> Figures:
    """Every step, in order, on one corpus."""
    f = Figures(args, load_at_start=load_average(), code_at_start=code_version())
    corpus = workdir / "corpus"
    progress(f"writing a corpus of ~{args.articles:,} articles into {corpus}")
    f.stats, f.corpus_seconds = make_corpus(args.articles, corpus, args.seed)
    files = corpus_files(corpus)
    f.files = len(files)
    progress(f"corpus: {f.stats.articles:,} articles in {f.files:,} files")

    progress("floor: read, parse with libyaml, insert into a bare table")
    f.floor = measure_floor(corpus, workdir / "floor.db")
    progress(f"floor: {f.floor.articles:,} rows in {f.floor.seconds:.1f} s")

    progress("start-up: ingest of an empty corpus and of a one-file corpus")
    (workdir / "empty").mkdir()
    (workdir / "one").mkdir()
    shutil.copy(files[0], workdir / "one" / files[0].name)
    for number in range(REPEATS):
        # A fresh database each time, or the one-file run would be a re-ingest.
        f.startup_empty.append(ingest(workdir / f"empty{number}.db", workdir / "empty", workdir))
        f.startup_one.append(ingest(workdir / f"one{number}.db", workdir / "one", workdir))

    db = workdir / "banwatch.db"
    progress(f"full ingest of {f.stats.articles:,} articles (minutes at this size)")
    f.full = ingest(db, corpus, workdir)
    f.db_bytes = db.stat().st_size + sum(
        path.stat().st_size for path in (db.with_name(db.name + "-wal"),) if path.exists()
    )
    progress(
        f"full ingest: {f.full.seconds:.1f} s, peak RSS {f.full.max_rss_kib / 1024:.0f} MB,"
        f" wrote {f.full.write_bytes / 2**20:,.0f} MiB for a {f.db_bytes / 2**20:,.0f} MiB database"
    )
    f.again = [ingest(db, corpus, workdir) for _ in range(REPEATS)]
    progress(f"re-ingest: {median_run(f.again).seconds:.2f} s (median of {REPEATS})")
    progress("the same ingest with the extractor switched off (the store path alone)")
    f.unread = ingest(workdir / "unread.db", corpus, workdir, module="bench._ingest_unread")
    progress(f"ingest without extraction: {f.unread.seconds:.1f} s")

    progress("writing back what the ingests wrote before timing look-ups")
    f.settle_seconds = settle_writes()
    f.lookups_page_cache, f.lookups_io_pressure = page_cache(), io_pressure()
    run = asyncio.run(
        measure_lookups(
            db, corpus, list(f.stats.search_terms), args.queries, args.seed, args.budget
        )
    )
    f.lookups, f.known_places = run.results, run.known_places
    f.kept_places, f.kept_seconds = run.kept_places, run.kept_seconds
    progress("command-line look-ups as whole processes, beside the baseline")
    f.cli = measure_cli(db, corpus, workdir)
    if not args.skip_bot:
        progress("memory at rest: banwatch run against the loopback Discord server")
        place = next((p for p in WELL_KNOWN if p in f.stats.places), None)
        place = place or (f.stats.places[0] if f.stats.places else "Chicago")
        questions = asyncio.run(discord_questions(db, args))
        f.at_rest = asyncio.run(measure_at_rest(db, corpus, workdir, place, questions))
    return f


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.scale",
        description="Measure banwatch at 100,000 articles: ingest, look-ups, memory.",
    )
    parser.add_argument(
        "--articles", type=positive_int, default=100_000, help="corpus size to aim for"
    )
    parser.add_argument(
        "--queries", type=positive_int, default=1000, help="timed queries per look-up"
    )
    parser.add_argument("--seed", type=int, default=7, help="corpus and query seed")
    parser.add_argument(
        "--budget",
        type=float,
        default=120.0,
        metavar="SECONDS",
        help="stop timing a look-up after this many seconds of counted queries (default 120)",
    )
    parser.add_argument("--workdir", type=Path, help="where to write (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the corpus and databases")
    parser.add_argument("--skip-bot", action="store_true", help="don't measure the bot at rest")
    parser.add_argument("--report", type=Path, metavar="FILE", help="also write the report here")
    args = parser.parse_args(argv)

    workdir, created = prepare_workdir(args.workdir)
    try:
        text = report(measure(args, workdir))
    finally:
        if args.keep:
            progress(f"kept {workdir}")
        else:
            clean_up(workdir, created)
    print(text)
    if args.report:
        args.report.write_text(text, encoding="utf-8")
    progress("done")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
