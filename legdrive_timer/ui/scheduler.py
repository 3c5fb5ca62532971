"""The engine's scheduler port on the Qt event loop.

One single-shot QTimer with `Qt.TimerType.PreciseTimer`, re-aimed at each deadline. In
PySide6, `QTimer.singleShot(ms, callable)` makes a coarse timer that can fire tens of
milliseconds early, so a QTimer instance is used instead.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer

from legdrive_timer.core.clock import Clock, monotonic_ms


class QtScheduler(QObject):
    def __init__(self, clock: Clock = monotonic_ms, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._clock = clock
        self._callback: Callable[[], None] | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._fire)

    def call_at(self, deadline_ms: int, callback: Callable[[], None]) -> None:
        self._callback = callback
        self._timer.start(max(0, deadline_ms - self._clock()))

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

    def _fire(self) -> None:
        callback, self._callback = self._callback, None
        if callback is not None:
            callback()
