"""Timing accuracy of a real session on the real Qt event loop.

Runs an interval session in real time through the SessionEngine and the QtScheduler, and,
in the same event loop at the same time, a naive timer that counts 1000 ms QTimer ticks.
For every phase boundary and every countdown second it prints the error against the
ideal schedule (median, p99, max) and the cumulative drift at the end, with the ratio
naive / engine.

    python bench/timing.py                    # 2 minutes, idle machine
    python bench/timing.py --seconds 120 --load   # one busy process per core
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QTimer
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


def run_engine(timeline: Timeline, recorder: Recorder, app: QGuiApplication) -> SessionEngine:
    scheduler = QtScheduler(monotonic_ms)
    engine = SessionEngine(timeline, monotonic_ms, scheduler)

    def on_event(event: Event) -> None:
        if isinstance(event, PhaseStarted):
            recorder.mark(f"start {event.phase.index}")
        elif isinstance(event, Countdown):
            recorder.mark(f"count {event.phase.index}.{event.seconds}")
        elif isinstance(event, SessionEnded):
            recorder.mark("end")

    engine.subscribe(on_event)
    recorder.t0_ns = time.monotonic_ns()
    engine.start()
    return engine


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


def start_load(enabled: bool) -> list[subprocess.Popen[bytes]]:
    if not enabled:
        return []
    return [
        subprocess.Popen([sys.executable, "-c", "while True: pass"])
        for _ in range(os.cpu_count() or 1)
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=120, help="session length (default 120)")
    parser.add_argument("--load", action="store_true", help="one busy process per core")
    args = parser.parse_args()

    app = QGuiApplication.instance() or QGuiApplication(sys.argv)
    assert isinstance(app, QGuiApplication)
    timeline = bench_timeline(args.seconds)
    ideal = ideal_schedule(timeline)
    load = start_load(args.load)
    try:
        engine_seen, naive_seen = Recorder(), Recorder()
        naive = NaiveTicker(timeline, naive_seen)
        engine = run_engine(timeline, engine_seen, app)
        naive.start()
        finish = QTimer()
        finish.setInterval(200)
        finish.timeout.connect(lambda: naive.done and not engine.is_active and app.quit())
        finish.start()
        app.exec()
    finally:
        for process in load:
            process.kill()
            process.wait()

    engine_stats = summarise(ideal, engine_seen.seen)
    naive_stats = summarise(ideal, naive_seen.seen)
    load_text = f"busy loop on each of {os.cpu_count()} cores" if args.load else "idle machine"
    print(f"session {timeline.total_ms / 1000:.0f} s, {len(ideal)} marks, {load_text}")
    print(f"{'timer':<28}{'events':>7}{'median ms':>11}{'p99 ms':>9}{'max ms':>9}{'drift ms':>10}")
    for name, stats in (
        ("engine (deadline, precise)", engine_stats),
        ("naive (1000 ms ticks)", naive_stats),
    ):
        print(
            f"{name:<28}{stats['events']:>7.0f}{stats['median']:>11.2f}{stats['p99']:>9.2f}"
            f"{stats['max']:>9.2f}{stats['drift']:>10.2f}"
        )
    ratio_p99 = naive_stats["p99"] / max(engine_stats["p99"], 0.01)
    ratio_drift = abs(naive_stats["drift"]) / max(abs(engine_stats["drift"]), 0.01)
    print(f"ratio naive/engine: p99 x{ratio_p99:.1f}, end drift x{ratio_drift:.1f}")
    if engine_stats["missing"]:
        print(f"engine missed {engine_stats['missing']:.0f} marks", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
