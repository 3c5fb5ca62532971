"""The history view on a real history database: list, filters, detail, delete and undo,
export and import, stats and charts."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QModelIndex, QObject, QPoint, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from legdrive_timer.core.records import EndReason, SegmentRecord, SessionRecord, SessionStatus
from legdrive_timer.core.stats import SessionTotals, Stats, compute_stats
from legdrive_timer.core.timeline import PhaseKind
from legdrive_timer.core.workout import Side
from legdrive_timer.storage.history import HistoryStore
from legdrive_timer.storage.paths import DataPaths
from legdrive_timer.ui import history_view
from legdrive_timer.ui.history_view import EMPTY_TEXT, HistoryView
from tests.helpers.window import WindowHarness

TODAY = date(2026, 11, 25)
TZ = timezone(timedelta(hours=1))
DOCS_SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
UPDATE_DOCS_ENV = "LEGDRIVE_TIMER_UPDATE_DOC_SCREENSHOTS"
"""Set to 1 to write the history screenshots into docs/screenshots (a run never does)."""


def primer(
    sid: str,
    day: date,
    *,
    left_stab: int | None = 3,
    right_stab: int | None = 4,
    left_reps: int = 15,
) -> SessionRecord:
    segments: list[SegmentRecord] = []

    def add(
        kind: PhaseKind, side: Side | None, set_number: int | None, ms: int, **kw: object
    ) -> None:
        segments.append(
            SegmentRecord(
                phase_index=len(segments),
                kind=kind,
                block_index=0,
                exercise_id="single-leg-knee-drive",
                side=side,
                set_number=set_number,
                round_number=None,
                planned_ms=ms,
                actual_ms=ms,
                reps_planned=kw.get("reps_planned"),  # type: ignore[arg-type]
                reps_done=kw.get("reps_done"),  # type: ignore[arg-type]
                end_reason=EndReason.ELAPSED,
                stability=kw.get("stability"),  # type: ignore[arg-type]
            )
        )

    add(PhaseKind.PREP, None, None, 10_000)
    for set_number in (1, 2):
        add(
            PhaseKind.WORK,
            Side.RIGHT,
            set_number,
            45_000,
            reps_planned=15,
            reps_done=15,
            stability=right_stab,
        )
        add(PhaseKind.SWITCH, Side.LEFT, set_number, 5_000)
        add(
            PhaseKind.WORK,
            Side.LEFT,
            set_number,
            45_000,
            reps_planned=15,
            reps_done=left_reps,
            stability=left_stab,
        )
    started = datetime(day.year, day.month, day.day, 18, 30, tzinfo=TZ)
    return SessionRecord(
        session_id=sid,
        workout_id="primer",
        workout_name="Primer",
        started_at=started,
        ended_at=started + timedelta(minutes=4),
        status=SessionStatus.COMPLETED,
        planned_ms=sum(s.planned_ms for s in segments),
        segments=tuple(segments),
        effort=6,
    )


def hiit(sid: str, day: date, status: SessionStatus = SessionStatus.COMPLETED) -> SessionRecord:
    segments = []
    for round_number in range(1, 9):
        for kind in (PhaseKind.WORK, PhaseKind.REST):
            segments.append(
                SegmentRecord(
                    phase_index=len(segments),
                    kind=kind,
                    block_index=0,
                    exercise_id="hiit",
                    side=None,
                    set_number=None,
                    round_number=round_number,
                    planned_ms=30_000,
                    actual_ms=30_000,
                    reps_planned=None,
                    reps_done=None,
                    end_reason=EndReason.ELAPSED,
                )
            )
    started = datetime(day.year, day.month, day.day, 7, 0, tzinfo=TZ)
    return SessionRecord(
        session_id=sid,
        workout_id="hiit",
        workout_name="HIIT finisher",
        started_at=started,
        ended_at=started + timedelta(minutes=8),
        status=status,
        planned_ms=480_000,
        segments=tuple(segments),
    )


def sample_history() -> list[SessionRecord]:
    return [
        primer("p-today", TODAY, left_stab=2, right_stab=4),
        hiit("h-today", TODAY),
        primer("p-1", TODAY - timedelta(days=1), left_stab=3, right_stab=4),
        primer("p-2", TODAY - timedelta(days=2), left_stab=2, right_stab=5, left_reps=12),
        hiit("h-10", TODAY - timedelta(days=10), SessionStatus.STOPPED),
        primer("p-40", TODAY - timedelta(days=40), left_stab=4, right_stab=4),
    ]


@pytest.fixture
def seeded(store: HistoryStore) -> HistoryStore:
    assert store.merge(sample_history()) == 6
    return store


def make_view(qtbot: QtBot, store: HistoryStore, **kwargs: object) -> HistoryView:
    view = HistoryView(store, today=lambda: TODAY, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(view)
    view.resize(1280, 800)
    return view


def shown(qtbot: QtBot, view: HistoryView) -> HistoryView:
    with qtbot.waitSignal(view.stats_updated, timeout=5000):
        view.show()
    return view


def transfer(qtbot: QtBot, view: HistoryView, start: Callable[[], object]) -> None:
    """Start an export or import and wait for it to end (it runs on a worker thread)."""
    with qtbot.waitSignal(view.transfer_finished, timeout=10_000):
        start()
    assert not view.busy


def column(view: HistoryView, col: int) -> list[str]:
    model = view.model
    return [model.data(model.index(r, col)) for r in range(model.rowCount())]


def ids(view: HistoryView) -> list[str]:
    return [view.model.summary(r).session_id for r in range(view.model.rowCount())]


def non_uniform(widget: QWidget) -> int:
    image = widget.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    assert not image.isNull() and image.width() > 0
    colours = {
        image.pixel(x, y) for x in range(0, image.width(), 3) for y in range(0, image.height(), 3)
    }
    return len(colours)


# -- the list ----------------------------------------------------------------------------------


def test_empty_history_says_so(qtbot: QtBot, store: HistoryStore) -> None:
    view = shown(qtbot, make_view(qtbot, store))
    assert view.list_stack.currentWidget() is view.empty_label
    assert view.empty_label.text() == EMPTY_TEXT
    assert view.stats_panel.current_streak.text() == "Current streak: 0 days"
    assert "No training sessions yet" in view.stats_panel.status.text()
    assert non_uniform(view.stats_panel.stability_chart) > 1  # the "no data" message


def test_sessions_are_listed_newest_first_with_date_workout_duration_status(
    qtbot: QtBot, seeded: HistoryStore
) -> None:
    view = make_view(qtbot, seeded)
    assert ids(view) == ["p-today", "h-today", "p-1", "p-2", "h-10", "p-40"]
    assert view.model.data(view.model.index(0, 0)) == "Wed 25 Nov 2026, 18:30"
    assert column(view, 1)[:2] == ["Primer", "HIIT finisher"]
    assert column(view, 2)[:2] == ["3:20", "8:00"]
    assert column(view, 3)[4] == "Stopped"
    assert [view.model.headerData(c, Qt.Orientation.Horizontal) for c in range(4)] == [
        "Date",
        "Workout",
        "Duration",
        "Status",
    ]


def test_the_list_is_fetched_a_page_at_a_time(qtbot: QtBot, store: HistoryStore) -> None:
    count = history_view.PAGE_SIZE * 2 + 50
    store.merge(hiit(f"s{n:04d}", TODAY - timedelta(days=n)) for n in range(count))
    view = make_view(qtbot, store)
    assert view.model.total == count
    assert view.model.rowCount() == history_view.PAGE_SIZE
    assert view.model.canFetchMore(QModelIndex())
    while view.model.canFetchMore(QModelIndex()):
        view.model.fetchMore(QModelIndex())
    assert view.model.rowCount() == count
    assert ids(view)[history_view.PAGE_SIZE] == f"s{history_view.PAGE_SIZE:04d}"
    assert len(set(ids(view))) == count


def test_filter_by_workout(qtbot: QtBot, seeded: HistoryStore) -> None:
    view = make_view(qtbot, seeded)
    names = [view.workout_filter.itemText(i) for i in range(view.workout_filter.count())]
    assert names == ["All workouts", "HIIT finisher", "Primer"]
    view.workout_filter.setCurrentIndex(1)
    assert ids(view) == ["h-today", "h-10"]
    view.workout_filter.setCurrentIndex(0)
    assert len(ids(view)) == 6


def test_filter_by_period_presets_and_custom_dates(qtbot: QtBot, seeded: HistoryStore) -> None:
    view = make_view(qtbot, seeded)
    view.period_filter.setCurrentText("Last 7 days")
    assert ids(view) == ["p-today", "h-today", "p-1", "p-2"]
    assert not view.from_date.isEnabled()
    view.period_filter.setCurrentText("Last 90 days")
    assert len(ids(view)) == 6
    view.period_filter.setCurrentText("Custom dates")
    assert view.from_date.isEnabled() and view.to_date.isEnabled()
    view.from_date.setDate(TODAY - timedelta(days=10))
    view.to_date.setDate(TODAY - timedelta(days=1))
    assert ids(view) == ["p-1", "p-2", "h-10"]
    view.to_date.setDate(TODAY - timedelta(days=30))
    assert view.list_stack.currentWidget() is view.empty_label
    assert view.empty_label.text() == "No sessions match these filters."


def test_selecting_a_session_shows_every_segment(qtbot: QtBot, seeded: HistoryStore) -> None:
    view = make_view(qtbot, seeded)
    view.table.selectRow(3)  # p-2
    rows = view.detail.cell_texts()
    assert len(rows) == 7
    assert rows[0][0] == "Get ready"
    assert rows[1] == ["Drive", "Right", "Set 1", "45 s", "45 s", "15 of 15", "5 of 5"]
    assert rows[2][:2] == ["Switch sides", "Left"]
    assert rows[3] == ["Drive", "Left", "Set 1", "45 s", "45 s", "12 of 15", "2 of 5"]
    heading = view.detail.heading.text()
    assert "Primer" in heading and "Completed" in heading
    assert view.detail.effort.value() == 6 and view.detail.effort.text() == "6"
    assert view.delete_button.isEnabled()


# -- delete and undo ---------------------------------------------------------------------------


def test_delete_then_undo_with_the_button_and_ctrl_z(qtbot: QtBot, seeded: HistoryStore) -> None:
    view = shown(qtbot, make_view(qtbot, seeded))
    view.table.selectRow(0)
    with qtbot.waitSignal(view.stats_updated, timeout=5000):
        qtbot.mouseClick(view.delete_button, Qt.MouseButton.LeftButton)
    assert seeded.session("p-today") is None
    assert "p-today" not in ids(view)
    assert view.message.text() == "Deleted the Primer session of Wed 25 Nov 2026, 18:30."
    assert view.undo_button.isVisible()
    assert ids(view)[view.table.selectionModel().selectedRows()[0].row()] == "h-today"

    # A second delete, then undo both: Ctrl+Z first, then the button.
    view.delete_selected()
    assert seeded.count_sessions() == 4
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert seeded.session("h-today") is not None
    assert view.undo_button.isVisible()
    with qtbot.waitSignal(view.stats_updated, timeout=5000):
        qtbot.mouseClick(view.undo_button, Qt.MouseButton.LeftButton)
    restored = seeded.session("p-today")
    assert restored == primer("p-today", TODAY, left_stab=2, right_stab=4)
    assert ids(view)[:2] == ["p-today", "h-today"]
    assert not view.undo_button.isVisible()
    assert view.message.text().startswith("Restored the Primer session")
    assert view.stats_panel.totals.text().startswith("Total: 6 sessions")


def test_delete_key_deletes_the_selected_session(qtbot: QtBot, seeded: HistoryStore) -> None:
    view = shown(qtbot, make_view(qtbot, seeded))
    view.activateWindow()
    view.table.selectRow(5)
    view.table.setFocus()
    qtbot.waitUntil(view.table.hasFocus)
    qtbot.keyClick(view.table, Qt.Key.Key_Delete)
    assert seeded.session("p-40") is None


# -- export and import -------------------------------------------------------------------------


def test_export_and_import_round_trip(qtbot: QtBot, seeded: HistoryStore, tmp_path: Path) -> None:
    target = tmp_path / "out" / "mine"  # no suffix: JSON is the default
    view = make_view(qtbot, seeded, ask_save=lambda *_: target)
    transfer(qtbot, view, lambda: qtbot.mouseClick(view.export_button, Qt.MouseButton.LeftButton))
    exported = target.with_suffix(".json")
    assert view.message.text() == f"Exported 6 sessions to {exported}."
    document = json.loads(exported.read_text(encoding="utf-8"))
    assert document["format"] == "legdrive-timer/history"
    assert len(document["sessions"]) == 6

    other = HistoryStore.open(tmp_path / "other.sqlite3")
    try:
        fresh = make_view(qtbot, other, ask_open=lambda *_: exported)
        assert fresh.list_stack.currentWidget() is fresh.empty_label
        transfer(
            qtbot, fresh, lambda: qtbot.mouseClick(fresh.import_button, Qt.MouseButton.LeftButton)
        )
        assert fresh.message.text() == "Imported 6 sessions (0 already present)."
        assert ids(fresh) == ids(view)
        assert [fresh.workout_filter.itemText(i) for i in range(3)] == [
            "All workouts",
            "HIIT finisher",
            "Primer",
        ]
        assert list(other.records()) == list(seeded.records())
        transfer(qtbot, fresh, fresh.import_history)
        assert fresh.message.text() == "Imported 0 sessions (6 already present)."
        assert other.count_sessions() == 6
    finally:
        other.close()


def test_export_csv(qtbot: QtBot, seeded: HistoryStore, tmp_path: Path) -> None:
    target = tmp_path / "history.CSV"
    view = make_view(qtbot, seeded, ask_save=lambda *_: target)
    transfer(qtbot, view, view.export_history)
    lines = target.read_text(encoding="utf-8").splitlines()
    assert view.message.text() == f"Exported 6 sessions to {target}."
    assert len(lines) == 1 + 7 * 4 + 16 * 2  # header, then one row per segment


def test_cancelled_dialogs_do_nothing(qtbot: QtBot, seeded: HistoryStore) -> None:
    view = make_view(qtbot, seeded, ask_save=lambda *_: None, ask_open=lambda *_: None)
    view.export_history()
    view.import_history()
    assert view.message.text() == ""
    assert seeded.count_sessions() == 6


def test_import_names_a_bad_session_and_keeps_the_good_ones(
    qtbot: QtBot, store: HistoryStore, tmp_path: Path
) -> None:
    source = HistoryStore.open(tmp_path / "source.sqlite3")
    try:
        source.merge(sample_history()[:2])
        exported = tmp_path / "two.json"
        exporter = make_view(qtbot, source, ask_save=lambda *_: exported)
        transfer(qtbot, exporter, exporter.export_history)
    finally:
        source.close()
    document = json.loads(exported.read_text(encoding="utf-8"))
    document["sessions"][1]["status"] = "exploded"
    exported.write_text(json.dumps(document), encoding="utf-8")

    view = make_view(qtbot, store, ask_open=lambda *_: exported)
    transfer(qtbot, view, view.import_history)
    text = view.message.text()
    assert text.startswith("Imported 1 session (0 already present). Skipped session 2 (id p-today)")
    assert "Traceback" not in text
    assert ids(view) == ["h-today"]


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"{not json", "the history export cannot be used: it is not valid JSON (line 1"),
        (b'{"format": "something-else"}', ": the file is not a history export"),
        (b"\xff\xfe\x00garbage", ": the history export is UTF-16 text; save it as UTF-8."),
    ],
)
def test_a_bad_import_file_is_one_sentence(
    qtbot: QtBot, seeded: HistoryStore, tmp_path: Path, content: bytes, expected: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(content)
    view = make_view(qtbot, seeded, ask_open=lambda *_: bad)
    transfer(qtbot, view, view.import_history)
    assert view.message.text().startswith(str(bad))
    assert expected in view.message.text()
    assert view.message.text().endswith(".")
    assert seeded.count_sessions() == 6


def test_missing_import_file_and_unwritable_export_are_one_sentence(
    qtbot: QtBot, seeded: HistoryStore, tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    view = make_view(
        qtbot,
        seeded,
        ask_open=lambda *_: tmp_path / "missing.json",
        ask_save=lambda *_: blocker / "export.json",  # a folder that is a file
    )
    transfer(qtbot, view, view.import_history)
    missing = tmp_path / "missing.json"
    assert view.message.text() == f"{missing}: no such history export."
    transfer(qtbot, view, view.export_history)
    message = view.message.text()
    assert message.startswith(f"{blocker / 'export.json'} cannot be written (")
    assert "\n" not in message and "Traceback" not in message


def test_a_failing_database_is_one_sentence_in_the_view(qtbot: QtBot, seeded: HistoryStore) -> None:
    view = make_view(qtbot, seeded)
    view.table.selectRow(0)
    seeded.close()
    view.delete_selected()
    assert view.message.text().startswith("The history could not be")
    assert view.message.text().endswith(".")
    view.refresh_stats()
    assert "could not be worked out" in view.stats_panel.status.text()


# -- stats and charts --------------------------------------------------------------------------


def test_stats_are_computed_after_show_not_before(qtbot: QtBot, seeded: HistoryStore) -> None:
    view = make_view(qtbot, seeded)
    assert view.stats_panel.current_streak.text() == ""
    assert view.stats_panel.status.text() == "Working out your stats…"
    shown(qtbot, view)
    panel = view.stats_panel
    assert panel.current_streak.text() == "Current streak: 3 days"
    assert panel.longest_streak.text() == "Longest streak: 3 days"
    # p-40 and h-10 included: 4 primers x 200 s + 2 HIIT x 480 s = 1760 s.
    assert panel.totals.text() == "Total: 6 sessions, 29 minutes, 114 reps left, 120 reps right."
    assert panel.sessions_chart.values()[-1] == 4.0
    assert panel.asymmetry.text().startswith("Left against right over the last 4 sessions: ")
    assert "stability: right ahead of left by" in panel.asymmetry.text()
    assert not panel.lagging.isHidden()
    assert panel.lagging.text().startswith(
        "Driving your left knee has felt less stable than your right in each of the last "
        "3 sessions: work on your right leg"
    )


def test_the_list_is_painted_before_any_stats_work(
    qtbot: QtBot, seeded: HistoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    order: list[str] = []
    session_totals = seeded.session_totals

    def totals(**kwargs: object) -> Iterator[SessionTotals]:
        order.append("stats")
        yield from session_totals(**kwargs)  # type: ignore[arg-type]

    class Paints(QObject):
        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                order.append("paint")
            return False

    monkeypatch.setattr(seeded, "session_totals", totals)
    view = make_view(qtbot, seeded)
    paints = Paints()
    view.table.viewport().installEventFilter(paints)
    shown(qtbot, view)
    assert order[:2] == ["paint", "stats"]
    assert order.count("stats") == 1


def test_charts_paint_something(qtbot: QtBot, seeded: HistoryStore) -> None:
    view = shown(qtbot, make_view(qtbot, seeded))
    view.tabs.setCurrentIndex(1)
    panel = view.stats_panel
    for chart in (
        panel.sessions_chart,
        panel.minutes_chart,
        panel.stability_chart,
        panel.reps_chart,
    ):
        assert chart.width() > 200 and chart.height() > 150
        assert non_uniform(chart) > 5, chart.accessibleName()
    assert "left 2, right 4" in panel.stability_chart.accessibleDescription()


def ready_for_screenshots(
    qtbot: QtBot, store: HistoryStore, records: list[SessionRecord], tmp_path: Path
) -> tuple[HistoryView, Path]:
    """The view of `records` with the newest session selected, and the folder to save
    screenshots in (docs/screenshots with LEGDRIVE_TIMER_UPDATE_DOC_SCREENSHOTS=1)."""
    store.merge(records)
    view = shown(qtbot, make_view(qtbot, store))
    view.table.selectRow(0)
    # The detail's heading is two lines: the layout gives it room once it has run.
    line = view.detail.heading.fontMetrics().height()
    qtbot.waitUntil(lambda: view.detail.heading.height() >= 2 * line)
    folder = DOCS_SCREENSHOTS if os.environ.get(UPDATE_DOCS_ENV) == "1" else tmp_path
    return view, folder


def test_screenshots(qtbot: QtBot, store: HistoryStore, tmp_path: Path) -> None:
    """The list and the stats at 1280x800, for the docs (look at them)."""
    records: list[SessionRecord] = []
    for n in range(40):
        day = TODAY - timedelta(days=n * 2 + (n % 3))
        if n % 4 == 3:
            records.append(hiit(f"h{n}", day))
        else:
            left = 2 + (n % 3 == 0) if n < 12 else 4
            records.append(
                primer(f"p{n}", day, left_stab=left, right_stab=4, left_reps=13 if n < 6 else 15)
            )
    view, folder = ready_for_screenshots(qtbot, store, records, tmp_path)
    assert view.grab().save(str(folder / "history.png"))
    view.tabs.setCurrentIndex(1)
    assert view.grab().save(str(folder / "stats.png"))
    for name in ("history.png", "stats.png"):
        assert QImage(str(folder / name)).width() >= 1000


def test_stats_are_worked_out_in_slices_and_start_over_on_a_change(
    qtbot: QtBot, store: HistoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(history_view, "STATS_SLICE_S", 0.0)  # one slice per 50 sessions
    store.merge(hiit(f"s{n:03d}", TODAY - timedelta(days=n)) for n in range(120))
    view = make_view(qtbot, store)
    progress: list[str] = []
    show_progress = view.stats_panel.show_progress

    def delete_at_first_slice(sessions: int) -> None:
        # Acting from the progress report itself makes the change land mid-way however fast
        # the machine works the slices out (polling for the text can miss every slice).
        show_progress(sessions)
        if not progress:
            progress.append(view.stats_panel.status.text())
            view.table.selectRow(0)
            view.delete_selected()  # mid-way: the stats start over without this session

    monkeypatch.setattr(view.stats_panel, "show_progress", delete_at_first_slice)
    with qtbot.waitSignal(view.stats_updated, timeout=5000):
        view.show()
    assert progress, "the stats were worked out in one go, not in slices"
    match = re.fullmatch(r"Working out your stats… \((\d+) sessions so far\)", progress[0])
    assert match is not None and int(match.group(1)) % 50 == 0 and int(match.group(1)) < 120
    assert view.stats_panel.totals.text().startswith("Total: 119 sessions")
    assert view.stats_panel.current_streak.text() == "Current streak: 119 days"
    assert view.stats_panel.status.isHidden()


def test_stats_shown_equal_the_stats_of_the_full_records(
    qtbot: QtBot, seeded: HistoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The view adds up the totals the store keeps; they must give the very stats that the
    full records give, counted sessions and left-out ones alike."""
    monkeypatch.setattr(history_view, "STATS_SLICE_S", 0.0)  # several slices, not one
    stopped = hiit("h-stopped-at-once", TODAY - timedelta(days=3), SessionStatus.STOPPED)
    extra = [
        primer("p-unrated", TODAY - timedelta(days=5), left_stab=None, right_stab=None),
        primer("p-half-rated", TODAY - timedelta(days=6), left_stab=None, left_reps=9),
        replace(primer("p-cut", TODAY - timedelta(days=7)), status=SessionStatus.INTERRUPTED),
        # Stopped in its first second: no work done, so not a training session.
        replace(stopped, segments=(replace(stopped.segments[0], actual_ms=0),)),
    ]
    extra += [hiit(f"h-old{n}", TODAY - timedelta(days=100 + n)) for n in range(60)]
    assert seeded.merge(extra) == len(extra)
    view = make_view(qtbot, seeded)
    shown_stats: list[Stats] = []
    show_stats = view.stats_panel.show_stats

    def spy(stats: Stats) -> None:
        shown_stats.append(stats)
        show_stats(stats)

    monkeypatch.setattr(view.stats_panel, "show_stats", spy)
    shown(qtbot, view)
    expected = compute_stats(seeded.records(), TODAY)
    assert shown_stats == [expected]
    assert expected.totals.sessions == 6 + 2 + 60
    assert view.stats_panel.totals.text().startswith("Total: 68 sessions")


def test_the_list_shows_left_and_right_stability_and_effort(
    qtbot: QtBot, seeded: HistoryStore
) -> None:
    seeded.merge([primer("p-half", TODAY - timedelta(days=50), left_stab=None, left_reps=9)])
    view = make_view(qtbot, seeded)
    headers = [view.model.headerData(c, Qt.Orientation.Horizontal) for c in range(7)]
    assert headers[4:] == ["Reps L / R", "Stability L / R", "Effort"]
    row = ids(view).index("p-2")
    assert [column(view, c)[row] for c in (4, 5, 6)] == ["24 / 30", "2 / 5", "6"]
    hiit_row = ids(view).index("h-today")
    assert [column(view, c)[hiit_row] for c in (4, 5, 6)] == ["", "", ""]
    half = ids(view).index("p-half")
    assert [column(view, c)[half] for c in (4, 5)] == ["18 / 30", "– / 4"]
    spoken = [
        view.model.data(view.model.index(half, c), Qt.ItemDataRole.AccessibleTextRole)
        for c in (4, 5, 6)
    ]
    assert spoken == [
        "reps: left 18, right 30",
        "stability: left not rated, right 4",
        "effort 6 of 10",
    ]


def history_in_window(
    qtbot: QtBot, data_paths: DataPaths, records: list[SessionRecord], size: tuple[int, int]
) -> tuple[WindowHarness, HistoryView]:
    """The whole window at `size`, showing the history view of `records`."""
    with HistoryStore.open(data_paths.history_db) as opened:
        opened.merge(records)
    h = WindowHarness(data_paths)
    qtbot.addWidget(h.window)
    h.window.resize(*size)
    h.window.show()
    qtbot.waitExposed(h.window)
    h.app.history.show()
    view = h.app.history.view
    assert view is not None
    return h, view


def assert_whole_without_scrolling(view: HistoryView, size: tuple[int, int]) -> None:
    """The list and the detail each show every column whole, no sideways scroll bar."""
    for table in (view.table, view.detail.table):
        assert table.horizontalScrollBar().maximum() == 0, (size, table.accessibleName())
        header = table.horizontalHeader()
        assert header.length() <= table.viewport().width(), (size, table.accessibleName())


@pytest.mark.parametrize("size", [(1366, 768), (1024, 600)])
def test_a_session_shows_whole_without_sideways_scrolling(
    qtbot: QtBot, data_paths: DataPaths, size: tuple[int, int]
) -> None:
    h, view = history_in_window(qtbot, data_paths, sample_history(), size)
    for row in (0, 1):  # a primer, then the HIIT finisher's sixteen phases
        view.table.selectRow(row)
        QApplication.processEvents()
        assert_whole_without_scrolling(view, size)
        assert view.detail.table.rowCount() == (7 if row == 0 else 16)
    h.window.close()


def test_effort_of_a_past_session_is_given_by_key_or_by_click(
    qtbot: QtBot, seeded: HistoryStore
) -> None:
    view = shown(qtbot, make_view(qtbot, seeded))
    assert not view.detail.effort.isEnabled()  # nothing selected
    row = ids(view).index("h-today")  # never rated
    view.table.selectRow(row)
    box = view.detail.effort
    assert box.isEnabled() and box.text() == "not rated"

    # By key: Alt+E puts the focus on it, then a figure and Enter.
    view.activateWindow()
    box.setFocus()
    box.lineEdit().selectAll()
    qtbot.keyClicks(box, "10")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert seeded.session("h-today").effort == 10  # type: ignore[union-attr]
    assert column(view, 6)[row] == "10"
    assert box.value() == 10
    qtbot.keyClick(box, Qt.Key.Key_Down)
    assert seeded.session("h-today").effort == 9  # type: ignore[union-attr]

    # By click on the box's down arrow (its lower right corner); below 0 it clears.
    down = QPoint(box.width() - 6, box.height() * 3 // 4)
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=down)
    assert seeded.session("h-today").effort == 8  # type: ignore[union-attr]
    for _ in range(9):
        qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=down)
    assert box.text() == "not rated"
    assert seeded.session("h-today").effort is None  # type: ignore[union-attr]
    assert column(view, 6)[row] == ""
    assert ids(view)[view.table.selectionModel().selectedRows()[0].row()] == "h-today"
