"""Cost of the camera coach: pose time per frame, CPU, memory, and the timer beside it.

1. The pose model (detector + full landmark model on LiteRT) on drawn 640x480 frames of a
   person doing knee drives: wall and CPU ms per frame (median, p90), with 1 and 2 threads.
2. Memory: peak resident set before and after loading the models and running them.
3. The session timer's accuracy (bench/timing.py's engine on the Qt event loop) for
   `--seconds`, first alone, then with a worker thread running the pose model on the newest
   frame at up to 30 frames per second, as the live coach would: p99 of the error at each
   phase boundary and countdown second, and the ratio with / without.

    python bench/coach.py                  # 30 s per timer run
    python bench/coach.py --seconds 60
    python bench/coach.py --fps 10          # the coach thread at 10 frames per second
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
from legdrive_timer.core.workout import Side
from tests.coach_figure import Figure, RepPlan
from tests.coach_render import frames

FPS = 30


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


def timer_p99(
    app: QGuiApplication, seconds: int, coach: bool, images: list[object], fps: float = FPS
) -> float:
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
    timeline = bench_timeline(seconds)
    seen = Recorder()
    engine = run_engine(timeline, seen)
    finish = QTimer()
    finish.setInterval(200)
    finish.timeout.connect(lambda: not engine.is_active and app.quit())
    finish.start()
    started = time.monotonic()
    app.exec()
    stop.set()
    if worker:
        worker.join()
        rate = worker_frames[0] / (time.monotonic() - started)
        print(f"    coach thread analysed {worker_frames[0]} frames ({rate:.1f} per second)")
    stats = summarise(ideal_schedule(timeline), seen.seen)
    return stats["p99"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=30, help="each timer run (default 30)")
    parser.add_argument(
        "--fps", type=float, default=FPS, help="the coach thread's frame rate (default 30)"
    )
    args = parser.parse_args()

    plans = [RepPlan(peak_deg=95), RepPlan(peak_deg=60, top_s=0.5), RepPlan(peak_deg=100)]
    images: list[object] = [img for _, img in frames(plans, Side.RIGHT, FPS, Figure(oblique=1.0))]
    print(f"{len(images)} frames of 640x480; peak memory before the models {_rss_mib():.0f} MiB")
    for threads in (1, 2):
        wall, cpu, found = pose_cost(images, threads)
        print(
            f"pose, {threads} thread(s): wall median {statistics.median(wall):.1f} ms, "
            f"p90 {_percentile(wall, 0.9):.1f} ms; CPU median {statistics.median(cpu):.1f} ms "
            f"({statistics.median(cpu) * FPS / 10:.0f}% of a core at {FPS} fps); "
            f"person found in {found}/{len(images)}"
        )
    print(f"peak memory after loading and running the models {_rss_mib():.0f} MiB")

    app = QGuiApplication.instance() or QGuiApplication(sys.argv)
    assert isinstance(app, QGuiApplication)
    alone = timer_p99(app, args.seconds, coach=False, images=images)
    print(f"timer p99 alone: {alone:.2f} ms")
    beside = timer_p99(app, args.seconds, coach=True, images=images, fps=args.fps)
    ratio = beside / max(alone, 0.01)
    print(f"timer p99 with the coach at {args.fps:g} fps: {beside:.2f} ms (x{ratio:.2f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
