"""Kill a process mid-session with SIGKILL; the history keeps the phases it had finished."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from legdrive_timer.core.records import EndReason, SessionStatus
from legdrive_timer.core.timeline import PhaseKind
from legdrive_timer.storage.history import HistoryStore
from legdrive_timer.storage.paths import DataPaths

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(os.name != "posix", reason="uses SIGKILL")]

DRIVER = Path(__file__).with_name("crash_driver.py")
REPO = Path(__file__).resolve().parents[2]
POLL_LIMIT_S = 60.0
"""Only a bound on a hung process: the test goes on as soon as the phases are there."""


def query_one(db: Path, sql: str, *params: object) -> tuple[Any, ...] | None:
    """One row of the history database read as another process sees it: None while the
    file or its schema is not there yet."""
    if not db.exists():
        return None
    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True, timeout=5)
    try:
        row: tuple[Any, ...] | None = conn.execute(sql, params).fetchone()
        return row
    except sqlite3.OperationalError:
        return None
    finally:
        conn.close()


def journaled_segments(db: Path, session_id: str) -> int:
    row = query_one(db, "SELECT COUNT(*) FROM segments WHERE session_id = ?", session_id)
    return 0 if row is None else int(row[0])


def wait_for_segments(proc: subprocess.Popen[str], db: Path, sid: str, count: int) -> None:
    give_up = time.monotonic() + POLL_LIMIT_S
    while journaled_segments(db, sid) < count:
        assert proc.poll() is None, "the driver ended before the phases were journaled"
        assert time.monotonic() < give_up, "the phases never reached the database"
        time.sleep(0.02)


def start_driver(data: Path, *lengths: str) -> tuple[subprocess.Popen[str], str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    proc = subprocess.Popen(
        [sys.executable, str(DRIVER), str(data), *lengths],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert proc.stdout is not None
    session_id = proc.stdout.readline().strip()
    assert session_id, proc.stderr.read() if proc.stderr else ""
    return proc, session_id


def test_a_killed_session_comes_back_as_interrupted_with_the_phases_done(tmp_path: Path) -> None:
    data = tmp_path / "data"
    db = DataPaths.resolve(data).history_db
    proc, sid = start_driver(data, "--work", "1", "--rest", "1", "--rounds", "8")
    try:
        wait_for_segments(proc, db, sid, 3)
        # Another window opening the history meanwhile must leave the live session alone.
        with HistoryStore.open(db) as other:
            assert other.interrupted == ()
            assert other.sessions()[0].status is SessionStatus.RUNNING
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()
    assert proc.returncode == -signal.SIGKILL

    with HistoryStore.open(db) as store:
        assert store.interrupted == (sid,)
        record = store.session(sid)
        assert record is not None
        assert record.status is SessionStatus.INTERRUPTED
        done = record.segments
        assert 3 <= len(done) < 16  # the phases done before the kill, not the whole session
        assert [s.phase_index for s in done] == list(range(len(done)))
        assert [s.kind for s in done[:3]] == [PhaseKind.WORK, PhaseKind.REST, PhaseKind.WORK]
        assert all(s.end_reason is EndReason.ELAPSED for s in done)
        assert all(s.actual_ms == s.planned_ms == 1000 for s in done)
        assert record.ended_at is not None and record.ended_at >= record.started_at
        assert store.sessions()[0].status is SessionStatus.INTERRUPTED


def test_the_driver_records_a_whole_session_when_left_alone(tmp_path: Path) -> None:
    """The same driver, not killed: the session ends completed, so the test above measures
    the kill and not a driver that never finishes."""
    data = tmp_path / "data"
    proc, sid = start_driver(data, "--work", "1", "--rest", "0", "--rounds", "2")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert out.split() == ["finished"]
    with HistoryStore.open(DataPaths.resolve(data).history_db) as store:
        record = store.session(sid)
        assert record is not None and record.status is SessionStatus.COMPLETED
        assert [s.kind for s in record.segments] == [PhaseKind.WORK, PhaseKind.WORK]


def running_session(db: Path) -> tuple[str, int] | None:
    """(id, journaled phases) of the session a live process is recording, if any."""
    row = query_one(
        db,
        "SELECT s.id, (SELECT COUNT(*) FROM segments g WHERE g.session_id = s.id) "
        "FROM sessions s WHERE s.status = 'running'",
    )
    return None if row is None else (str(row[0]), int(row[1]))


def app(data: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "legdrive_timer", *args, "--data-dir", str(data)]


def test_killing_the_real_app_mid_session_and_starting_it_again(tmp_path: Path) -> None:
    data = tmp_path / "data"
    db = DataPaths.resolve(data).history_db
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    lengths = ("--work", "1", "--rest", "1", "--prep", "0", "--audio", "off")
    proc = subprocess.Popen(
        app(data, "run", "hiit", *lengths, "--rounds", "8"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        give_up = time.monotonic() + POLL_LIMIT_S
        while (found := running_session(db)) is None or found[1] < 3:
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            assert time.monotonic() < give_up, "the app never journaled three phases"
            time.sleep(0.02)
        sid = found[0]
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stderr is not None:
            proc.stderr.close()

    # Start the app again on the same data dir and train a short session.
    again = subprocess.run(
        app(data, "run", "hiit", *lengths, "--rounds", "1", "--quit-when-done"),
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert again.returncode == 0, again.stderr
    with HistoryStore.open(db) as store:
        assert store.interrupted == ()  # the app itself found and marked it when it started
        killed = store.session(sid)
        assert killed is not None and killed.status is SessionStatus.INTERRUPTED
        assert len(killed.segments) >= 3
        assert [s.kind for s in killed.segments[:3]] == [
            PhaseKind.WORK,
            PhaseKind.REST,
            PhaseKind.WORK,
        ]
        statuses = [s.status for s in store.sessions()]
        assert statuses == [SessionStatus.COMPLETED, SessionStatus.INTERRUPTED]
