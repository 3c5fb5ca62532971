"""Small QPainter charts for the history: weekly bars and left against right over time.

Readable from a distance and for everyone: large text, the Okabe-Ito colour-blind-safe
palette, and left/right told apart by line style, marker shape and labels, not only colour.
Each chart also puts its figures into its accessible description for screen readers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

# Okabe & Ito, "Color Universal Design": distinguishable with any common colour vision.
BAR_COLOUR = QColor("#0072B2")  # blue
LEFT_COLOUR = QColor("#0072B2")  # blue, solid line, round markers
RIGHT_COLOUR = QColor("#D55E00")  # vermillion, dashed line, square markers
TEXT_COLOUR = QColor("#1a1a1a")
GRID_COLOUR = QColor("#c8c8c8")
BACKGROUND = QColor("#ffffff")

_MARGIN = 12.0


def _nice_ceiling(value: float) -> float:
    """A round axis maximum at or above `value` (1, 2, 5 x 10^n)."""
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1.0, 2.0, 5.0, 10.0):
        candidate = step * 10.0**exponent
        if candidate >= value:
            return candidate
    return 10.0 ** (exponent + 1)


def _format_number(value: float) -> str:
    # Whole numbers from 10 up: "14.7 minutes" reads no better than "15" from a distance.
    if abs(value) >= 10 or abs(value - round(value)) < 0.05:
        return f"{value:.0f}"
    return f"{value:.1f}"


class _Chart(QWidget):
    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._title = title
        self.setAccessibleName(title)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, 200)

    def sizeHint(self) -> QSize:
        return QSize(640, 280)

    def _fonts(self) -> tuple[QFont, QFont]:
        base = QFont(self.font())
        base.setPointSizeF(max(base.pointSizeF(), 12.0))
        title = QFont(base)
        title.setPointSizeF(base.pointSizeF() + 2)
        title.setBold(True)
        return base, title

    def _begin(self) -> tuple[QPainter, QFont, QRectF]:
        """Painter on a cleared background with the title drawn; returns the plot area."""
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), BACKGROUND)
        base, title_font = self._fonts()
        painter.setFont(title_font)
        painter.setPen(TEXT_COLOUR)
        title_metrics = QFontMetricsF(title_font)
        title_height = title_metrics.height()
        title_width = self.width() - 2 * _MARGIN
        painter.drawText(
            QRectF(_MARGIN, _MARGIN, title_width, title_height),
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
            # A narrow window shortens the title with "…" rather than cutting a word in half.
            title_metrics.elidedText(self._title, Qt.TextElideMode.ElideRight, title_width),
        )
        painter.setFont(base)
        top = _MARGIN + title_height + 8
        area = QRectF(_MARGIN, top, self.width() - 2 * _MARGIN, self.height() - top - _MARGIN)
        return painter, base, area

    def _draw_message(self, painter: QPainter, area: QRectF, text: str) -> None:
        painter.setPen(TEXT_COLOUR)
        painter.drawText(area, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, text)

    def _x_labels(
        self, painter: QPainter, labels: Sequence[str], xs: Sequence[float], y: float
    ) -> None:
        """Labels under the x axis, thinned out so that they never overlap."""
        metrics = QFontMetricsF(painter.font())
        widest = max((metrics.horizontalAdvance(label) for label in labels), default=0.0) + 12
        spacing = (xs[1] - xs[0]) if len(xs) > 1 else widest
        every = max(1, math.ceil(widest / max(spacing, 1.0)))
        painter.setPen(TEXT_COLOUR)
        last = len(labels) - 1
        for index, (label, x) in enumerate(zip(labels, xs, strict=True)):
            # Always label the newest point; count the thinning back from it.
            if (last - index) % every:
                continue
            # Kept inside the widget: the newest label sits at the right edge.
            left = min(max(x - widest / 2, 0.0), self.width() - widest)
            rect = QRectF(left, y, widest, metrics.height())
            painter.drawText(rect, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, label)

    def _y_axis(
        self, painter: QPainter, area: QRectF, low: float, high: float, ticks: Sequence[float]
    ) -> float:
        """Grid lines and tick labels; returns the x where the plot starts."""
        metrics = QFontMetricsF(painter.font())
        label_width = max(metrics.horizontalAdvance(_format_number(t)) for t in ticks) + 8
        left = area.left() + label_width
        for tick in ticks:
            y = area.bottom() - (tick - low) / (high - low) * area.height()
            painter.setPen(QPen(GRID_COLOUR, 1))
            painter.drawLine(QPointF(left, y), QPointF(area.right(), y))
            painter.setPen(TEXT_COLOUR)
            painter.drawText(
                QRectF(area.left(), y - metrics.height() / 2, label_width - 6, metrics.height()),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                _format_number(tick),
            )
        return left


class BarChart(_Chart):
    """One bar per label (e.g. per week), the value written above each bar."""

    def __init__(
        self,
        title: str,
        describe: Callable[[str, float], str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(title, parent)
        self._describe = describe
        self._labels: list[str] = []
        self._values: list[float] = []

    def set_data(self, labels: Sequence[str], values: Sequence[float]) -> None:
        if len(labels) != len(values):
            raise ValueError("one value per label")
        self._labels = list(labels)
        self._values = list(values)
        self.setAccessibleDescription(
            "; ".join(
                self._describe(label, value) for label, value in zip(labels, values, strict=True)
            )
        )
        self.update()

    def values(self) -> list[float]:
        return list(self._values)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter, base, area = self._begin()
        try:
            if not self._values:
                self._draw_message(painter, area, "Nothing to show yet.")
                return
            metrics = QFontMetricsF(base)
            top = _nice_ceiling(max(self._values))
            ticks = [0.0, top / 2, top]
            plot = QRectF(
                area.left(),
                area.top() + metrics.height() + 4,  # room for the value above the tallest bar
                area.width(),
                area.height() - 2 * metrics.height() - 8,  # room for the labels below
            )
            left = self._y_axis(painter, plot, 0.0, top, ticks)
            slot = (plot.right() - left) / len(self._values)
            bar_width = max(4.0, slot * 0.6)
            xs = [left + slot * (i + 0.5) for i in range(len(self._values))]
            for x, value in zip(xs, self._values, strict=True):
                height = value / top * plot.height()
                bar = QRectF(x - bar_width / 2, plot.bottom() - height, bar_width, height)
                painter.fillRect(bar, BAR_COLOUR)
                if value > 0:
                    painter.setPen(TEXT_COLOUR)
                    painter.drawText(
                        QRectF(
                            x - slot / 2, bar.top() - metrics.height() - 2, slot, metrics.height()
                        ),
                        Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                        _format_number(value),
                    )
            painter.setPen(QPen(TEXT_COLOUR, 1))
            painter.drawLine(QPointF(left, plot.bottom()), QPointF(plot.right(), plot.bottom()))
            self._x_labels(painter, self._labels, xs, plot.bottom() + 4)
        finally:
            painter.end()


class SideChart(_Chart):
    """Left against right over sessions: two lines, told apart by style, marker and label."""

    def __init__(
        self,
        title: str,
        *,
        low: float = 0.0,
        high: float | None = None,
        ticks: Sequence[float] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(title, parent)
        self._low = low
        self._high = high
        self._ticks = list(ticks) if ticks is not None else None
        self._labels: list[str] = []
        self._left: list[float | None] = []
        self._right: list[float | None] = []

    def set_data(
        self,
        labels: Sequence[str],
        left: Sequence[float | None],
        right: Sequence[float | None],
    ) -> None:
        if not len(labels) == len(left) == len(right):
            raise ValueError("one left and one right value per label")
        self._labels = list(labels)
        self._left = list(left)
        self._right = list(right)

        def text(value: float | None) -> str:
            return "not rated" if value is None else _format_number(value)

        self.setAccessibleDescription(
            "; ".join(
                f"{label}: left {text(lv)}, right {text(rv)}"
                for label, lv, rv in zip(labels, left, right, strict=True)
            )
        )
        self.update()

    def has_data(self) -> bool:
        return any(v is not None for v in (*self._left, *self._right))

    def paintEvent(self, event: QPaintEvent) -> None:
        painter, base, area = self._begin()
        try:
            if not self.has_data():
                self._draw_message(painter, area, "No left and right data yet.")
                return
            metrics = QFontMetricsF(base)
            legend_height = metrics.height() + 6
            values = [v for v in (*self._left, *self._right) if v is not None]
            high = self._high if self._high is not None else _nice_ceiling(max(values))
            ticks = self._ticks or [self._low, (self._low + high) / 2, high]
            plot = QRectF(
                area.left(),
                area.top() + legend_height + metrics.height() / 2,
                area.width(),
                area.height() - legend_height - 1.5 * metrics.height() - 8,
            )
            left_x = self._y_axis(painter, plot, self._low, high, ticks)
            self._legend(painter, QRectF(left_x, area.top(), plot.right() - left_x, legend_height))
            count = len(self._labels)
            slot = (plot.right() - left_x) / count
            xs = [left_x + slot * (i + 0.5) for i in range(count)]

            def y_of(value: float) -> float:
                return plot.bottom() - (value - self._low) / (high - self._low) * plot.height()

            # Left points sit a little left of the slot's centre and right points a little
            # right, so that equal values still show both markers instead of one on the other.
            dodge = min(5.0, slot / 6)
            left_xs = [x - dodge for x in xs]
            right_xs = [x + dodge for x in xs]
            self._series(
                painter, left_xs, self._left, y_of, LEFT_COLOUR, Qt.PenStyle.SolidLine, True
            )
            self._series(
                painter, right_xs, self._right, y_of, RIGHT_COLOUR, Qt.PenStyle.DashLine, False
            )
            self._x_labels(painter, self._labels, xs, plot.bottom() + 4)
        finally:
            painter.end()

    def _series(
        self,
        painter: QPainter,
        xs: Sequence[float],
        values: Sequence[float | None],
        y_of: Callable[[float], float],
        colour: QColor,
        style: Qt.PenStyle,
        round_marker: bool,
    ) -> None:
        pen = QPen(colour, 3, style)
        previous: QPointF | None = None
        points: list[QPointF] = []
        for x, value in zip(xs, values, strict=True):
            if value is None:
                previous = None  # a gap, not a line through a session without data
                continue
            point = QPointF(x, y_of(value))
            if previous is not None:
                painter.setPen(pen)
                painter.drawLine(previous, point)
            previous = point
            points.append(point)
        for point in points:
            self._marker(painter, point, colour, round_marker)

    @staticmethod
    def _marker(painter: QPainter, at: QPointF, colour: QColor, round_marker: bool) -> None:
        painter.setPen(QPen(BACKGROUND, 1.5))
        painter.setBrush(colour)
        if round_marker:
            painter.drawEllipse(at, 6.0, 6.0)
        else:
            painter.drawRect(QRectF(at.x() - 5.5, at.y() - 5.5, 11.0, 11.0))
        painter.setBrush(Qt.BrushStyle.NoBrush)

    def _legend(self, painter: QPainter, rect: QRectF) -> None:
        metrics = QFontMetricsF(painter.font())
        y = rect.top() + rect.height() / 2
        x = rect.left()
        for name, colour, style, round_marker in (
            ("Left knee drive", LEFT_COLOUR, Qt.PenStyle.SolidLine, True),
            ("Right knee drive", RIGHT_COLOUR, Qt.PenStyle.DashLine, False),
        ):
            painter.setPen(QPen(colour, 3, style))
            painter.drawLine(QPointF(x, y), QPointF(x + 36, y))
            self._marker(painter, QPointF(x + 18, y), colour, round_marker)
            painter.setPen(TEXT_COLOUR)
            text_rect = QRectF(
                x + 44, rect.top(), metrics.horizontalAdvance(name) + 4, rect.height()
            )
            painter.drawText(text_rect, Qt.AlignmentFlag.AlignVCenter, name)
            x = text_rect.right() + 24
