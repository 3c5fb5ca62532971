"""Time for the engine: a clock callable and a one-shot scheduler port.

Times are integer milliseconds on a monotonic clock. The real scheduler is the Qt
adapter in `legdrive_timer.ui.scheduler`; the tests' fake clock and scheduler
(`tests/helpers/fakes.py`) move time by hand, so that a whole session runs in milliseconds.
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
