"""Cost of the camera coach: pose time per frame, CPU, memory, and the timer beside it.

1. The pose model (detector + full landmark model on LiteRT) on drawn 640x480 frames of a
   person doing knee drives: wall and CPU ms per frame (median, p90), with 1 and 2 threads;
   then on the real photographs of the tests (tests/fixtures/photos), a frame that needs the
   detector against one tracked from the frame before (landmark model only).
2. Memory: peak resident set before and after loading the models and running them.
3. The session timer's accuracy (bench/timing.py's engine on the Qt event loop) for
   `--seconds`, first alone, then with a worker thread running the pose model on the newest
   frame at up to each `--fps`, as the live coach would: p99 of the error at each phase
   boundary and countdown second, the ratio with / without, and the process's CPU over the
   run in % of one core.
The load average is printed before and after: figures from a busy machine say so.

    python bench/coach.py                  # 30 s per timer run, coach at 30 fps
    python bench/coach.py --seconds 60
    python bench/coach.py --fps 30 10       # one timer run per coach frame rate
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the drawn figure in tests/
sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/timing.py

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from timing import Recorder, bench_timeline, ideal_schedule, run_engine, summarise

from legdrive_timer.coach.pose import PoseModel
from legdrive_timer.coach.video import read_frames
from legdrive_timer.core.workout import Side
from tests.coach_figure import Figure, RepPlan
from tests.coach_render import frames

FPS = 30
PHOTOS = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "photos"


def _rss_mib() -> float:
    # ru_maxrss is KiB on Linux, bytes on macOS.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def pose_cost(images: list[object], threads: int) -> tuple[list[float], list[float], int]:
    model = PoseModel(threads=threads)
    wall, cpu, found = [], [], 0
    for image in images:
        w0, c0 = time.perf_counter(), time.process_time()
        pose = model.estimate(image)  # type: ignore[arg-type]
        wall.append((time.perf_counter() - w0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
        found += pose is not None
    return wall, cpu, found


def photo_cost(repeats: int = 20) -> str:
    """CPU ms per frame on the real photographs: with the detector (a new person) and
    tracked from the frame before (the landmark model only, as in a running set)."""
    model = PoseModel(threads=1)
    detected, tracked = [], []
    for path in sorted(PHOTOS.glob("*.jpg")):
        [(_, image)] = list(read_frames(path))
        for _ in range(repeats):
            model.reset()
            c0 = time.process_time()
            model.estimate(image)
            c1 = time.process_time()
            model.estimate(image)
            detected.append((c1 - c0) * 1000)
            tracked.append((time.process_time() - c1) * 1000)
    return (
        f"real photographs, 1 thread: CPU median {statistics.median(detected):.1f} ms with the "
        f"detector, {statistics.median(tracked):.1f} ms tracked ({len(tracked)} frames)"
    )


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min)"


def timer_p99(
    app: QGuiApplication, seconds: int, coach: bool, images: list[object], fps: float = FPS
) -> tuple[float, float]:
    """The timer's p99 error in ms, and the process's CPU over the run in % of one core."""
    stop = threading.Event()
    worker_frames = [0]

    def run_coach() -> None:
        model = PoseModel(threads=1)
        period = 1 / fps
        next_at = time.monotonic()
        while not stop.is_set():
            model.estimate(images[worker_frames[0] % len(images)])  # type: ignore[arg-type]
            worker_frames[0] += 1
            next_at = max(next_at + period, time.monotonic())
            stop.wait(max(0.0, next_at - time.monotonic()))

    worker = threading.Thread(target=run_coach, daemon=True) if coach else None
    if worker:
        worker.start()
    started = time.monotonic()
    p99, cpu = timed_session(app, seconds)
    stop.set()
    if worker:
        worker.join()
        rate = worker_frames[0] / (time.monotonic() - started)
        print(f"    coach thread analysed {worker_frames[0]} frames ({rate:.1f} per second)")
    return p99, cpu


def timed_session(app: QGuiApplication, seconds: int) -> tuple[float, float]:
    """bench/timing.py's engine for `seconds` on the Qt event loop: the p99 of its error in
    ms, and the process's CPU over the run in % of one core."""
    timeline = bench_timeline(seconds)
    seen = Recorder()
    engine = run_engine(timeline, seen)
    finish = QTimer()
    finish.setInterval(200)
    finish.timeout.connect(lambda: not engine.is_active and app.quit())
    finish.start()
    started = time.monotonic()
    cpu_started = time.process_time()
    app.exec()
    cpu = (time.process_time() - cpu_started) / (time.monotonic() - started) * 100
    return summarise(ideal_schedule(timeline), seen.seen)["p99"], cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30, help="each timer run (default 30)")
    parser.add_argument(
        "--fps",
        type=float,
        nargs="+",
        default=[FPS],
        help="the coach thread's frame rate, one timer run each (default 30)",
    )
    args = parser.parse_args()
    print(_load())

    plans = [RepPlan(peak_deg=95), RepPlan(peak_deg=60, top_s=0.5), RepPlan(peak_deg=100)]
    images: list[object] = [img for _, img in frames(plans, Side.RIGHT, FPS, Figure(oblique=1.0))]
    before = _rss_mib()
    print(
        f"{len(images)} frames of 640x480 held in memory; peak memory before the models "
        f"{before:.0f} MiB"
    )
    for threads in (1, 2):
        wall, cpu, found = pose_cost(images, threads)
        print(
            f"pose, {threads} thread(s): wall median {statistics.median(wall):.1f} ms, "
            f"p90 {_percentile(wall, 0.9):.1f} ms; CPU median {statistics.median(cpu):.1f} ms "
            f"({statistics.median(cpu) * FPS / 10:.0f}% of a core at {FPS} fps); "
            f"person found in {found}/{len(images)}"
        )
    print(photo_cost())
    after = _rss_mib()
    print(
        f"peak memory after loading and running the models {after:.0f} MiB "
        f"(+{after - before:.0f} MiB)"
    )

    app = QGuiApplication.instance() or QGuiApplication(sys.argv)
    assert isinstance(app, QGuiApplication)
    alone, cpu_alone = timer_p99(app, args.seconds, coach=False, images=images)
    print(f"timer p99 alone: {alone:.2f} ms; process CPU {cpu_alone:.1f}% of a core")
    for fps in args.fps:
        beside, cpu_beside = timer_p99(app, args.seconds, coach=True, images=images, fps=fps)
        ratio = beside / max(alone, 0.01)
        print(
            f"timer p99 with the coach at {fps:g} fps: {beside:.2f} ms (x{ratio:.2f}); "
            f"process CPU {cpu_beside:.1f}% of a core"
        )
    print(_load())
    return 0


if __name__ == "__main__":
    sys.exit(main())
