"""History export and import in the window run off its thread: the window answers while a
file is read, says it is busy, ends with one sentence, and closing it meanwhile loses
nothing."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from legdrive_timer.core.history_format import records_to_json
from legdrive_timer.storage import history_io
from legdrive_timer.storage.history import HistoryStore
from legdrive_timer.storage.paths import DataPaths
from legdrive_timer.ui import history_view
from tests.helpers.window import WindowHarness
from tests.ui.test_history_view import make_view, sample_history


@pytest.fixture
def export_file(tmp_path: Path) -> Path:
    path = tmp_path / "backup.json"
    path.write_text(records_to_json(sample_history()), encoding="utf-8")
    return path


class HeldReader:
    """Stands in for `read_import`: reads the file only once released, on the thread it
    was called on (recorded)."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.called = threading.Event()
        self.threads: list[threading.Thread] = []

    def __call__(self, path: Path) -> object:
        self.threads.append(threading.current_thread())
        self.called.set()
        assert self.release.wait(10), "never released"
        return history_io.read_import(path)


def test_the_window_answers_while_an_import_is_read_and_says_it_is_busy(
    qtbot: QtBot, store: HistoryStore, export_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = HeldReader()
    monkeypatch.setattr(history_view, "read_import", reader)
    view = make_view(qtbot, store, ask_open=lambda *_: export_file)
    view.show()
    qtbot.mouseClick(view.import_button, Qt.MouseButton.LeftButton)
    assert reader.called.wait(5)
    assert view.busy
    assert view.message.text() == "Importing sessions from backup.json…"
    assert not view.import_button.isEnabled() and not view.export_button.isEnabled()
    assert view.cursor().shape() == Qt.CursorShape.BusyCursor
    # The window's own thread is free: its timers fire and its widgets take input.
    ticks: list[int] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(5)
    qtbot.waitUntil(lambda: len(ticks) >= 3, timeout=5000)
    timer.stop()
    view.period_filter.setCurrentIndex(1)
    assert view.period_filter.currentText() == "Last 7 days"
    view.import_history()  # a second one while busy: nothing, no dialog
    with qtbot.waitSignal(view.transfer_finished, timeout=10_000):
        reader.release.set()
    assert reader.threads and threading.main_thread() not in reader.threads
    assert view.message.text() == "Imported 6 sessions (0 already present)."
    assert not view.busy and view.import_button.isEnabled() and view.export_button.isEnabled()
    assert view.cursor().shape() != Qt.CursorShape.BusyCursor
    assert store.count_sessions() == 6


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_with_no_writer_is_one_sentence_not_a_hang(
    qtbot: QtBot, store: HistoryStore, tmp_path: Path
) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    view = make_view(qtbot, store, ask_open=lambda *_: fifo)
    with qtbot.waitSignal(view.transfer_finished, timeout=10_000):
        view.import_history()
    assert view.message.text() == f"{fifo} is a named pipe (FIFO), not a history export."
    assert view.message.accessibleDescription() == "Error"
    assert store.count_sessions() == 0


def test_an_unexpected_fault_is_one_sentence_and_logged(
    qtbot: QtBot,
    store: HistoryStore,
    export_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(path: Path) -> object:
        raise RuntimeError("a fault in the reader")

    monkeypatch.setattr(history_view, "read_import", broken)
    view = make_view(qtbot, store, ask_open=lambda *_: export_file)
    with qtbot.waitSignal(view.transfer_finished, timeout=10_000):
        view.import_history()
    assert view.message.text() == (
        "Could not import backup.json: an unexpected error; the log has the details."
    )
    assert "a fault in the reader" in caplog.text
    assert not view.busy


def test_an_export_runs_off_the_window_thread_and_says_where_it_went(
    qtbot: QtBot, store: HistoryStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store.merge(sample_history())
    threads: list[threading.Thread] = []
    real = history_view.export_to_file

    def recording(*args: object, **kwargs: object) -> object:
        threads.append(threading.current_thread())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(history_view, "export_to_file", recording)
    target = tmp_path / "out.csv"
    view = make_view(qtbot, store, ask_save=lambda *_: target)
    with qtbot.waitSignal(view.transfer_finished, timeout=10_000):
        view.export_history()
    assert threads and threading.main_thread() not in threads
    assert view.message.text() == f"Exported 6 sessions to {target}."
    assert target.read_text(encoding="utf-8").startswith("session_id,")


def test_closing_the_window_during_an_import_loses_nothing(
    qtbot: QtBot, data_paths: DataPaths, export_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = export_file.read_bytes()
    reader = HeldReader()
    monkeypatch.setattr(history_view, "read_import", reader)
    h = WindowHarness(data_paths)
    qtbot.addWidget(h.window)
    h.window.show()
    qtbot.waitExposed(h.window)
    h.app.history.show()
    view = h.app.history.view
    assert view is not None
    view.ask_open = lambda *_: export_file
    view.import_history()
    assert reader.called.wait(5)
    # The file arrives while the window is closing: the import stops before merging.
    threading.Timer(0.2, reader.release.set).start()
    h.window.close()
    assert not view.busy or view.stop_transfers(0)
    QApplication.processEvents()
    assert export_file.read_bytes() == before
    with HistoryStore.open(data_paths.history_db) as reopened:
        assert reopened.count_sessions() == 0
        # Importing again (the sentence's advice) brings every session.
        outcome = history_io.merge_import(reopened, history_io.read_import(export_file))
        assert (outcome.added, outcome.present) == (6, 0)


def test_an_import_stopped_between_chunks_keeps_what_it_merged(
    tmp_path: Path, export_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from legdrive_timer.storage import history_editing

    monkeypatch.setattr(history_editing, "MERGE_CHUNK", 2)
    asked = 0

    def stopped() -> bool:
        nonlocal asked
        asked += 1
        return asked > 4  # after two chunks of two

    result = history_io.read_import(export_file)
    with HistoryStore.open(tmp_path / "h.sqlite3") as store:
        with pytest.raises(history_io.ImportStopped, match="import the file again"):
            history_io.merge_import(store, result, stopped=stopped)
        assert store.count_sessions() == 4
        again = history_io.merge_import(store, result)
        assert (again.added, again.present) == (2, 4)


def test_the_app_exits_although_a_read_never_ends(tmp_path: Path) -> None:
    """A read that a dead network share holds up for good: closing gives up on it after
    its wait, and the process still ends (in a subprocess: a hang must fail, not stall)."""
    import subprocess
    import sys

    script = f"""
import threading
from pathlib import Path
from PySide6.QtWidgets import QApplication
from legdrive_timer.storage.history import HistoryStore
from legdrive_timer.ui import history_view
from legdrive_timer.ui.history_view import HistoryView

app = QApplication([])
never, started = threading.Event(), threading.Event()

def stuck(path):
    started.set()
    never.wait()

history_view.read_import = stuck
store = HistoryStore.open(Path({str(tmp_path)!r}) / "history.sqlite3")
view = HistoryView(store, ask_open=lambda *_: Path("backup.json"))
view.import_history()
assert started.wait(10)
assert not view.stop_transfers(100)
store.close()
del view
app.processEvents()
print("closed", flush=True)
"""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, env=env
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout == "closed\n"
    assert "Traceback" not in done.stderr


def test_an_import_that_fills_the_disk_says_what_it_added_and_how_to_add_the_rest(
    tmp_path: Path, export_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from legdrive_timer.storage import history_editing
    from legdrive_timer.storage.history import HistoryError

    monkeypatch.setattr(history_editing, "MERGE_CHUNK", 2)
    real = HistoryStore._merge_chunk
    chunks = 0

    def full_at_the_third(self: HistoryStore, records: list[object]) -> int:
        nonlocal chunks
        chunks += 1
        if chunks == 3:
            raise HistoryError("The history could not be saved (the disk is full).")
        return real(self, records)  # type: ignore[arg-type]

    monkeypatch.setattr(HistoryStore, "_merge_chunk", full_at_the_third)
    result = history_io.read_import(export_file)
    with HistoryStore.open(tmp_path / "h.sqlite3") as store:
        with pytest.raises(HistoryError) as raised:
            history_io.merge_import(store, result)
        assert str(raised.value) == (
            "Imported 4 sessions, then the history could not be saved (the disk is full); "
            "import the file again to add the rest."
        )
        assert store.count_sessions() == 4
