"""The camera coach's measures in the history view: per set in a session's detail, left
against right per week in the stats, and nothing of it for a history without them."""

from __future__ import annotations

import dataclasses
import re
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from legdrive_timer.core.formatting import COACH_COLUMNS, SEGMENT_COLUMNS
from legdrive_timer.core.records import CoachMeasures, SessionRecord
from legdrive_timer.core.timeline import PhaseKind
from legdrive_timer.core.workout import Side
from legdrive_timer.history_cli import format_record
from legdrive_timer.storage.history import HistoryStore
from legdrive_timer.storage.paths import DataPaths
from legdrive_timer.ui.history_view import HistoryView
from tests.ui.test_accessibility import unnamed
from tests.ui.test_history_view import (
    TODAY,
    assert_whole_without_scrolling,
    hiit,
    history_in_window,
    ids,
    make_view,
    non_uniform,
    primer,
    ready_for_screenshots,
    sample_history,
    shown,
)

LEFT = CoachMeasures(14, 8, 74.0, 0.52, 4.25)
RIGHT = CoachMeasures(15, 13, 88.5, 0.41, 2.6)


def coached(record: SessionRecord, left: CoachMeasures = LEFT) -> SessionRecord:
    """`record` with the coach's measures on each rep set."""
    segments = tuple(
        dataclasses.replace(s, coach=left if s.side is Side.LEFT else RIGHT)
        if s.kind is PhaseKind.WORK and s.side is not None
        else s
        for s in record.segments
    )
    return dataclasses.replace(record, segments=segments)


def headers(view: HistoryView) -> list[str]:
    table = view.detail.table
    return [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]


def select(view: HistoryView, session_id: str) -> None:
    view.table.selectRow(ids(view).index(session_id))


def test_a_history_without_measures_looks_as_it_always_did(
    qtbot: QtBot, store: HistoryStore
) -> None:
    store.merge(sample_history())
    view = shown(qtbot, make_view(qtbot, store))
    select(view, "p-today")
    assert headers(view) == list(SEGMENT_COLUMNS)
    assert not view.detail.coach_columns
    assert view.stats_panel.coach.isHidden()
    assert view.stats_panel.coach.table.rowCount() == 0


def test_a_measured_session_shows_its_sets_measures_and_the_others_do_not(
    qtbot: QtBot, store: HistoryStore
) -> None:
    store.merge([coached(primer("p-cam", TODAY)), primer("p-plain", TODAY - timedelta(days=1))])
    view = shown(qtbot, make_view(qtbot, store))
    assert view.detail.coach_columns
    select(view, "p-cam")
    assert headers(view) == list(SEGMENT_COLUMNS + COACH_COLUMNS)
    rows = view.detail.cell_texts()
    assert rows[0][7:] == [""] * 5  # Get ready: nothing measured
    assert rows[1][:2] == ["Drive", "Right"] and rows[1][7:] == [
        "15", "13 (87%)", "88°", "0.41", "2.6°",
    ]  # fmt: skip
    assert rows[3][:2] == ["Drive", "Left"] and rows[3][7:] == [
        "14", "8 (57%)", "74°", "0.52", "4.2°",
    ]  # fmt: skip
    # `history show` prints the very same cells.
    record = store.session("p-cam")
    assert record is not None
    printed = format_record(record).splitlines()[3:]
    assert [re.split(r" {2,}", line.strip()) for line in printed] == [
        [cell for cell in row if cell] for row in [headers(view), *rows]
    ]
    select(view, "p-plain")
    assert headers(view) == list(SEGMENT_COLUMNS)


def test_the_stats_show_left_against_right_per_week_beside_the_feel(
    qtbot: QtBot, store: HistoryStore
) -> None:
    better = CoachMeasures(15, 12, 84.0, 0.5, 3.0)
    store.merge(
        [
            coached(primer("now", TODAY, left_stab=2, right_stab=4)),
            coached(primer("before", TODAY - timedelta(weeks=2), left_stab=3), left=better),
            hiit("h", TODAY - timedelta(weeks=1)),
            primer("plain", TODAY - timedelta(weeks=1)),
        ]
    )
    view = shown(qtbot, make_view(qtbot, store))
    view.tabs.setCurrentIndex(1)
    panel = view.stats_panel.coach
    assert panel.isVisible()
    table = panel.table
    texts = [
        [table.item(r, c).text() for c in range(table.columnCount())]
        for r in range(table.rowCount())
    ]
    # Newest week first; weeks without measured sets are not listed.
    assert texts == [
        ["23 Nov", "28 / 30", "57% / 87%", "74° / 88°", "0.52 / 0.41", "4.2° / 2.6°", "2 / 4"],
        ["09 Nov", "30 / 30", "80% / 87%", "84° / 88°", "0.50 / 0.41", "3.0° / 2.6°", "3 / 4"],
    ]
    spoken = table.item(0, 2).data(Qt.ItemDataRole.AccessibleTextRole)
    assert spoken == "reps reaching parallel: left 57%, right 87%"
    assert table.item(0, 0).data(Qt.ItemDataRole.AccessibleTextRole) == "week of 23 Nov"
    description = panel.parallel_chart.accessibleDescription()
    assert description == "09 Nov: left 80, right 87; 23 Nov: left 57, right 87"
    assert non_uniform(panel.parallel_chart) > 5
    # The whole table shows: the page scrolls, never the table.
    assert table.verticalScrollBar().maximum() == 0
    assert table.horizontalScrollBar().maximum() == 0
    assert unnamed(panel) == []
    assert panel.lagging.isHidden()  # two weeks: too few to say a side lags


def test_a_week_measured_on_one_side_only_says_not_measured_for_the_other(
    qtbot: QtBot, store: HistoryStore
) -> None:
    record = coached(primer("now", TODAY))
    right_only = tuple(
        dataclasses.replace(s, coach=None) if s.side is Side.LEFT else s for s in record.segments
    )
    store.merge([dataclasses.replace(record, segments=right_only)])
    view = shown(qtbot, make_view(qtbot, store))
    table = view.stats_panel.coach.table
    assert table.item(0, 1).text() == "– / 30"
    spoken = table.item(0, 3).data(Qt.ItemDataRole.AccessibleTextRole)
    assert spoken == "median peak thigh angle: left not measured, right 88°"


@pytest.mark.parametrize("size", [(1366, 768), (1024, 600)])
def test_a_measured_session_shows_whole_without_sideways_scrolling(
    qtbot: QtBot, data_paths: DataPaths, size: tuple[int, int]
) -> None:
    records = [coached(primer("p-cam", TODAY)), *sample_history()]
    h, view = history_in_window(qtbot, data_paths, records, size)
    orientations = set()
    for session_id in ("p-cam", "p-today", "h-today"):
        select(view, session_id)
        QApplication.processEvents()
        orientations.add(view._splitter.orientation())
        assert_whole_without_scrolling(view, size)
    # The list and the detail keep their places from one session to the next.
    assert len(orientations) == 1
    h.window.close()


def test_coach_screenshots(qtbot: QtBot, store: HistoryStore, tmp_path: Path) -> None:
    """A measured session's detail and the coach's weeks in the stats at 1280x800, for the
    docs (look at them, also at 25%)."""
    records: list[SessionRecord] = []
    for n in range(30):
        day = TODAY - timedelta(days=n * 2 + (n % 3))
        if n % 4 == 3:
            records.append(hiit(f"h{n}", day))
            continue
        record = primer(f"p{n}", day, left_stab=2 + (n % 3 == 0) if n < 12 else 4, right_stab=4)
        if n < 20:  # the coach was used these last weeks; the left leg is lagging lately
            left = CoachMeasures(14, min(14, 8 + n // 3), 74.0 + n / 2, 0.52, 4.2)
            record = coached(record, left=left)
        records.append(record)
    view, folder = ready_for_screenshots(qtbot, store, records, tmp_path)
    assert view.grab().save(str(folder / "history-coach.png"))
    view.tabs.setCurrentIndex(1)
    panel = view.stats_panel
    assert panel.coach.lagging.text().startswith("Your left knee reached parallel less often")
    assert panel.coach.lagging.isVisible() and unnamed(panel.coach) == []
    panel.ensureWidgetVisible(panel.coach.parallel_chart)
    QApplication.processEvents()
    assert view.grab().save(str(folder / "stats-coach.png"))
    for name in ("history-coach.png", "stats-coach.png"):
        assert QImage(str(folder / name)).width() >= 1000
