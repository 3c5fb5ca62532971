"""The first Start of a fresh process puts the first phase on screen before anything the
phase does not need: keeping the screen awake and watching for sleep follow the paint."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.helpers import last_json_line, run_python

FIRST_START = r"""
import json, sys, time
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication
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
def test_the_first_phase_is_painted_before_keeping_awake_and_watching_sleep(
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
import json, sys
import PySide6.QtGui as gui
from PySide6.QtWidgets import QApplication
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
engine.stop()
controller.session.stop()
print(json.dumps(report))
"""


def test_screen_reader_announcements_load_their_types_at_the_first_start(
    tmp_path: Path,
) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    report = last_json_line(run_python(ACCESSIBLE, str(tmp_path), env=env, cwd=tmp_path))
    assert not report["at start"]  # the start screen built without
    assert report["told"].startswith("GET READY")
    assert report["at Start"]  # the first phase was told
