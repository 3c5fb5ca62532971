"""The camera coach's line on the session screen: the camera-on sign, the reps the camera
counted next to the plan with a tick per rep that reached parallel, and, between sets, what
the camera measured of the side just done.

Secondary to the phase, the side and the big figure: one row under the rep line, in the
phase's text colour. Qt Multimedia is not needed here, so the session screen can hold the
strip without loading it. Only its painting uses PySide6's `Qt` enums (see ui.qt_values): the
session screen builds the strip hidden, and it is painted only while the coach is on.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6 import QtCore
from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QPainter, QPaintEvent, QPen, QResizeEvent
from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QWidget

from legdrive_timer.ui.widgets import FitLabel

CAMERA_RED = "#e0001b"


class CameraSign(QWidget):
    """A pill in the text colour with a red dot and CAMERA: the camera is on."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Camera on")
        self.setAccessibleDescription("The camera coach is watching; frames stay on this computer.")
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Ignored)
        self._fg = QColor("#ffffff")
        self._bg = QColor("#000000")

    def set_colours(self, fg: str, bg: str) -> None:
        self._fg, self._bg = QColor(fg), QColor(bg)
        self.update()

    def fit(self, height: int) -> None:
        self.setFixedWidth(max(60, int(height * 3.6)))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        h = min(self.height(), self.width() / 3.6)
        box = QRectF(0, (self.height() - h) / 2, self.width(), h)
        painter.setPen(QtCore.Qt.PenStyle.NoPen)
        painter.setBrush(self._fg)
        painter.drawRoundedRect(box, h / 2, h / 2)
        dot = h * 0.56
        painter.setBrush(QColor(CAMERA_RED))
        painter.drawEllipse(QRectF(box.left() + h * 0.25, box.center().y() - dot / 2, dot, dot))
        font = self.font()
        font.setBold(True)
        font.setPixelSize(max(8, int(h * 0.5)))
        painter.setFont(font)
        painter.setPen(self._bg)
        text_box = box.adjusted(h * 0.25 + dot + h * 0.15, 0, -h * 0.2, 0)
        painter.drawText(text_box, QtCore.Qt.AlignmentFlag.AlignCenter, "CAMERA")
        painter.end()


class RepTicks(QWidget):
    """One mark per planned rep: a filled tick for a rep that reached parallel, an open
    ring for one that did not, a small dot for one still to come."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Reps at parallel")
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        self.parallel: tuple[bool, ...] = ()
        self.planned = 0
        self._fg = QColor("#ffffff")
        self._bg = QColor("#000000")

    def set_reps(self, parallel: Sequence[bool], planned: int) -> None:
        self.parallel, self.planned = tuple(parallel), planned
        reached = sum(self.parallel)
        self.setAccessibleDescription(f"{reached} of {len(self.parallel)} reps reached parallel")
        self.update()

    def set_colours(self, fg: str, bg: str) -> None:
        self._fg, self._bg = QColor(fg), QColor(bg)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        slots = max(self.planned, len(self.parallel))
        if slots == 0:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        step = min(self.width() / slots, self.height() * 1.15)
        size = step * 0.82
        top = (self.height() - size) / 2
        pen = QPen(self._fg, max(1.5, size * 0.1))
        for i in range(slots):
            box = QRectF(i * step + (step - size) / 2, top, size, size)
            if i < len(self.parallel) and self.parallel[i]:
                painter.setPen(QtCore.Qt.PenStyle.NoPen)
                painter.setBrush(self._fg)
                painter.drawEllipse(box)
                tick = QPen(self._bg, max(2.0, size * 0.14))
                tick.setCapStyle(QtCore.Qt.PenCapStyle.RoundCap)
                painter.setPen(tick)
                x, y, s = box.left(), box.top(), size
                painter.drawPolyline(
                    [
                        QPointF(x + s * 0.27, y + s * 0.52),
                        QPointF(x + s * 0.44, y + s * 0.70),
                        QPointF(x + s * 0.75, y + s * 0.30),
                    ]
                )
            elif i < len(self.parallel):
                painter.setPen(pen)
                painter.setBrush(QtCore.Qt.BrushStyle.NoBrush)
                painter.drawEllipse(
                    box.adjusted(size * 0.08, size * 0.08, -size * 0.08, -size * 0.08)
                )
            else:
                painter.setPen(QtCore.Qt.PenStyle.NoPen)
                painter.setBrush(self._fg)
                dot = size * 0.22
                painter.drawEllipse(
                    QRectF(box.center().x() - dot / 2, box.center().y() - dot / 2, dot, dot)
                )
        painter.end()


def count_text(counted: int, planned: int | None) -> str:
    return f"Camera: {counted} of {planned}" if planned else f"Camera: {counted}"


class CoachStrip(QWidget):
    """The camera sign, then either the count and ticks of the set under way, or a line of
    text (stand still to start, or the last side's measures)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("coach_strip")
        self.setAccessibleName("Camera coach")
        self.camera = CameraSign()
        self.camera.hide()
        self.count = FitLabel(bold=True, max_fraction=0.8)
        self.count.setAccessibleName("Reps the camera counted")
        self.ticks = RepTicks()
        self.text = FitLabel(max_fraction=0.7)
        self.text.setAccessibleName("Camera coach")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)
        layout.addWidget(self.camera, 0)
        layout.addWidget(self.count, 3)
        layout.addWidget(self.ticks, 5)
        layout.addWidget(self.text, 8)
        self.show_text("")

    @property
    def camera_on(self) -> bool:
        return not self.camera.isHidden()

    def set_camera_on(self, on: bool) -> None:
        self.camera.setVisible(on)

    def show_reps(self, parallel: Sequence[bool], planned: int | None) -> None:
        """The set under way: how many the camera counted against the plan, with ticks."""
        self.count.setText(count_text(len(parallel), planned))
        self.count.setAccessibleDescription(self.count.text())
        self.ticks.set_reps(parallel, planned or 0)
        self.text.hide()
        self.count.show()
        self.ticks.show()

    def show_text(self, text: str) -> None:
        self.text.setText(text)
        self.text.setAccessibleDescription(text)
        self.count.hide()
        self.ticks.hide()
        self.text.show()

    def set_colours(self, fg: str, bg: str) -> None:
        self.camera.set_colours(fg, bg)
        self.ticks.set_colours(fg, bg)
        self.count.set_colour(fg)
        self.text.set_colour(fg)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.camera.fit(self.height())
