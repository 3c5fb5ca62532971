"""The history screen: the history view under a button back to the start, with its keys
from the action table."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from legdrive_timer.ui.actions import Actions
from legdrive_timer.ui.history_view import HistoryView

if TYPE_CHECKING:
    from PySide6.QtGui import QKeyEvent

    from legdrive_timer.storage.history import HistoryStore


class HistoryPage(QWidget):
    back_requested = Signal()
    help_requested = Signal()

    def __init__(self, store: HistoryStore, *, protected: tuple[Path, ...] = ()) -> None:
        super().__init__()
        self.setObjectName("history_page")
        self.commands = Actions(self)
        self.commands.add("back_to_start", self.back_requested.emit)
        self.commands.add("help", self.help_requested.emit)
        self.back_button = self.commands.button("back_to_start")
        self.help_button = self.commands.button("help")
        for button in (self.back_button, self.help_button):
            button.setMinimumHeight(44)
        self.view = HistoryView(store, protected=protected)
        row = QHBoxLayout()
        row.addWidget(self.back_button, 4)
        row.addWidget(self.help_button, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.view, 1)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Keys the history's table and lists did not take: this screen's, then the window's.
        if not self.commands.handle_key(event):
            event.ignore()
