"""Shipped YAML data files and the one way to load them (safe, validated, cached)."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path
from typing import Any

import yaml

DATA_DIR = Path(__file__).parent


class DataFileError(ValueError):
    """A shipped data file is missing, unreadable or malformed."""


@functools.cache
def load_yaml(name: str) -> dict[str, Any]:
    """Return the top-level mapping of ``bot/data/<name>``, or raise :class:`DataFileError`."""
    path = DATA_DIR / name
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DataFileError(f"{path}: cannot load: {exc}") from exc
    if not isinstance(data, dict):
        raise DataFileError(f"{path}: expected a mapping at the top level")
    return data


def data_files() -> list[Path]:
    """Every shipped YAML data file, sorted by name."""
    return sorted(DATA_DIR.glob("*.yaml"))


def file_digest(paths: list[Path]) -> str:
    """A short hash of the files' names and bytes, so versions change when they do."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
