"""How long a map of 1,000 places takes to draw: python -m bench.map_render [--runs N].

Places: 940 US cities picked at random (seeded) from the gazetteer, 40 US states and 20
countries, every status, a fifth of them unconfirmed. Reports the first map in a fresh process
(imports matplotlib and loads the boundaries) and the median of later ones (the running bot
draws every map after its first this way), for the US and the world. Target: 2 s.
"""

from __future__ import annotations

import argparse
import gzip
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
if str(PROJECT_ROOT) not in sys.path:
    sys.path.insert(0, str(PROJECT_ROOT))

from bot.map import STATUS_STYLES, MapPlace, layout  # noqa: E402
from bot.map._points import CITY_POINTS  # noqa: E402

TARGET_SECONDS = 2.0


def places(seed: int = 1) -> list[MapPlace]:
    """1,000 places to draw."""
    rng = random.Random(seed)
    with gzip.open(CITY_POINTS, "rt", encoding="utf-8") as handle:
        rows = [line.split("\t") for line in handle if not line.startswith("#")]
    us = [row for row in rows if row[1] == "US"]
    statuses = list(STATUS_STYLES)
    chosen: list[MapPlace] = []
    for name, _, state, *_ in rng.sample(us, 940):
        title = name.title()
        chosen.append(
            MapPlace(
                f"city:US:{state}:{title}",
                f"{title}, {state}",
                "city",
                "US",
                state,
                rng.choice(statuses),
                "police",
                None,
                rng.random() < 0.2,
            )
        )
    states = [
        "AL",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "FL",
        "GA",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
    ]
    for code in states:
        chosen.append(
            MapPlace(
                f"state:US:{code}",
                code,
                "state",
                "US",
                code,
                rng.choice(statuses),
                "police",
                None,
                rng.random() < 0.2,
            )
        )
    for code in [
        "FR",
        "DE",
        "IT",
        "ES",
        "GB",
        "IE",
        "NL",
        "BE",
        "PL",
        "SE",
        "NO",
        "BR",
        "AR",
        "IN",
        "AU",
        "CA",
        "MX",
        "ZA",
        "JP",
        "KR",
    ]:
        chosen.append(
            MapPlace(
                f"national:{code}:", code, "national", code, None, rng.choice(statuses), "all", None
            )
        )
    return chosen


def draw(region: str, chosen: list[MapPlace]) -> float:
    from bot.map.png import render_png

    started = time.perf_counter()
    render_png(layout(chosen, region))
    return time.perf_counter() - started


def first_map_seconds(region: str) -> float:
    """A fresh process's first map, imports included."""
    code = (
        "import time; t = time.perf_counter();"
        "from bench.map_render import draw, places; p = places();"
        f"draw({region!r}, p); print(time.perf_counter() - t)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    )
    return float(out.stdout.strip())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    chosen = places()
    print(f"{len(chosen)} places; target {TARGET_SECONDS:.1f} s a map")
    for region in ("us", "world"):
        first = first_map_seconds(region)
        draw(region, chosen)  # warm: boundaries loaded and projected, matplotlib imported
        later = [draw(region, chosen) for _ in range(args.runs)]
        print(
            f"{region:6} first map in a new process {first:.2f} s; later maps median "
            f"{statistics.median(later):.2f} s (min {min(later):.2f}, max {max(later):.2f})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
