"""The environment for a ``python -m bot`` subprocess, shared by the tests and the benches."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def subprocess_env(**settings: str) -> dict[str, str]:
    """The environment for a ``python -m bot`` subprocess: none of the developer's own
    banwatch or Discord settings, the checkout importable, plus ``settings``."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("BANWATCH_", "DISCORD_", "DEV_GUILD"))
    }
    env["PYTHONPATH"] = str(PROJECT_ROOT)
    # The bundled corpus (~550 items, ~12 s to ingest on a 2-core machine) only where a test
    # asks for it: each subprocess starts on a fresh database.
    env["BANWATCH_BUNDLED_CORPUS"] = "off"
    env.update(settings)
    return env
