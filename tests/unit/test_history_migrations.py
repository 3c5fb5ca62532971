"""Schema migrations: each version in one transaction, in order, never past the newest."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from legdrive_timer.storage.migrations import (
    CURRENT_VERSION,
    MIGRATIONS,
    FutureSchemaError,
    Migration,
    migrate,
    schema_version,
)


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(tmp_path / "h.sqlite3", isolation_level=None)
    yield connection
    connection.close()


def tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_an_empty_database_is_brought_to_the_current_version(conn: sqlite3.Connection) -> None:
    assert migrate(conn) == 0
    assert schema_version(conn) == CURRENT_VERSION == 2
    assert {"sessions", "segments"} <= tables(conn)
    assert migrate(conn) == CURRENT_VERSION  # nothing left to do


def _notes(conn: sqlite3.Connection) -> None:
    conn.execute("ALTER TABLE sessions ADD COLUMN notes TEXT")


def test_a_later_migration_runs_on_a_current_database(conn: sqlite3.Connection) -> None:
    migrate(conn)
    conn.execute(
        "INSERT INTO sessions (id, workout_id, workout_name, started_at, started_utc_ms, "
        "started_date, status, planned_ms) VALUES ('a', 'w', 'W', 't', 0, 'd', 'completed', 1)"
    )
    steps = (*MIGRATIONS, Migration(CURRENT_VERSION + 1, "notes", _notes))
    assert migrate(conn, steps) == CURRENT_VERSION
    assert schema_version(conn) == CURRENT_VERSION + 1
    assert conn.execute("SELECT id, notes FROM sessions").fetchall() == [("a", None)]


def test_v2_adds_the_coach_measures_to_a_v1_database_keeping_its_rows(
    conn: sqlite3.Connection,
) -> None:
    migrate(conn, MIGRATIONS[:1])
    conn.execute(
        "INSERT INTO sessions (id, workout_id, workout_name, started_at, started_utc_ms, "
        "started_date, status, planned_ms) VALUES ('a', 'w', 'W', 't', 0, 'd', 'completed', 1)"
    )
    conn.execute(
        "INSERT INTO segments (session_id, phase_index, kind, block_index, exercise_id, side, "
        "planned_ms, actual_ms, reps_planned, reps_done, end_reason, stability) "
        "VALUES ('a', 0, 'work', 0, 'x', 'left', 1000, 900, 15, 14, 'elapsed', 3)"
    )
    assert migrate(conn) == 1
    assert schema_version(conn) == 2
    assert conn.execute(
        "SELECT reps_done, stability, coach_reps_counted, coach_parallel_reps, "
        "coach_peak_thigh_deg, coach_drive_lower_ratio, coach_sway_deg FROM segments"
    ).fetchall() == [(14, 3, None, None, None, None, None)]
    # The totals triggers of v1 still run on the migrated table.
    assert conn.execute("SELECT reps_left, stability_left_sum FROM sessions").fetchall() == [
        (14, 3)
    ]


def test_a_failing_migration_leaves_the_previous_version_intact(
    conn: sqlite3.Connection,
) -> None:
    migrate(conn)

    def broken(c: sqlite3.Connection) -> None:
        c.execute("CREATE TABLE half_done (x)")
        raise sqlite3.OperationalError("disk I/O error")

    with pytest.raises(sqlite3.OperationalError):
        migrate(conn, (*MIGRATIONS, Migration(CURRENT_VERSION + 1, "broken", broken)))
    assert schema_version(conn) == CURRENT_VERSION
    assert "half_done" not in tables(conn)
    assert not conn.in_transaction


def test_a_newer_database_raises_without_changes(conn: sqlite3.Connection) -> None:
    conn.execute("PRAGMA user_version = 5")
    with pytest.raises(FutureSchemaError) as caught:
        migrate(conn)
    assert (caught.value.found, caught.value.known) == (5, CURRENT_VERSION)
    assert tables(conn) == set()


def test_migration_versions_count_up_by_one() -> None:
    assert [m.version for m in MIGRATIONS] == list(range(1, len(MIGRATIONS) + 1))
