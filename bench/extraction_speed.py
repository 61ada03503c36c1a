"""How fast the extraction reads typical and hostile articles, against another checkout.

    python bench/extraction_speed.py [--against PATH] [--runs N]

Each case is timed in fresh subprocesses, alternating between this checkout and the one given
with ``--against`` (a git worktree of the code to compare with, e.g. ``git worktree add
../banwatch-base <commit>``), so that both face the same machine load; the best of N runs is
reported (the least disturbed), in CPU time (the machine is shared, and CPU time is what a
busy neighbour disturbs least), with the gazetteer and models already loaded. Start-up (import
and the first reading, which loads the gazetteer and the model) is reported too.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    # Runnable from a checkout without installing the package.
    sys.path.insert(0, str(PROJECT_ROOT))

from bench.make_corpus import write_corpus  # noqa: E402

CORPUS_DOCUMENTS = 150
CASES = ("labelled", "synthetic corpus", "1 MB bodies", "1 MB title and excerpt")

_WORKER = r"""
import json, sys, time
root = sys.argv[1]
sys.path.insert(0, root)
started = time.perf_counter()
from bot.extraction import extract
from bot.models import Article
extract(Article(id="warm", title="Council bans facial recognition"))
startup = time.perf_counter() - started
from pathlib import Path
from bot.extraction.evaluation import article_from_item, load_items
data = Path(sys.argv[2])
names = ("dev.yaml", "holdout.yaml", "blind2.yaml", "blind3.yaml", "blind4.yaml")
articles = [article_from_item(item) for name in names for item in load_items(data / name)]
from bot.corpus import CorpusError, parse_document
from bot.ingest import to_article
corpus = []
for path in sorted(Path(sys.argv[3]).rglob("*.*")):
    try:
        parsed = parse_document(path.read_bytes(), path=str(path)).articles
    except CorpusError:
        continue  # the corpus's few malformed files
    corpus += [to_article(article) for article in parsed]
unit = "Mayor Jane Smith of Springfield, Mass. said the council voted. "
body = (unit * (1_000_000 // len(unit) + 1))[:1_000_000]
title = "Gov. Springfield Mass. facial recognition ban " * 25_000
cases = {
    "labelled": articles,
    "synthetic corpus": corpus,
    "1 MB bodies": [Article(id="b", title="Council bans facial recognition", body=body)] * 3,
    "1 MB title and excerpt": [Article(id="t", title=title, excerpt=title)] * 3,
}
out = {"startup_s": startup}
for name, batch in cases.items():
    for article in batch[:3]:
        extract(article)
    best = float("inf")
    for _ in range(3):
        began = time.process_time()
        for article in batch:
            extract(article)
        best = min(best, (time.process_time() - began) / len(batch) * 1000)
    out[name] = best
print(json.dumps(out))
"""


def measure(root: Path, corpus: Path) -> dict[str, float]:
    """One subprocess's timings of ``root``'s extraction (the items read from this checkout)."""
    data = PROJECT_ROOT / "tests" / "data"
    result = subprocess.run(
        [sys.executable, "-c", _WORKER, str(root), str(data), str(corpus)],
        capture_output=True, text=True, check=True, cwd=root,
    )  # fmt: skip
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    """Print a table of the best CPU milliseconds per article, here and (optionally) there."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--against", type=Path, help="a checkout of the code to compare with")
    parser.add_argument("--runs", type=int, default=5, help="subprocesses per checkout")
    args = parser.parse_args(argv)
    roots = {"this": PROJECT_ROOT}
    if args.against:
        roots["against"] = args.against.resolve()
    best: dict[str, dict[str, float]] = {name: {} for name in roots}
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as corpus:
        # Items like the ingest benchmarks' (bodies, datelines, outlets): bench/make_corpus.py.
        stats = write_corpus(CORPUS_DOCUMENTS, Path(corpus))
        for _ in range(args.runs):
            for name, root in roots.items():
                for case, value in measure(root, Path(corpus)).items():
                    best[name][case] = min(best[name].get(case, float("inf")), value)
    print(f"synthetic corpus: {stats.articles} articles in {CORPUS_DOCUMENTS} documents\n")
    header = "| case | this checkout |" + (" against | this / against |" if args.against else "")
    print(header)
    print("| --- " * (header.count("|") - 1) + "|")
    for case in (*CASES, "startup_s"):
        unit = "s" if case == "startup_s" else "ms per article"
        label = "start-up (import + first reading)" if case == "startup_s" else case
        row = f"| {label}, {unit} | {best['this'][case]:.3f} |"
        if args.against:
            there = best["against"][case]
            row += f" {there:.3f} | {best['this'][case] / there:.2f} |"
        print(row)
    print(f"({args.runs} runs each, best kept; {time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
