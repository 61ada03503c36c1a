"""Every reading of every labelled item, one JSON line each: to check that a change meant only
to make the extraction faster reads everything as before.

    PYTHONHASHSEED=0 python bench/extraction_readings.py > before.jsonl
    (change the code)
    PYTHONHASHSEED=0 python bench/extraction_readings.py > after.jsonl
    diff before.jsonl after.jsonl

Each line gives the item's file and id, its reading (action, scope, places, confidence, event
date) and the action model's unrounded probabilities. The probabilities sum features in an
order that follows string hashing, so their last digits differ between processes unless
PYTHONHASHSEED is fixed; the readings do not.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    # Runnable from a checkout without installing the package.
    sys.path.insert(0, str(PROJECT_ROOT))

from bot.extraction import decide, extract, read  # noqa: E402
from bot.extraction._model import model  # noqa: E402
from bot.extraction.evaluation import article_from_item, load_items  # noqa: E402


def main() -> int:
    """Print the readings of every item under tests/data (recursively)."""
    data = PROJECT_ROOT / "tests" / "data"
    for path in sorted(data.rglob("*.yaml")):
        for item in load_items(path):
            article = article_from_item(item)
            reading = extract(article)
            decision = decide(read(article, model().reads_action_rules))
            line = {
                "file": str(path.relative_to(PROJECT_ROOT)),
                "id": item.get("id"),
                "action": reading.action,
                "scope": reading.scope,
                "places": [repr(place) for place in reading.places],
                "confidence": reading.confidence,
                "event_date": str(reading.event_date),
                "probabilities": {k: repr(v) for k, v in decision.action_probabilities.items()},
            }
            print(json.dumps(line, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
