"""How soon a person sees it: the Start key to the first phase on screen, and each phase's
deadline to the new phase on screen.

Runs the whole app in this process (the composition root with the real Qt timer, the real
clock, a real history in a temporary folder, sound off) and, in the same process and event
loop, a bare baseline: one label that a key press, or a single-shot PreciseTimer aimed at
the same deadlines, sets. A time is taken when the label with the figure is painted: what
the screen shows next. Prints median, p99 and max for each, and the ratio app / bare.

    python bench/session_latency.py                      # 15 starts, 30 phase changes
    python bench/session_latency.py --starts 25 --phases 60 --load
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from legdrive_timer.core.builtins import builtin_workout
from legdrive_timer.core.clock import monotonic_ms
from legdrive_timer.core.events import Event, PhaseStarted
from legdrive_timer.core.overrides import Overrides, apply_overrides
from legdrive_timer.storage.paths import DataPaths
from legdrive_timer.ui.app import AppController


class PaintProbe(QObject):
    """Notes the time of the first paint of `widget` after `arm()`."""

    def __init__(self, widget: QWidget, clock: Callable[[], float] | None = None) -> None:
        super().__init__()
        self._clock = clock or (lambda: time.monotonic() * 1000)
        self.painted_at: float | None = None
        self._armed = False
        widget.installEventFilter(self)

    def arm(self) -> None:
        self.painted_at = None
        self._armed = True

    def seen(self) -> bool:
        return self.painted_at is not None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self._armed and event.type() == QEvent.Type.Paint:
            self._armed = False
            self.painted_at = self._clock()
        return False


def wait_for(app: QApplication, done: Callable[[], bool], timeout_s: float = 5.0) -> None:
    end = time.monotonic() + timeout_s
    while not done():
        if time.monotonic() > end:
            raise RuntimeError("timed out waiting for a paint")
        app.processEvents()


def press(widget: QWidget, key: Qt.Key) -> None:
    event = QKeyEvent(QEvent.Type.KeyPress, key, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(widget, event)


def summary(values: list[float]) -> tuple[float, float, float]:
    ordered = sorted(values)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return statistics.median(ordered), p99, ordered[-1]


# -- the app ---------------------------------------------------------------------------


def app_starts(
    app: QApplication, controller: AppController, runs: int
) -> tuple[float, list[float]]:
    """(the first Start of the process, later Starts) in ms from key to first phase painted."""
    window = controller.window
    start = window.start_screen
    times: list[float] = []
    cold = 0.0
    for run in range(runs + 1):
        window.show_screen(start)
        app.processEvents()
        built = window.has_session_view
        probe = PaintProbe(window.session_view.digits) if built else None
        if probe is not None:
            probe.arm()
        t0 = time.monotonic() * 1000
        press(start.list, Qt.Key.Key_Return)
        if probe is None:  # the key press built the view: wait for its first paint
            probe = PaintProbe(window.session_view.digits)
            probe.arm()
        wait_for(app, probe.seen)
        assert probe.painted_at is not None
        elapsed = probe.painted_at - t0
        if run == 0:
            cold = elapsed
        else:
            times.append(elapsed)
        engine = controller.engine
        assert engine is not None
        engine.stop()
        app.processEvents()
        controller.back_to_start()
        probe.deleteLater()
    return cold, times


def app_phase_changes(app: QApplication, controller: AppController, phases: int) -> list[float]:
    """Ms from each phase's deadline to its digits painted."""
    scheduler = controller.session.scheduler
    armed: list[int] = []
    original = scheduler.call_at

    def call_at(deadline_ms: int, callback: Callable[[], None]) -> None:
        armed.append(deadline_ms)
        original(deadline_ms, callback)

    scheduler.call_at = call_at  # type: ignore[method-assign]
    hiit = builtin_workout("hiit")
    assert hiit is not None
    rounds = max(2, phases // 2 + 1)
    workout = apply_overrides(hiit, Overrides(work_s=1, rest_s=1, rounds=rounds, prep_s=1))
    latencies: list[float] = []
    view = controller.window.session_view
    clock = controller.session.clock  # the engine's clock: deadlines are on it
    probe = PaintProbe(view.digits, clock=lambda: float(clock()))
    pending: list[int] = []

    def on_event(event: Event) -> None:
        if isinstance(event, PhaseStarted) and event.phase.index > 0:
            now = clock()
            fired = max(d for d in armed if d <= now)
            pending.append(fired)
            probe.arm()

    engine = controller.start(workout)
    engine.subscribe(on_event)
    while len(latencies) < phases and controller.engine is engine and engine.is_active:
        app.processEvents()
        if pending and probe.painted_at is not None:
            latencies.append(probe.painted_at - pending.pop())
            probe.painted_at = None
    if engine.is_active:
        engine.stop()
    scheduler.call_at = original  # type: ignore[method-assign]
    return latencies


# -- the bare baseline -------------------------------------------------------------------


class BareCountdown(QLabel):
    """A label that shows a countdown: what the app is measured against."""

    def __init__(self) -> None:
        super().__init__("Press Enter")
        self.resize(1024, 640)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        self.setText("10")


def bare_starts(app: QApplication, runs: int) -> list[float]:
    label = BareCountdown()
    label.show()
    app.processEvents()
    probe = PaintProbe(label)
    times = []
    for _ in range(runs):
        label.setText("Press Enter")
        app.processEvents()
        probe.arm()
        t0 = time.monotonic() * 1000
        press(label, Qt.Key.Key_Return)
        wait_for(app, lambda: probe.painted_at is not None)
        assert probe.painted_at is not None
        times.append(probe.painted_at - t0)
    label.close()
    return times


def bare_phase_changes(app: QApplication, phases: int) -> list[float]:
    label = BareCountdown()
    label.show()
    app.processEvents()
    probe = PaintProbe(label)
    latencies: list[float] = []
    state = {"deadline": 0, "n": 0}

    def fire() -> None:
        state["n"] += 1
        label.setText(str(state["n"]))
        probe.arm()
        state["deadline"] += 1000
        label.timer.start(max(0, state["deadline"] - monotonic_ms()))

    label.timer.timeout.connect(fire)
    state["deadline"] = monotonic_ms() + 1000
    label.timer.start(1000)
    fired_at = state["deadline"]
    while len(latencies) < phases:
        app.processEvents()
        if probe.painted_at is not None:
            latencies.append(probe.painted_at - fired_at)
            probe.painted_at = None
            fired_at = state["deadline"]
    label.timer.stop()
    label.close()
    return latencies


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=15)
    parser.add_argument("--phases", type=int, default=30)
    parser.add_argument("--load", action="store_true", help="one busy process per core")
    args = parser.parse_args()
    busy: list[subprocess.Popen[bytes]] = []
    if args.load:
        for _ in range(os.cpu_count() or 1):
            busy.append(subprocess.Popen([sys.executable, "-c", "while True: pass"]))
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    try:
        with tempfile.TemporaryDirectory() as folder:
            controller = AppController(DataPaths.resolve(Path(folder)), audio="off")
            controller.window.show()
            app.processEvents()
            cold, starts = app_starts(app, controller, args.starts)
            bare_start = bare_starts(app, args.starts)
            phases = app_phase_changes(app, controller, args.phases)
            bare_phase = bare_phase_changes(app, args.phases)
            controller.shutdown()
            controller.window.close()
    finally:
        for process in busy:
            process.kill()
            process.wait()

    def line(name: str, values: list[float], base: list[float]) -> None:
        median, p99, top = summary(values)
        b_median, b_p99, _ = summary(base)
        print(
            f"{name:<28} median {median:6.1f} ms  p99 {p99:6.1f} ms  max {top:6.1f} ms"
            f"   bare median {b_median:5.1f} p99 {b_p99:5.1f}"
            f"   ratio {median / max(b_median, 0.1):4.1f}x"
        )

    load = "under load" if args.load else "idle"
    print(f"{sys.platform}, {os.environ['QT_QPA_PLATFORM']}, {load}")
    print(f"first Start of the process (session screen built by it, as in the app): {cold:.1f} ms")
    line(f"Start -> first phase ({len(starts)})", starts, bare_start)
    line(f"deadline -> new phase ({len(phases)})", phases, bare_phase)
    return 0


if __name__ == "__main__":
    sys.exit(main())
