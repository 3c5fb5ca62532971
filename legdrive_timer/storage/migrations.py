"""Schema versions of the history database, tracked in `PRAGMA user_version`.

Each migration takes the database from version N-1 to N inside one transaction together with
the version bump, so a crash or a failing step leaves the previous version intact. Released
versions are never edited: a change to the schema is a new migration, and a fixture database
of every released version (`tests/fixtures/history-vN.sqlite3`) is opened by the tests.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    version: int
    """The schema version this migration produces."""
    description: str
    apply: Callable[[sqlite3.Connection], None]


def _v1_initial(conn: sqlite3.Connection) -> None:
    # Timestamps are kept as ISO 8601 text with the offset they were recorded in, so an
    # export gives them back exactly; `started_utc_ms` orders sessions across offsets and
    # `started_date` (the local date where the session happened) serves the date filters.
    # `updated_at` is the wall time of the last journal write: the end of a crashed session.
    # One statement at a time: executescript() would COMMIT the migration's transaction.
    for statement in _V1_SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)


_V1_SCHEMA = """
        CREATE TABLE sessions (
            id             TEXT PRIMARY KEY,
            workout_id     TEXT NOT NULL,
            workout_name   TEXT NOT NULL,
            started_at     TEXT NOT NULL,
            started_utc_ms INTEGER NOT NULL,
            started_date   TEXT NOT NULL,
            ended_at       TEXT,
            updated_at     TEXT,
            status         TEXT NOT NULL
                CHECK (status IN ('running', 'completed', 'stopped', 'interrupted')),
            planned_ms     INTEGER NOT NULL CHECK (planned_ms >= 0),
            effort         INTEGER CHECK (effort IS NULL OR effort BETWEEN 0 AND 10)
        );
        CREATE INDEX sessions_by_start ON sessions (started_utc_ms, id);
        CREATE INDEX sessions_by_workout ON sessions (workout_id, started_utc_ms, id);
        CREATE INDEX sessions_by_date ON sessions (started_date);
        CREATE INDEX sessions_by_status ON sessions (status) WHERE status = 'running';

        CREATE TABLE segments (
            session_id   TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
            phase_index  INTEGER NOT NULL CHECK (phase_index >= 0),
            kind         TEXT NOT NULL,
            block_index  INTEGER NOT NULL,
            exercise_id  TEXT NOT NULL,
            side         TEXT CHECK (side IS NULL OR side IN ('left', 'right')),
            set_number   INTEGER,
            round_number INTEGER,
            planned_ms   INTEGER NOT NULL,
            actual_ms    INTEGER NOT NULL,
            reps_planned INTEGER,
            reps_done    INTEGER,
            reps_by_user INTEGER NOT NULL DEFAULT 0,
            end_reason   TEXT NOT NULL,
            stability    INTEGER CHECK (stability IS NULL OR stability BETWEEN 1 AND 5),
            PRIMARY KEY (session_id, phase_index)
        ) WITHOUT ROWID;
        """


MIGRATIONS: tuple[Migration, ...] = (Migration(1, "sessions and segments", _v1_initial),)

CURRENT_VERSION = MIGRATIONS[-1].version


class FutureSchemaError(Exception):
    def __init__(self, found: int, known: int) -> None:
        super().__init__(f"schema version {found} is newer than {known}")
        self.found = found
        self.known = known


def schema_version(conn: sqlite3.Connection) -> int:
    row = conn.execute("PRAGMA user_version").fetchone()
    return int(row[0])


def migrate(conn: sqlite3.Connection, migrations: Sequence[Migration] = MIGRATIONS) -> int:
    """Bring the database to the newest version; returns the version it was at.

    `conn` must be in autocommit mode (isolation_level=None). A database newer than the
    newest migration raises FutureSchemaError without changing anything.
    """
    known = migrations[-1].version if migrations else 0
    start = schema_version(conn)
    if start > known:
        raise FutureSchemaError(start, known)
    for migration in migrations:
        if migration.version <= start:
            continue
        # IMMEDIATE: two windows opening a fresh database at once must not both migrate.
        conn.execute("BEGIN IMMEDIATE")
        try:
            if schema_version(conn) >= migration.version:
                conn.execute("ROLLBACK")
                continue
            migration.apply(conn)
            conn.execute(f"PRAGMA user_version = {int(migration.version)}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return start
