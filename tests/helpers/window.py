"""Building the whole app on a fake clock, and reading colours off grabbed widgets."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget

from legdrive_timer.core.workout import Workout
from legdrive_timer.storage.paths import DataPaths
from legdrive_timer.ui.app import AppController
from legdrive_timer.ui.summary_view import SummaryView
from tests.helpers.fakes import FakeClock, FakeScheduler

if TYPE_CHECKING:
    from legdrive_timer.ui.session_view import SessionView


class WindowHarness:
    def __init__(self, paths: DataPaths, **app_options: Any) -> None:
        self.clock = FakeClock()
        self.scheduler = FakeScheduler(self.clock)
        counter = iter(range(1, 1_000_000))
        self.app: AppController = AppController(
            paths,
            clock=self.clock,
            scheduler=self.scheduler,
            audio="off",
            new_session_id=lambda: f"session-{next(counter)}",
            cue_timer_factory=lambda: FakeScheduler(self.clock),
            **app_options,
        )
        self.window = self.app.window

    @property
    def view(self) -> SessionView:
        """The session screen: built by the first Start, as in the app, or here when asked."""
        return self.window.session_view

    def advance(self, ms: int) -> None:
        self.scheduler.advance(ms)

    def run_to_summary(self, workout: Workout) -> SummaryView:
        """Start `workout` and run it to its end: the summary screen it leaves on."""
        self.app.start(workout)
        self.scheduler.run_until_idle()
        summary = self.window.summary_view
        assert self.window.current_screen is summary
        return summary

    def background(self) -> str:
        """The colour filling the session view, as the screen shows it (flash ended)."""
        self.view.flash.hide()
        return dominant_colour(self.view.grab().toImage())


def dominant_colour(image: QImage, step: int = 7) -> str:
    counts: Counter[str] = Counter()
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            counts[image.pixelColor(x, y).name()] += 1
    return counts.most_common(1)[0][0]


def texts(widget: QWidget) -> str:
    from PySide6.QtWidgets import QLabel

    return " | ".join(label.text() for label in widget.findChildren(QLabel) if label.isVisible())


def layout_problems(window: QWidget) -> list[str]:
    """Text that does not fit its label or button, and labels that overlap each other."""
    from PySide6.QtCore import QRect, Qt
    from PySide6.QtGui import QFontMetrics
    from PySide6.QtWidgets import QAbstractButton, QLabel

    from legdrive_timer.ui.widgets import FitLabel

    problems: list[str] = []
    placed: list[tuple[QRect, QWidget]] = []
    for label in window.findChildren(QLabel):
        if not label.isVisibleTo(window) or not label.text() or not label.isVisible():
            continue
        metrics = QFontMetrics(label.font())
        flags = int(Qt.AlignmentFlag.AlignCenter)
        if label.wordWrap():
            flags |= int(Qt.TextFlag.TextWordWrap)
        box = label.contentsRect()
        needed = metrics.boundingRect(QRect(0, 0, box.width(), 100_000), flags, label.text())
        if isinstance(label, FitLabel) and label._tight:
            needed = metrics.tightBoundingRect(label.text())
        if needed.width() > box.width() + 1 or needed.height() > box.height() + 1:
            problems.append(f"{label.text()!r} needs {needed.size()} in {box.size()}")
        top_left = label.mapTo(window, box.topLeft())
        placed.append((QRect(top_left, box.size()), label))
    for button in window.findChildren(QAbstractButton):
        if not button.isVisible() or not button.text():
            continue
        metrics = QFontMetrics(button.font())
        needed = metrics.boundingRect(QRect(0, 0, 10_000, 10_000), 0, button.text())
        if needed.width() > button.width() or needed.height() > button.height():
            problems.append(f"button {button.text()!r} needs {needed.size()} in {button.size()}")
    overlays = {"paused_overlay", "confirm_overlay", "help_overlay", "flash"}
    for i, (rect_a, a) in enumerate(placed):
        for rect_b, b in placed[i + 1 :]:
            if a.parent() is not b.parent() and (
                a.parent().objectName() in overlays or b.parent().objectName() in overlays
            ):
                continue
            if rect_a.intersects(rect_b):
                problems.append(f"{a.text()!r} overlaps {b.text()!r}")
    return problems


def digit_height_share(h: WindowHarness) -> float:
    from PySide6.QtGui import QFontMetrics

    digits = h.view.digits
    ink = QFontMetrics(digits.font()).tightBoundingRect(digits.text())
    return ink.height() / h.window.height()
