"""How fast the extraction reads typical and hostile articles: python bench/extraction_speed.py.

Medians of several runs, with the gazetteer already loaded (it loads once per process). The
tests only check that these inputs are read correctly; speed lives here, in BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    # Runnable from a checkout without installing the package.
    sys.path.insert(0, str(PROJECT_ROOT))

from bot.extraction import extract  # noqa: E402
from bot.extraction.evaluation import article_from_item, load_items  # noqa: E402
from bot.models import Article  # noqa: E402
from bot.places import gazetteer  # noqa: E402
from tests.core.test_extraction_holdout import HUGE_BODIES, huge_body  # noqa: E402

DATA_DIR = PROJECT_ROOT / "tests" / "data"


def median_ms(function: object, runs: int) -> float:
    """Median wall time of ``function()`` in milliseconds."""
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        function()  # type: ignore[operator]
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def main(argv: list[str] | None = None) -> int:
    """Print a table of median milliseconds per article."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5, help="runs per case (median reported)")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    gazetteer()
    print(f"gazetteer load (once per process): {time.perf_counter() - started:.2f} s")
    print("| case | median ms per article |")
    print("| --- | --- |")
    for name in ("dev.yaml", "holdout.yaml", "blind2.yaml"):
        articles = [article_from_item(item) for item in load_items(DATA_DIR / name)]
        total = median_ms(lambda articles=articles: [extract(a) for a in articles], args.runs)
        print(f"| {name} ({len(articles)} real items) | {total / len(articles):.2f} |")
    for name in sorted(HUGE_BODIES):
        article = Article(id="big", title="Council bans facial recognition", body=huge_body(name))
        print(f"| 1 MB body: {name} | {median_ms(lambda a=article: extract(a), args.runs):.1f} |")
    title = "Gov. Springfield Mass. facial recognition ban " * 25_000
    long_title = Article(id="big", title=title, excerpt=title)
    print(f"| 1 MB title and excerpt | {median_ms(lambda: extract(long_title), args.runs):.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
