"""The window icon comes from the installed assets, and the log says where they are and
what runs the app."""

from __future__ import annotations

import logging

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from legdrive_timer.ui.app import ICON_SIZES, _set_window_icon


def test_icon_and_assets_are_found_and_logged(
    qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    with caplog.at_level(logging.INFO, logger="legdrive_timer"):
        _set_window_icon(app)
    icon = app.windowIcon()
    assert not icon.isNull()
    assert {size.width() for size in icon.availableSizes()} >= set(ICON_SIZES)
    [line] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("assets in ")]
    assert line.endswith(f"voice lines, {len(ICON_SIZES)} icons)")
    assert " 0 " not in line


def test_the_icon_is_set_where_the_assets_are_zipped(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Without an assets folder the icons are temporary copies, kept while the app runs."""
    from PySide6.QtGui import QIcon

    from legdrive_timer import asset_files

    monkeypatch.setattr(asset_files, "assets_folder", lambda: None)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    app.setWindowIcon(QIcon())
    with caplog.at_level(logging.INFO, logger="legdrive_timer"):
        _set_window_icon(app)
    icon = app.windowIcon()
    assert {size.width() for size in icon.availableSizes()} >= set(ICON_SIZES)
    assert not icon.pixmap(48, 48).isNull()  # read from the copy only now
    [line] = [r.getMessage() for r in caplog.records if r.getMessage().startswith("assets in ")]
    assert line.endswith(
        f"zipped package legdrive_timer.assets (0 sounds, 0 voice lines, {len(ICON_SIZES)} icons)"
    )


def test_the_start_line_names_python_qt_and_the_system(caplog: pytest.LogCaptureFixture) -> None:
    """The log's first line says what a bug report needs: the same figures `platform`
    gives, which the start no longer loads."""
    import platform

    from PySide6 import __version__ as pyside_version

    from legdrive_timer.ui.app import _log_start

    with caplog.at_level(logging.INFO, logger="legdrive_timer"):
        _log_start()
    [line] = [r.getMessage() for r in caplog.records if " started (Python " in r.getMessage()]
    system = f"{platform.system()} {platform.release()} {platform.machine()}"
    assert line.endswith(
        f"started (Python {platform.python_version()}, PySide6 {pyside_version}, {system})"
    )
