"""SIGTERM and SIGINT close the window as the user would, and the handlers from before come
back once the window has run."""

from __future__ import annotations

import logging
import os
import signal
import sys

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from legdrive_timer.ui.app import _CloseOnSignals

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals (see run_app)")


@pytest.mark.parametrize("number", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_closes_and_the_previous_handlers_come_back(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture, number: signal.Signals
) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    before = {n: signal.getsignal(n) for n in (signal.SIGINT, signal.SIGTERM)}
    closed: list[bool] = []
    handler = _CloseOnSignals(app, lambda: closed.append(True))
    try:
        with caplog.at_level(logging.INFO, logger="legdrive_timer"):
            os.kill(os.getpid(), number)
            qtbot.waitUntil(lambda: closed == [True], timeout=5000)
    finally:
        handler.release()
    assert f"closing on {number.name}" in [r.getMessage() for r in caplog.records]
    assert {n: signal.getsignal(n) for n in before} == before
    previous_fd = signal.set_wakeup_fd(-1)
    signal.set_wakeup_fd(previous_fd)
    assert previous_fd == -1
