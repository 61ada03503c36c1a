"""The labelled sets in tests/data: well formed, and no item in two of them.

How well the extraction reads them is measured out of sample, by grouped cross-validation
(tests/core/test_extraction_model.py; figures in README). The model trains on these sets, so a
floor measured on them with the shipped model would be in-sample and is not kept. The frozen
test split (any path naming ``test_split``) is never opened here.
"""

from __future__ import annotations

import itertools
from functools import cache
from typing import Any

import pytest

from bot.extraction.evaluation import load_items
from bot.extraction.train import labelled_files
from bot.taxonomy import ACTIONS, LEVELS, SCOPES
from tests.conftest import DATA_DIR

LABELLED_SETS = {str(path.relative_to(DATA_DIR)): path for path in labelled_files(DATA_DIR)}


def test_the_old_sets_are_all_there() -> None:
    assert {"dev.yaml", "holdout.yaml", "blind2.yaml", "blind3.yaml", "blind4.yaml"} <= set(
        LABELLED_SETS
    )


@cache
def _items(name: str) -> list[dict[str, Any]]:
    """A set's items, read once per test session (the pool takes ~1 s of YAML): the tests
    only read them."""
    return load_items(LABELLED_SETS[name])


@pytest.mark.parametrize("name", sorted(LABELLED_SETS))
def test_labels_use_taxonomy_names(name: str) -> None:
    """Every label is a taxonomy name, and is_policy agrees with the action."""
    for item in _items(name):
        labels = item["labels"]
        assert labels["action"] in ACTIONS, item["id"]
        assert labels["scope"] in SCOPES, item["id"]
        assert labels.get("level") in (*LEVELS, None), item["id"]
        assert labels["is_policy"] == (labels["action"] != "none"), item["id"]
        assert set(item.get("acceptable_actions") or []) <= set(ACTIONS), item["id"]


@cache
def _urls(name: str) -> set[str]:
    """A set's URLs (read once per test session: each set is in several pairs)."""
    return {str(item["url"]) for item in _items(name) if item.get("url")}


@pytest.mark.parametrize("name", sorted(LABELLED_SETS))
def test_no_item_is_listed_twice(name: str) -> None:
    """One URL, one item. A headline may repeat (a wire story in two outlets): such items
    share a cross-validation group."""
    urls = [str(item["url"]) for item in _items(name) if item.get("url")]
    assert len(urls) == len(set(urls))


@pytest.mark.parametrize(
    ("first", "second"), list(itertools.combinations(sorted(LABELLED_SETS), 2))
)
def test_sets_share_no_item(first: str, second: str) -> None:
    """No URL appears in two sets; a headline both hold is one story (one CV group)."""
    assert not _urls(first) & _urls(second)
