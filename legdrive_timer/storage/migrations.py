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
    # The per-session totals (active time, reps and stability sums per side) are kept by
    # triggers on `segments`, so that the list and the stats read one row per session and
    # no write path can forget them.
    # One statement at a time: executescript() would COMMIT the migration's transaction.
    for statement in _statements(_V1_SCHEMA):
        conn.execute(statement)


def _statements(script: str) -> list[str]:
    """Split a schema script into complete statements (triggers hold `;` inside)."""
    statements: list[str] = []
    current = ""
    for line in script.splitlines(keepends=True):
        current += line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    if current.strip():
        raise ValueError(f"incomplete SQL statement: {current.strip()[:60]}")
    return statements


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
            effort         INTEGER CHECK (effort IS NULL OR effort BETWEEN 0 AND 10),
            active_ms      INTEGER NOT NULL DEFAULT 0,
            segment_count  INTEGER NOT NULL DEFAULT 0,
            did_work       INTEGER NOT NULL DEFAULT 0,
            has_side       INTEGER NOT NULL DEFAULT 0,
            reps_left      INTEGER NOT NULL DEFAULT 0,
            reps_right     INTEGER NOT NULL DEFAULT 0,
            stability_left_sum  INTEGER NOT NULL DEFAULT 0,
            rated_left          INTEGER NOT NULL DEFAULT 0,
            stability_right_sum INTEGER NOT NULL DEFAULT 0,
            rated_right         INTEGER NOT NULL DEFAULT 0
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

        CREATE TRIGGER segments_insert AFTER INSERT ON segments BEGIN
            {refresh_new}
        END;
        CREATE TRIGGER segments_update AFTER UPDATE ON segments BEGIN
            {refresh_new}
        END;
        CREATE TRIGGER segments_delete AFTER DELETE ON segments BEGIN
            {refresh_old}
        END;
        """

# What `core.stats.session_totals` computes from a record, summed by SQLite. Part of schema
# version 1: a later change to these sums is a new migration that redefines the triggers.
TOTALS_COLUMNS = (
    "active_ms, segment_count, did_work, has_side, reps_left, reps_right, "
    "stability_left_sum, rated_left, stability_right_sum, rated_right"
)
TOTALS_SELECT = """
    SELECT COALESCE(SUM(actual_ms), 0), COUNT(*),
        COALESCE(MAX(kind = 'work' AND actual_ms > 0), 0),
        COALESCE(MAX(kind = 'work' AND side IS NOT NULL), 0),
        COALESCE(SUM(CASE WHEN kind = 'work' AND side = 'left'
                          THEN COALESCE(reps_done, 0) END), 0),
        COALESCE(SUM(CASE WHEN kind = 'work' AND side = 'right'
                          THEN COALESCE(reps_done, 0) END), 0),
        COALESCE(SUM(CASE WHEN kind = 'work' AND side = 'left' THEN stability END), 0),
        COUNT(CASE WHEN kind = 'work' AND side = 'left' THEN stability END),
        COALESCE(SUM(CASE WHEN kind = 'work' AND side = 'right' THEN stability END), 0),
        COUNT(CASE WHEN kind = 'work' AND side = 'right' THEN stability END)
    FROM segments WHERE session_id = {session}
"""


def refresh_totals_sql(session: str) -> str:
    """An UPDATE that recomputes one session's totals from its segments."""
    return (
        f"UPDATE sessions SET ({TOTALS_COLUMNS}) = ({TOTALS_SELECT.format(session=session)}) "
        f"WHERE id = {session};"
    )


_V1_SCHEMA = _V1_SCHEMA.format(
    refresh_new=refresh_totals_sql("NEW.session_id"),
    refresh_old=refresh_totals_sql("OLD.session_id"),
)


COACH_COLUMNS = (
    "coach_reps_counted",
    "coach_parallel_reps",
    "coach_peak_thigh_deg",
    "coach_drive_lower_ratio",
    "coach_sway_deg",
)
"""The camera coach's measures of a rep set (core.records.CoachMeasures), in that order;
all NULL when the coach did not watch the set."""

_V2_COACH = """
        ALTER TABLE segments ADD COLUMN coach_reps_counted INTEGER
            CHECK (coach_reps_counted IS NULL OR coach_reps_counted >= 0);
        ALTER TABLE segments ADD COLUMN coach_parallel_reps INTEGER
            CHECK (coach_parallel_reps IS NULL OR coach_parallel_reps >= 0);
        ALTER TABLE segments ADD COLUMN coach_peak_thigh_deg REAL;
        ALTER TABLE segments ADD COLUMN coach_drive_lower_ratio REAL;
        ALTER TABLE segments ADD COLUMN coach_sway_deg REAL;
        CREATE INDEX segments_coached ON segments (session_id, phase_index)
            WHERE coach_reps_counted IS NOT NULL;
        """


def _v2_coach(conn: sqlite3.Connection) -> None:
    # New nullable columns: every existing row keeps its values and reads "not watched".
    # The partial index keeps the stats' read of the measured sets to those rows alone.
    for statement in _statements(_V2_COACH):
        conn.execute(statement)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "sessions and segments", _v1_initial),
    Migration(2, "camera coach measures per segment", _v2_coach),
)

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
