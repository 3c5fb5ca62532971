"""The installed Qt binding must not leak references: PySide6 6.12.0 on CPython 3.11 drops
a reference to None on every void method call, and a running session aborts the app."""

from __future__ import annotations

import sys

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot


def test_void_qt_calls_keep_the_reference_count_of_none(qtbot: QtBot) -> None:
    label = QLabel()
    qtbot.addWidget(label)
    point = QPoint()
    before = sys.getrefcount(None)
    for _ in range(500):
        label.setText("12")
        point.setX(1)
    assert sys.getrefcount(None) >= before
