"""The session timer beside the window's camera path: does the timing notice the coach?

bench/coach.py runs the pose model on a plain thread. Here the frames take the window's own
path: Qt Multimedia's capture session (`QVideoFrameInput` -> `QMediaCaptureSession` ->
`QVideoSink`, as a camera's frames arrive), `ui/coach_capture.CoachCapture` keeping the
newest frame on the window's thread and measuring it on its worker (frame to pixels, pose
model, live coach). Frames of the drawn figure are sent at `--fps` from the window's thread,
which is more than a camera asks of it (a camera delivers from Qt's own thread).

For each round, the timer (bench/timing.py's engine on the Qt event loop) runs alone and
then beside the camera path, in turn, in the same process; it prints the p99 of the error
at each phase boundary and countdown second, the ratio, the frames measured and dropped,
and the process's CPU in % of one core. The load average is printed before and after.

    python bench/coach_window.py                    # 20 s per run, 30 fps, 2 rounds
    python bench/coach_window.py --max-fps 15 0     # the app's cap against none
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the drawn figure in tests/
sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/coach.py, bench/timing.py

from coach import _load, timed_session
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication, QImage
from PySide6.QtMultimedia import QMediaCaptureSession, QVideoFrame, QVideoFrameInput, QVideoSink

from legdrive_timer.coach.pose import PoseModel
from legdrive_timer.core.workout import Side
from legdrive_timer.ui.coach_capture import MAX_FPS, CoachCapture
from tests.coach_figure import Figure, RepPlan
from tests.coach_render import frames


def video_frames(fps: float) -> list[QVideoFrame]:
    plans = [RepPlan(peak_deg=95), RepPlan(peak_deg=60, top_s=0.5), RepPlan(peak_deg=100)]
    out = []
    for _, rgb in frames(plans, Side.RIGHT, fps, Figure(oblique=1.0)):
        height, width = rgb.shape[:2]
        image = QImage(rgb.data, width, height, width * 3, QImage.Format.Format_RGB888).copy()
        out.append(QVideoFrame(image))
    return out


class CameraPath:
    """The capture session and the coach's capture, fed at `fps` from this thread."""

    def __init__(self, clips: list[QVideoFrame], fps: float, max_fps: float | None) -> None:
        self.session = QMediaCaptureSession()
        self.source = QVideoFrameInput()
        self.sink = QVideoSink()
        self.session.setVideoFrameInput(self.source)
        self.session.setVideoSink(self.sink)
        self.capture = CoachCapture(self.sink, Side.RIGHT, PoseModel, max_fps=max_fps)
        self.clips = clips
        self.sent = 0
        self.started = time.monotonic()
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(round(1000 / fps))
        self.timer.timeout.connect(self.send)

    def start(self) -> None:
        self.capture.start()
        self.timer.start()

    def send(self) -> None:
        frame = QVideoFrame(self.clips[self.sent % len(self.clips)])
        frame.setStartTime(round((time.monotonic() - self.started) * 1e6))
        self.source.sendVideoFrame(frame)
        self.sent += 1

    def stop(self) -> str:
        self.timer.stop()
        self.capture.stop()
        seconds = time.monotonic() - self.started
        return (
            f"{self.sent} frames sent, {self.capture.processed} measured "
            f"({self.capture.processed / seconds:.1f} a second), "
            f"{self.capture.skipped} left out to keep to the frame rate cap, "
            f"{self.capture.mailbox.dropped} dropped while the worker was busy"
        )


def timer_run(app: QGuiApplication, seconds: int, path: CameraPath | None) -> tuple[float, float]:
    """The timer's p99 error in ms, and the process's CPU in % of one core."""
    if path is not None:
        path.start()
    p99, cpu = timed_session(app, seconds)
    if path is not None:
        print(f"    camera path: {path.stop()}")
    return p99, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20, help="each timer run (default 20)")
    parser.add_argument("--fps", type=float, default=30.0, help="frames a second (default 30)")
    parser.add_argument("--rounds", type=int, default=2, help="alone/beside pairs (default 2)")
    parser.add_argument(
        "--max-fps",
        type=float,
        nargs="+",
        default=[MAX_FPS],
        help=f"the capture's cap on frames measured a second, 0 for none; a run each "
        f"(default {MAX_FPS:g}, the app's)",
    )
    args = parser.parse_args()
    print(_load())
    app = QGuiApplication.instance() or QGuiApplication(sys.argv)
    assert isinstance(app, QGuiApplication)
    clips = video_frames(args.fps)
    alone: list[float] = []
    beside: dict[float, list[float]] = {}
    for round_number in range(1, args.rounds + 1):
        p99, cpu = timer_run(app, args.seconds, None)
        alone.append(p99)
        print(f"round {round_number}: timer p99 alone {p99:.2f} ms; CPU {cpu:.0f}% of a core")
        for cap in args.max_fps:
            path = CameraPath(clips, args.fps, cap or None)
            p99, cpu = timer_run(app, args.seconds, path)
            beside.setdefault(cap, []).append(p99)
            print(
                f"round {round_number}: timer p99 beside the camera path at {args.fps:g} fps, "
                f"cap {cap or 'none'}: {p99:.2f} ms; CPU {cpu:.0f}% of a core"
            )
    a = statistics.median(alone)
    print(f"median p99 alone: {a:.2f} ms")
    for cap, values in beside.items():
        b = statistics.median(values)
        print(f"median p99 beside the camera path, cap {cap or 'none'}: {b:.2f} ms (x{b / a:.2f})")
    print(_load())
    return 0


if __name__ == "__main__":
    sys.exit(main())
