"""The history view: sessions newest first, a session's detail, stats, delete with undo,
export and import.

It opens fast on a long history: the table fetches sessions a page at a time as the user
scrolls, and the stats are computed after the first paint (a zero timer after show) from the
per-session totals the store keeps, so that no segment is read back for them.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QDate,
    QItemSelection,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QFont,
    QKeySequence,
    QPaintEvent,
    QResizeEvent,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from legdrive_timer.core.formatting import (
    COACH_COLUMNS,
    EFFORT_TOP,
    NOT_COUNTED,
    SEGMENT_COLUMNS,
    coach_cells,
    format_duration,
    format_effort,
    format_left_right,
    format_rating,
    segment_cells,
    status_name,
)
from legdrive_timer.core.formatting import format_started as started_text
from legdrive_timer.core.records import SessionRecord
from legdrive_timer.core.stats import (
    CoachSet,
    SessionTotals,
    Stats,
    StatsAccumulator,
    coach_weeks,
    first_week,
)
from legdrive_timer.storage.history_io import (
    ImportOutcome,
    export_to_file,
    merge_import,
    own_files_of,
    read_import,
)
from legdrive_timer.ui.accessible import LabelledComboBox
from legdrive_timer.ui.charts import BarChart, SideChart
from legdrive_timer.ui.coach_history import CoachWeeksPanel
from legdrive_timer.ui.history_transfer import Job, Transfers, failure_sentence

if TYPE_CHECKING:
    from legdrive_timer.storage.history import HistoryStore, SessionSummary

PAGE_SIZE = 200
"""Sessions fetched per page: a screenful several times over, a few milliseconds of SQLite."""

STATS_SLICE_S = 0.025
"""Longest stretch of stats work per event-loop turn: input and painting stay smooth."""

SIDE_CHART_SESSIONS = 20
"""Sessions shown in the left-against-right charts: beyond that, points get too close to read."""

EMPTY_TEXT = "No sessions yet - your first one will appear here."
EMPTY_FILTERED_TEXT = "No sessions match these filters."

SaveDialog = Callable[[QWidget, str, str, str], "Path | None"]
"""(parent, title, suggested file name, name filters) -> the chosen path, or None."""
OpenDialog = Callable[[QWidget, str, str], "Path | None"]
"""(parent, title, name filters) -> the chosen path, or None."""

_EXPORT_FILTERS = "History JSON (*.json);;Spreadsheet CSV (*.csv)"
_IMPORT_FILTERS = "History JSON (*.json);;All files (*)"


def ask_save_path(parent: QWidget, title: str, suggested: str, filters: str) -> Path | None:
    name, _ = QFileDialog.getSaveFileName(parent, title, suggested, filters)
    return Path(name) if name else None


def ask_open_path(parent: QWidget, title: str, filters: str) -> Path | None:
    name, _ = QFileDialog.getOpenFileName(parent, title, "", filters)
    return Path(name) if name else None


def format_started(summary: SessionSummary | SessionRecord) -> str:
    return started_text(summary.started_at)


@dataclass(frozen=True)
class HistoryFilter:
    workout_id: str | None = None
    since: date | None = None
    until: date | None = None


WORKOUT_COLUMN = 1
NO_EFFORT = -1
"""The effort box's value for a session not rated (shown as "not rated")."""


class SessionTableModel(QAbstractTableModel):
    """Sessions newest first, fetched a page at a time (canFetchMore/fetchMore)."""

    COLUMNS = ("Date", "Workout", "Duration", "Status", "Reps L / R", "Stability L / R", "Effort")
    SAMPLE_ROW = (
        "Wed 25 Nov 2026, 18:30",
        "HIIT finisher",
        "1:00:00",
        "Interrupted",
        "60 / 60",
        "4.5 / 4.5",
        "10",
    )
    """Cells as wide as most, for the widths before the first page is measured."""
    NUMERIC = frozenset({2, 4, 5, 6})
    """Columns of figures: aligned right, so that they line up down the list."""

    def __init__(self, store: HistoryStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._filter = HistoryFilter()
        self._rows: list[SessionSummary] = []
        self._total = 0

    @property
    def total(self) -> int:
        """How many sessions match the filter (not only the ones fetched so far)."""
        return self._total

    def reload(self, history_filter: HistoryFilter | None = None) -> None:
        if history_filter is not None:
            self._filter = history_filter
        self.beginResetModel()
        try:
            self._rows = []
            self._total = self._store.count_sessions(
                workout_id=self._filter.workout_id,
                since=self._filter.since,
                until=self._filter.until,
            )
            self._rows = self._page(0)
        finally:
            self.endResetModel()

    def _page(self, offset: int) -> list[SessionSummary]:
        return self._store.sessions(
            workout_id=self._filter.workout_id,
            since=self._filter.since,
            until=self._filter.until,
            limit=PAGE_SIZE,
            offset=offset,
        )

    def summary(self, row: int) -> SessionSummary:
        return self._rows[row]

    def set_effort(self, row: int, effort: int | None) -> None:
        """Show the effort just saved for the session on `row`, without fetching again."""
        self._rows[row] = dataclasses.replace(self._rows[row], effort=effort)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.COLUMNS) - 1))

    def row_of(self, session_id: str) -> int | None:
        for row, summary in enumerate(self._rows):
            if summary.session_id == session_id:
                return row
        return None

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> bool:
        return not parent.isValid() and len(self._rows) < self._total

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex) -> None:
        if parent.isValid():
            return
        page = self._page(len(self._rows))
        if not page:
            # The history shrank under us (another window deleted sessions): stop asking.
            self._total = len(self._rows)
            return
        self.beginInsertRows(QModelIndex(), len(self._rows), len(self._rows) + len(page) - 1)
        self._rows.extend(page)
        self.endInsertRows()

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation is Qt.Orientation.Horizontal
            and 0 <= section < len(self.COLUMNS)
        ):
            return self.COLUMNS[section]
        return None

    def data(
        self,
        index: QModelIndex | QPersistentModelIndex,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        summary = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return session_cells(summary)[index.column()]
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return session_spoken(summary)[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in self.NUMERIC:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def session_cells(summary: SessionSummary) -> tuple[str, ...]:
    """One line of the session list, under `SessionTableModel.COLUMNS`."""
    sided = summary.has_side
    return (
        format_started(summary),
        summary.workout_name,
        format_duration(summary.actual_ms),
        status_name(summary.status),
        format_left_right(str(summary.reps_left), str(summary.reps_right)) if sided else "",
        format_left_right(
            format_rating(summary.stability_left), format_rating(summary.stability_right)
        )
        if sided and (summary.stability_left, summary.stability_right) != (None, None)
        else "",
        "" if summary.effort is None else str(summary.effort),
    )


def session_spoken(summary: SessionSummary) -> tuple[str, ...]:
    """The same line as a screen reader says it: which figure is the left leg's."""
    cells = list(session_cells(summary))
    if cells[4]:
        cells[4] = f"reps: left {summary.reps_left}, right {summary.reps_right}"
    if cells[5]:
        left = format_rating(summary.stability_left).replace(NOT_COUNTED, "not rated")
        right = format_rating(summary.stability_right).replace(NOT_COUNTED, "not rated")
        cells[5] = f"stability: left {left}, right {right}"
    cells[6] = f"effort {format_effort(summary.effort)}" if cells[6] else "effort not rated"
    return tuple(cells)


class SessionDetail(QWidget):
    """Every segment of one session: what was planned against what was done."""

    COLUMNS = SEGMENT_COLUMNS

    effort_rated = Signal(object)
    """The effort the user gave the session shown (0-10), or None to clear it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.heading = QLabel("Select a session to see every phase of it.")
        self.heading.setWordWrap(True)
        self.heading.setAccessibleName("Session detail")
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setAccessibleName("Phases of the selected session")
        self.table.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # The effort of a past session, given or corrected here: by typing a figure or the
        # arrow keys once it has the focus (Alt+E), or with the mouse.
        self.effort = QSpinBox()
        self.effort.setRange(NO_EFFORT, EFFORT_TOP)
        self.effort.setSpecialValueText("not rated")
        self.effort.setAccessibleName("Effort of this session, 0 easy to 10 all out")
        self.effort.setEnabled(False)
        # Saved when the figure is complete (Enter, an arrow, leaving the box), not per key.
        self.effort.setKeyboardTracking(False)
        self.effort.valueChanged.connect(self._effort_changed)
        effort_label = QLabel("&Effort (0-10):")
        effort_label.setBuddy(self.effort)
        effort_row = QHBoxLayout()
        effort_row.addWidget(effort_label)
        effort_row.addWidget(self.effort)
        effort_row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.heading)
        layout.addLayout(effort_row)
        layout.addWidget(self.table, 1)

    def _effort_changed(self, value: int) -> None:
        self.effort_rated.emit(None if value == NO_EFFORT else value)

    def _show_effort(self, effort: int | None) -> None:
        self.effort.blockSignals(True)
        try:
            self.effort.setValue(NO_EFFORT if effort is None else effort)
        finally:
            self.effort.blockSignals(False)

    SAMPLE_ROW = ("Switch sides", "Right", "Round 10", "10:00", "10:00", "15 of 15", "5 of 5")
    """The widest cells a usual session has: the detail is laid out to show them whole."""
    COACH_SAMPLE = ("15", "15 (100%)", "100°", "0.45", "10.5°")
    """The widest cells of the camera coach's columns."""

    coach_columns = False
    """True while the camera coach's columns are laid out (the history holds measures)."""

    def natural_width(self) -> int:
        """The width at which every column shows its heading and the sample row whole (the
        coach's columns too while the history holds measures)."""
        metrics = self.table.fontMetrics()
        header = self.table.horizontalHeader().fontMetrics()
        titles: tuple[str, ...] = self.COLUMNS
        samples: tuple[str, ...] = self.SAMPLE_ROW
        if self.coach_columns:
            titles, samples = titles + COACH_COLUMNS, samples + self.COACH_SAMPLE
        cells = (
            max(header.horizontalAdvance(title), metrics.horizontalAdvance(sample)) + 12
            for title, sample in zip(titles, samples, strict=True)
        )
        return sum(cells) + self.table.verticalScrollBar().sizeHint().width() + 8

    def clear(self, text: str = "Select a session to see every phase of it.") -> None:
        self.heading.setText(text)
        self._show_effort(None)
        self.effort.setEnabled(False)
        self.table.setRowCount(0)
        self.table.setColumnCount(len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(list(self.COLUMNS))

    def show_record(self, record: SessionRecord) -> None:
        self._show_effort(record.effort)
        self.effort.setEnabled(True)
        self.heading.setText(
            # Two explicit lines: a wrapped label in a splitter can be given one line's height.
            f"<b>{record.workout_name}</b>, {format_started(record)}<br>"
            f"{status_name(record.status)}, "
            f"{format_duration(record.actual_ms)} of {format_duration(record.planned_ms)} "
            "planned."
        )
        # The coach's columns only for a session it watched: the others look as they did.
        coached = any(s.coach is not None for s in record.segments)
        headings = self.COLUMNS + COACH_COLUMNS if coached else self.COLUMNS
        self.table.setColumnCount(len(headings))
        self.table.setHorizontalHeaderLabels(list(headings))
        self.table.setRowCount(len(record.segments))
        for row, segment in enumerate(record.segments):
            cells = segment_cells(segment)
            if coached:
                cells += coach_cells(segment.coach)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column >= 3:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(row, column, item)

    def cell_texts(self) -> list[list[str]]:
        def text(row: int, column: int) -> str:
            item = self.table.item(row, column)
            return "" if item is None else item.text()

        return [
            [text(r, c) for c in range(self.table.columnCount())]
            for r in range(self.table.rowCount())
        ]


class StatsPanel(QScrollArea):
    """Streaks, totals, weekly charts and left against right."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        # The charts shrink to fit; a sideways scroll bar would only hide their right edge.
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        body = QWidget()
        self.status = QLabel("Working out your stats…")
        self.current_streak = QLabel()
        self.longest_streak = QLabel()
        self.totals = QLabel()
        self.asymmetry = QLabel()
        self.lagging = QLabel()
        for label, name in (
            (self.status, "Stats status"),
            (self.current_streak, "Current streak"),
            (self.longest_streak, "Longest streak"),
            (self.totals, "Totals"),
            (self.asymmetry, "Left against right asymmetry"),
            (self.lagging, "Lagging side"),
        ):
            label.setAccessibleName(name)
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        readable = self.font()
        readable.setPointSizeF(max(readable.pointSizeF(), 12.0))
        for label in (self.status, self.totals, self.asymmetry, self.lagging):
            label.setFont(readable)
        big = QFont(readable)
        big.setPointSizeF(readable.pointSizeF() + 4)
        big.setBold(True)
        self.current_streak.setFont(big)
        self.longest_streak.setFont(big)
        self.lagging.setStyleSheet("font-weight: bold;")

        self.sessions_chart = BarChart(
            "Sessions per week", lambda week, n: f"week of {week}: {n:.0f} sessions"
        )
        self.minutes_chart = BarChart(
            "Minutes per week", lambda week, n: f"week of {week}: {n:.0f} minutes"
        )
        self.stability_chart = SideChart(
            "Stability per side (5 = rock solid)",
            low=1.0,
            high=5.0,
            ticks=[1.0, 2.0, 3.0, 4.0, 5.0],
        )
        self.reps_chart = SideChart("Reps done per side")

        layout = QGridLayout(body)
        layout.addWidget(self.status, 0, 0, 1, 2)
        layout.addWidget(self.current_streak, 1, 0)
        layout.addWidget(self.longest_streak, 1, 1)
        layout.addWidget(self.totals, 2, 0, 1, 2)
        layout.addWidget(self.sessions_chart, 3, 0)
        layout.addWidget(self.minutes_chart, 3, 1)
        layout.addWidget(self.asymmetry, 4, 0, 1, 2)
        layout.addWidget(self.lagging, 5, 0, 1, 2)
        layout.addWidget(self.stability_chart, 6, 0)
        layout.addWidget(self.reps_chart, 6, 1)
        for row in (3, 6):
            layout.setRowMinimumHeight(row, 240)
        self.coach = CoachWeeksPanel()
        layout.addWidget(self.coach, 7, 0, 1, 2)
        body.setAccessibleName("Streaks, totals and charts")
        self.setWidget(body)
        self.verticalScrollBar().setAccessibleName("Scroll the stats")

    def show_stats(self, stats: Stats) -> None:
        # Said in a tooltip rather than on the page: it would cost a line of the charts.
        self.status.setText("No training sessions yet: your stats start with your first one.")
        self.status.setVisible(stats.totals.sessions == 0)
        self.totals.setToolTip(
            "Training sessions: completed or stopped ones in which work was done."
        )
        self.current_streak.setText(f"Current streak: {_days(stats.current_streak)}")
        self.longest_streak.setText(f"Longest streak: {_days(stats.longest_streak)}")
        totals = stats.totals
        self.totals.setText(
            f"Total: {_plural(totals.sessions, 'session')}, "
            f"{totals.minutes:.0f} minutes, "
            f"{totals.reps.left} reps left, {totals.reps.right} reps right."
        )
        labels = [monday.strftime("%d %b") for monday in stats.weeks]
        weeks = stats.weeks.values()
        self.sessions_chart.set_data(labels, [float(week.sessions) for week in weeks])
        self.minutes_chart.set_data(labels, [week.minutes for week in weeks])
        self.asymmetry.setText(asymmetry_text(stats))
        self.lagging.setText(" ".join(f.sentence for f in stats.lagging))
        self.lagging.setVisible(bool(stats.lagging))
        points = stats.sides[-SIDE_CHART_SESSIONS:]
        side_labels = [p.started_at.strftime("%d %b") for p in points]
        self.stability_chart.set_data(
            side_labels,
            [p.stability.left for p in points],
            [p.stability.right for p in points],
        )
        self.reps_chart.set_data(
            side_labels,
            [float(p.reps.left) for p in points],
            [float(p.reps.right) for p in points],
        )

    def show_coach(self, sets: list[CoachSet], today: date) -> None:
        """The camera coach's figures, left against right per week (hidden without any)."""
        self.coach.show_weeks(coach_weeks(sets, today))

    def show_progress(self, sessions: int) -> None:
        self.status.setText(f"Working out your stats… ({sessions:,} sessions so far)")
        self.status.show()

    def show_error(self, sentence: str) -> None:
        self.status.setText(sentence)
        self.status.show()


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _days(count: int) -> str:
    return _plural(count, "day")


def _side_ahead(pct: float, what: str) -> str:
    if abs(pct) < 0.5:
        return f"{what}: even"
    ahead, behind = ("right", "left") if pct > 0 else ("left", "right")
    return f"{what}: {ahead} ahead of {behind} by {abs(pct):.0f}%"


def asymmetry_text(stats: Stats) -> str:
    asym = stats.asymmetry
    if asym.sessions == 0:
        return "Left against right: no single-leg sessions yet."
    parts = []
    if asym.reps_pct is not None:
        parts.append(_side_ahead(asym.reps_pct, "reps"))
    parts.append(
        "stability: not rated"
        if asym.stability_pct is None
        else _side_ahead(asym.stability_pct, "stability")
    )
    return (
        f"Left against right over the last {_plural(asym.sessions, 'session')}: "
        + "; ".join(parts)
        + "."
    )


class HistoryView(QWidget):
    """Review the history: the session list with detail, and the stats."""

    stats_updated = Signal()
    """Emitted after the stats have been computed and shown."""
    transfer_finished = Signal()
    """An export or import has ended and said how in the message bar."""

    PRESETS = (("All time", None), ("Last 7 days", 7), ("Last 30 days", 30), ("Last 90 days", 90))
    CUSTOM = "Custom dates"

    def __init__(
        self,
        store: HistoryStore,
        parent: QWidget | None = None,
        *,
        today: Callable[[], date] = date.today,
        ask_save: SaveDialog = ask_save_path,
        ask_open: OpenDialog = ask_open_path,
        protected: tuple[Path, ...] = (),
    ) -> None:
        super().__init__(parent)
        self._protected = protected
        """The app's own files, which an export must never replace."""
        self.setWindowTitle("History")
        readable = self.font()
        readable.setPointSizeF(max(readable.pointSizeF(), 11.0))
        self.setFont(readable)
        self.setAccessibleName("History")
        self._store = store
        self._today = today
        self.ask_save = ask_save
        self.ask_open = ask_open
        self._undo: list[SessionRecord] = []
        self._stats_pending = True
        self._stats_timer = QTimer(self)
        self._stats_timer.setSingleShot(True)
        self._stats_timer.setInterval(0)
        self._stats_timer.timeout.connect(self._stats_step)
        self._stats_job: tuple[Iterator[SessionTotals], StatsAccumulator] | None = None
        self._coach_sets: list[CoachSet] = []
        self._transfers = Transfers(self)
        self._transfers.finished.connect(self._transfer_done)

        # Message bar: results, errors and the undo of a delete.
        self.message = QLabel()
        self.message.setAccessibleName("Message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.undo_button = QPushButton("Undo")
        self.undo_button.setAccessibleName("Undo delete")
        self.undo_button.setToolTip("Bring back the deleted session (Ctrl+Z)")
        self.undo_button.clicked.connect(self.undo_delete)
        self.undo_button.hide()
        message_row = QHBoxLayout()
        message_row.addWidget(self.message, 1)
        message_row.addWidget(self.undo_button)

        # Filters.
        self.workout_filter = LabelledComboBox("Filter by workout")
        self.period_filter = LabelledComboBox("Filter by date range")
        for text, days in self.PRESETS:
            self.period_filter.addItem(text, days)
        self.period_filter.addItem(self.CUSTOM, -1)
        self.from_date = QDateEdit()
        self.from_date.setAccessibleName("From date")
        self.to_date = QDateEdit()
        self.to_date.setAccessibleName("To date")
        for edit in (self.from_date, self.to_date):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("dd MMM yyyy")
            edit.setEnabled(False)
        day = today()
        now = QDate(day.year, day.month, day.day)
        self.to_date.setDate(now)
        self.from_date.setDate(now.addDays(-30))
        filter_row = QHBoxLayout()
        for text, widget in (
            ("&Workout:", self.workout_filter),
            ("&Period:", self.period_filter),
            ("&From:", self.from_date),
            ("&To:", self.to_date),
        ):
            label = QLabel(text)
            label.setBuddy(widget)
            filter_row.addWidget(label)
            filter_row.addWidget(widget)
        filter_row.addStretch(1)

        # Actions.
        self.delete_button = QPushButton("&Delete session")
        self.delete_button.setAccessibleName("Delete the selected session")
        self.delete_button.setEnabled(False)
        self.delete_button.clicked.connect(self.delete_selected)
        self.export_button = QPushButton("&Export…")
        self.export_button.setAccessibleName("Export the history to a file")
        self.export_button.clicked.connect(self.export_history)
        self.import_button = QPushButton("&Import…")
        self.import_button.setAccessibleName("Import sessions from a history file")
        self.import_button.clicked.connect(self.import_history)
        action_row = QHBoxLayout()
        action_row.addWidget(self.delete_button)
        action_row.addStretch(1)
        action_row.addWidget(self.export_button)
        action_row.addWidget(self.import_button)

        # The list and the detail.
        self.model = SessionTableModel(store, self)
        self.table = QTableView()
        self.table.setAccessibleName("Sessions, newest first")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        # The workout's name takes the room to spare (and gives it back first, elided).
        header.setSectionResizeMode(WORKOUT_COLUMN, QHeaderView.ResizeMode.Stretch)
        # Widths from the text they hold, so that a larger font never clips a column.
        metrics = self.table.fontMetrics()
        self._column_widths = [
            max(metrics.horizontalAdvance(sample), header.sectionSizeHint(col)) + 24
            for col, sample in enumerate(SessionTableModel.SAMPLE_ROW)
        ]
        for col, width in enumerate(self._column_widths):
            self.table.setColumnWidth(col, width)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.empty_label = QLabel(EMPTY_TEXT)
        self.empty_label.setAccessibleName("No sessions")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.list_stack = QStackedWidget()
        self.list_stack.addWidget(self.table)
        self.list_stack.addWidget(self.empty_label)
        self.detail = SessionDetail()
        self.detail.effort_rated.connect(self.rate_effort)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.list_stack)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setAccessibleName("Sessions and the selected session's phases")
        splitter.handle(1).setAccessibleName("Share of room between the list and the detail")
        self.list_stack.setAccessibleName("Session list")
        self.detail.setAccessibleName("Selected session")
        self._splitter = splitter
        self._fitted = False
        splitter.setChildrenCollapsible(False)

        sessions_page = QWidget()
        sessions_page.setAccessibleName("Sessions")
        sessions_layout = QVBoxLayout(sessions_page)
        sessions_layout.addLayout(filter_row)
        sessions_layout.addLayout(action_row)
        sessions_layout.addWidget(splitter, 1)

        self.stats_panel = StatsPanel()
        self.stats_panel.setAccessibleName("Stats")
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("History pages")
        self.tabs.addTab(sessions_page, "&Sessions")
        self.tabs.addTab(self.stats_panel, "S&tats")

        layout = QVBoxLayout(self)
        layout.addLayout(message_row)
        layout.addWidget(self.tabs, 1)

        undo = QShortcut(QKeySequence(QKeySequence.StandardKey.Undo), self)
        undo.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        undo.activated.connect(self.undo_delete)
        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.table)
        delete.setContext(Qt.ShortcutContext.WidgetShortcut)
        delete.activated.connect(self.delete_selected)

        self._fill_workouts()
        self._reload()
        self.workout_filter.currentIndexChanged.connect(self._filters_changed)
        self.period_filter.currentIndexChanged.connect(self._period_changed)
        self.from_date.dateChanged.connect(self._filters_changed)
        self.to_date.dateChanged.connect(self._filters_changed)

    # -- filters ---------------------------------------------------------------------------

    def current_filter(self) -> HistoryFilter:
        workout_id = self.workout_filter.currentData()
        days = self.period_filter.currentData()
        since: date | None = None
        until: date | None = None
        if days == -1:
            since = self.from_date.date().toPython()  # type: ignore[assignment]
            until = self.to_date.date().toPython()  # type: ignore[assignment]
        elif isinstance(days, int):
            # "Last 7 days" is today and the six days before it.
            since = self._today() - timedelta(days=days - 1)
        return HistoryFilter(
            workout_id=workout_id if isinstance(workout_id, str) else None,
            since=since,
            until=until,
        )

    def _fill_workouts(self) -> None:
        chosen = self.workout_filter.currentData()
        self.workout_filter.blockSignals(True)
        try:
            self.workout_filter.clear()
            self.workout_filter.addItem("All workouts", None)
            ok, workouts = self._safe(self._store.workout_ids, "list the workouts")
            for workout_id, name in workouts if ok else []:
                self.workout_filter.addItem(name, workout_id)
            index = self.workout_filter.findData(chosen) if chosen is not None else 0
            self.workout_filter.setCurrentIndex(max(index, 0))
        finally:
            self.workout_filter.blockSignals(False)

    def _period_changed(self) -> None:
        custom = self.period_filter.currentData() == -1
        self.from_date.setEnabled(custom)
        self.to_date.setEnabled(custom)
        self._filters_changed()

    def _filters_changed(self) -> None:
        self._reload()

    def _reload(self, select_id: str | None = None) -> None:
        history_filter = self.current_filter()
        ok, _ = self._safe(lambda: self.model.reload(history_filter), "read the history")
        if not ok:
            return
        ok, coached = self._safe(self._store.has_coach_measures, "read the history")
        if ok and coached != self.detail.coach_columns:
            # Laid out for the coach's columns whenever the history has them, so that the
            # list and the detail do not swap places from one selected session to the next.
            self.detail.coach_columns = coached
            self._arrange(force=True)
        if self.model.total == 0:
            unfiltered = history_filter == HistoryFilter()
            self.empty_label.setText(EMPTY_TEXT if unfiltered else EMPTY_FILTERED_TEXT)
            self.list_stack.setCurrentWidget(self.empty_label)
        else:
            self.list_stack.setCurrentWidget(self.table)
        if not self._fitted and self.isVisible() and self.model.rowCount():
            self._fit_columns()
        row = self.model.row_of(select_id) if select_id is not None else None
        if row is not None:
            self.table.selectRow(row)
        else:
            self.detail.clear()
            self.delete_button.setEnabled(False)

    def _fit_columns(self) -> None:
        """Columns as wide as the first page's text, and the list as wide as its columns."""
        self._fitted = True
        header = self.table.horizontalHeader()
        self._column_widths = [
            max(self.table.sizeHintForColumn(col), header.sectionSizeHint(col)) + 16
            for col in range(self.model.columnCount())
        ]
        for col, width in enumerate(self._column_widths):
            self.table.setColumnWidth(col, width)
        self._arrange(force=True)

    def _list_width(self) -> int:
        return sum(self._column_widths) + self.table.verticalScrollBar().sizeHint().width() + 4

    def _arrange(self, *, force: bool = False) -> None:
        """The detail beside the list when both fit their text side by side, else under it:
        neither table ever needs a sideways scroll bar to show a whole session."""
        splitter = self._splitter
        list_width = self._list_width()
        needed = list_width + self.detail.natural_width() + splitter.handleWidth()
        side_by_side = splitter.width() >= needed
        orientation = Qt.Orientation.Horizontal if side_by_side else Qt.Orientation.Vertical
        if orientation == splitter.orientation() and not force:
            return
        splitter.setOrientation(orientation)
        # Under the list the detail has the whole width: its columns share it out.
        self.detail.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
            if side_by_side
            else QHeaderView.ResizeMode.Stretch
        )
        if side_by_side:
            splitter.setSizes([list_width, max(300, splitter.width() - list_width)])
        else:
            height = splitter.height()
            splitter.setSizes([height * 11 // 20, height - height * 11 // 20])

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._arrange()

    # -- detail ----------------------------------------------------------------------------

    def selected_session_id(self) -> str | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return self.model.summary(rows[0].row()).session_id

    def _selection_changed(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        session_id = self.selected_session_id()
        self.delete_button.setEnabled(session_id is not None)
        if session_id is None:
            self.detail.clear()
            return
        ok, record = self._safe(lambda: self._store.session(session_id), "read that session")
        if not ok:
            self.detail.clear("That session could not be read.")
        elif record is None:
            self.detail.clear("That session is no longer in the history.")
        else:
            self.detail.show_record(record)

    def rate_effort(self, effort: int | None) -> None:
        """Give or correct the effort of the selected session."""
        session_id = self.selected_session_id()
        if session_id is None:
            return
        ok, _ = self._safe(
            lambda: self._store.set_effort(session_id, effort), "save the session's effort"
        )
        if ok:
            row = self.table.selectionModel().selectedRows()[0].row()
            self.model.set_effort(row, effort)
            self._selection_changed(QItemSelection(), QItemSelection())

    # -- delete and undo -------------------------------------------------------------------

    def delete_selected(self) -> None:
        session_id = self.selected_session_id()
        if session_id is None:
            return
        row = self.table.selectionModel().selectedRows()[0].row()
        ok, record = self._safe(
            lambda: self._store.delete_session(session_id), "delete the session"
        )
        if not ok:
            return
        if record is None:
            self._say_error("That session was already deleted, perhaps in another window.")
            self._reload()
            return
        self._undo.append(record)
        self._say(f"Deleted the {record.workout_name} session of {format_started(record)}.")
        self.undo_button.show()
        self._reload()
        if self.model.rowCount() and self.list_stack.currentWidget() is self.table:
            self.table.selectRow(min(row, self.model.rowCount() - 1))
        self._stats_changed()

    def undo_delete(self) -> None:
        if not self._undo:
            return
        record = self._undo[-1]
        ok, _ = self._safe(lambda: self._store.restore_session(record), "restore the session")
        if not ok:
            return
        self._undo.pop()
        self._say(f"Restored the {record.workout_name} session of {format_started(record)}.")
        self.undo_button.setVisible(bool(self._undo))
        self._fill_workouts()
        self._reload(select_id=record.session_id)
        self._stats_changed()

    # -- export and import -----------------------------------------------------------------

    # Both run on the transfers' worker (history_transfer): a slow or large file never
    # freezes the window. The screen says it is busy, and `transfer_finished` follows the
    # sentence that ends it.

    @property
    def busy(self) -> bool:
        """An export or import is running."""
        return self._transfers.busy is not None

    def export_history(self) -> None:
        if self.busy:
            return
        path = self.ask_save(self, "Export history", "legdrive-history.json", _EXPORT_FILTERS)
        if path is None:
            return
        if not path.suffix:
            path = path.with_suffix(".json")
        fmt = "csv" if path.suffix.lower() == ".csv" else "json"
        # The save dialog has asked before replacing a file; the app's own are still refused.
        protected = self._protected or own_files_of(self._store)
        store = self._store
        self._begin_transfer(
            "export",
            lambda stopped: export_to_file(store, protected, fmt, path, replace=True),
            f"export to {path}",
            f"Exporting the history to {path}…",
        )

    def import_history(self) -> None:
        if self.busy:
            return
        path = self.ask_open(self, "Import history", _IMPORT_FILTERS)
        if path is None:
            return
        store = self._store

        def job(stopped: Callable[[], bool]) -> ImportOutcome:
            result = read_import(path)
            return merge_import(store, result, stopped=stopped)

        self._begin_transfer(
            "import", job, f"import {path.name}", f"Importing sessions from {path.name}…"
        )

    def stop_transfers(self, timeout_ms: int = 5000) -> bool:
        """Before the history closes: an import stops between sessions (those merged stay),
        an export finishes its file; waits up to `timeout_ms`. Whether nothing runs now."""
        return self._transfers.stop(timeout_ms)

    def _begin_transfer(self, name: str, job: Job, doing: str, sentence: str) -> None:
        if not self._transfers.start(name, job, doing):
            return
        self._say(sentence)
        self.message.setAccessibleDescription("Busy")
        for button in (self.export_button, self.import_button):
            button.setEnabled(False)
        self.setCursor(Qt.CursorShape.BusyCursor)

    def _transfer_done(self, name: str, ok: bool, result: object) -> None:
        self.unsetCursor()
        for button in (self.export_button, self.import_button):
            button.setEnabled(True)
        if not ok:
            self._say_error(str(result))
        elif isinstance(result, ImportOutcome):
            sentence = result.sentence()
            if result.problems:
                sentence += " Skipped " + " Skipped ".join(result.problems)
            self._say(sentence, error=bool(result.problems))
        elif isinstance(result, tuple):
            written, count = result
            self._say(f"Exported {_plural(count, 'session')} to {written}.")
        if name == "import":
            # Also after a failure: sessions merged before it stay in the history.
            self._fill_workouts()
            self._reload()
            self._stats_changed()
        self.transfer_finished.emit()

    # -- stats -----------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._fitted and self.model.rowCount():
            self._fit_columns()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if self._stats_pending:
            # Started from the first paint, not from show: a zero timer started on show can
            # fire before the window's first paint and hold the list off the screen for a
            # slice. Started here, it fires once this paint (children included) is done.
            self._start_stats()

    def _stats_changed(self) -> None:
        self._stats_pending = True
        if self.isVisible():
            self._start_stats()

    def _start_stats(self) -> None:
        """Work the stats out a slice at a time on zero timers, so that the window stays
        responsive on a long history; a change meanwhile starts over."""
        self._stats_pending = False
        self._stats_job = None
        ok, rows = self._safe(self._store.session_totals, "work out the stats")
        since = first_week(self._today())
        ok_coach, coach = self._safe(
            lambda: self._store.coach_sets(since=since), "read the measures"
        )
        if not (ok and ok_coach):
            self._stats_failed()
            return
        self._coach_sets = coach
        self._stats_job = (iter(rows), StatsAccumulator(self._today()))
        self._stats_timer.start()

    def _stats_step(self) -> None:
        if self._stats_job is None:
            return
        rows, accumulator = self._stats_job
        deadline = time.monotonic() + STATS_SLICE_S

        def run() -> bool:
            # The store reads the totals a few thousand sessions per query as this loop asks
            # for them: the slice ends between rows, never in the middle of a query.
            for row in rows:
                accumulator.add_totals(row)
                if accumulator.seen % 50 == 0 and time.monotonic() >= deadline:
                    return False
            return True

        ok, finished = self._safe(run, "work out the stats")
        if not ok:
            self._stats_job = None
            self._stats_failed()
        elif finished:
            self._stats_job = None
            self.stats_panel.show_stats(accumulator.result())
            self.stats_panel.show_coach(self._coach_sets, accumulator.today)
            self.stats_updated.emit()
        else:
            self.stats_panel.show_progress(accumulator.seen)
            self._stats_timer.start()

    def _stats_failed(self) -> None:
        self.stats_panel.show_error("The stats could not be worked out; see the message above.")
        self.stats_updated.emit()

    def refresh_stats(self) -> None:
        """Work the stats out now, in one go."""
        self._start_stats()
        while self._stats_job is not None:
            self._stats_step()

    # -- messages --------------------------------------------------------------------------

    def _say(self, sentence: str, *, error: bool = False) -> None:
        self.message.setText(sentence)
        self.message.setStyleSheet("color: #a00000; font-weight: bold;" if error else "")
        self.message.setAccessibleDescription("Error" if error else "")

    def _say_error(self, sentence: str) -> None:
        self._say(sentence, error=True)

    def _safe(self, action: Callable[[], Any], doing: str) -> tuple[bool, Any]:
        """Run `action`: (True, its result), or (False, None) with the failure said in one
        sentence in the message bar."""
        try:
            return True, action()
        except Exception as error:
            sentence = failure_sentence(error, doing)
            if sentence is None:
                raise
            self._say_error(sentence)
        return False, None
