"""``python -m bench._ingest_unread ARGS``: ``banwatch ARGS`` with the extractor switched off.

For bench.scale: every article is stored with the fallback reading (not policy news), in this
process (no workers, which would import the real extractor), so an ingest's time is what the
store path costs, to set beside the floor.
"""

from __future__ import annotations

import sys

import bot.ingest
from bot.console.cli import main


def _unread(article: object) -> object:
    return bot.ingest.UNREAD


if __name__ == "__main__":
    bot.ingest.read_article = _unread  # type: ignore[assignment]
    bot.ingest.POOL_MIN_FILES = None
    sys.exit(main())
