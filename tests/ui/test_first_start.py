"""The first Start of a fresh process puts the first phase on screen before anything the
phase does not need: keeping the screen awake, watching for sleep and telling screen readers
follow the paint."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from legdrive_timer.ui import actions, widgets
from legdrive_timer.ui.widgets import FitLabel, fitted_pixel_size
from tests.helpers import last_json_line, run_python

if TYPE_CHECKING:
    from tests.helpers.window import WindowHarness

FIRST_START = r"""
import json, sys, time
import PySide6.QtGui
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QWidget
from legdrive_timer.storage.paths import DataPaths
from legdrive_timer.ui.app import AppController

LATER = ("legdrive_timer.ui.keep_awake", "legdrive_timer.ui.sleep_watch", "jeepney")
app = QApplication([])
controller = AppController(DataPaths.resolve(sys.argv[1]), audio="off", defer_services=True)
window = controller.window
window.show()
app.processEvents()
controller.load_services()
app.processEvents()
at_paint = []

class Probe(QObject):
    # The session screen is built by the Start: its digits are watched from the application.
    def eventFilter(self, watched, event):
        if (
            event.type() == QEvent.Type.Paint
            and not at_paint
            and window.has_session_view
            and watched is window.session_view.digits
        ):
            at_paint.append({name: name in sys.modules for name in LATER})
            at_paint[0]["QAccessible"] = "QAccessible" in vars(PySide6.QtGui)
            at_paint.append(window.session_view.digits.text())
        return False

probe = Probe()
app.installEventFilter(probe)
window.start_screen.list.setFocus()
window.start_screen.keyPressEvent(type("Key", (), {
    "keyCombination": lambda self: self, "toCombined": lambda self: 0x01000004,
    "key": lambda self: 0x01000004, "ignore": lambda self: None,
    "accept": lambda self: None,
})())
end = time.monotonic() + 5
while not at_paint and time.monotonic() < end:
    app.processEvents()
deadline = time.monotonic() + 1
while controller.session.sleep_watcher is None and time.monotonic() < deadline:
    app.processEvents()
    time.sleep(0.005)
after = {name: name in sys.modules for name in LATER[:2]}
print(json.dumps({"at_paint": at_paint, "after": after}))
controller.session.stop()
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the sleep watch is Linux only")
def test_the_first_phase_is_painted_before_keeping_awake_watching_sleep_and_telling(
    tmp_path: Path,
) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)  # no desktop to ask: the answer is quick
    report = last_json_line(run_python(FIRST_START, str(tmp_path), env=env, cwd=tmp_path))
    loaded_at_paint, digits = report["at_paint"]
    assert digits  # the first phase's figure
    assert loaded_at_paint == dict.fromkeys(loaded_at_paint, False)
    assert report["after"] == dict.fromkeys(report["after"], True)


ACCESSIBLE = r"""
import json, sys, time
import PySide6.QtGui as gui
from PySide6.QtWidgets import QApplication, QWidget
from legdrive_timer.core.builtins import builtin_workout
from legdrive_timer.storage.paths import DataPaths
from legdrive_timer.ui.app import AppController

app = QApplication([])
controller = AppController(DataPaths.resolve(sys.argv[1]), audio="off", defer_services=True)
controller.window.show()
app.processEvents()
controller.load_services()
app.processEvents()
report = {"at start": "QAccessible" in vars(gui)}
engine = controller.start(builtin_workout("hiit"))
report["told"] = controller.window.session_view.announcement
report["at Start"] = "QAccessible" in vars(gui)
end = time.monotonic() + 5
while "QAccessible" not in vars(gui) and time.monotonic() < end:
    app.processEvents()
report["after its paint"] = "QAccessible" in vars(gui)
engine.stop()
controller.session.stop()
print(json.dumps(report))
"""


def test_screen_reader_announcements_load_their_types_after_the_first_phase_is_painted(
    tmp_path: Path,
) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    report = last_json_line(run_python(ACCESSIBLE, str(tmp_path), env=env, cwd=tmp_path))
    assert not report["at start"]  # the start screen built without
    assert report["told"].startswith("GET READY")
    assert not report["at Start"]  # told once the first phase is on screen
    assert report["after its paint"]


def test_the_first_start_fits_each_text_once_at_the_size_it_is_shown_at(
    qtbot: QtBot, harness: WindowHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The session screen is built by the Start and laid out once, at the window's size:
    each label and button is fitted to its text once, and fitting it again changes nothing
    (a label fitted before its final size, or measured in another weight than it is drawn,
    would be fitted again, or be wrong)."""
    fitted: list[str] = []

    def counting(font: QFont, text: str, size: QSize, **options: Any) -> int:
        if text:
            fitted.append(text)
        return fitted_pixel_size(font, text, size, **options)

    monkeypatch.setattr(widgets, "fitted_pixel_size", counting)
    monkeypatch.setattr(actions, "fitted_pixel_size", counting)
    window = harness.window
    assert not window.has_session_view
    qtbot.keyClick(window.start_screen.list, Qt.Key.Key_Return)
    view = window.session_view
    qtbot.waitUntil(lambda: view.isVisible() and view.title.text() != "")
    QApplication.processEvents()
    assert fitted and len(fitted) == len(set(fitted)), sorted(fitted)
    labels = [label for label in view.findChildren(FitLabel) if label.isVisible()]
    buttons = [button for button in view.buttons if button.isVisible()]
    assert len(labels) >= 8 and len(buttons) == 7
    shown = {widget: widget.font().pixelSize() for widget in [*labels, *buttons]}
    fitted.clear()
    monkeypatch.undo()
    for label in labels:
        label._fit()
    for button in buttons:
        button._fitted_for = None
        button.fit_font()
    assert {widget: widget.font().pixelSize() for widget in shown} == shown


def test_the_coach_row_is_built_in_its_place_when_the_coach_first_shows(
    qtbot: QtBot, harness: WindowHarness
) -> None:
    """A session without the camera coach does not build its row; asked for, the row takes
    its place between the rep line and the cue, with its share of the height."""
    window = harness.window
    qtbot.keyClick(window.start_screen.list, Qt.Key.Key_Return)
    view = window.session_view
    assert not [w for w in view.findChildren(QWidget) if type(w).__name__ == "CoachStrip"]
    layout = view.layout()
    place = layout.indexOf(view.prompt) + 1
    assert layout.indexOf(view.cue) == place + 1
    strip = view.coach
    assert layout.indexOf(strip) == place and layout.stretch(place) > 0
    assert strip.isHidden()
    view.show_coach(True)
    qtbot.waitUntil(lambda: strip.isVisible() and strip.height() > 0)
    assert view.prompt.geometry().bottom() < strip.geometry().top()
    assert strip.geometry().bottom() < view.cue.geometry().top() or view.cue.isHidden()
