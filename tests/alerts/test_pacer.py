"""The alerts pacer: a steady rate, no bursts after a stall, holds after a 429."""

from __future__ import annotations

import asyncio
import time

from bot.alerts.sender import DEFAULT_RATE, Pacer
from bot.config import Settings


async def test_steady_rate_and_no_window_over_rate_plus_burst() -> None:
    pacer = Pacer(rate=200.0, burst=1)
    released = []
    for _ in range(60):
        await pacer.wait()
        released.append(time.perf_counter())
        if len(released) == 20:
            time.sleep(0.05)  # a stalled event loop must not let a backlog out at once
    after_stall = released[20:]
    assert 39 / (after_stall[-1] - after_stall[0]) > 185  # late wake-ups don't lower the rate
    assert released[21] - released[20] > 0.003  # the stall is not made up by a burst
    for i, start in enumerate(released):
        in_window = sum(1 for t in released[i:] if t - start < 0.1)
        assert in_window <= 200 * 0.1 + 1 + 1


async def test_hold_pushes_later_requests_back() -> None:
    pacer = Pacer(rate=1000.0)
    await pacer.wait()
    pacer.hold(0.1)
    started = asyncio.get_running_loop().time()
    await pacer.wait()
    assert asyncio.get_running_loop().time() - started >= 0.09


def test_default_rate_is_just_under_discords_global_limit() -> None:
    assert DEFAULT_RATE == 48 and Settings.__dataclass_fields__["alerts_rate"].default == 48
