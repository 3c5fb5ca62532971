"""The engine's scheduler port on the Qt event loop.

One single-shot QTimer with `Qt.TimerType.PreciseTimer`, re-aimed at each deadline. In
PySide6, `QTimer.singleShot(ms, callable)` makes a coarse timer that can fire tens of
milliseconds early, so a QTimer instance is used instead.

A QTimer alone wakes 0-2 ms after the deadline it is aimed at, about 1 ms on average: it
counts whole milliseconds from a clock reading that is already part of a millisecond old,
and Qt's glib event loop rounds every wait up to the next whole millisecond. On a clock it
can read in nanoseconds (`SystemClock`), the scheduler aims the timer `FINISH_MS` early
and sleeps out what is left, so the callback runs within a few tens of microseconds of the
deadline and never before it.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

from legdrive_timer.core.clock import Clock, SystemClock, monotonic_ms
from legdrive_timer.ui.qt_values import set_enum_property

FINISH_MS = 2
"""How early the timer is aimed when the clock reads nanoseconds: the 0-2 ms a QTimer adds,
so that it fires before the deadline and the rest is a short sleep (about 1 ms a wake)."""


class QtScheduler(QObject):
    def __init__(
        self,
        clock: Clock = monotonic_ms,
        parent: QObject | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self._clock_ns = clock.ns if isinstance(clock, SystemClock) else None
        self._sleep = sleep
        self._callback: Callable[[], None] | None = None
        self._deadline_ms = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        set_enum_property(self._timer, "timerType", "PreciseTimer")  # see ui.qt_values
        self._timer.timeout.connect(self._timed_out)

    def call_at(self, deadline_ms: int, callback: Callable[[], None]) -> None:
        self._callback = callback
        self._deadline_ms = deadline_ms
        self._aim()

    def cancel(self) -> None:
        self._timer.stop()
        self._callback = None

    def wake(self) -> None:
        """Run the pending callback now: after the machine slept, its deadline may be long
        past although the timer, which counts awake time only, has not fired."""
        if self._timer.isActive():
            self._timer.stop()
            self._fire()

    @property
    def is_armed(self) -> bool:
        return self._timer.isActive()

    def _aim(self) -> None:
        early = 0 if self._clock_ns is None else FINISH_MS
        self._timer.start(max(0, self._deadline_ms - self._clock() - early))

    def _timed_out(self) -> None:
        if self._clock_ns is not None:
            due_ns = self._deadline_ms * 1_000_000
            left_ns = due_ns - self._clock_ns()
            if left_ns > (FINISH_MS + 1) * 1_000_000:
                self._aim()  # no timer fires this early; if one does, aim again, never block
                return
            while left_ns > 0:
                self._sleep(left_ns / 1e9)
                left_ns = due_ns - self._clock_ns()
        self._fire()

    def _fire(self) -> None:
        callback, self._callback = self._callback, None
        if callback is not None:
            callback()
