"""The end of a session: what was planned against what was done, and the way back."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from legdrive_timer.core.formatting import (
    COACH_COLUMNS,
    EFFORT_TOP,
    END_NAMES,
    SEGMENT_COLUMNS,
    coach_cells,
    format_duration,
    format_reps,
    segment_cells,
)
from legdrive_timer.core.records import SessionRecord, SessionStatus
from legdrive_timer.core.timeline import PhaseKind
from legdrive_timer.ui.actions import Actions
from legdrive_timer.ui.widgets import FitLabel

COLUMNS = (*SEGMENT_COLUMNS, "Ended")


class SummaryView(QWidget):
    back_requested = Signal()
    effort_rated = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("summary_view")
        self.record: SessionRecord | None = None
        self.effort: int | None = None
        self.title = FitLabel(bold=True, max_fraction=0.7)
        self.title.setAccessibleName("Session result")
        self.totals = FitLabel(wrap=True, max_fraction=0.45)
        self.totals.setAccessibleName("Totals")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setAccessibleName("Planned against actual, per phase")
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.table.verticalHeader().hide()
        self.table.setCornerButtonEnabled(False)
        for corner in self.table.findChildren(QAbstractButton):
            corner.setAccessibleName("Select all rows")
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        self.effort_label = FitLabel(
            "How hard was it? 0 = easy, 10 = all out   (keys 0-9, ↑ ↓)", max_fraction=0.6
        )
        self.effort_label.setAccessibleName("Effort question")
        self.effort_buttons: list[QPushButton] = []
        effort_row = QHBoxLayout()
        # The effort given must stand out from the other ten at a glance, not by a shade.
        chosen = (
            "QPushButton:checked { background-color: #0a4f8a; color: #ffffff;"
            " border: 2px solid #062c4d; border-radius: 4px; font-weight: bold; }"
        )
        for value in range(11):
            button = QPushButton(str(value))
            button.setAccessibleName(f"Effort {value} of 10")
            button.setCheckable(True)
            button.setStyleSheet(chosen)
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            button.setMinimumSize(36, 40)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            button.clicked.connect(lambda _=False, v=value: self.rate_effort(v))
            self.effort_buttons.append(button)
            effort_row.addWidget(button, 1)
        self.commands = commands = Actions(self)
        commands.add("summary_back", self.back_requested.emit)
        commands.add("effort", self._rate_by_key)
        commands.add("effort_up", lambda: self.step_effort(1))
        commands.add("effort_down", lambda: self.step_effort(-1))
        self.digits_taken: Callable[[], bool] = lambda: False
        """True while another part of the window answers the digit keys."""
        self.back_button = commands.button("summary_back")
        self.back_button.setMinimumHeight(48)
        self.back_button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title, 10)
        layout.addWidget(self.totals, 9)
        layout.addWidget(self.table, 55)
        layout.addWidget(self.effort_label, 5)
        layout.addLayout(effort_row, 9)
        layout.addWidget(self.back_button, 12)

    def show_record(self, record: SessionRecord) -> None:
        """Show `record`; shown again with corrections, it keeps the effort given."""
        same = self.record is not None and self.record.session_id == record.session_id
        self.record = record
        if not same:
            self.effort = record.effort
        for i, button in enumerate(self.effort_buttons):
            button.setChecked(i == self.effort)
        status = {
            SessionStatus.COMPLETED: "DONE",
            SessionStatus.STOPPED: "STOPPED",
        }.get(record.status, record.status.value.upper())
        self.title.setText(f"{status}  ·  {record.workout_name}")
        work = [s for s in record.segments if s.kind is PhaseKind.WORK]
        reps = sum(s.reps_done or 0 for s in work)
        reps_planned = sum(s.reps_planned or 0 for s in work)
        parts = [
            f"Time: {format_duration(record.actual_ms)} of {format_duration(record.planned_ms)}",
            f"Work: {format_duration(sum(s.actual_ms for s in work))}",
        ]
        if reps_planned:
            parts.append(f"Reps: {format_reps(reps, reps_planned)}")
        parts.append(f"Phases done: {sum(1 for s in record.segments if s.completed)}")
        self.totals.setText("   ·   ".join(parts))
        # The camera coach's measures, per set, when it watched this session.
        coached = any(s.coach is not None for s in record.segments)
        headings = (*COLUMNS, *COACH_COLUMNS) if coached else COLUMNS
        self.table.setColumnCount(len(headings))
        self.table.setHorizontalHeaderLabels(list(headings))
        self.table.setRowCount(len(record.segments))
        for row, segment in enumerate(record.segments):
            cells = (*segment_cells(segment), END_NAMES[segment.end_reason])
            if coached:
                cells += coach_cells(segment.coach)
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self._fit_fonts()

    def rate_effort(self, value: int) -> None:
        self.effort = value
        for i, button in enumerate(self.effort_buttons):
            button.setChecked(i == value)
        self.effort_rated.emit(value)

    def step_effort(self, step: int) -> None:
        """One up or down from the effort given (from nothing, up starts at 0)."""
        if self.effort is None:
            if step > 0:
                self.rate_effort(0)
            return
        value = min(EFFORT_TOP, max(0, self.effort + step))
        if value != self.effort:
            self.rate_effort(value)

    def _rate_by_key(self) -> None:
        self.rate_effort(int(self.commands["effort"].key_name))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # While the window asks how stable the leg was, 1-5 answer that: they go on to it.
        self.commands["effort"].setEnabled(not self.digits_taken())
        if not self.commands.handle_key(event):
            super().keyPressEvent(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_fonts()

    def _fit_fonts(self) -> None:
        base = max(11, min(self.height() // 36, self.width() // 60))
        for widget in (self.table, *self.effort_buttons):
            font = widget.font()
            font.setPixelSize(base)
            widget.setFont(font)
        self.table.horizontalHeader().setFont(self.table.font())
        self.table.verticalHeader().setDefaultSectionSize(int(base * 1.8))
        font = self.back_button.font()
        font.setPixelSize(max(12, int(base * 1.2)))
        font.setBold(True)
        self.back_button.setFont(font)
