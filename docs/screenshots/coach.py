"""Regenerate the camera coach's screenshots in this folder (coach-*.png).

    xvfb-run -a -s "-screen 0 1920x1080x24" \
        env QT_QPA_PLATFORM=xcb python docs/screenshots/coach.py

The real app on a fake clock, the coach on, fed through Qt Multimedia's frame input in place
of a camera: frames that number the poses of a drawn knee-drive track, read back by the
tests' stand-in estimator (no model, so it runs anywhere the coach extra is installed).
Grabs the window before the set (camera on, standing still), during it (count, ticks, a
form cue), at the switch (the side's measures) and on the summary, small and large.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The fake clock, the frame input and the stand-in estimator are the tests' own; the
# window is opened as the other screenshots' script opens it.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate
from PySide6.QtWidgets import QApplication

from legdrive_timer.core.builtins import builtin_workout
from legdrive_timer.core.overrides import Overrides, apply_overrides
from legdrive_timer.core.workout import Side
from tests.coach_figure import RepPlan, samples
from tests.helpers.coach_feed import FrameInputFeed, TrackEstimator, numbered_frame

FPS = 10.0
STAND_S = 4.2
PLANS = [RepPlan(peak_deg=95), RepPlan(peak_deg=92), RepPlan(peak_deg=62), RepPlan(peak_deg=60)]


def wait_until(app: QApplication, done: object, seconds: float = 10.0) -> None:
    import time

    end = time.monotonic() + seconds
    while not done() and time.monotonic() < end:  # type: ignore[operator]
        app.processEvents()
        time.sleep(0.005)


def shoot(app: QApplication, size_name: str, size: tuple[int, int], data: Path) -> None:
    track = samples(PLANS, Side.RIGHT, FPS, stand_s=STAND_S)
    feeds: list[FrameInputFeed] = []

    def feed(camera_id: str | None) -> FrameInputFeed:
        feeds.append(FrameInputFeed(camera_id))
        return feeds[-1]

    controller, scheduler = generate.open_window(
        data / size_name,
        size,
        coach_feed_factory=feed,
        coach_estimator_factory=lambda: TrackEstimator(track),
    )
    controller.settings = dataclasses.replace(controller.settings, coach=True)
    window = controller.window
    coach = controller.coach
    save_as = generate.saver(app, controller, size_name)

    def save(name: str) -> None:
        save_as(f"coach-{name}")

    def send(start_s: float, end_s: float) -> None:
        capture = coach.capture
        assert capture is not None
        for i, sample in enumerate(track):
            if start_s <= sample.t_s < end_s:
                feeds[-1].send(numbered_frame(i), sample.t_s)
                wait_until(app, lambda: capture.idle)
        wait_until(app, lambda: False, 0.05)

    base = builtin_workout("primer")
    assert base is not None
    controller.start(apply_overrides(base, Overrides(reps=15, prep_s=10)))
    wait_until(app, lambda: coach.camera_on)
    scheduler.advance(4000)
    save("stand")
    send(0, STAND_S)
    scheduler.advance(6000)  # DRIVE
    send(STAND_S, track[-1].t_s + 1)
    scheduler.advance(6000)
    save("drive")
    scheduler.advance(15 * 2500 - 6000)  # the set's end: switch sides
    wait_until(app, lambda: coach.after_side != "")
    scheduler.advance(3000)
    save("switch")
    controller.session.stop()
    save("summary")  # the measures per set, beside the plan
    window.close()


if __name__ == "__main__":
    raise SystemExit(generate.main(shoot))
