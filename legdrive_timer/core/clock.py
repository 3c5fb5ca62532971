"""Time for the engine: a clock callable and a one-shot scheduler port.

Times are integer milliseconds on a monotonic clock. The real scheduler is the Qt
adapter in `legdrive_timer.ui.scheduler`; `FakeClock` and `FakeScheduler` move time by
hand so that a whole session runs in milliseconds in tests and benchmarks.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Protocol

Clock = Callable[[], int]
"""Returns monotonic time in milliseconds."""


def monotonic_ms() -> int:
    return time.monotonic_ns() // 1_000_000


def _suspend_aware_clock() -> Callable[[], int]:
    if sys.platform.startswith("linux"):
        boottime = time.CLOCK_BOOTTIME
        return lambda: time.clock_gettime_ns(boottime) // 1_000_000
    if sys.platform == "darwin":  # CLOCK_MONOTONIC goes on while a Mac sleeps; monotonic() not
        monotonic = time.CLOCK_MONOTONIC
        return lambda: time.clock_gettime_ns(monotonic) // 1_000_000
    return monotonic_ms


suspend_aware_ms: Callable[[], int] = _suspend_aware_clock()
"""A monotonic clock that also counts the time the machine slept (Linux, macOS), so that a
session engine on it sees a suspend as a late wake-up and pauses, saying for how long."""


class Scheduler(Protocol):
    """Calls back once at a deadline; arming it again replaces the pending call."""

    def call_at(self, deadline_ms: int, callback: Callable[[], None]) -> None: ...

    def cancel(self) -> None: ...


class FakeClock:
    def __init__(self, start_ms: int = 1_000_000) -> None:
        self.now_ms = start_ms

    def __call__(self) -> int:
        return self.now_ms


class FakeScheduler:
    """A scheduler driven by hand; `advance` fires every callback that falls due, in order.

    `lateness_ms` makes each callback run that much after its deadline, to model a busy
    machine or a laptop waking from suspend.
    """

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.pending: tuple[int, Callable[[], None]] | None = None
        self.lateness_ms = 0
        self.fired = 0

    def call_at(self, deadline_ms: int, callback: Callable[[], None]) -> None:
        self.pending = (deadline_ms, callback)

    def cancel(self) -> None:
        self.pending = None

    @property
    def next_deadline(self) -> int | None:
        return None if self.pending is None else self.pending[0]

    def advance(self, ms: int) -> None:
        """Let `ms` milliseconds pass, firing callbacks as they fall due."""
        end = self.clock.now_ms + ms
        while self.pending is not None:
            deadline, callback = self.pending
            fire_at = max(deadline, self.clock.now_ms) + self.lateness_ms
            if fire_at > end:
                break
            self.pending = None
            self.clock.now_ms = fire_at
            self.fired += 1
            callback()
        self.clock.now_ms = max(self.clock.now_ms, end)

    def run_until_idle(self, limit: int = 1_000_000) -> None:
        """Fire callbacks until nothing is pending (the session ended or paused)."""
        for _ in range(limit):
            if self.pending is None:
                return
            deadline, callback = self.pending
            self.pending = None
            self.clock.now_ms = max(deadline, self.clock.now_ms) + self.lateness_ms
            self.fired += 1
            callback()
        raise RuntimeError("the scheduler was still busy after the call limit")
