"""Timing accuracy of a real session on the real Qt event loop.

Runs an interval session in real time through the SessionEngine and the QtScheduler and, in
the same event loop at the same time:
- the floor: a bare single-shot `PreciseTimer` aimed at the same deadlines (the same
  schedule, offset by half a second so that the two never wake at the same instant), doing
  nothing but note the time; no timer on this loop can do better;
- a naive timer that counts 1000 ms QTimer ticks, as a widget-owned countdown does.
For every phase boundary and every countdown second it prints the error against the ideal
schedule (median, p99, max) and the drift at the end, the ratio engine / floor, and where the
engine's time goes on each wake: how late the QTimer fired, and how long from the timer
firing to the listeners hearing of the new phase.

    python bench/timing.py                    # 2 minutes, idle machine
    python bench/timing.py --seconds 120 --load   # one busy process per core
    python bench/timing.py --profile-wakes    # the engine's Python per wake, on a fake clock
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication

from legdrive_timer.core.clock import monotonic_ms
from legdrive_timer.core.engine import SessionEngine
from legdrive_timer.core.events import Countdown, Event, PhaseStarted, SessionEnded
from legdrive_timer.core.timeline import Timeline, compile_workout
from legdrive_timer.core.workout import IntervalBlock, Workout
from legdrive_timer.ui.scheduler import QtScheduler

WORK_S = 7
REST_S = 3
PREP_S = 5
BARE_OFFSET_MS = 500
"""The floor's schedule runs this much after the engine's: every wake of either is on a
whole second of its own schedule, so they never compete for the same instant."""


def bench_timeline(seconds: int) -> Timeline:
    rounds = max(1, (seconds - PREP_S) // (WORK_S + REST_S))
    workout = Workout(
        id="bench",
        name="Timing benchmark",
        prep_s=PREP_S,
        blocks=(
            IntervalBlock(
                "bench", "Bench", work_s=WORK_S, rest_s=REST_S, rounds=rounds, skip_last_rest=False
            ),
        ),
    )
    return compile_workout(workout)


def ideal_schedule(timeline: Timeline) -> list[tuple[str, float]]:
    """(label, milliseconds after the start) for every boundary and countdown second."""
    marks: list[tuple[str, float]] = []
    start = 0.0
    for phase in timeline.phases:
        marks.append((f"start {phase.index}", start))
        for n in (3, 2, 1):
            if n * 1000 < phase.planned_ms:
                marks.append((f"count {phase.index}.{n}", start + phase.planned_ms - n * 1000))
        start += phase.planned_ms
    marks.append(("end", start))
    return marks


@dataclass
class Recorder:
    t0_ns: int = 0
    seen: dict[str, float] = field(default_factory=dict)

    def mark(self, label: str) -> None:
        self.seen[label] = (time.monotonic_ns() - self.t0_ns) / 1e6


class TracedScheduler(QtScheduler):
    """The app's scheduler, noting when each wake was due and when the QTimer fired."""

    def __init__(self) -> None:
        super().__init__(monotonic_ms)
        self.deadline_ms = 0
        self.fired_ns = 0
        self.late_ms = 0.0
        self.all_late_ms: list[float] = []

    def call_at(self, deadline_ms: int, callback: Callable[[], None]) -> None:
        self.deadline_ms = deadline_ms
        super().call_at(deadline_ms, callback)

    def _fire(self) -> None:
        self.fired_ns = time.monotonic_ns()
        self.late_ms = (self.fired_ns - self.deadline_ms * 1_000_000) / 1e6
        self.all_late_ms.append(self.late_ms)
        super()._fire()


@dataclass
class Wakes:
    """Per mark of the engine: the QTimer's lateness, and firing to the listener."""

    timer_late_ms: list[float] = field(default_factory=list)
    to_listener_ms: list[float] = field(default_factory=list)
    every_wake_late_ms: list[float] = field(default_factory=list)


def run_engine(timeline: Timeline, recorder: Recorder, wakes: Wakes | None = None) -> SessionEngine:
    scheduler = TracedScheduler()
    wakes = wakes if wakes is not None else Wakes()
    origin: list[int] = []

    def clock() -> int:
        now = monotonic_ms()
        if not origin:  # the engine's first reading is the session's origin
            origin.append(now)
            recorder.t0_ns = now * 1_000_000
        return now

    engine = SessionEngine(timeline, clock, scheduler)

    def mark(label: str) -> None:
        recorder.mark(label)
        if scheduler.fired_ns:
            wakes.timer_late_ms.append(scheduler.late_ms)
            wakes.to_listener_ms.append((time.monotonic_ns() - scheduler.fired_ns) / 1e6)

    def on_event(event: Event) -> None:
        if isinstance(event, PhaseStarted):
            mark(f"start {event.phase.index}")
        elif isinstance(event, Countdown):
            mark(f"count {event.phase.index}.{event.seconds}")
        elif isinstance(event, SessionEnded):
            mark("end")

    engine.subscribe(on_event)
    engine.start()
    wakes.every_wake_late_ms = scheduler.all_late_ms
    return engine


class BareTimer:
    """The floor: one single-shot PreciseTimer aimed at each deadline in turn, computed as
    the app's scheduler computes it (integer milliseconds of the monotonic clock). It wakes
    when the engine does, on every whole second of the schedule, and notes the marks."""

    def __init__(self, ideal: list[tuple[str, float]], recorder: Recorder, wakes: Wakes) -> None:
        labels = {round(at): label for label, at in ideal}
        end = max(labels)
        self.deadlines = [(at, labels.get(at)) for at in range(0, end + 1, 1000)]
        self.recorder = recorder
        self.wakes = wakes
        self.next = 0
        self.origin_ms = 0
        self.timer = QTimer()
        self.timer.setSingleShot(True)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.timeout.connect(self._fire)

    @property
    def done(self) -> bool:
        return self.next >= len(self.deadlines)

    def start_at(self, origin_ms: int) -> None:
        self.origin_ms = origin_ms
        self.recorder.t0_ns = origin_ms * 1_000_000
        self._arm()

    def _arm(self) -> None:
        deadline = self.origin_ms + self.deadlines[self.next][0]
        self.timer.start(max(0, deadline - monotonic_ms()))

    def _fire(self) -> None:
        at, label = self.deadlines[self.next]
        due_ns = (self.origin_ms + at) * 1_000_000
        now_ns = time.monotonic_ns()
        if now_ns < due_ns:
            self._arm()  # woke before the deadline: aim again, as the engine would
            return
        self.wakes.timer_late_ms.append((now_ns - due_ns) / 1e6)
        if label is not None:
            self.recorder.mark(label)
        self.next += 1
        if not self.done:
            self._arm()


class NaiveTicker:
    """What a widget-owned timer does: decrement a counter on every 1000 ms tick."""

    def __init__(self, timeline: Timeline, recorder: Recorder) -> None:
        self.phases = list(timeline.phases)
        self.recorder = recorder
        self.index = 0
        self.left = self.phases[0].planned_ms // 1000
        self.timer = QTimer()
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.tick)
        self.done = False

    def start(self) -> None:
        self.recorder.t0_ns = time.monotonic_ns()
        self.recorder.mark("start 0")
        self.timer.start()

    def tick(self) -> None:
        self.left -= 1
        if 1 <= self.left <= 3:
            self.recorder.mark(f"count {self.index}.{self.left}")
        if self.left > 0:
            return
        self.index += 1
        if self.index == len(self.phases):
            self.recorder.mark("end")
            self.timer.stop()
            self.done = True
            return
        self.recorder.mark(f"start {self.index}")
        self.left = self.phases[self.index].planned_ms // 1000


def summarise(ideal: list[tuple[str, float]], seen: dict[str, float]) -> dict[str, float]:
    errors = [abs(seen[label] - at) for label, at in ideal if label in seen]
    errors.sort()
    p99 = errors[min(len(errors) - 1, round(0.99 * (len(errors) - 1)))]
    drift = seen.get("end", float("nan")) - ideal[-1][1]
    missing = sum(1 for label, _ in ideal if label not in seen)
    return {
        "events": len(errors),
        "missing": missing,
        "median": statistics.median(errors),
        "p99": p99,
        "max": errors[-1],
        "drift": drift,
    }


def ratio(a: dict[str, float], b: dict[str, float], key: str) -> float:
    return abs(a[key]) / max(abs(b[key]), 0.01)


def summary(values: list[float]) -> str:
    ordered = sorted(values)
    if not ordered:
        return "-"
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return f"median {statistics.median(ordered):.2f} ms, p99 {p99:.2f} ms"


def start_load(enabled: bool) -> list[subprocess.Popen[bytes]]:
    if not enabled:
        return []
    return [
        subprocess.Popen([sys.executable, "-c", "while True: pass"])
        for _ in range(os.cpu_count() or 1)
    ]


def profile_wakes(seconds: int) -> None:
    """Time the engine's own work on each wake with no event loop at all: a session on the
    tests' fake clock and scheduler, once plain and once under cProfile."""
    import cProfile
    import pstats

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.helpers.fakes import FakeClock, FakeScheduler

    timeline = bench_timeline(seconds)

    def session() -> tuple[SessionEngine, FakeScheduler]:
        clock = FakeClock()
        scheduler = FakeScheduler(clock)
        engine = SessionEngine(timeline, clock, scheduler)
        engine.subscribe(lambda event: None)
        engine.start()
        return engine, scheduler

    _, scheduler = session()
    started = time.perf_counter()
    scheduler.run_until_idle()
    per_wake_us = (time.perf_counter() - started) / scheduler.fired * 1e6
    print(f"{scheduler.fired} wakes of a {seconds} s session: {per_wake_us:.1f} us per wake")
    _, scheduler = session()
    profile = cProfile.Profile()
    profile.runcall(scheduler.run_until_idle)
    pstats.Stats(profile).sort_stats("tottime").print_stats(8)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=120, help="session length (default 120)")
    parser.add_argument("--load", action="store_true", help="one busy process per core")
    parser.add_argument(
        "--profile-wakes", action="store_true", help="profile the engine's wakes on a fake clock"
    )
    args = parser.parse_args()
    if args.profile_wakes:
        profile_wakes(max(args.seconds, 900))
        return 0

    app = QGuiApplication.instance() or QGuiApplication(sys.argv)
    assert isinstance(app, QGuiApplication)
    timeline = bench_timeline(args.seconds)
    ideal = ideal_schedule(timeline)
    load = start_load(args.load)
    try:
        engine_seen, bare_seen, naive_seen = Recorder(), Recorder(), Recorder()
        wakes, bare_wakes = Wakes(), Wakes()
        naive = NaiveTicker(timeline, naive_seen)
        bare = BareTimer(ideal, bare_seen, bare_wakes)
        engine = run_engine(timeline, engine_seen, wakes)
        naive.start()
        bare.start_at(engine_seen.t0_ns // 1_000_000 + BARE_OFFSET_MS)
        finish = QTimer()
        finish.setInterval(200)
        finish.timeout.connect(
            lambda: naive.done and bare.done and not engine.is_active and app.quit()
        )
        finish.start()
        app.exec()
    finally:
        for process in load:
            process.kill()
            process.wait()

    engine_stats = summarise(ideal, engine_seen.seen)
    bare_stats = summarise(ideal, bare_seen.seen)
    naive_stats = summarise(ideal, naive_seen.seen)
    load_text = f"busy loop on each of {os.cpu_count()} cores" if args.load else "idle machine"
    print(f"session {timeline.total_ms / 1000:.0f} s, {len(ideal)} marks, {load_text}")
    print(f"{'timer':<28}{'events':>7}{'median ms':>11}{'p99 ms':>9}{'max ms':>9}{'drift ms':>10}")
    for name, stats in (
        ("engine (deadline, precise)", engine_stats),
        ("floor (bare precise timer)", bare_stats),
        ("naive (1000 ms ticks)", naive_stats),
    ):
        print(
            f"{name:<28}{stats['events']:>7.0f}{stats['median']:>11.2f}{stats['p99']:>9.2f}"
            f"{stats['max']:>9.2f}{stats['drift']:>10.2f}"
        )
    print(
        f"ratio engine/floor: median x{ratio(engine_stats, bare_stats, 'median'):.2f}, "
        f"p99 x{ratio(engine_stats, bare_stats, 'p99'):.2f}"
    )
    print(
        f"ratio naive/engine: p99 x{ratio(naive_stats, engine_stats, 'p99'):.1f}, "
        f"end drift x{ratio(naive_stats, engine_stats, 'drift'):.1f}"
    )
    print(
        f"every wake, QTimer late by: engine {summary(wakes.every_wake_late_ms)} "
        f"({len(wakes.every_wake_late_ms)} wakes); floor {summary(bare_wakes.timer_late_ms)} "
        f"({len(bare_wakes.timer_late_ms)} wakes)"
    )
    print(
        f"engine at its marks: QTimer late by {summary(wakes.timer_late_ms)}; "
        f"from the timer firing to the listeners {summary(wakes.to_listener_ms)}"
    )
    if engine_stats["missing"]:
        print(f"engine missed {engine_stats['missing']:.0f} marks", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
