"""The history opened when first needed: the first session's journal opens it on its
writer thread, the history screen when it is shown; what opening found is said once."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from legdrive_timer.core.builtins import builtin_workout
from legdrive_timer.core.records import SessionStatus
from legdrive_timer.core.timeline import compile_workout
from legdrive_timer.core.workout import Workout
from legdrive_timer.storage.history import HistoryStore
from legdrive_timer.storage.paths import DataPaths
from tests.helpers.window import WindowHarness


def _hiit() -> Workout:
    hiit = builtin_workout("hiit")
    assert hiit is not None
    return hiit


def _saved(h: WindowHarness) -> HistoryStore:
    journal = h.app.journal
    assert journal is not None
    assert journal.wait_saved(20)  # written (and opened) on the history thread
    store = h.app.store
    assert store is not None
    return store


def _told(qtbot: QtBot, h: WindowHarness) -> None:
    """Wait until the window has heard what opening the history found."""
    qtbot.waitUntil(lambda: h.app.history._told, timeout=5000)


def test_nothing_of_the_history_is_opened_at_start(harness: WindowHarness) -> None:
    h = harness
    assert h.app.services_loaded
    assert h.app.store is None and h.app.journal is None
    assert h.window.start_screen.history_button.isVisibleTo(h.window)  # offered all the same
    assert not h.app.paths.history_db.exists()
    h.app.shutdown()  # closing with the history never opened
    assert h.app.store is None and not h.app.paths.history_db.exists()
    assert h.app.history.unsaved_report is None and h.app.history.problem is None


def test_a_session_started_at_once_is_recorded_from_its_first_event(
    harness: WindowHarness,
) -> None:
    h = harness
    workout = _hiit()
    h.app.start(workout)  # the history is not open yet: its events wait for it
    h.scheduler.run_until_idle()
    assert h.window.current_screen is h.window.summary_view
    h.window.summary_view.rate_effort(6)
    record = _saved(h).session("session-1")
    assert record is not None
    assert record.status is SessionStatus.COMPLETED and record.effort == 6
    phases = compile_workout(workout).phases
    assert [s.phase_index for s in record.segments] == [p.index for p in phases]
    # The second session goes through the same journal and store.
    journal, store = h.app.journal, h.app.store
    h.app.start(workout)
    h.scheduler.run_until_idle()
    assert _saved(h) is store and h.app.journal is journal
    assert [r.session_id for r in store.records()] == ["session-1", "session-2"]


def test_a_session_closed_early_is_saved_as_stopped(qtbot: QtBot, data_paths: DataPaths) -> None:
    h = WindowHarness(data_paths)
    qtbot.addWidget(h.window)
    h.app.start(_hiit())
    h.advance(12_000)
    h.app.shutdown()  # the writer may not have opened the history yet: it is waited for
    assert h.app.history.unsaved_report is None
    with HistoryStore.open(data_paths.history_db) as store:
        record = store.session("session-1")
    assert record is not None and record.status is SessionStatus.STOPPED
    assert record.segments[0].phase_index == 0


def test_damaged_history_found_at_the_first_session_is_moved_aside_and_said_once(
    qtbot: QtBot, data_paths: DataPaths
) -> None:
    data_paths.history_db.parent.mkdir(parents=True)
    data_paths.history_db.write_bytes(b"this is not a database" * 100)
    h = WindowHarness(data_paths)
    qtbot.addWidget(h.window)
    banner = h.window.banner
    assert not any("moved" in m for m in banner.messages())  # not looked at yet

    h.app.start(_hiit())
    h.advance(12_000)
    h.app.session.hand_over_history()
    _told(qtbot, h)
    (moved,) = data_paths.history_db.parent.glob("history.sqlite3.corrupt-*")
    assert moved.read_bytes().startswith(b"this is not a database")
    # During the session the banner would cover the digits: said when it is over.
    assert not any("moved" in m for m in banner.messages())
    h.scheduler.run_until_idle()
    assert h.window.current_screen is h.window.summary_view
    (said,) = [m for m in banner.messages() if "moved" in m]
    assert said.startswith("The history database could not be read") and str(moved) in said
    assert _saved(h).session("session-1") is not None  # the session is in the new one

    banner.close_button.click()
    h.app.start(_hiit())
    h.scheduler.run_until_idle()
    assert not any("moved" in m for m in banner.messages())  # said once
    assert len(list(data_paths.history_db.parent.glob("history.sqlite3.corrupt-*"))) == 1


def test_sessions_kept_aside_last_time_are_added_when_the_history_opens(
    qtbot: QtBot, data_paths: DataPaths
) -> None:
    first = WindowHarness(data_paths)
    qtbot.addWidget(first.window)
    first.app.start(_hiit())
    first.scheduler.run_until_idle()
    journal = first.app.journal
    assert journal is not None and journal.wait_saved(20)
    store = first.app.store
    assert store is not None
    # What a journal that could not write keeps aside, as the next start finds it.
    from legdrive_timer.core.history_format import records_to_json

    record = store.session("session-1")
    assert record is not None
    first.app.shutdown()
    data_paths.history_db.unlink()
    for extra in data_paths.history_db.parent.glob("history.sqlite3-*"):
        extra.unlink()
    data_paths.unsaved_dir.mkdir(parents=True, exist_ok=True)
    (data_paths.unsaved_dir / "kept.json").write_text(records_to_json([record]))

    h = WindowHarness(data_paths)
    qtbot.addWidget(h.window)
    assert not any("added to the history" in m for m in h.window.banner.messages())
    qtbot.keyClick(h.window.start_screen.list, Qt.Key.Key_H)  # the history screen first
    assert h.window.current_screen is h.app.history.page
    assert h.app.store is not None and h.app.store.session("session-1") is not None
    assert any(
        "1 session that could not be saved last time were added" in m
        for m in h.window.banner.messages()
    )
    h.app.shutdown()


def test_the_history_screen_opened_first_opens_the_database(harness: WindowHarness) -> None:
    h = harness
    start = h.window.start_screen
    start.history_button.click()
    page = h.app.history.page
    assert page is not None and h.window.current_screen is page
    store = h.app.store
    assert store is not None
    h.app.back_to_start()
    h.app.start(_hiit())
    h.scheduler.run_until_idle()
    assert _saved(h) is store  # the journal writes into the store the screen shows
    assert store.session("session-1") is not None
    start.history_button.click()
    assert h.window.current_screen is page


def test_without_a_history_the_window_still_works(
    qtbot: QtBot, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocked = tmp_path / "data"
    blocked.write_text("a file where the data folder should be")
    h = WindowHarness(DataPaths.resolve(blocked))
    qtbot.addWidget(h.window)
    assert h.window.start_screen.history_button.isVisibleTo(h.window)  # not known yet
    h.app.start(_hiit())
    h.app.session.hand_over_history()
    _told(qtbot, h)  # found by the writer: said at once, during the session
    sentence = h.app.history.problem
    assert sentence is not None and sentence.endswith("Sessions are not saved.")
    assert sentence in h.window.banner.messages()
    assert not h.window.start_screen.history_button.isVisibleTo(h.window)
    h.scheduler.run_until_idle()
    assert h.window.current_screen is h.window.summary_view
    h.window.summary_view.rate_effort(5)  # nowhere to save it; nothing breaks
    assert h.app.store is None
    h.app.start(_hiit())  # no journal at all now: said once already
    h.scheduler.run_until_idle()
    h.app.shutdown()
    assert capsys.readouterr().err.count("Sessions are not saved.") == 1


def test_without_a_history_its_screen_says_why(qtbot: QtBot, tmp_path: Path) -> None:
    blocked = tmp_path / "data"
    blocked.write_text("a file where the data folder should be")
    h = WindowHarness(DataPaths.resolve(blocked))
    qtbot.addWidget(h.window)
    start = h.window.start_screen
    start.history_button.click()
    assert h.window.current_screen is start
    assert any("Sessions are not saved." in m for m in h.window.banner.messages())
    assert not start.history_button.isVisibleTo(h.window)


def test_history_write_problems_show_in_the_banner(harness: WindowHarness) -> None:
    harness.app.start(_hiit())
    journal = harness.app.journal
    assert journal is not None
    for listener in journal.on_problem:
        listener("The history could not be saved (disk full); 2 unsaved changes will be retried.")
    assert any("disk full" in m for m in harness.window.banner.messages())
    for listener in journal.on_problem:
        listener(None)
    assert not any("disk full" in m for m in harness.window.banner.messages())
