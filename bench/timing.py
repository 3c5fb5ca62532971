"""Timing accuracy of a real session on the real Qt event loop.

Runs an interval session in real time through the SessionEngine and the QtScheduler and, in
the same event loop at the same time:
- the floor: a bare single-shot `PreciseTimer` aimed at the same deadlines (the same
  schedule, offset by half a second so that the two never wake at the same instant), doing
  nothing but note the time: the best a bare QTimer does on this loop;
- a second floor, identical but offset by three quarters of a second: two timers that do
  exactly the same thing differ by this much in the same run, which says how far apart the
  engine and the floor can be by chance alone;
- a second engine whose scheduler aims its QTimer at the deadline itself (as on a clock
  without nanoseconds, and as the app did before FINISH_MS), 375 ms after the first: the
  before and after of aiming early, in the same run;
- a naive timer that counts 1000 ms QTimer ticks, as a widget-owned countdown does, started
  a quarter of a second after the engine so that its coarse ticks do not share the engine's
  instants.
A mark is every whole second of the schedule (each phase start and each second tick): the
same marks for every timer. For each it prints the error against the ideal schedule
(median, p99, max, and which of the worst the p99 is) and the drift at the end, the ratios
engine / floor and floor B / floor, and where the engine's time goes on each wake: when its
QTimer fired (the scheduler aims it FINISH_MS early and sleeps out the rest), and how long
from the wake to the listeners hearing of it.
`--runs N` runs N sessions one after another and pools their marks. Every session starts
12 ms past a whole 25 ms of the monotonic clock, where no coarse timer of any Qt program
wakes (see START_PHASE_MS); `--phases` shows why.

    python bench/timing.py                           # 2 minutes
    python bench/timing.py --seconds 60 --runs 3 --load   # one busy process per core
    python bench/timing.py --profile-wakes           # the engine's Python per wake, on a fake clock
    python bench/timing.py --phases --seconds 60     # bare timers at each 50 ms of the second
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

from PySide6.QtCore import QCoreApplication, Qt, QTimer
from PySide6.QtGui import QGuiApplication

from legdrive_timer.core.clock import monotonic_ms
from legdrive_timer.core.engine import SessionEngine
from legdrive_timer.core.events import Event, PhaseStarted, SecondTick, SessionEnded
from legdrive_timer.core.timeline import Timeline, compile_workout
from legdrive_timer.core.workout import IntervalBlock, Workout
from legdrive_timer.ui.scheduler import FINISH_MS, QtScheduler

WORK_S = 7
REST_S = 3
PREP_S = 5
BARE_OFFSET_MS = 500
"""The floor's schedule runs this much after the engine's: every wake of either is on a
whole second of its own schedule, so they never compete for the same instant."""
SECOND_FLOOR_OFFSET_MS = 750
NAIVE_OFFSET_MS = 250
PLAIN_OFFSET_MS = 375
GRID_MS = 25
START_PHASE_MS = 12
"""Qt moves its coarse timers, in this process and in every other Qt program on the machine,
onto whole multiples of 25 ms of the shared monotonic clock (most onto whole 100, 500 and
1000 ms), so many processes wake at those instants; a precise timer due at the same instant
can wait a scheduler tick behind them (about 4 ms on a busy machine; `--phases` shows it).
Each session starts this far past such a multiple, and every offset above is a multiple of
25 ms: all the timers are equally far from the crowd."""


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


def mark_label(at_ms: int) -> str:
    return f"{at_ms / 1000:.0f} s"


def ideal_schedule(timeline: Timeline) -> list[tuple[str, float]]:
    """(label, milliseconds after the start) for every whole second of the session: each
    phase start, each second tick within a phase, and the end."""
    total = timeline.total_ms
    return [(mark_label(at), float(at)) for at in range(0, total + 1, 1000)]


@dataclass
class Recorder:
    t0_ns: int = 0
    seen: dict[str, float] = field(default_factory=dict)

    def mark(self, label: str) -> None:
        self.seen[label] = (time.monotonic_ns() - self.t0_ns) / 1e6


def whole_ms() -> int:
    """The monotonic clock in whole milliseconds only, as a test's fake clock reads: on it
    the scheduler aims its QTimer at the deadline itself (how it did before FINISH_MS)."""
    return monotonic_ms()


class TracedScheduler(QtScheduler):
    """The app's scheduler, noting when each wake was due, when its QTimer fired and when
    the callback ran (after the scheduler's finishing sleep)."""

    def __init__(self, plain: bool = False) -> None:
        super().__init__(whole_ms if plain else monotonic_ms)
        self.deadline_ms = 0
        self.fired_ns = 0
        self.late_ms = 0.0
        self.all_late_ms: list[float] = []
        self.timer_fired_ms: list[float] = []

    def call_at(self, deadline_ms: int, callback: Callable[[], None]) -> None:
        self.deadline_ms = deadline_ms
        super().call_at(deadline_ms, callback)

    def _timed_out(self) -> None:
        self.timer_fired_ms.append((time.monotonic_ns() - self.deadline_ms * 1_000_000) / 1e6)
        super()._timed_out()

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
    timer_fired_ms: list[float] = field(default_factory=list)


def run_engine(
    timeline: Timeline, recorder: Recorder, wakes: Wakes | None = None, *, plain: bool = False
) -> SessionEngine:
    scheduler = TracedScheduler(plain)
    wakes = wakes if wakes is not None else Wakes()
    origin: list[int] = []
    starts: dict[int, int] = {}
    at = 0
    for phase in timeline.phases:
        starts[phase.index] = at
        at += phase.planned_ms

    def clock() -> int:
        now = monotonic_ms()
        if not origin:  # the engine's first reading is the session's origin
            origin.append(now)
            recorder.t0_ns = now * 1_000_000
        return now

    engine = SessionEngine(timeline, clock, scheduler)

    def mark(at_ms: int) -> None:
        recorder.mark(mark_label(at_ms))
        if scheduler.fired_ns:
            wakes.timer_late_ms.append(scheduler.late_ms)
            wakes.to_listener_ms.append((time.monotonic_ns() - scheduler.fired_ns) / 1e6)

    def on_event(event: Event) -> None:
        if isinstance(event, PhaseStarted):
            mark(starts[event.phase.index])
        elif isinstance(event, SecondTick) and not event.phase.self_paced:
            mark(starts[event.phase.index] + event.phase.planned_ms - event.remaining_ms)
        elif isinstance(event, SessionEnded):
            mark(timeline.total_ms)

    engine.subscribe(on_event)
    engine.start()
    wakes.every_wake_late_ms = scheduler.all_late_ms
    wakes.timer_fired_ms = scheduler.timer_fired_ms
    return engine


class BareTimer:
    """The floor: one single-shot PreciseTimer aimed at each deadline in turn, computed as
    the app's scheduler computes it (integer milliseconds of the monotonic clock). It wakes
    on every whole second of the schedule, as the engine does, and notes each mark."""

    def __init__(
        self,
        ideal: list[tuple[str, float]],
        recorder: Recorder,
        wakes: Wakes,
        on_done: Callable[[], None] = lambda: None,
    ) -> None:
        self.deadlines = [(round(at), label) for label, at in ideal]
        self.recorder = recorder
        self.wakes = wakes
        self.on_done = on_done
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
        self.recorder.mark(label)
        self.next += 1
        if self.done:
            self.on_done()
        else:
            self._arm()


class NaiveTicker:
    """What a widget-owned timer does: decrement a counter on every 1000 ms tick."""

    def __init__(
        self, timeline: Timeline, recorder: Recorder, on_done: Callable[[], None] = lambda: None
    ) -> None:
        self.phases = list(timeline.phases)
        self.recorder = recorder
        self.on_done = on_done
        self.index = 0
        self.at_ms = 0
        self.left = self.phases[0].planned_ms // 1000
        self.timer = QTimer()
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.tick)
        self.done = False

    def start(self) -> None:
        self.recorder.t0_ns = time.monotonic_ns()
        self.recorder.mark(mark_label(0))
        self.timer.start()

    def tick(self) -> None:
        self.left -= 1
        self.at_ms += 1000
        self.recorder.mark(mark_label(self.at_ms))
        if self.left > 0:
            return
        self.index += 1
        if self.index == len(self.phases):
            self.timer.stop()
            self.done = True
            self.on_done()
            return
        self.left = self.phases[self.index].planned_ms // 1000


def percentile_99(ordered: list[float]) -> float:
    return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def p99_rank(count: int) -> str:
    """Which of `count` values the p99 is, counted from the worst."""
    rank = count - min(count - 1, round(0.99 * (count - 1)))
    if rank == 1:
        return "the worst"
    suffix = {2: "nd", 3: "rd"}.get(rank % 10 if rank % 100 not in (11, 12, 13) else 0, "th")
    return f"the {rank}{suffix} worst"


def errors_of(ideal: list[tuple[str, float]], seen: dict[str, float]) -> list[float]:
    return sorted(abs(seen[label] - at) for label, at in ideal if label in seen)


def stats_of(errors: list[float], drifts: list[float], missing: int) -> dict[str, float]:
    return {
        "events": len(errors),
        "missing": missing,
        "median": statistics.median(errors),
        "p99": percentile_99(errors),
        "max": errors[-1],
        "drift": max(drifts, key=abs) if drifts else float("nan"),
    }


def summarise(ideal: list[tuple[str, float]], seen: dict[str, float]) -> dict[str, float]:
    drift = seen.get(ideal[-1][0], float("nan")) - ideal[-1][1]
    missing = sum(1 for label, _ in ideal if label not in seen)
    return stats_of(errors_of(ideal, seen), [drift], missing)


def ratio(a: dict[str, float], b: dict[str, float], key: str) -> float:
    return abs(a[key]) / max(abs(b[key]), 0.01)


def summary(values: list[float]) -> str:
    ordered = sorted(values)
    if not ordered:
        return "-"
    return f"median {statistics.median(ordered):.2f} ms, p99 {percentile_99(ordered):.2f} ms"


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


def phase_sweep(app: QCoreApplication, seconds: int, step_ms: int = 50) -> None:
    """Bare precise timers at every `step_ms` of the monotonic clock's second, each waking
    once a second: how late each is shows when the rest of the machine wakes."""
    ideal = [(mark_label(at), float(at)) for at in range(0, seconds * 1000, 1000)]
    first_ms = (monotonic_ms() // 1000 + 2) * 1000
    timers: list[tuple[int, BareTimer, Wakes]] = []
    pending = set(range(0, 1000, step_ms))

    def done(phase: int) -> Callable[[], None]:
        def note() -> None:
            pending.discard(phase)
            if not pending:
                app.quit()

        return note

    for phase in sorted(pending):
        wakes = Wakes()
        timer = BareTimer(ideal, Recorder(), wakes, done(phase))
        timer.start_at(first_ms + phase)
        timers.append((phase, timer, wakes))
    app.exec()
    print(f"{len(ideal)} wakes each; ms past a whole second of the monotonic clock:")
    for phase, _, wakes in timers:
        late = sorted(wakes.timer_late_ms)
        over = sum(1 for ms in late if ms > 3)
        print(
            f"{phase:>4} ms  median {statistics.median(late):5.2f}  p90 "
            f"{late[int(0.9 * (len(late) - 1))]:5.2f}  max {late[-1]:6.2f}  late > 3 ms "
            f"{over:>3} {'#' * over}"
        )


TIMERS = ("engine", "plain", "floor", "floor B", "naive")
NAMES = {
    "engine": "engine (deadline, precise)",
    "plain": "engine, QTimer at deadline",
    "floor": "floor (bare precise timer)",
    "floor B": "floor B (the same, +250 ms)",
    "naive": "naive (1000 ms ticks)",
}


@dataclass
class Run:
    """One session's marks for every timer, and the engine's and floor's wakes."""

    seen: dict[str, Recorder] = field(default_factory=lambda: {n: Recorder() for n in TIMERS})
    wakes: Wakes = field(default_factory=Wakes)
    plain_wakes: Wakes = field(default_factory=Wakes)
    floor_wakes: Wakes = field(default_factory=Wakes)
    floor_b_wakes: Wakes = field(default_factory=Wakes)


def wait_for_start_phase() -> None:
    """Return on the next millisecond of the monotonic clock at START_PHASE_MS past a
    whole multiple of GRID_MS."""
    now_ns = time.monotonic_ns()
    now_ms = now_ns // 1_000_000
    target_ms = now_ms - now_ms % GRID_MS + START_PHASE_MS
    if target_ms <= now_ms:
        target_ms += GRID_MS
    time.sleep((target_ms * 1_000_000 + 100_000 - now_ns) / 1e9)


def run_session(app: QCoreApplication, timeline: Timeline, ideal: list[tuple[str, float]]) -> Run:
    run = Run()
    finished: set[str] = set()

    def done(name: str) -> Callable[[], None]:
        def note() -> None:
            finished.add(name)
            if len(finished) == len(TIMERS):
                app.quit()

        return note

    naive = NaiveTicker(timeline, run.seen["naive"], done("naive"))
    floor = BareTimer(ideal, run.seen["floor"], run.floor_wakes, done("floor"))
    floor_b = BareTimer(ideal, run.seen["floor B"], run.floor_b_wakes, done("floor B"))
    wait_for_start_phase()
    engine = run_engine(timeline, run.seen["engine"], run.wakes)
    engine_done = done("engine")

    def on_event(event: Event) -> None:
        if isinstance(event, SessionEnded):
            engine_done()

    engine.subscribe(on_event)
    origin_ms = run.seen["engine"].t0_ns // 1_000_000
    floor.start_at(origin_ms + BARE_OFFSET_MS)
    floor_b.start_at(origin_ms + SECOND_FLOOR_OFFSET_MS)
    engines = [engine]

    def start_plain() -> None:
        plain = run_engine(timeline, run.seen["plain"], run.plain_wakes, plain=True)
        plain.subscribe(lambda event: plain_done() if isinstance(event, SessionEnded) else None)
        engines.append(plain)

    plain_done = done("plain")
    later = [
        start_later(naive.start, origin_ms + NAIVE_OFFSET_MS),
        start_later(start_plain, origin_ms + PLAIN_OFFSET_MS),
    ]
    app.exec()
    assert len(later) == 2 and len(engines) == 2  # both kept alive until here
    return run


def start_later(start: Callable[[], None], at_ms: int) -> QTimer:
    timer = QTimer()
    timer.setSingleShot(True)
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.timeout.connect(start)
    timer.start(max(0, at_ms - monotonic_ms()))
    return timer


def pooled(ideal: list[tuple[str, float]], runs: list[Run], name: str) -> dict[str, float]:
    errors: list[float] = []
    drifts: list[float] = []
    missing = 0
    end_label, end_at = ideal[-1]
    for run in runs:
        seen = run.seen[name].seen
        errors.extend(errors_of(ideal, seen))
        missing += sum(1 for label, _ in ideal if label not in seen)
        if end_label in seen:
            drifts.append(seen[end_label] - end_at)
    return stats_of(sorted(errors), drifts, missing)


def load_average() -> str:
    try:
        return f"{os.getloadavg()[0]:.2f}"
    except OSError:
        return "?"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=120, help="session length (default 120)")
    parser.add_argument("--runs", type=int, default=1, help="sessions one after another")
    parser.add_argument("--load", action="store_true", help="one busy process per core")
    parser.add_argument(
        "--profile-wakes", action="store_true", help="profile the engine's wakes on a fake clock"
    )
    parser.add_argument(
        "--phases", action="store_true", help="how late bare timers are at each 50 ms of a second"
    )
    args = parser.parse_args()
    if args.profile_wakes:
        profile_wakes(max(args.seconds, 900))
        return 0

    app = QGuiApplication.instance() or QGuiApplication(sys.argv)
    assert isinstance(app, QGuiApplication)
    if args.phases:
        load = start_load(args.load)
        try:
            phase_sweep(app, args.seconds)
        finally:
            for process in load:
                process.kill()
                process.wait()
        return 0
    timeline = bench_timeline(args.seconds)
    ideal = ideal_schedule(timeline)
    load_before = load_average()
    load = start_load(args.load)
    runs: list[Run] = []
    try:
        for _ in range(max(1, args.runs)):
            runs.append(run_session(app, timeline, ideal))
    finally:
        for process in load:
            process.kill()
            process.wait()

    load_text = f"busy loop on each of {os.cpu_count()} cores" if args.load else "no busy loops"
    print(
        f"session {timeline.total_ms / 1000:.0f} s, {len(ideal)} marks, {len(runs)} run(s), "
        f"{load_text}; load average {load_before} before, {load_average()} after"
    )
    if len(runs) > 1:
        print(
            "run  engine med/p99   plain med/p99    floor med/p99  floor B med/p99  "
            "p99 x floor: engine  plain  B"
        )
        for number, run in enumerate(runs, 1):
            each = {name: summarise(ideal, run.seen[name].seen) for name in TIMERS}
            e, p, f, b = each["engine"], each["plain"], each["floor"], each["floor B"]
            print(
                f"{number:>3}  {e['median']:6.2f} {e['p99']:6.2f}   {p['median']:6.2f} "
                f"{p['p99']:6.2f}   {f['median']:6.2f} {f['p99']:6.2f}   {b['median']:6.2f} "
                f"{b['p99']:6.2f}           x{ratio(e, f, 'p99'):.2f}  x{ratio(p, f, 'p99'):.2f}"
                f"  x{ratio(b, f, 'p99'):.2f}"
            )
    stats = {name: pooled(ideal, runs, name) for name in TIMERS}
    count = int(stats["engine"]["events"])
    print(f"all runs: {count} marks per timer; p99 is {p99_rank(count)} of them")
    print(f"{'timer':<29}{'marks':>6}{'median ms':>11}{'p99 ms':>9}{'max ms':>9}{'drift ms':>10}")
    for name in TIMERS:
        row = stats[name]
        print(
            f"{NAMES[name]:<29}{row['events']:>6.0f}{row['median']:>11.2f}{row['p99']:>9.2f}"
            f"{row['max']:>9.2f}{row['drift']:>10.2f}"
        )
    engine, floor, floor_b = stats["engine"], stats["floor"], stats["floor B"]
    plain = stats["plain"]
    print(
        f"ratio engine/floor: median x{ratio(engine, floor, 'median'):.2f}, "
        f"p99 x{ratio(engine, floor, 'p99'):.2f}; engine with its QTimer at the deadline/floor: "
        f"median x{ratio(plain, floor, 'median'):.2f}, p99 x{ratio(plain, floor, 'p99'):.2f}; "
        f"floor B/floor (chance alone): median x{ratio(floor_b, floor, 'median'):.2f}, "
        f"p99 x{ratio(floor_b, floor, 'p99'):.2f}"
    )
    print(
        f"ratio naive/engine: p99 x{ratio(stats['naive'], engine, 'p99'):.1f}, "
        f"end drift x{ratio(stats['naive'], engine, 'drift'):.1f}"
    )
    every_engine = [late for run in runs for late in run.wakes.every_wake_late_ms]
    every_plain = [late for run in runs for late in run.plain_wakes.every_wake_late_ms]
    every_floor = [late for run in runs for late in run.floor_wakes.timer_late_ms]
    every_floor_b = [late for run in runs for late in run.floor_b_wakes.timer_late_ms]
    print(
        f"every wake, late by: engine {summary(every_engine)} ({len(every_engine)}); "
        f"engine, QTimer at deadline {summary(every_plain)} ({len(every_plain)}); "
        f"floor {summary(every_floor)} ({len(every_floor)}); "
        f"floor B {summary(every_floor_b)} ({len(every_floor_b)})"
    )
    timer_fired = [ms for run in runs for ms in run.wakes.timer_fired_ms]
    to_listener = [ms for run in runs for ms in run.wakes.to_listener_ms]
    print(
        f"engine's QTimer fired (from the deadline, - before it) {summary(timer_fired)}, "
        f"aimed {FINISH_MS} ms early; from its wake to the listeners {summary(to_listener)}"
    )
    if engine["missing"]:
        print(f"engine missed {engine['missing']:.0f} marks", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
