"""Recording a session as it happens: its start, each phase, its end, and the ratings the
user gives along the way.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from legdrive_timer.core.records import (
    CoachMeasures,
    SegmentRecord,
    SessionRecord,
    SessionStatus,
)
from legdrive_timer.storage.history_core import StoreCore
from legdrive_timer.storage.history_errors import (
    HistoryError,
    check_coach,
    check_effort,
    check_reps,
    check_stability,
)
from legdrive_timer.storage.history_rows import (
    INSERT_IGNORE_SESSION,
    SET_COACH,
    UPSERT_SEGMENT,
    coach_values,
    iso,
    segment_row,
    session_row,
)


class Recording(StoreCore):
    def begin_session(
        self,
        session_id: str,
        workout_id: str,
        workout_name: str,
        started_at: datetime,
        planned_ms: int,
    ) -> None:
        record = SessionRecord(
            session_id,
            workout_id,
            workout_name,
            started_at,
            None,
            SessionStatus.RUNNING,
            planned_ms,
        )
        self._locks.acquire(session_id)
        with self._write() as conn:
            # OR IGNORE: a retried start after a failed write must not wipe what followed.
            conn.execute(INSERT_IGNORE_SESSION, session_row(record))

    def add_segment(self, session_id: str, segment: SegmentRecord) -> None:
        """Write one finished phase at once. Writing the same phase again replaces it, keeping
        a stability rating or a rep count the user already gave for it."""
        with self._write() as conn:
            conn.execute(UPSERT_SEGMENT, segment_row(session_id, segment))
            conn.execute(
                "UPDATE sessions SET updated_at = ? WHERE id = ?",
                (iso(self._now()), session_id),
            )

    def finish_session(self, record: SessionRecord) -> None:
        """Store the session's final status, end time and segments (replacing the journaled
        ones; ratings the user gave along the way are kept)."""
        with self._write() as conn:
            conn.execute(
                """
                INSERT INTO sessions (id, workout_id, workout_name, started_at, started_utc_ms,
                    started_date, ended_at, updated_at, status, planned_ms, effort)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET
                    ended_at = excluded.ended_at,
                    updated_at = excluded.updated_at,
                    status = excluded.status,
                    planned_ms = excluded.planned_ms,
                    effort = COALESCE(excluded.effort, sessions.effort)
                """,
                session_row(record),
            )
            kept = [s.phase_index for s in record.segments]
            conn.execute(
                "DELETE FROM segments WHERE session_id = ? AND phase_index NOT IN "
                f"({', '.join('?' * len(kept))})",
                (record.session_id, *kept),
            )
            conn.executemany(
                UPSERT_SEGMENT, [segment_row(record.session_id, s) for s in record.segments]
            )
        self._locks.release(record.session_id)

    def set_stability(self, session_id: str, phase_index: int, rating: int | None) -> None:
        check_stability(rating)
        self._update_segment(session_id, phase_index, "stability = ?", (rating,))

    def set_reps_done(self, session_id: str, phase_index: int, reps: int) -> None:
        check_reps(reps)
        self._update_segment(session_id, phase_index, "reps_done = ?, reps_by_user = 1", (reps,))

    def set_coach(self, session_id: str, phase_index: int, measures: CoachMeasures | None) -> None:
        """Store what the camera coach measured in a phase (None: forget it)."""
        check_coach(measures)
        self._update_segment(session_id, phase_index, SET_COACH, coach_values(measures))

    def _update_segment(
        self, session_id: str, phase_index: int, assignments: str, values: tuple[Any, ...]
    ) -> None:
        with self._write() as conn:
            cursor = conn.execute(
                f"UPDATE segments SET {assignments} WHERE session_id = ? AND phase_index = ?",
                (*values, session_id, phase_index),
            )
        if cursor.rowcount == 0:
            raise HistoryError(f"Phase {phase_index + 1} of that session is not in the history.")

    def set_effort(self, session_id: str, effort: int | None) -> None:
        check_effort(effort)
        with self._write() as conn:
            cursor = conn.execute(
                "UPDATE sessions SET effort = ? WHERE id = ?", (effort, session_id)
            )
        if cursor.rowcount == 0:
            raise HistoryError("That session is not in the history.")
