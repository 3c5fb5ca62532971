"""The window's journal writes on its own thread: a database locked by another process or a
full disk never holds up the session, writes are retried until saved, and what is still
unsaved at exit is kept in the unsaved folder and added to the history at the next start."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from legdrive_timer.core.engine import State
from legdrive_timer.core.records import SessionStatus
from legdrive_timer.storage.history import HistoryStore
from legdrive_timer.storage.journal import SessionJournal
from tests.helpers import run_to_end, short_hiit_harness

WAIT_S = 20.0
"""Upper bound for the worker thread to catch up on a shared, loaded machine."""


def wait_for(condition: Any, timeout: float = WAIT_S) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.01)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "history.sqlite3"


@pytest.fixture
def store(db: Path) -> Iterator[HistoryStore]:
    opened = HistoryStore.open(db, busy_timeout_ms=50)
    yield opened
    opened.close()


class LockHolder:
    """Another process holding the database's write lock until told to let go."""

    def __init__(self, db: Path) -> None:
        code = textwrap.dedent(
            f"""
            import sqlite3, sys
            conn = sqlite3.connect({str(db)!r}, isolation_level=None)
            conn.execute("BEGIN IMMEDIATE")
            print("locked", flush=True)
            sys.stdin.readline()
            conn.execute("COMMIT")
            """
        )
        self.process = subprocess.Popen(
            [sys.executable, "-c", code],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        assert self.process.stdout.readline().strip() == "locked"

    def release(self) -> None:
        assert self.process.stdin is not None and self.process.stdout is not None
        if self.process.poll() is None:
            self.process.stdin.write("\n")
            self.process.stdin.flush()
            self.process.wait(timeout=WAIT_S)
        self.process.stdin.close()
        self.process.stdout.close()


def test_a_lock_held_by_another_process_never_holds_up_the_session(
    store: HistoryStore, db: Path
) -> None:
    seen: list[str | None] = []
    journal = SessionJournal(store, background=True, retry_interval_s=0.05)
    journal.on_problem.append(seen.append)
    holder = LockHolder(db)
    try:
        h = short_hiit_harness()
        journal.attach(h.engine)
        h.engine.start()
        started = time.monotonic()
        run_to_end(h)
        # Every event was handled at once: the engine never waited for the database.
        assert time.monotonic() - started < 1.0
        assert h.engine.state is State.FINISHED
        wait_for(lambda: any(p and "busy" in p for p in seen))
        assert journal.pending > 0
        assert store.session(h.engine.record.session_id) is None
    finally:
        holder.release()
    wait_for(lambda: journal.pending == 0)
    assert journal.close() is None
    saved = store.session(h.engine.record.session_id)
    assert saved is not None and saved.status is SessionStatus.COMPLETED
    assert saved.segments == h.engine.record.segments
    assert seen[-1] is None  # the problem is withdrawn once saved


def test_unsaved_work_at_exit_is_kept_aside_said_and_added_at_the_next_start(
    store: HistoryStore, db: Path
) -> None:
    journal = SessionJournal(store, background=True, retry_interval_s=0.05)
    holder = LockHolder(db)
    try:
        h = short_hiit_harness()
        journal.attach(h.engine)
        h.engine.start()
        run_to_end(h)
        journal.set_effort(h.engine.record.session_id, 7)
        report = journal.close(wait_s=0.2)
    finally:
        holder.release()
    assert report is not None
    assert report.startswith(
        "1 session could not be saved in the history "
        "(another window or program kept the database busy)"
    )
    assert f"kept in {store.unsaved_dir}" in report and "next time Legdrive Timer starts" in report
    (kept,) = store.unsaved_dir.glob("*.json")
    store.close()

    with HistoryStore.open(db) as reopened:
        record = h.engine.record
        assert reopened.recovered == (record.session_id,)
        saved = reopened.session(record.session_id)
        assert saved is not None and saved.status is SessionStatus.COMPLETED
        assert saved.segments == record.segments and saved.effort == 7
    assert not kept.exists() and not store.unsaved_dir.exists()


class FullDisk:
    """A connection that refuses every write as SQLite does when the disk is full."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        if sql.startswith("BEGIN"):
            error = sqlite3.OperationalError("database or disk is full")
            error.sqlite_errorname = "SQLITE_FULL"
            raise error
        return self._conn.execute(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


def test_a_full_disk_is_retried_for_real_then_kept_aside(
    store: HistoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "_conn", FullDisk(store._conn))
    attempts: list[str | None] = []
    journal = SessionJournal(store, background=True, retry_interval_s=0.02)
    journal.on_problem.append(attempts.append)
    h = short_hiit_harness()
    journal.attach(h.engine)
    h.engine.start()
    run_to_end(h)
    wait_for(lambda: bool(attempts))
    assert attempts[0] is not None and "(the disk is full)" in attempts[0]
    report = journal.close(wait_s=0.1)
    assert report is not None and "(the disk is full)" in report
    assert f"kept in {store.unsaved_dir}" in report


def test_when_nothing_can_be_kept_the_sentence_says_what_is_lost(
    store: HistoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "_conn", FullDisk(store._conn))
    store.unsaved_dir.parent.mkdir(parents=True, exist_ok=True)
    store.unsaved_dir.write_text("a file where the folder should be")
    journal = SessionJournal(store, background=True, retry_interval_s=0.02)
    h = short_hiit_harness()
    journal.attach(h.engine)
    h.engine.start()
    run_to_end(h)
    report = journal.close(wait_s=0.05)
    assert report == (
        "The last changes to 1 session could not be saved (the disk is full) or kept in "
        f"{store.unsaved_dir}; the history has the phases written before that."
    )


def test_close_returns_none_when_everything_was_saved(store: HistoryStore) -> None:
    journal = SessionJournal(store, background=True)
    h = short_hiit_harness()
    journal.attach(h.engine)
    h.engine.start()
    run_to_end(h)
    assert journal.close() is None
    saved = store.session(h.engine.record.session_id)
    assert saved is not None and saved.status is SessionStatus.COMPLETED


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 1 MiB file system (tmpfs), where the machine lets the test mount one."""
    import shutil

    mount = tmp_path / "disk"
    mount.mkdir()
    if shutil.which("mount") is None or sys.platform != "linux":
        pytest.skip("mounting a tmpfs needs Linux")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip("this machine does not let the test mount a tmpfs (not root)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def fill(folder: Path) -> Path:
    filler = folder / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    return filler


def test_a_really_full_disk_is_retried_until_space_returns(small_disk: Path) -> None:
    db = small_disk / "history.sqlite3"
    store = HistoryStore.open(db, busy_timeout_ms=50)
    try:
        seen: list[str | None] = []
        journal = SessionJournal(store, background=True, retry_interval_s=0.02)
        journal.on_problem.append(seen.append)
        filler = fill(small_disk)
        h = short_hiit_harness()
        journal.attach(h.engine)
        h.engine.start()
        run_to_end(h)
        assert h.engine.state is State.FINISHED
        wait_for(lambda: any(p and "disk is full" in p for p in seen))
        filler.unlink()  # space again: the writes go through without anyone asking
        assert journal.wait_saved(WAIT_S)
        assert journal.close() is None
        saved = store.session(h.engine.record.session_id)
        assert saved is not None and saved.segments == h.engine.record.segments
    finally:
        store.close()


def test_a_full_disk_at_exit_says_exactly_what_was_lost(small_disk: Path) -> None:
    db = small_disk / "history.sqlite3"
    store = HistoryStore.open(db, busy_timeout_ms=50)
    try:
        journal = SessionJournal(store, background=True, retry_interval_s=0.02)
        fill(small_disk)
        h = short_hiit_harness()
        journal.attach(h.engine)
        h.engine.start()
        run_to_end(h)
        report = journal.close(wait_s=0.2)
    finally:
        store.close()
    assert report is not None
    assert "(the disk is full)" in report
    assert report.startswith(
        "The last changes to 1 session could not be saved (the disk is full) or kept in"
    )
