"""Regenerate the window screenshots in this folder.

    QT_QPA_PLATFORM=offscreen python docs/screenshots/generate.py
    xvfb-run -a -s "-screen 0 1920x1080x24" \
        env QT_QPA_PLATFORM=xcb python docs/screenshots/generate.py

Runs the real app on a fake clock (nothing waits in real time) with a throw-away data dir
and grabs the window at each screen, at a small laptop window and at a large one.
"""

from __future__ import annotations

import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The fake clock and scheduler are the tests' own.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from PySide6.QtWidgets import QApplication

from legdrive_timer.core.builtins import builtin_workout
from legdrive_timer.core.overrides import Overrides, apply_overrides
from legdrive_timer.storage.paths import DataPaths
from legdrive_timer.ui.app import AppController
from tests.helpers.fakes import FakeClock, FakeScheduler

HERE = Path(__file__).resolve().parent
SIZES = {"small": (800, 480), "large": (1600, 1000)}


def open_window(
    data: Path, size: tuple[int, int], **options: Any
) -> tuple[AppController, FakeScheduler]:
    """The app on a fake clock in `data`, its window shown at `size`."""
    clock = FakeClock()
    scheduler = FakeScheduler(clock)
    controller = AppController(
        DataPaths.resolve(data),
        clock=clock,
        scheduler=scheduler,
        audio="off",
        cue_timer_factory=lambda: FakeScheduler(clock),
        **options,
    )
    controller.window.resize(*size)
    controller.window.show()
    return controller, scheduler


def saver(app: QApplication, controller: AppController, size_name: str) -> Callable[[str], None]:
    """Saves the window as NAME-SIZE.png here, past the transition flash."""

    def save(name: str) -> None:
        controller.window.session_view.flash.hide()
        app.processEvents()
        controller.window.grab().save(str(HERE / f"{name}-{size_name}.png"), "PNG", 9)

    return save


def shoot(app: QApplication, size_name: str, size: tuple[int, int], data: Path) -> None:
    controller, scheduler = open_window(data / size_name, size)
    window = controller.window
    view = window.session_view
    save = saver(app, controller, size_name)

    # One workout with the user's own lengths, as the start screen marks it.
    controller.settings = controller.settings.with_overrides("hiit", Overrides(rounds=6))
    controller.refresh_workouts()
    save("start")
    controller.sound.toggle_mute()  # M: the start screen says so, and the notice
    save("muted")
    controller.sound.toggle_mute()
    if window.notice is not None:
        window.notice.hide()
    primer = builtin_workout("primer")
    assert primer is not None
    controller.start(apply_overrides(primer, Overrides(reps=4, sets=1)))
    scheduler.advance(3000)
    save("prep")
    scheduler.advance(7000 + 3600)
    save("work")
    scheduler.advance(10_000 - 3600 + 2000)
    save("switch")
    window.stability_prompt.rate(4)
    scheduler.advance(10_000)
    save("left")
    scheduler.advance(8000 - 2000)
    view.primary()
    save("paused")
    view.primary()
    scheduler.run_until_idle()
    window.summary_view.rate_effort(6)
    save("summary")
    hiit = builtin_workout("hiit")
    assert hiit is not None
    controller.start(hiit)
    scheduler.advance(10_000 + 30_000 + 12_000)
    save("rest")
    controller.shutdown()


Shooter = Callable[[QApplication, str, tuple[int, int], Path], None]


def main(shooter: Shooter = shoot) -> int:
    """Grab every size with `shooter` (this file's screens, or another script's)."""
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    with tempfile.TemporaryDirectory() as data:
        for name, size in SIZES.items():
            shooter(app, name, size, Path(data))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
