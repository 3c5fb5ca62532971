"""What the window leaves until it is needed still happens when it is."""

from __future__ import annotations

import sys
from typing import ClassVar

import pytest
from PySide6.QtCore import QObject, Qt, Signal
from pytestqt.qtbot import QtBot

from legdrive_timer.core.builtins import builtin_workout
from legdrive_timer.ui import sleep_watch
from tests.helpers.window import WindowHarness


class FakeSleepWatcher(QObject):
    woke = Signal()
    started: ClassVar[list[FakeSleepWatcher]] = []

    def start(self) -> None:
        self.started.append(self)

    def stop(self) -> None:
        pass


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="logind is Linux only")
def test_sleep_is_watched_from_the_first_session_on(
    harness: WindowHarness, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    FakeSleepWatcher.started.clear()
    monkeypatch.setattr(sleep_watch, "SleepWatcher", FakeSleepWatcher)
    session = harness.app.session
    assert harness.app.services_loaded
    assert session.sleep_watcher is None  # nothing to pause before a session

    workout = builtin_workout("hiit")
    assert workout is not None
    harness.app.start(workout)
    qtbot.waitUntil(lambda: len(FakeSleepWatcher.started) == 1)
    watcher = session.sleep_watcher
    assert isinstance(watcher, FakeSleepWatcher)

    harness.app.session.stop()
    harness.app.start(workout)
    qtbot.wait(10)
    assert FakeSleepWatcher.started == [watcher]  # one watcher for the whole run


def test_keys_reach_screens_that_are_built_when_first_shown(
    harness: WindowHarness, qtbot: QtBot
) -> None:
    window = harness.window
    start = window.start_screen
    assert harness.app.history.page is None  # nothing built for it at launch

    qtbot.keyClick(start.list, Qt.Key.Key_H)
    page = harness.app.history.page
    assert page is not None
    assert window.current_screen is page

    qtbot.keyClick(page, Qt.Key.Key_Escape)
    assert window.current_screen is start
    qtbot.keyClick(start.list, Qt.Key.Key_Return)  # Start
    assert window.current_screen is window.session_view
    engine = harness.app.engine
    assert engine is not None and engine.is_active
