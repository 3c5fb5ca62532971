"""The thick progress bars of the session screen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

from legdrive_timer.ui.qt_values import fill_rect, translucent

if TYPE_CHECKING:
    from PySide6.QtGui import QPaintEvent

TRACK_ALPHA = 70
"""The unfilled part of a bar: the text colour at this alpha (0-255)."""


class ProgressStrip(QWidget):
    """A thick progress bar painted in the text colour, with an optional halfway marker."""

    def __init__(self, parent: QWidget | None = None, *, halfway_marker: bool = False) -> None:
        super().__init__(parent)
        self._fraction = 0.0
        self._halfway_marker = halfway_marker
        self._colour = QColor("#ffffff")
        self._track = translucent(self._colour, TRACK_ALPHA)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        self.setMinimumHeight(4)

    @property
    def fraction(self) -> float:
        return self._fraction

    def set_fraction(self, fraction: float) -> None:
        fraction = min(1.0, max(0.0, fraction))
        if abs(fraction - self._fraction) > 1e-9:
            self._fraction = fraction
            self.update()

    def set_halfway_marker(self, shown: bool) -> None:
        if shown != self._halfway_marker:
            self._halfway_marker = shown
            self.update()

    @property
    def halfway_marker(self) -> bool:
        return self._halfway_marker

    def set_colour(self, colour: str) -> None:
        self._colour = QColor(colour)
        self._track = translucent(self._colour, TRACK_ALPHA)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        rect = self.rect()
        bar_h = max(3, int(rect.height() * 0.6))
        top = (rect.height() - bar_h) // 2
        fill_rect(painter, QRect(0, top, rect.width(), bar_h), self._track)
        fill_rect(painter, QRect(0, top, int(rect.width() * self._fraction), bar_h), self._colour)
        if self._halfway_marker:
            marker_w = max(2, rect.width() // 200)
            marker = QRect(rect.width() // 2 - marker_w // 2, 0, marker_w, rect.height())
            fill_rect(painter, marker, self._colour)
        painter.end()
