"""The history database: every session, written as it happens and kept safe.

SQLite in WAL mode with `synchronous=FULL`, so a committed phase survives a crash or a
power cut; every write is one short `BEGIN IMMEDIATE` transaction and `busy_timeout` lets two
windows of the app share the file without corrupting it or failing on each other's locks.

A session being journaled is `running` and its process holds an advisory lock on a small
file next to the database. When a store opens, a `running` session whose lock nobody holds
belongs to a process that died: it becomes `interrupted`, ending at its last journal write.
A session that another window is still recording keeps running.

A database that SQLite cannot read is moved aside (never deleted) and a new one started; a
database written by a newer version of the app is left untouched and refused.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from legdrive_timer.errors import UserError
from legdrive_timer.storage.history_editing import Editing
from legdrive_timer.storage.history_errors import (
    EFFORT_RANGE,
    REPS_RANGE,
    STABILITY_RANGE,
    HistoryError,
    check_coach,
    check_effort,
    check_rating,
    check_reps,
    check_stability,
)
from legdrive_timer.storage.history_file import BUSY_TIMEOUT_MS, Unreadable, connect, move_aside
from legdrive_timer.storage.history_recording import Recording
from legdrive_timer.storage.history_rows import SessionSummary, local_now

__all__ = [
    "EFFORT_RANGE",
    "REPS_RANGE",
    "STABILITY_RANGE",
    "HistoryError",
    "HistoryStore",
    "SessionSummary",
    "check_coach",
    "check_effort",
    "check_rating",
    "check_reps",
    "check_stability",
]
from legdrive_timer.storage.history_errors import reason


class HistoryStore(Recording, Editing):
    """Open with `HistoryStore.open(path)`; every method raises HistoryError on failure.

    Its parts, one job each: `history_file` (opening, checking, moving aside, locks),
    `history_recording`, `history_queries`, `history_editing` (delete, restore, merge), on
    `history_core` (the connection and its transactions); `history_rows` maps rows to records.
    """

    # -- opening -----------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: Path,
        *,
        now: Callable[[], datetime] = local_now,
        busy_timeout_ms: int = BUSY_TIMEOUT_MS,
    ) -> HistoryStore:
        folder = path.parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise HistoryError(
                f"The history folder {folder} cannot be created ({reason(error)})."
            ) from None
        notice: str | None = None
        while True:
            try:
                return cls._open_file(path, now, notice, busy_timeout_ms)
            except Unreadable as unreadable:
                if notice is not None:  # pragma: no cover - a fresh file cannot be damaged
                    raise HistoryError(
                        f"A new history database at {path} could not be started "
                        f"({unreadable.reason})."
                    ) from None
                moved = move_aside(path, now())
                notice = (
                    f"The history database could not be read ({unreadable.reason}); it was "
                    f"moved to {moved} and a new one was started."
                )

    @classmethod
    def _open_file(
        cls, path: Path, now: Callable[[], datetime], notice: str | None, busy_timeout_ms: int
    ) -> HistoryStore:
        store = cls(connect(path, busy_timeout_ms, now=now), path, now=now, notice=notice)
        try:
            store.interrupted = store._recover_crashed()
            store.recovered = store._recover_unsaved()
        except HistoryError:
            store.close()
            if store.damaged:
                raise Unreadable("the database is damaged") from None
            raise
        return store

    def _recover_crashed(self) -> tuple[str, ...]:
        with self._lock:
            rows = self._read(
                "SELECT id, COALESCE(updated_at, started_at) FROM sessions "
                "WHERE status = 'running' ORDER BY started_utc_ms"
            )
            crashed = [(sid, end) for sid, end in rows if not self._locks.held_elsewhere(sid)]
            if crashed:
                with self._write() as conn:
                    conn.executemany(
                        "UPDATE sessions SET status = 'interrupted', ended_at = ? "
                        "WHERE id = ? AND status = 'running'",
                        [(end, sid) for sid, end in crashed],
                    )
            return tuple(sid for sid, _ in crashed)

    def _recover_unsaved(self) -> tuple[str, ...]:
        """Add the sessions kept in the unsaved folder: each replaces its journaled part (a
        running or interrupted session of the same id) or is added; a finished session
        already in the history is left as it is. A file is removed once it is in."""
        folder = self.unsaved_dir
        if folder.is_symlink() or not folder.is_dir():
            return ()
        # Only with sessions to add: the export format (and csv) is not loaded at every start.
        from legdrive_timer.core.history_format import records_from_document
        from legdrive_timer.storage.reader import HISTORY_IMPORT_LIMIT, read_json

        added: list[str] = []
        for file in sorted(folder.glob("*.json")):
            try:
                document = read_json(file, what="unsaved session", limit=HISTORY_IMPORT_LIMIT)
                records = records_from_document(document, check_times=False).records
            except (UserError, ValueError):
                continue  # left where it is, for a person to look at
            for record in records:
                rows = self._read("SELECT status FROM sessions WHERE id = ?", (record.session_id,))
                if not rows or rows[0]["status"] in ("running", "interrupted"):
                    self._locks.release(record.session_id)
                    self.restore_session(record)
                    added.append(record.session_id)
            with contextlib.suppress(OSError):
                file.unlink()
        with contextlib.suppress(OSError):
            folder.rmdir()
        return tuple(added)

    def close(self) -> None:
        with self._lock:
            self._locks.release_all()
            self._conn.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
