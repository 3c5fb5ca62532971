"""The camera coach in the stats: left against right per week from the measured sets, beside
how stable each side felt. Hidden while no set was measured, so that a history without the
coach looks as it always did."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from legdrive_timer.core.formatting import (
    NOT_COUNTED,
    format_angle,
    format_left_right,
    format_rating,
    format_ratio,
    format_share,
)
from legdrive_timer.core.stats import CoachSide, CoachWeek, coach_lagging_sentence
from legdrive_timer.ui.charts import SideChart

_Figure = Callable[[CoachSide], str]

COLUMNS: tuple[tuple[str, str, _Figure], ...] = (
    ("Reps counted L / R", "reps counted", lambda s: str(s.reps_counted)),
    ("Parallel L / R", "reps reaching parallel", lambda s: format_share(s.parallel_share)),
    (
        "Peak thigh L / R",
        "median peak thigh angle",
        lambda s: format_angle(s.median_peak_thigh_deg),
    ),
    ("Drive : lower L / R", "drive to lowering time", lambda s: format_ratio(s.drive_lower_ratio)),
    ("Sway L / R", "trunk sway", lambda s: format_angle(s.sway_deg, 1)),
    ("Feel L / R (1-5)", "stability felt", lambda s: format_rating(s.stability)),
)
"""After the week: (heading, spoken name, the figure of one side) per column."""

EXPLANATION = (
    "Measured by the camera in the sets it watched, per week, left / right: reps it counted, "
    "the share that reached parallel, the median peak thigh angle (90° = parallel), drive "
    "time over lowering time (under 1: a fast drive and a controlled way down) and trunk "
    "sway. Feel is the 1-5 stability you gave those same sets."
)


def week_label(week: CoachWeek) -> str:
    return week.start.strftime("%d %b")


def _side_figure(side: CoachSide | None, figure: _Figure) -> str:
    return NOT_COUNTED if side is None else figure(side)


def _spoken(side: CoachSide | None, figure: _Figure) -> str:
    text = _side_figure(side, figure)
    return "not measured" if text == NOT_COUNTED else text


class CoachWeeksPanel(QWidget):
    """A heading, a table (newest week first) and a chart of the parallel share per side."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Camera coach, left against right")
        # The sizes of the rest of the stats page: readable text, a larger bold heading.
        readable = self.font()
        readable.setPointSizeF(max(readable.pointSizeF(), 12.0))
        bold = QFont(readable)
        bold.setBold(True)
        heading_font = QFont(bold)
        heading_font.setPointSizeF(readable.pointSizeF() + 1)
        self.heading = QLabel("Camera coach: left against right per week")
        self.heading.setAccessibleName("Camera coach heading")
        self.heading.setFont(heading_font)
        self.explanation = QLabel(EXPLANATION)
        self.explanation.setAccessibleName("What the camera coach measures")
        self.explanation.setWordWrap(True)
        self.explanation.setFont(readable)
        self.lagging = QLabel()
        self.lagging.setAccessibleName("Camera coach: lagging side")
        self.lagging.setWordWrap(True)
        self.lagging.setFont(bold)
        self.lagging.hide()
        headings = ["Week", *(title for title, _, _ in COLUMNS)]
        self.table = QTableWidget(0, len(headings))
        self.table.setAccessibleName("Camera coach measures per week, left against right")
        self.table.setHorizontalHeaderLabels(headings)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.parallel_chart = SideChart(
            "Reps reaching parallel per side (%)",
            low=0.0,
            high=100.0,
            ticks=[0.0, 25.0, 50.0, 75.0, 100.0],
        )
        self.parallel_chart.setMinimumHeight(220)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 12, 0, 0)
        layout.addWidget(self.heading)
        layout.addWidget(self.explanation)
        layout.addWidget(self.lagging)
        layout.addWidget(self.table)
        layout.addWidget(self.parallel_chart)
        self.weeks: tuple[CoachWeek, ...] = ()
        self.hide()

    def show_weeks(self, weeks: Sequence[CoachWeek]) -> None:
        """Fill in `weeks` (oldest first); hidden when there are none."""
        self.weeks = tuple(weeks)
        self.setVisible(bool(self.weeks))
        sentence = coach_lagging_sentence(self.weeks)
        self.lagging.setText(sentence or "")
        self.lagging.setVisible(sentence is not None)
        newest_first = list(reversed(self.weeks))
        self.table.setRowCount(len(newest_first))
        for row, week in enumerate(newest_first):
            label = week_label(week)
            item = QTableWidgetItem(label)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"week of {label}")
            self.table.setItem(row, 0, item)
            for column, (_, spoken, figure) in enumerate(COLUMNS, start=1):
                item = QTableWidgetItem(
                    format_left_right(
                        _side_figure(week.left, figure), _side_figure(week.right, figure)
                    )
                )
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                item.setData(
                    Qt.ItemDataRole.AccessibleTextRole,
                    f"{spoken}: left {_spoken(week.left, figure)}, "
                    f"right {_spoken(week.right, figure)}",
                )
                self.table.setItem(row, column, item)
        self._fit_table_height()

        def share(side: CoachSide | None) -> float | None:
            value = None if side is None else side.parallel_share
            return None if value is None else value * 100

        self.parallel_chart.set_data(
            [week_label(w) for w in self.weeks],
            [share(w.left) for w in self.weeks],
            [share(w.right) for w in self.weeks],
        )

    def _fit_table_height(self) -> None:
        """Tall enough for every week (at most 12): the stats page scrolls, not the table."""
        rows = sum(self.table.rowHeight(r) for r in range(self.table.rowCount()))
        header = self.table.horizontalHeader().sizeHint().height()
        self.table.setFixedHeight(rows + header + 2 * self.table.frameWidth() + 2)
