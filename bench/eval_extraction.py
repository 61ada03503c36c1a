"""Reproduce the extraction's figures: python bench/eval_extraction.py [--score FILE] [--misses].

Without arguments: grouped 5-fold cross-validation over every labelled set in tests/data
outside the frozen test split, with 95% intervals (events resampled), as in README.
``--score FILE``: the shipped model on one labelled file, e.g. the frozen test split, scored
once when the lead says so (a file the model trained on gives in-sample figures).
``--compare``: the cross-validated figures with and without actions.yaml's rules as features.
``--assignments N`` (3 unless told): each figure's mean and range over N dealings of the events
to folds, the steadier figure to compare changes by.
Needs the train extra (scikit-learn) for cross-validation.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    # Runnable from a checkout without installing the package.
    sys.path.insert(0, str(PROJECT_ROOT))

from bot.arguments import positive_int  # noqa: E402
from bot.extraction import EXTRACTOR_VERSION, decide, read  # noqa: E402
from bot.extraction import train as training  # noqa: E402
from bot.extraction._model import model  # noqa: E402
from bot.extraction.evaluation import article_from_item, load_items  # noqa: E402


def _score(path: Path, misses: bool) -> None:
    """The shipped model's figures on one file (with intervals by event)."""
    items = load_items(path)
    weights = model()
    pool, predictions = [], []
    for item in items:
        reading = read(article_from_item(item), weights.reads_action_rules)
        decision = decide(reading, weights)
        pool.append(training.Example(item, path.name, reading, reading))
        predictions.append(
            training.Prediction(
                decision.action, decision.scope, decision.places, decision.confidence,
                reading.rule_action or "",
            )
        )  # fmt: skip
    print(training.report(pool, predictions, folds=None))
    if misses:
        _print_misses(pool, predictions)


def _print_misses(pool: list, predictions: list) -> None:
    for example, prediction in zip(pool, predictions, strict=True):
        item = example.item
        labels = item["labels"]
        if training.reading_right(item, prediction.action, prediction.places) and (
            prediction.scope == labels["scope"] or not labels["is_policy"]
        ):
            continue
        place = prediction.places[0].display if prediction.places else None
        print(
            f"  {item.get('id')}: want {labels['action']}/{labels['scope']}/"
            f"{labels.get('jurisdiction')} got {prediction.action}/{prediction.scope}/{place} "
            f"({prediction.confidence:.2f}) | {item['title'][:80]}"
        )


def main(argv: list[str] | None = None) -> int:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--score", type=Path, help="score the shipped model on this file")
    parser.add_argument("--compare", action="store_true", help="with and without action rules")
    parser.add_argument("--misses", action="store_true", help="list every wrong reading")
    parser.add_argument(
        "--assignments", type=positive_int, default=3, metavar="N",
        help="also each figure's mean and range over N dealings of events to folds (1: none)",
    )  # fmt: skip
    args = parser.parse_args(argv)
    started = time.perf_counter()
    print(f"extractor {EXTRACTOR_VERSION}")
    if args.score:
        _score(args.score, args.misses)
    else:
        for rules in (True, False) if args.compare else (training.ACTION_RULES,):
            pool = training.examples(training.LABELLED_DIR, rules)
            predictions = training.cross_validate(pool)
            print(f"\nactions.yaml rules read by the model: {rules}\n")
            print(training.report(pool, predictions))
            if args.misses:
                _print_misses(list(pool), predictions)
            if args.assignments > 1:
                print()
                print(training.assignments_report(pool, args.assignments))
    print(f"\n({time.perf_counter() - started:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
