"""``python -m bot`` and the ``banwatch`` console script."""

from __future__ import annotations

import sys

from bot.console.cli import main

if __name__ == "__main__":
    sys.exit(main())
