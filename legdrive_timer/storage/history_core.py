"""What every part of the history store shares: the connection, its lock, and one short
transaction per write, any failure turned into a HistoryError.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from legdrive_timer.storage.history_errors import HistoryError, is_corrupt, is_transient, reason
from legdrive_timer.storage.history_file import SessionLocks, damage_mark


class StoreCore:
    """Open with `HistoryStore.open(path)`; every method raises HistoryError on failure."""

    def __init__(
        self,
        conn: sqlite3.Connection,
        path: Path,
        *,
        now: Callable[[], datetime],
        notice: str | None,
    ) -> None:
        self._conn = conn
        self.path = path
        self._now = now
        self._lock = threading.RLock()
        self._locks = SessionLocks(path.with_name(path.name + ".running"))
        self.notice = notice
        """One sentence for the window when the database had to be replaced, else None."""
        self.damaged = False
        """True once SQLite reported damage in the file; the next open checks all of it."""
        self.interrupted: tuple[str, ...] = ()
        """Ids of the sessions found crashed (and marked interrupted) when the store opened."""
        self.recovered: tuple[str, ...] = ()
        """Ids of the sessions added from the unsaved folder when the store opened."""

    @property
    def unsaved_dir(self) -> Path:
        """Where sessions the app could not write before it closed wait to be added."""
        return self.path.with_name(self.path.name + ".unsaved")

    # -- plumbing ----------------------------------------------------------------------------

    @contextlib.contextmanager
    def _failing_as(self, undone: str) -> Iterator[None]:
        """Any database failure inside becomes a HistoryError: the history could not be
        `undone` (saved, read), and why."""
        try:
            yield
        except (sqlite3.Error, OSError) as error:
            self._note_damage(error)
            raise HistoryError(
                f"The history could not be {undone} ({reason(error)}).",
                transient=is_transient(error),
            ) from None

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One short write transaction; any database failure becomes a HistoryError."""
        with self._lock, self._failing_as("saved"):
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._lock, self._failing_as("read"):
            rows: list[Any] = self._conn.execute(sql, params).fetchall()
            return rows

    def _note_damage(self, error: BaseException) -> None:
        """Damage found deep in the file (opening only reads its first pages): leave a mark
        so that the next start checks the whole file and moves it aside if it is damaged."""
        if is_corrupt(error):
            self.damaged = True
            with contextlib.suppress(OSError):
                damage_mark(self.path).touch()
