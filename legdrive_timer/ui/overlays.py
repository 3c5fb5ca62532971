"""Layers over a screen: a translucent backdrop, the key help and a passing notice.

An overlay offers its own buttons for what can be done on it: it never just swallows the
clicks meant for the screen below.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from legdrive_timer.ui.actions import Actions
from legdrive_timer.ui.qt_values import fill_rect
from legdrive_timer.ui.widgets import FitLabel

if TYPE_CHECKING:
    from PySide6.QtGui import QKeyEvent, QPaintEvent

NOTICE_MS = 1500
OVERLAY_BUTTON_STYLE = (
    "QPushButton { color: white; background: #444; border: 3px solid white; border-radius: 10px; }"
)


class Overlay(QWidget):
    """A full-size layer with a translucent background (pause, confirm, help, flash)."""

    def __init__(self, parent: QWidget, colour: str, alpha: int) -> None:
        super().__init__(parent)
        self._colour = QColor(colour)
        self._colour.setAlpha(alpha)
        self.hide()

    def set_colour(self, colour: str, alpha: int) -> None:
        self._colour = QColor(colour)
        self._colour.setAlpha(alpha)
        self.update()

    def cover(self) -> None:
        """Show over the whole parent, on top."""
        parent = self.parentWidget()
        if parent is not None:
            self.setGeometry(parent.rect())
        self.show()
        self.raise_()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        fill_rect(painter, self.rect(), self._colour)
        painter.end()


class KeyHelp(Overlay):
    """The keys of the screen below and of the whole window, from the action table."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent, "#000000", 225)
        self.setObjectName("help_overlay")
        self.setAccessibleName("Keys")
        self.commands = Actions(self)
        self.commands.add("close_help", self.close_help)
        self.label = FitLabel("", self, wrap=True, max_fraction=0.08)
        self.label.setObjectName("help_text")
        self.label.setAccessibleName("Keys")
        self.label.set_colour("#ffffff")
        self.close_button = self.commands.button("close_help", self)
        self.close_button.setStyleSheet(OVERLAY_BUTTON_STYLE)
        self.close_button.setMinimumHeight(44)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label, 9)
        row = QHBoxLayout()
        row.addStretch(2)
        row.addWidget(self.close_button, 1)
        row.addStretch(2)
        layout.addLayout(row, 1)
        self._return_focus: QWidget | None = None
        self.lines: list[tuple[str, str]] = []

    def open(self, lines: Sequence[tuple[str, str]], return_focus: QWidget | None) -> None:
        seen: set[str] = set()
        self.lines = []
        for key, what in lines:
            if key not in seen:  # a key the screen and the window share is told once
                seen.add(key)
                self.lines.append((key, what))
        text = "\n".join(f"{key}   {what}" for key, what in self.lines)
        self.label.setText(text)
        self.label.setAccessibleDescription(text)
        self._return_focus = return_focus
        self.cover()
        self.setFocus()

    def close_help(self) -> None:
        self.hide()
        if self._return_focus is not None:
            self._return_focus.setFocus()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Close on its keys; any other key goes on to the window (F, M still work).
        if not self.commands.handle_key(event):
            event.ignore()


class Notice(FitLabel):
    """A word or two shown for a moment over the screen (e.g. 'Muted' after M), and told to
    screen readers."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__("", parent, bold=True, max_fraction=0.7)
        self.setObjectName("notice")
        self.setAccessibleName("Notice")
        self.setAutoFillBackground(True)
        palette = self.palette()
        palette.setColor(self.backgroundRole(), QColor("#1a1a1a"))
        self.setPalette(palette)
        self.set_colour("#ffffff")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(NOTICE_MS)
        self._timer.timeout.connect(self.hide)
        self.hide()

    def say(self, text: str) -> None:
        parent = self.parentWidget()
        if parent is not None:
            w, h = parent.width(), parent.height()
            box_w, box_h = max(160, w // 3), max(48, h // 7)
            self.setGeometry((w - box_w) // 2, (h - box_h) // 3, box_w, box_h)
        self.setText(text)
        self.setAccessibleDescription(text)
        self.show()
        self.raise_()
        self._timer.start()
        from PySide6.QtGui import QAccessible, QAccessibleEvent  # at the first announcement

        QAccessible.updateAccessibility(QAccessibleEvent(self, QAccessible.Event.Alert))
