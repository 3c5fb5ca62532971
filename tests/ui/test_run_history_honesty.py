"""`run --quit-when-done` as a real process: a session that is not in the history is said on
stderr and the exit status is not 0; what could not be written is kept and added later."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from legdrive_timer.core.records import SessionStatus
from legdrive_timer.storage.history import HistoryStore
from legdrive_timer.storage.paths import DataPaths
from tests.unit.test_background_journal import LockHolder

SHORT_RUN = ["--audio", "off", "--prep", "0", "--work", "1", "--rest", "1", "--rounds", "1"]


def run_app(data: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    env.pop("LEGDRIVE_TIMER_HOME", None)
    return subprocess.run(
        [sys.executable, "-m", "legdrive_timer", "run", "hiit", "--quit-when-done",
         "--data-dir", str(data), *SHORT_RUN],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_an_unopenable_history_is_said_on_stderr_and_the_exit_is_not_0(tmp_path: Path) -> None:
    paths = DataPaths.resolve(tmp_path)
    paths.history_db.mkdir(parents=True)
    done = run_app(tmp_path)
    assert done.returncode == 1
    assert "is a folder where the history database should be. Sessions are not saved." in (
        done.stderr
    )
    assert "Traceback" not in done.stderr


def test_a_history_locked_by_another_process_is_kept_and_added_later(tmp_path: Path) -> None:
    paths = DataPaths.resolve(tmp_path)
    HistoryStore.open(paths.history_db).close()
    holder = LockHolder(paths.history_db)
    try:
        done = run_app(tmp_path)
    finally:
        holder.release()
    assert done.returncode == 1, done.stderr
    assert "1 session could not be saved in the history" in done.stderr
    assert f"kept in {paths.unsaved_dir}" in done.stderr
    with HistoryStore.open(paths.history_db) as store:
        assert len(store.recovered) == 1
        (summary,) = store.sessions()
        assert summary.status is SessionStatus.COMPLETED and summary.workout_id == "hiit"


def test_a_damaged_history_found_by_the_session_is_moved_aside_and_the_session_saved(
    tmp_path: Path,
) -> None:
    """The history is opened by the session's writer, not at start: the damaged file is
    moved aside then, the session goes into the new one, and the run succeeds."""
    paths = DataPaths.resolve(tmp_path)
    paths.history_db.parent.mkdir(parents=True, exist_ok=True)
    paths.history_db.write_bytes(b"not a database" * 100)
    done = run_app(tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    (moved,) = paths.history_db.parent.glob("history.sqlite3.corrupt-*")
    assert moved.read_bytes() == b"not a database" * 100
    with HistoryStore.open(paths.history_db) as store:
        (summary,) = store.sessions()
        assert summary.status is SessionStatus.COMPLETED and summary.workout_id == "hiit"
