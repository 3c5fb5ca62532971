"""The session journal: a whole session recorded from the engine's events, and what happens
when the process dies or the disk fills up mid-session."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from legdrive_timer.core.builtins import builtin_workout
from legdrive_timer.core.engine import State
from legdrive_timer.core.records import EndReason, SessionStatus
from legdrive_timer.core.timeline import PhaseKind
from legdrive_timer.storage.history import HistoryError, HistoryStore
from legdrive_timer.storage.journal import DAMAGED, RETRY_INTERVAL_S, SessionJournal
from tests.helpers import Harness, run_to_end, short_hiit_harness

CET = timezone(timedelta(hours=1))


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "history.sqlite3"


@pytest.fixture
def store(db: Path) -> Iterator[HistoryStore]:
    opened = HistoryStore.open(db)
    yield opened
    opened.close()


def test_a_whole_session_is_journaled_as_the_engine_recorded_it(store: HistoryStore) -> None:
    h = Harness(builtin_workout("full"))
    journal = SessionJournal(store)
    journal.attach(h.engine)
    h.engine.start()
    assert store.session("s1") is not None  # written at the start, before any phase ended
    run_to_end(h)

    assert h.engine.state is State.FINISHED
    assert journal.problem is None
    assert store.session("s1") == h.engine.record
    summary = store.sessions()[0]
    assert summary.status is SessionStatus.COMPLETED
    assert summary.segment_count == len(h.engine.timeline.phases)


def test_each_phase_is_in_the_database_as_soon_as_it_ends(store: HistoryStore, db: Path) -> None:
    h = short_hiit_harness()
    SessionJournal(store).attach(h.engine)
    h.engine.start()
    h.advance(1000)  # prep ends
    h.advance(2000)  # round 1 work ends
    with HistoryStore.open(db) as reader:  # another connection sees it committed
        record = reader.session("s1")
        assert record is not None and record.status is SessionStatus.RUNNING
        assert [s.kind for s in record.segments] == [PhaseKind.PREP, PhaseKind.WORK]


def test_stopping_early_keeps_the_session_as_stopped(store: HistoryStore) -> None:
    h = short_hiit_harness()
    SessionJournal(store).attach(h.engine)
    h.engine.start()
    h.advance(1000 + 2000 + 500)
    h.engine.stop()
    record = store.session("s1")
    assert record is not None
    assert record.status is SessionStatus.STOPPED
    assert record.ended_at is not None
    assert [s.end_reason for s in record.segments] == [
        EndReason.ELAPSED,
        EndReason.ELAPSED,
        EndReason.STOPPED,
    ]
    assert record.segments[-1].actual_ms == 500


def test_a_crash_mid_session_leaves_an_interrupted_session_with_the_phases_done(
    db: Path,
) -> None:
    start = datetime(2026, 3, 1, 9, 0, tzinfo=CET)
    walls = iter(start + timedelta(seconds=i) for i in range(1000))
    store = HistoryStore.open(db, now=lambda: next(walls))
    h = short_hiit_harness()
    SessionJournal(store).attach(h.engine)
    h.engine.start()
    h.advance(1000 + 2000 + 1000 + 1500)  # prep, work, rest done; round 2 in progress
    # The process dies: nothing more is written, and its lock goes with it.
    store.close()

    with HistoryStore.open(db) as reopened:
        assert reopened.interrupted == ("s1",)
        record = reopened.session("s1")
        assert record is not None
        assert record.status is SessionStatus.INTERRUPTED
        assert [(s.kind, s.round_number) for s in record.segments] == [
            (PhaseKind.PREP, None),
            (PhaseKind.WORK, 1),
            (PhaseKind.REST, 1),
        ]
        assert record.ended_at == start + timedelta(seconds=2)  # the third journal write


def test_going_back_rewrites_the_phase_instead_of_adding_one(store: HistoryStore) -> None:
    h = short_hiit_harness()
    SessionJournal(store).attach(h.engine)
    h.engine.start()
    h.advance(1000 + 2000 + 500)  # into the first rest
    h.engine.back()  # within the grace period: back to round 1's work
    h.advance(2000 + 1000)
    record = store.session("s1")
    assert record is not None
    assert [s.phase_index for s in record.segments] == [0, 1, 2]
    run_to_end(h)
    assert store.session("s1") == h.engine.record


def test_ratings_through_the_journal_are_kept_with_the_final_record(
    store: HistoryStore,
) -> None:
    h = Harness(builtin_workout("primer"))
    journal = SessionJournal(store)
    journal.attach(h.engine)
    h.engine.start()
    first_work = next(p for p in h.engine.timeline.phases if p.kind is PhaseKind.WORK)
    while h.engine.phase is not None and h.engine.phase.index <= first_work.index:
        if h.engine.phase.self_paced:
            h.engine.done()
        h.advance(500)
    journal.set_stability("s1", first_work.index, 2)
    journal.set_reps_done("s1", first_work.index, 12)
    run_to_end(h)
    journal.set_effort("s1", 7)
    record = store.session("s1")
    assert record is not None
    rated = record.segments[first_work.index]
    assert (rated.stability, rated.reps_done) == (2, 12)
    assert record.effort == 7
    assert journal.problem is None


def test_detaching_stops_the_journal(store: HistoryStore) -> None:
    h = short_hiit_harness()
    detach = SessionJournal(store).attach(h.engine)
    h.engine.start()
    h.advance(1000)
    detach()
    run_to_end(h)
    record = store.session("s1")
    assert record is not None and record.status is SessionStatus.RUNNING
    assert len(record.segments) == 1


class Seconds:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class FillingDisk:
    """The store's connection with a disk that can fill up: while `full`, every write
    transaction fails the way SQLite reports a full disk."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn
        self.full = False
        self.refused = 0

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        if self.full and sql.startswith("BEGIN"):
            error = sqlite3.OperationalError("database or disk is full")
            error.sqlite_errorname = "SQLITE_FULL"
            self.refused += 1
            raise error
        return self._conn.execute(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._conn, name)


def test_a_full_disk_never_stops_the_session_and_is_reported_then_caught_up(
    store: HistoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    disk = FillingDisk(store._conn)
    monkeypatch.setattr(store, "_conn", disk)
    seen: list[str | None] = []
    seconds = Seconds()
    journal = SessionJournal(store, clock=seconds)
    journal.on_problem.append(seen.append)
    h = short_hiit_harness()
    journal.attach(h.engine)
    h.engine.start()
    h.advance(1000)  # prep journaled
    disk.full = True

    h.advance(2000 + 1000)  # round 1 work and rest end: both writes fail
    assert h.engine.state is State.RUNNING
    assert journal.problem == (
        "The history could not be saved (the disk is full); 2 unsaved changes will be retried "
        "every few seconds."
    )
    assert journal.pending == 2
    assert seen == [
        journal.problem.replace("2 unsaved changes", "1 unsaved change"),
        journal.problem,
    ]
    assert disk.refused == 2
    h.advance(1000)  # a tick soon after does not retry (each retry may block the window)
    assert disk.refused == 2
    assert journal.pending == 2 and len(seen) == 2

    disk.full = False  # space again
    seconds.now += RETRY_INTERVAL_S
    h.advance(1000)  # the next tick retries
    assert journal.problem is None and journal.pending == 0
    assert seen[-1] is None
    run_to_end(h)
    assert store.session("s1") == h.engine.record


def test_a_failing_listener_never_stops_the_journal(
    store: HistoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_listener(problem: str | None) -> None:
        raise RuntimeError("listener bug")

    disk = FillingDisk(store._conn)
    monkeypatch.setattr(store, "_conn", disk)
    journal = SessionJournal(store)
    journal.on_problem.append(broken_listener)
    disk.full = True
    h = short_hiit_harness()
    journal.attach(h.engine)
    h.engine.start()
    run_to_end(h)
    assert h.engine.state is State.FINISHED
    assert journal.problem is not None and journal.problem.endswith(
        "will be retried every few seconds."
    )
    assert journal.pending == 1 + len(h.engine.timeline.phases) + 1
    disk.full = False
    assert journal.flush() is True
    assert store.session("s1") == h.engine.record


def test_a_write_that_can_never_succeed_is_dropped_and_does_not_block_the_rest(
    store: HistoryStore, caplog: pytest.LogCaptureFixture
) -> None:
    h = short_hiit_harness()
    journal = SessionJournal(store)
    journal.attach(h.engine)
    h.engine.start()
    h.advance(1000)
    journal.set_stability("deleted-meanwhile", 0, 3)  # no such segment: refused for good
    run_to_end(h)
    assert journal.problem is None and journal.pending == 0
    assert store.session("s1") == h.engine.record
    assert "history write dropped" in caplog.text


def test_a_rating_out_of_range_fails_at_once_and_queues_nothing(store: HistoryStore) -> None:
    journal = SessionJournal(store)
    with pytest.raises(ValueError, match="stability must be from 1 to 5"):
        journal.set_stability("s1", 0, 9)
    with pytest.raises(ValueError, match="effort must be from 0 to 10"):
        journal.set_effort("s1", 11)
    with pytest.raises(ValueError, match="reps must be from 0"):
        journal.set_reps_done("s1", 0, -2)
    assert journal.pending == 0


def test_a_damaged_database_is_reported_for_the_rest_of_the_session(
    store: HistoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = short_hiit_harness()
    journal = SessionJournal(store)
    journal.attach(h.engine)
    h.engine.start()
    h.advance(1000)

    def damaged(*args: object) -> None:
        error = sqlite3.DatabaseError("database disk image is malformed")
        error.sqlite_errorname = "SQLITE_CORRUPT"
        store._note_damage(error)
        raise HistoryError("The history could not be saved (the database is damaged).")

    monkeypatch.setattr(store, "add_segment", damaged)
    run_to_end(h)
    assert h.engine.state is State.FINISHED
    assert journal.problem == DAMAGED
    assert journal.pending == 0
    assert (store.path.with_name("history.sqlite3.damaged")).exists()


def test_another_window_holding_the_database_too_long_is_a_retried_problem(db: Path) -> None:
    HistoryStore.open(db).close()
    store = HistoryStore.open(db, busy_timeout_ms=20)
    seconds = Seconds()
    journal = SessionJournal(store, clock=seconds)
    other = sqlite3.connect(db, isolation_level=None)
    try:
        h = short_hiit_harness()
        journal.attach(h.engine)
        h.engine.start()
        other.execute("BEGIN IMMEDIATE")  # another window in the middle of a long write
        h.advance(1000)  # prep ends: its write waits 20 ms, then gives up
        assert h.engine.state is State.RUNNING
        assert journal.problem == (
            "The history could not be saved (another window or program kept the database "
            "busy); 1 unsaved change will be retried every few seconds."
        )
        other.execute("COMMIT")
        seconds.now += RETRY_INTERVAL_S
        h.advance(1000)
        assert journal.problem is None and journal.pending == 0
        run_to_end(h)
        assert store.session("s1") == h.engine.record
    finally:
        other.close()
        store.close()
