"""Print how well the extraction does on a labelled set: python bench/eval_extraction.py [FILE]."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    # Runnable from a checkout without installing the package.
    sys.path.insert(0, str(PROJECT_ROOT))

from bot.extraction import EXTRACTOR_VERSION  # noqa: E402
from bot.extraction.evaluation import evaluate, load_items  # noqa: E402

DEFAULT_SET = PROJECT_ROOT / "tests" / "data" / "dev.yaml"


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation and print the table (and, with --misses, each miss)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "path",
        nargs="?",
        type=Path,
        default=DEFAULT_SET,
        help="a YAML file shaped like tests/data/dev.yaml",
    )
    parser.add_argument("--misses", action="store_true", help="list every wrong answer")
    args = parser.parse_args(argv)
    items = load_items(args.path)
    started = time.perf_counter()
    report = evaluate(items)
    elapsed = time.perf_counter() - started
    print(f"{args.path.name}: {report.total} items, extractor {EXTRACTOR_VERSION}, {elapsed:.2f}s")
    print(report.table())
    if args.misses:
        for item_id, metric, expected, got in report.misses:
            print(f"  {item_id:<8} {metric:<10} expected {expected}  got {got}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
