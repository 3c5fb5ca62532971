"""Qt's enum values as the ints and names Qt's API takes, and painting that needs none of
PySide6's `Qt` enums: for the start and session screens.

The first time anything touches PySide6's `Qt` namespace it builds the Python enum classes of
the whole namespace at once: about 90 classes, 1.4 MiB and 11-20 ms. It happens on a name
(`Qt.Key.Key_Space`), on a value Qt hands back (`QKeyEvent.modifiers()`,
`QWidget.focusPolicy()`), and while PySide6 chooses among the overloads of a method one of
which takes such an enum (`QPainter.setPen`, `QPainter.fillRect`, `QBrush(colour)`). The start
screen and the session screen, from the first frame through a session, never touch it:

- enum-typed settings go by name through Qt's property system (`set_enum_property`);
- keys are read as the ints Qt delivers (`key_and_modifiers`) and compared with `KEYS`;
- colours are made from their names (`QColor(colour)` of another QColor is an overload
  choice too: `translucent` makes the copies);
- painting uses calls with a single signature: the painter's pen comes from the widget's
  palette, rectangles and shapes are filled with a brush made from a pen (`solid_brush`,
  `fill_rect`, `fill_path`) and stroked with a pen (`outline_pen`, `QPainter.strokePath`).

tests/ui/test_qt_values.py checks every value against PySide6's enums, and a fresh
interpreter runs the window, the session screen and a session without the namespace built.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF
from PySide6.QtGui import QBrush, QColor, QPainterPath, QPen

if TYPE_CHECKING:
    from PySide6.QtCore import QObject, QRect
    from PySide6.QtGui import QKeyEvent, QPainter

ALIGN_CENTER = 0x0084
"""`Qt.AlignmentFlag.AlignCenter`, as the int `QPainter.drawText` and
`QFontMetrics.boundingRect` take."""
TEXT_WORD_WRAP = 0x1000
"""`Qt.TextFlag.TextWordWrap`, as an int."""

SHIFT_MODIFIER = 0x0200_0000
"""`Qt.KeyboardModifier.ShiftModifier`."""
KEYPAD_MODIFIER = 0x2000_0000
"""`Qt.KeyboardModifier.KeypadModifier`."""
MODIFIER_MASK = 0xFE00_0000
"""`Qt.KeyboardModifier.KeyboardModifierMask`: the modifier bits of a combined key."""

KEYS: dict[str, int] = {
    "Escape": 0x0100_0000,
    "Tab": 0x0100_0001,
    "Backspace": 0x0100_0003,
    "Return": 0x0100_0004,
    "Enter": 0x0100_0005,
    "Delete": 0x0100_0007,
    "Home": 0x0100_0010,
    "End": 0x0100_0011,
    "Left": 0x0100_0012,
    "Up": 0x0100_0013,
    "Right": 0x0100_0014,
    "Down": 0x0100_0015,
    "PageUp": 0x0100_0016,
    "PageDown": 0x0100_0017,
    "Space": 0x20,
    "Plus": 0x2B,
    "Minus": 0x2D,
    "Question": 0x3F,
    **{str(digit): ord(str(digit)) for digit in range(10)},
    **{chr(letter): letter for letter in range(ord("A"), ord("Z") + 1)},
}
"""`Qt.Key` codes by their name without `Key_`: the keys the app's commands and lists use."""


def key_and_modifiers(event: QKeyEvent) -> tuple[int, int]:
    """The key code and the modifier bits of a key press, as ints (`event.modifiers()`
    would build the enums)."""
    combined = event.keyCombination().toCombined()
    return combined & ~MODIFIER_MASK, combined & MODIFIER_MASK


def set_enum_property(target: QObject, name: str, value: str) -> None:
    """Set an enum- or flag-typed Qt property by its value's name ("StrongFocus",
    "AlignLeft|AlignVCenter"): `label.setAlignment(Qt.AlignmentFlag...)` without the enums."""
    if not target.setProperty(name, value):
        raise ValueError(f"{type(target).__name__} has no property {name} taking {value!r}")


def translucent(colour: QColor, alpha: int) -> QColor:
    """`colour` with this alpha (0-255), a new QColor."""
    copy = QColor(colour.name())
    copy.setAlpha(alpha)
    return copy


def solid_brush(colour: QColor) -> QBrush:
    """A solid brush of `colour` (`QBrush(colour)` chooses among overloads)."""
    pen = QPen()
    pen.setColor(colour)
    return pen.brush()


def outline_pen(colour: QColor, width: float) -> QPen:
    """A solid pen of `colour` and `width` pixels, for `QPainter.strokePath`."""
    pen = QPen()
    pen.setColor(colour)
    pen.setWidthF(width)
    return pen


def rounded_rect(box: QRectF, radius: float) -> QPainterPath:
    path = QPainterPath()
    path.addRoundedRect(box, radius, radius)
    return path


def fill_path(painter: QPainter, path: QPainterPath, colour: QColor) -> None:
    painter.fillPath(path, solid_brush(colour))


def fill_rect(painter: QPainter, rect: QRect | QRectF, colour: QColor) -> None:
    """`painter.fillRect(rect, colour)` (what `eraseRect` does with the background brush)."""
    painter.setBackground(solid_brush(colour))
    painter.eraseRect(rect)
