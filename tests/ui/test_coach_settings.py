"""The camera coach's settings and what the window does when the coach cannot run: off by
default, on per workout or for all, the camera remembered, one sentence where the switches
are when there is no camera or no coach, and nothing of it loaded when it is not used."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest
from PySide6.QtCore import Qt, QTimer
from pytestqt.qtbot import QtBot

from legdrive_timer.storage.settings import load_settings
from legdrive_timer.ui.control import coach as coach_control
from tests.helpers.window import WindowHarness

CAMERAS = [("/dev/video0", "Built-in camera"), ("/dev/video2", "USB camera")]


def open_coach_settings(qtbot: QtBot, h: WindowHarness, check: object) -> None:
    def run() -> None:
        dialog = h.app.coach.dialog
        assert dialog is not None
        try:
            check(dialog)  # type: ignore[operator]
        finally:
            dialog.reject()

    QTimer.singleShot(0, run)
    qtbot.keyClick(h.window.start_screen.list, Qt.Key.Key_C)


def test_the_coach_is_off_until_turned_on_and_remembers_the_camera(
    qtbot: QtBot, harness: WindowHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = harness
    monkeypatch.setattr(coach_control, "missing_runtime", lambda: None)
    monkeypatch.setattr(h.app.coach, "_cameras", lambda: CAMERAS)
    assert not h.app.settings.coach
    h.window.start_screen.list.setCurrentRow(0)
    assert h.window.start_screen.selected_id() == "primer"
    seen: list[str] = []

    def change(dialog: object) -> None:
        from legdrive_timer.ui.coach_dialog import CoachDialog

        assert isinstance(dialog, CoachDialog)
        assert not dialog.status.isVisibleTo(dialog)
        assert dialog.coach.isEnabled() and not dialog.coach.isChecked()
        assert dialog.workout.currentText() == "As for every workout"
        seen.extend(dialog.camera.itemText(i) for i in range(dialog.camera.count()))
        dialog.coach.setChecked(True)
        dialog.workout.setCurrentText("Off")
        dialog.camera.setCurrentIndex(2)

    open_coach_settings(qtbot, h, change)
    assert seen == ["System default", "Built-in camera", "USB camera"]
    settings = h.app.settings
    assert settings.coach and settings.camera == "/dev/video2"
    assert not settings.coach_for("primer") and settings.coach_for("hiit")
    h.app.settings_control.flush()
    saved, _ = load_settings(h.app.paths.settings_file)
    assert saved == settings

    def reopened(dialog: object) -> None:
        from legdrive_timer.ui.coach_dialog import CoachDialog

        assert isinstance(dialog, CoachDialog)
        assert dialog.coach.isChecked()
        assert dialog.workout.currentText() == "Off"
        assert dialog.camera.currentText() == "USB camera"
        dialog.workout.setCurrentText("As for every workout")

    open_coach_settings(qtbot, h, reopened)
    assert h.app.settings.coach_for("primer")


@pytest.mark.parametrize("what", ["no camera", "no coach"])
def test_one_sentence_where_the_switches_are_when_the_coach_cannot_run(
    qtbot: QtBot, harness: WindowHarness, monkeypatch: pytest.MonkeyPatch, what: str
) -> None:
    h = harness
    if what == "no camera":
        monkeypatch.setattr(coach_control, "missing_runtime", lambda: None)
        monkeypatch.setattr(h.app.coach, "_cameras", list)
        expected = coach_control.NO_CAMERA
    else:
        missing = "The camera coach is not installed (missing numpy); add it with: pip x"
        monkeypatch.setattr(coach_control, "missing_runtime", lambda: missing)
        expected = missing + "."
    texts: list[str] = []

    def check(dialog: object) -> None:
        from legdrive_timer.ui.coach_dialog import CoachDialog

        assert isinstance(dialog, CoachDialog)
        assert dialog.status.isVisibleTo(dialog)
        texts.append(dialog.status.text())
        assert not dialog.coach.isEnabled()
        assert not dialog.workout.isEnabled() and not dialog.camera.isEnabled()

    open_coach_settings(qtbot, h, check)
    assert texts == [expected]
    assert texts[0].count(".") <= 2 and "\n" not in texts[0]


def test_a_session_with_the_coach_on_but_not_installed_runs_without_it(
    qtbot: QtBot, harness: WindowHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dataclasses

    from legdrive_timer.core.builtins import builtin_workout
    from legdrive_timer.core.records import SessionStatus

    h = harness
    missing = "The camera coach is not installed (missing numpy); add it with: pip x"
    monkeypatch.setattr(coach_control, "missing_runtime", lambda: missing)
    h.app.settings = dataclasses.replace(h.app.settings, coach=True)
    workout = builtin_workout("primer")
    assert workout is not None
    h.app.start(workout)
    assert h.app.coach.engine is None and h.app.coach.feed is None
    assert any("This session runs without it" in m for m in h.window.banner.messages())
    assert h.view.coach.isHidden()
    h.scheduler.run_until_idle()
    record = h.app.session.last_record
    assert record is not None and record.status is SessionStatus.COMPLETED


SESSION = textwrap.dedent(
    """
    import dataclasses, sys
    from pathlib import Path
    from PySide6.QtWidgets import QApplication
    from legdrive_timer.core.builtins import builtin_workout
    from legdrive_timer.storage.paths import DataPaths
    from tests.helpers.window import WindowHarness

    app = QApplication([])
    h = WindowHarness(DataPaths.resolve(Path(sys.argv[1])))
    if sys.argv[2] == "on-for-intervals":
        h.app.settings = dataclasses.replace(h.app.settings, coach=True)
        workout = builtin_workout("hiit")
    else:
        workout = builtin_workout("primer")
    h.window.show()
    h.app.start(workout)
    h.scheduler.run_until_idle()
    app.processEvents()
    assert h.app.session.last_record is not None
    loaded = [m for m in ("PySide6.QtMultimedia", "numpy", "ai_edge_litert") if m in sys.modules]
    print(loaded, h.app.coach.feed)
    """
)


@pytest.mark.parametrize("case", ["off", "on-for-intervals"])
def test_without_the_coach_no_camera_and_no_qt_multimedia(tmp_path: object, case: str) -> None:
    """A whole session without rep sets to count, or with the coach off (the default): no
    camera, and neither Qt Multimedia nor the pose runtime is loaded."""
    result = subprocess.run(
        [sys.executable, "-c", SESSION, str(tmp_path), case],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[] None"


# Qt Multimedia looks for PipeWire's camera portal first and says when it is not there.
@pytest.mark.qt_log_ignore("pipewire")
def test_the_coach_on_with_no_camera_says_so_once_and_the_session_runs(
    qtbot: QtBot, data_paths: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real camera path on a computer without a camera (as here and in CI)."""
    import dataclasses

    pytest.importorskip("PySide6.QtMultimedia")
    from legdrive_timer.core.builtins import builtin_workout
    from legdrive_timer.core.records import SessionStatus
    from legdrive_timer.storage.paths import DataPaths
    from legdrive_timer.ui.coach_camera import cameras

    if cameras():
        pytest.skip("this computer has a camera; the test would open it")
    assert isinstance(data_paths, DataPaths)

    class NoModel:
        def estimate(self, image: object) -> None:
            return None

    monkeypatch.setattr(coach_control, "missing_runtime", lambda: None)
    h = WindowHarness(data_paths, coach_estimator_factory=NoModel)
    qtbot.addWidget(h.window)
    h.window.show()
    h.app.settings = dataclasses.replace(h.app.settings, coach=True)
    workout = builtin_workout("primer")
    assert workout is not None
    h.app.start(workout)
    banner = h.window.banner
    qtbot.waitUntil(lambda: "No camera found" in " ".join(banner.messages()))
    assert [m for m in banner.messages() if "camera" in m.lower()] == [
        "No camera found: the session goes on without the coach."
    ]
    assert not h.app.coach.camera_on and not h.view.coach.camera.isVisible()
    h.scheduler.run_until_idle()
    record = h.app.session.last_record
    assert record is not None and record.status is SessionStatus.COMPLETED
    h.window.close()


@pytest.mark.parametrize("answer", ["Denied", "Undetermined then Denied"])
def test_a_camera_the_system_does_not_allow_is_said_and_not_opened(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, answer: str
) -> None:
    """macOS and Windows ask the person before an app may use the camera."""
    pytest.importorskip("PySide6.QtMultimedia")
    from legdrive_timer.ui import coach_camera

    statuses = [Qt.PermissionStatus[name] for name in answer.split(" then ")]
    asked: list[object] = []

    class System:
        def checkPermission(self, permission: object) -> Qt.PermissionStatus:
            return statuses[0]

        def requestPermission(self, permission: object, context: object, answered: object) -> None:
            asked.append(permission)
            statuses.pop(0)
            QTimer.singleShot(0, lambda: answered(permission))  # type: ignore[operator]

    class App:
        @staticmethod
        def instance() -> System:
            return System()

    monkeypatch.setattr(coach_camera, "QCoreApplication", App)
    feed = coach_camera.CameraFeed(None)
    failed: list[str] = []
    feed.failed.connect(failed.append)
    feed.open()
    qtbot.waitUntil(lambda: bool(failed))
    assert failed == [
        "This computer does not let the app use the camera (allow it in the system's privacy "
        "settings): the session goes on without the coach."
    ]
    assert len(asked) == (1 if "Undetermined" in answer else 0)
    assert not feed.active
