"""The start and session screens do without PySide6's `Qt` enums (ui.qt_values): the values
they use instead are Qt's, they paint as Qt's own calls do, and a whole session runs in a
fresh interpreter without the `Qt` namespace being built."""

from __future__ import annotations

import os
import subprocess
import sys

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from legdrive_timer.storage.paths import DataPaths
from legdrive_timer.ui import qt_values
from legdrive_timer.ui.actions import COMMANDS
from legdrive_timer.ui.start_screen import NAVIGATION_KEYS


def test_the_key_codes_are_qts() -> None:
    for name, code in qt_values.KEYS.items():
        assert getattr(Qt.Key, f"Key_{name}").value == code, name


def test_every_key_a_command_or_the_list_answers_has_its_code() -> None:
    names = {name for command in COMMANDS.values() for name in command.keys}
    assert names | set(NAVIGATION_KEYS) <= set(qt_values.KEYS)


def test_the_flags_are_qts() -> None:
    assert Qt.AlignmentFlag.AlignCenter.value == qt_values.ALIGN_CENTER
    assert Qt.TextFlag.TextWordWrap.value == qt_values.TEXT_WORD_WRAP
    assert Qt.KeyboardModifier.ShiftModifier.value == qt_values.SHIFT_MODIFIER
    assert Qt.KeyboardModifier.KeypadModifier.value == qt_values.KEYPAD_MODIFIER
    assert Qt.KeyboardModifier.KeyboardModifierMask.value == qt_values.MODIFIER_MASK


def _painted(paint: object) -> QImage:
    image = QImage(40, 30, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor("#204060"))
    painter = QPainter(image)
    paint(painter)  # type: ignore[operator]
    painter.end()
    return image


def test_fill_rect_paints_as_qts_fill_rect() -> None:
    colour = qt_values.translucent(QColor("#ffcc00"), 110)
    assert (colour.name(), colour.alpha()) == ("#ffcc00", 110)
    box = QRect(3, 4, 20, 11)
    ours = _painted(lambda p: qt_values.fill_rect(p, box, colour))
    qts = _painted(lambda p: p.fillRect(box, colour))
    assert ours == qts


def test_enum_properties_are_set_by_name(qtbot: QtBot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    qt_values.set_enum_property(label, "alignment", "AlignLeft|AlignVCenter")
    assert label.alignment() == Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
    try:
        qt_values.set_enum_property(label, "alignment", "Sideways")
    except ValueError:
        pass
    else:
        raise AssertionError("an unknown value was taken")


A_SESSION_WITHOUT_QT = """
import sys
import PySide6.QtCore
from PySide6.QtWidgets import QApplication

from legdrive_timer.storage.paths import DataPaths
from legdrive_timer.ui.app import AppController
from legdrive_timer.ui.qt_values import KEYS

def qt_built():
    return "Qt" in vars(PySide6.QtCore)

app = QApplication([])
controller = AppController(DataPaths.resolve(sys.argv[1]), audio="off", defer_services=True)
window = controller.window
window.resize(1000, 700)
window.show()
app.processEvents()
controller.load_services()
app.processEvents()
built = {"window": qt_built()}


class Key:
    # What the screens read of a key press; Qt's QKeyEvent needs the enums to be made.
    def __init__(self, name):
        self.code = KEYS[name]
        self.ignored = False

    def keyCombination(self):
        return self

    def toCombined(self):
        return self.code

    def key(self):
        return self.code

    def ignore(self):
        self.ignored = True


window.start_screen.keyPressEvent(Key("Space"))  # Start
view = window.session_view
assert view.isVisible() and view.title.text() == "GET READY", view.title.text()
window.grab()
for name in ("Right", "Space", "Up", "Down", "Left", "Space", "Question", "Question", "Space"):
    target = view
    if window.help_visible:
        target = window.help_overlay
    target.keyPressEvent(Key(name))
    app.processEvents()
    window.grab()
view.keyPressEvent(Key("Escape"))  # asks first
assert view.confirming_stop
window.grab()
view.keyPressEvent(Key("Escape"))  # keeps going
assert not view.confirming_stop and controller.engine.is_active
built["session"] = qt_built()
from PySide6.QtCore import Qt  # noqa: E402,F401
built["check"] = qt_built()
print(built)
"""


def test_a_session_runs_without_building_qts_enums(data_paths: DataPaths) -> None:
    """The observable: PySide6 adds `Qt` to the QtCore module when it builds the namespace
    (and its ~90 enum classes); the last line shows that it does."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    result = subprocess.run(
        [sys.executable, "-c", A_SESSION_WITHOUT_QT, str(data_paths.data_dir)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == str({"window": False, "session": False, "check": True})
