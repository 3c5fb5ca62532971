"""An unexpected error in a Qt slot: logged, and one sentence in a box over the window."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from legdrive_timer.logs import Diagnostics
from legdrive_timer.storage.paths import DataPaths
from legdrive_timer.ui.app import _window_reporter


def _slot_that_fails() -> None:
    raise ZeroDivisionError("inside a slot")


@pytest.mark.qt_no_exception_capture
def test_an_error_in_a_slot_shows_one_sentence_and_the_log_path(
    qtbot: QtBot, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    diagnostics = Diagnostics(DataPaths.resolve(tmp_path).log_file)
    diagnostics.install()
    try:
        diagnostics.reporter = _window_reporter(window)
        QTimer.singleShot(0, _slot_that_fails)
        qtbot.waitUntil(lambda: window.findChild(QMessageBox, "unexpected_error_box") is not None)
    finally:
        diagnostics.uninstall()
    box = window.findChild(QMessageBox, "unexpected_error_box")
    assert box is not None and box.isVisible()
    assert box.text() == (
        "Something went wrong unexpectedly (ZeroDivisionError); "
        f"the details are in {diagnostics.log_file}."
    )
    assert diagnostics.failed  # the app's exit status will say so
    assert "Traceback" not in capsys.readouterr().err
    logged = diagnostics.log_file.read_text()
    assert "in _slot_that_fails" in logged and "inside a slot" in logged
    box.close()


def test_a_problem_that_keeps_the_window_shut_is_shown_in_a_box(qtbot: QtBot) -> None:
    from legdrive_timer.ui.app import show_start_problem

    seen: list[tuple[str, bool]] = []

    def read_and_close() -> None:
        box = next(
            w for w in QApplication.topLevelWidgets() if w.objectName() == "start_problem_box"
        )
        assert isinstance(box, QMessageBox)
        seen.append((box.text(), box.isModal()))
        box.accept()

    QTimer.singleShot(50, read_and_close)
    show_start_problem("The data folder /x is a file, not a folder; move it away.")
    assert seen == [("The data folder /x is a file, not a folder; move it away.", True)]
