"""Building the whole app on a fake clock, and reading colours off grabbed widgets."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from legdrive_timer.core.clock import FakeClock, FakeScheduler
from legdrive_timer.storage.paths import DataPaths
from legdrive_timer.ui.app import AppController, create_app


class WindowHarness:
    def __init__(self, paths: DataPaths) -> None:
        self.clock = FakeClock()
        self.scheduler = FakeScheduler(self.clock)
        counter = iter(range(1, 1_000_000))
        self.app: AppController = create_app(
            paths,
            clock=self.clock,
            scheduler=self.scheduler,
            audio="off",
            new_session_id=lambda: f"session-{next(counter)}",
            cue_timer_factory=lambda: FakeScheduler(self.clock),
        )
        self.window = self.app.window
        self.view = self.window.session_view

    def advance(self, ms: int) -> None:
        self.scheduler.advance(ms)

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


@pytest.fixture
def harness(qtbot: QtBot, data_paths: DataPaths) -> Iterator[WindowHarness]:
    h = WindowHarness(data_paths)
    qtbot.addWidget(h.window)
    h.window.resize(800, 480)
    h.window.show()
    qtbot.waitExposed(h.window)
    yield h
    h.window.close()
