"""Whole sessions in and out: delete and restore (the history view's undo) and merge (import),
each in time linear in the session's segments.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from legdrive_timer.core.records import SessionRecord
from legdrive_timer.storage.history_queries import Queries
from legdrive_timer.storage.history_rows import (
    INSERT_SEGMENT,
    INSERT_SESSION,
    segment_row,
    session_row,
)
from legdrive_timer.storage.migrations import (
    refresh_totals_sql,
)

MERGE_CHUNK = 200
"""Sessions per transaction when importing, so another window never waits long."""
MERGE_SEGMENTS = 20_000
"""Segments per transaction when importing (a fraction of a second of writing)."""


class Editing(Queries):
    def delete_session(self, session_id: str) -> SessionRecord | None:
        """Remove a session and return it as it was, so that it can be restored."""
        with self._lock:
            record = self.session(session_id)
            if record is None:
                return None
            with self._write() as conn:
                # The session row first: its segments go by the foreign key's cascade, and
                # the totals trigger then finds no row to re-sum for each of them.
                conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
                conn.execute("DELETE FROM segments WHERE session_id = ?", (session_id,))
            return record

    def restore_session(self, record: SessionRecord) -> None:
        """Put a deleted session back exactly as `delete_session` returned it."""
        with self._write() as conn:
            conn.execute("DELETE FROM sessions WHERE id = ?", (record.session_id,))
            insert_whole(conn, record)

    def merge(self, records: Iterable[SessionRecord]) -> int:
        """Add the sessions whose id is not in the history yet; returns how many were added.

        In transactions of at most MERGE_CHUNK sessions and MERGE_SEGMENTS segments, so that
        another window never waits long for the write lock."""
        added = 0
        chunk: list[SessionRecord] = []
        segments = 0
        for record in records:
            chunk.append(record)
            segments += len(record.segments)
            if len(chunk) >= MERGE_CHUNK or segments >= MERGE_SEGMENTS:
                added += self._merge_chunk(chunk)
                chunk, segments = [], 0
        if chunk:
            added += self._merge_chunk(chunk)
        return added

    def _merge_chunk(self, records: list[SessionRecord]) -> int:
        added = 0
        with self._write() as conn:
            for record in records:
                present = conn.execute(
                    "SELECT 1 FROM sessions WHERE id = ?", (record.session_id,)
                ).fetchone()
                if present is None:
                    insert_whole(conn, record)
                    added += 1
        return added


def insert_whole(conn: sqlite3.Connection, record: SessionRecord) -> None:
    """Insert a whole session (not in the table) in time linear in its segments.

    The totals trigger on `segments` re-sums the session's segments at every insert, which
    for a whole session costs the square of its segments (an import of 16,000 segments took
    a minute). So the segments go in first, while their session row does not exist yet and
    the trigger's UPDATE matches nothing, and the totals are summed once at the end. The
    foreign key is checked at COMMIT, when the session row is there."""
    conn.execute("PRAGMA defer_foreign_keys = ON")
    conn.executemany(INSERT_SEGMENT, [segment_row(record.session_id, s) for s in record.segments])
    conn.execute(INSERT_SESSION.format(verb=""), session_row(record))
    conn.execute(refresh_totals_sql("?"), (record.session_id, record.session_id))
