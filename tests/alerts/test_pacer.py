"""The alerts pacer on a fake clock: a steady rate, no bursts after a stall, holds after a 429.

The clock is simulated, so the schedule is checked exactly and machine load can't make the
tests flaky; real throughput is measured by ``bench/alerts_fanout.py``.
"""

from __future__ import annotations

import itertools

from bot.alerts.sender import DEFAULT_RATE, Pacer
from bot.settings import Settings


class FakeClock:
    """Time that moves only when the pacer sleeps or the test says so."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds


def pacer_on(clock: FakeClock, rate: float, burst: int = 1) -> Pacer:
    return Pacer(rate=rate, burst=burst, clock=clock, sleep=clock.sleep)


async def test_requests_are_released_at_the_steady_rate() -> None:
    clock = FakeClock()
    pacer = pacer_on(clock, rate=50.0)
    released = []
    for _ in range(100):
        await pacer.wait()
        released.append(clock.now)
    gaps = [b - a for a, b in itertools.pairwise(released)]
    assert all(abs(gap - 0.02) < 1e-9 for gap in gaps)
    assert abs(released[-1] - released[0] - 99 * 0.02) < 1e-9


async def test_a_stall_is_not_made_up_by_a_burst() -> None:
    clock = FakeClock()
    pacer = pacer_on(clock, rate=48.0)
    for _ in range(10):
        await pacer.wait()
    clock.now += 5.0  # the event loop stalled for five seconds
    released = []
    for _ in range(48):
        await pacer.wait()
        released.append(clock.now)
    # After the stall requests resume at the steady rate: any one-second window holds at most
    # rate + burst of them, never the backlog at once.
    for index, start in enumerate(released):
        assert sum(1 for moment in released[index:] if moment - start < 1.0) <= 48 + 1
    assert released[1] - released[0] >= 1 / 48 - 1e-9


async def test_late_wake_ups_do_not_lower_the_rate() -> None:
    clock = FakeClock()
    pacer = pacer_on(clock, rate=100.0)
    await pacer.wait()
    start = clock.now
    for _ in range(99):
        clock.now += 0.004  # each wake-up is a little late
        await pacer.wait()
    assert clock.now - start <= 99 * 0.01 + 0.004 + 1e-9


async def test_burst_lets_that_many_out_at_once_after_a_pause() -> None:
    clock = FakeClock()
    pacer = pacer_on(clock, rate=10.0, burst=3)
    clock.now += 60
    moments = []
    for _ in range(5):
        await pacer.wait()
        moments.append(clock.now)
    assert moments[:3] == [moments[0]] * 3
    assert moments[3] > moments[2]


async def test_hold_pushes_later_requests_back() -> None:
    clock = FakeClock()
    pacer = pacer_on(clock, rate=1000.0)
    await pacer.wait()
    pacer.hold(0.5)
    before = clock.now
    await pacer.wait()
    assert clock.now - before >= 0.5 - 1e-9


def test_default_rate_is_just_under_discords_global_limit() -> None:
    assert DEFAULT_RATE == 48 and Settings.__dataclass_fields__["alerts_rate"].default == 48
