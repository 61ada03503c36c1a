"""Smoke test of bench/scale.py's pure helpers (no timings, no subprocesses)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml

from bench.scale import floor_articles, md_table, percentile, search_queries, typo
from bot.corpus import parse_document

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def test_percentile_is_nearest_rank() -> None:
    values = [float(n) for n in range(1, 101)]
    assert percentile(values, 50) == 50
    assert percentile(values, 99) == 99
    assert percentile(values, 100) == 100
    assert percentile([3.0], 99) == 3.0
    assert percentile([], 50) != percentile([], 50)  # NaN


def test_floor_reads_as_many_articles_as_the_ingest_parser() -> None:
    for path in sorted(SEEDS.iterdir()):
        data = path.read_bytes()
        rows = floor_articles(data)
        assert len(rows) == len(parse_document(data, path=str(path)).articles), path.name
        assert all(row[0] for row in rows), "every article has a title"


@pytest.mark.parametrize(
    "bad", [b"\x00\x01binary", b"---\ntitle: [unclosed\n---\n", b"---\ntitle: x\n", b"caf\xe9"]
)
def test_floor_refuses_bad_files(bad: bytes) -> None:
    with pytest.raises((ValueError, yaml.YAMLError)):
        floor_articles(bad)


def test_query_helpers() -> None:
    assert typo(random.Random(1), "Chicago") != "Chicago"
    assert sorted(typo(random.Random(1), "Chicago")) == sorted("Chicago")
    queries = search_queries(random.Random(7), ["facial recognition", "clearview"], 50)
    assert len(queries) == 50 and all(queries)
    assert md_table(["a", "b"], [[1, 2]]).splitlines()[2] == "| 1 | 2 |"


async def test_time_calls_counts_after_the_warm_up_and_reports_io_stalls() -> None:
    from bench.scale import WARMUP, io_stalled_us, time_calls
    from bot.service import BanwatchError

    async def answer() -> None:
        return None

    async def refuse() -> None:
        raise BanwatchError("no such place")

    calls = [("q", answer)] * WARMUP + [("q", answer), ("bad", refuse)]
    result = await time_calls("status", calls, budget=60)
    assert len(result.seconds) == 2 and result.refused == 1 and not result.errors
    if io_stalled_us() is None:  # no PSI on this kernel
        assert result.io_stalled is None
    else:
        assert result.io_stalled is not None and result.io_stalled >= 0
