"""What a screen reader is told outside the session screen: every control named by what it is,
drop-down lists by their label (not by the item they show), values as values."""

from __future__ import annotations

from collections.abc import Iterator

from PySide6.QtCore import Qt
from PySide6.QtGui import QAccessible, QAccessibleInterface
from PySide6.QtWidgets import QApplication, QComboBox, QWidget
from pytestqt.qtbot import QtBot

from legdrive_timer.storage.history import HistoryStore
from legdrive_timer.storage.paths import DataPaths
from legdrive_timer.ui.sound_dialog import SoundDialog
from tests.helpers import workout
from tests.helpers.window import WindowHarness
from tests.ui.test_history_view import sample_history

NAMED_ROLES = {
    QAccessible.Role.Button,
    QAccessible.Role.CheckBox,
    QAccessible.Role.ComboBox,
    QAccessible.Role.SpinBox,
    QAccessible.Role.Slider,
    QAccessible.Role.Table,
    QAccessible.Role.List,
    QAccessible.Role.PageTab,
    QAccessible.Role.PageTabList,
    QAccessible.Role.StaticText,
    QAccessible.Role.ColumnHeader,
    QAccessible.Role.Splitter,
    QAccessible.Role.Grip,
    QAccessible.Role.Chart,
}
"""Roles a person reaches and must hear a name for (cells are read by their text)."""


def interfaces(root: QWidget) -> Iterator[QAccessibleInterface]:
    stack = [QAccessible.queryAccessibleInterface(root)]
    while stack:
        face = stack.pop()
        if face is None or not face.isValid() or face.state().invisible:
            continue
        yield face
        stack.extend(face.child(i) for i in range(face.childCount()))


def unnamed(root: QWidget) -> list[str]:
    return [
        f"{face.role().name} {type(face.object()).__name__}"
        for face in interfaces(root)
        if face.role() in NAMED_ROLES and not face.text(QAccessible.Text.Name).strip()
    ]


def _name_and_value(combo: QComboBox) -> tuple[str, str]:
    face = QAccessible.queryAccessibleInterface(combo)
    assert face is not None and face.role() == QAccessible.Role.ComboBox
    return face.text(QAccessible.Text.Name), face.text(QAccessible.Text.Value)


def _app(qtbot: QtBot, data_paths: DataPaths) -> WindowHarness:
    with HistoryStore.open(data_paths.history_db) as store:
        store.merge(sample_history())
    h = WindowHarness(data_paths)
    qtbot.addWidget(h.window)
    h.window.resize(1024, 600)
    h.window.show()
    qtbot.waitExposed(h.window)
    return h


def test_history_drop_downs_are_named_by_their_label(qtbot: QtBot, data_paths: DataPaths) -> None:
    h = _app(qtbot, data_paths)
    h.app.history.show()
    view = h.app.history.view
    assert view is not None
    assert _name_and_value(view.workout_filter) == ("Filter by workout", "All workouts")
    assert _name_and_value(view.period_filter) == ("Filter by date range", "All time")
    view.workout_filter.setCurrentIndex(1)
    assert _name_and_value(view.workout_filter) == ("Filter by workout", "HIIT finisher")

    # The list is the drop-down's child: a screen reader finds the items and the chosen one.
    face = QAccessible.queryAccessibleInterface(view.workout_filter)
    assert face.childCount() == 1
    items = face.child(0)
    assert items.object() is view.workout_filter.view()
    assert face.indexOfChild(items) == 0
    assert items.role() == QAccessible.Role.List

    # A screen reader can open the list as it can with any drop-down.
    face = QAccessible.queryAccessibleInterface(view.period_filter)
    actions = face.actionInterface()
    assert actions is not None
    assert actions.showMenuAction() in actions.actionNames()
    opened: list[bool] = []
    view.period_filter.showPopup = lambda: opened.append(True)  # type: ignore[method-assign]
    actions.doAction(actions.showMenuAction())
    assert opened == [True]


def test_sound_dialog_device_list_is_named_by_its_label(qtbot: QtBot) -> None:
    dialog = SoundDialog(
        volume=0.5,
        muted=False,
        voice=True,
        devices=["Speakers"],
        device="Speakers",
        status=None,
        on_volume=lambda _v: None,
        on_muted=lambda _m: None,
        on_voice=lambda _v: None,
        on_device=lambda _d: None,
        on_test=lambda: None,
    )
    qtbot.addWidget(dialog)
    dialog.show()
    assert _name_and_value(dialog.device) == ("Output device", "Speakers")
    assert unnamed(dialog) == []


def test_every_control_around_the_session_has_a_name(qtbot: QtBot, data_paths: DataPaths) -> None:
    h = _app(qtbot, data_paths)
    assert unnamed(h.window) == [], "start screen"
    h.app.history.show()
    view = h.app.history.view
    assert view is not None
    view.table.selectRow(0)
    QApplication.processEvents()
    assert unnamed(h.window) == [], "history list"
    view.tabs.setCurrentIndex(1)
    view.refresh_stats()
    QApplication.processEvents()
    assert unnamed(h.window) == [], "stats"

    summary = h.run_to_summary(workout("hiit", rounds=1, prep_s=0))
    QApplication.processEvents()
    assert unnamed(h.window) == [], "summary"
    headers = [
        summary.table.model().headerData(c, Qt.Orientation.Horizontal)
        for c in range(summary.table.columnCount())
    ]
    assert all(headers) and headers[-1] == "Ended"  # the status column has a name
