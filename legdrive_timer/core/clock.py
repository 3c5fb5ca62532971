"""Time for the engine: a clock callable and a one-shot scheduler port.

Times are integer milliseconds on a monotonic clock. The real scheduler is the Qt
adapter in `legdrive_timer.ui.scheduler`; the tests' fake clock and scheduler
(`tests/helpers/fakes.py`) move time by hand, so that a whole session runs in milliseconds.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Protocol

Clock = Callable[[], int]
"""Returns monotonic time in milliseconds."""


@dataclass(frozen=True)
class SystemClock:
    """Whole milliseconds of a system clock. `ns` reads the same clock in nanoseconds, so
    that a scheduler can aim at a deadline more finely than its millisecond."""

    ns: Callable[[], int]

    def __call__(self) -> int:
        return self.ns() // 1_000_000


monotonic_ms = SystemClock(time.monotonic_ns)


def _suspend_aware_ns() -> Callable[[], int]:
    if sys.platform.startswith("linux"):
        return partial(time.clock_gettime_ns, time.CLOCK_BOOTTIME)
    if sys.platform == "darwin":  # CLOCK_MONOTONIC goes on while a Mac sleeps; monotonic() not
        return partial(time.clock_gettime_ns, time.CLOCK_MONOTONIC)
    return time.monotonic_ns


suspend_aware_ms = SystemClock(_suspend_aware_ns())
"""A monotonic clock that also counts the time the machine slept (Linux, macOS), so that a
session engine on it sees a suspend as a late wake-up and pauses, saying for how long."""


class Scheduler(Protocol):
    """Calls back once at a deadline; arming it again replaces the pending call."""

    def call_at(self, deadline_ms: int, callback: Callable[[], None]) -> None: ...

    def cancel(self) -> None: ...
