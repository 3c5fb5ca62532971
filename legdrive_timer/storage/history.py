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
import hashlib
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from legdrive_timer.core.records import EndReason, SegmentRecord, SessionRecord, SessionStatus
from legdrive_timer.core.stats import SessionTotals
from legdrive_timer.core.timeline import PhaseKind
from legdrive_timer.core.workout import Side
from legdrive_timer.errors import UserError
from legdrive_timer.storage.migrations import (
    CURRENT_VERSION,
    TOTALS_COLUMNS,
    FutureSchemaError,
    migrate,
    refresh_totals_sql,
    schema_version,
)

try:  # Advisory locks mark sessions a live process is recording (POSIX only).
    import fcntl
except ImportError:  # pragma: no cover - Windows: every running session counts as crashed
    fcntl = None  # type: ignore[assignment]

BUSY_TIMEOUT_MS = 3000
"""How long a write waits for another window's transaction before it counts as failed."""
READ_CHUNK = 500
"""Sessions per query when streaming all records: short read transactions, bounded memory."""
TOTALS_CHUNK = 5000
"""Sessions per query for the stats totals: one small row each."""
MERGE_CHUNK = 200
"""Sessions per transaction when importing, so another window never waits long."""

_CORRUPT = frozenset({"SQLITE_CORRUPT", "SQLITE_NOTADB"})

_KINDS = {k.value: k for k in PhaseKind}
_SIDES = {s.value: s for s in Side}
_REASONS = {r.value: r for r in EndReason}
_STATUSES = {s.value: s for s in SessionStatus}


class HistoryError(UserError):
    """The history cannot be read or written; the message is one sentence."""

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient
        """True when trying again later may work (a busy or full disk, an I/O error)."""


def _transient(error: BaseException) -> bool:
    return isinstance(error, sqlite3.OperationalError | OSError) and not _is_corrupt(error)


STABILITY_RANGE = (1, 5)
EFFORT_RANGE = (0, 10)
REPS_RANGE = (0, 100_000)


def check_rating(name: str, value: int | None, bounds: tuple[int, int]) -> None:
    """Raise ValueError for a rating out of `bounds` (None means not rated)."""
    low, high = bounds
    if value is not None and (isinstance(value, bool) or not low <= value <= high):
        raise ValueError(f"{name} must be from {low} to {high}, not {value!r}")


@dataclass(frozen=True)
class SessionSummary:
    """One line of the history list, without the segments."""

    session_id: str
    workout_id: str
    workout_name: str
    started_at: datetime
    ended_at: datetime | None
    status: SessionStatus
    planned_ms: int
    actual_ms: int
    effort: int | None
    segment_count: int
    has_side: bool = False
    """A work phase of the session had a side: left against right applies to it."""
    reps_left: int = 0
    reps_right: int = 0
    stability_left: float | None = None
    """The mean of the left side's stability ratings, when it was rated."""
    stability_right: float | None = None


def _mean(total: int, count: int) -> float | None:
    return total / count if count else None


def local_now() -> datetime:
    return datetime.now().astimezone()


def _aware(moment: datetime) -> datetime:
    """A naive datetime is taken as local time, so every stored time carries its offset."""
    return moment if moment.utcoffset() is not None else moment.astimezone()


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else _aware(moment).isoformat()


def _utc_ms(moment: datetime) -> int:
    return round(_aware(moment).timestamp() * 1000)


def _reason(error: BaseException) -> str:
    """What went wrong, in words a person can act on."""
    name = getattr(error, "sqlite_errorname", "")
    if name == "SQLITE_FULL":
        return "the disk is full"
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return "the database was busy in another window for too long"
    if name.startswith("SQLITE_READONLY"):
        return "the database is read-only"
    if name.startswith("SQLITE_CORRUPT") or name == "SQLITE_NOTADB":
        return "the database is damaged"
    if name.startswith("SQLITE_IOERR"):
        return "the disk reported an error"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror[0].lower() + error.strerror[1:]
    text = str(error).rstrip(".")
    return text or type(error).__name__


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S")


def _sidecars(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


class _SessionLocks:
    """One lock file per running session, held by the process that records it.

    The kernel drops the lock when that process dies, however it dies; that is what tells
    a crashed session from one another window is still recording.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._held: dict[str, IO[bytes]] = {}

    def _file(self, session_id: str) -> Path:
        digest = hashlib.sha256(session_id.encode("utf-8")).hexdigest()[:32]
        return self.folder / f"{digest}.lock"

    def acquire(self, session_id: str) -> None:
        if fcntl is None or session_id in self._held:
            return
        try:
            self.folder.mkdir(exist_ok=True)
            if self.folder.is_symlink():  # never create files where a link points
                return
            handle = self._file(session_id).open("ab")
        except OSError:
            return  # Without a lock file the session is still recorded; only recovery differs.
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            return
        self._held[session_id] = handle

    def release(self, session_id: str) -> None:
        handle = self._held.pop(session_id, None)
        if handle is None:
            return
        with contextlib.suppress(OSError):
            self._file(session_id).unlink()
        handle.close()

    def release_all(self) -> None:
        for session_id in list(self._held):
            self.release(session_id)

    def held_elsewhere(self, session_id: str) -> bool:
        if fcntl is None or session_id in self._held:
            return session_id in self._held
        path = self._file(session_id)
        try:
            handle = path.open("rb")
        except OSError:
            return False
        with handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return True
            with contextlib.suppress(OSError):
                path.unlink()
            return False


_SESSION_COLUMNS = (
    "s.id, s.workout_id, s.workout_name, s.started_at, s.ended_at, s.status, s.planned_ms, s.effort"
)
_TOTALS = ", ".join(f"s.{c.strip()}" for c in TOTALS_COLUMNS.split(","))
_SEGMENT_COLUMNS = (
    "phase_index, kind, block_index, exercise_id, side, set_number, round_number, planned_ms, "
    "actual_ms, reps_planned, reps_done, end_reason, stability"
)
_UPSERT_SEGMENT = f"""
    INSERT INTO segments (session_id, {_SEGMENT_COLUMNS})
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (session_id, phase_index) DO UPDATE SET
        kind = excluded.kind,
        block_index = excluded.block_index,
        exercise_id = excluded.exercise_id,
        side = excluded.side,
        set_number = excluded.set_number,
        round_number = excluded.round_number,
        planned_ms = excluded.planned_ms,
        actual_ms = excluded.actual_ms,
        reps_planned = excluded.reps_planned,
        -- What the user entered after the phase outlives the engine's own count.
        reps_done = CASE WHEN segments.reps_by_user THEN segments.reps_done
                         ELSE excluded.reps_done END,
        end_reason = excluded.end_reason,
        stability = COALESCE(excluded.stability, segments.stability)
"""
_INSERT_SEGMENT = f"""
    INSERT INTO segments (session_id, {_SEGMENT_COLUMNS})
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
_INSERT_SESSION = """
    INSERT {verb} INTO sessions (id, workout_id, workout_name, started_at, started_utc_ms,
        started_date, ended_at, updated_at, status, planned_ms, effort)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""


_INSERT_IGNORE_SESSION = _INSERT_SESSION.format(verb="OR IGNORE")


def _segment_row(session_id: str, s: SegmentRecord) -> tuple[Any, ...]:
    return (
        session_id,
        s.phase_index,
        s.kind.value,
        s.block_index,
        s.exercise_id,
        None if s.side is None else s.side.value,
        s.set_number,
        s.round_number,
        s.planned_ms,
        s.actual_ms,
        s.reps_planned,
        s.reps_done,
        s.end_reason.value,
        s.stability,
    )


def _session_row(record: SessionRecord) -> tuple[Any, ...]:
    started = _aware(record.started_at)
    return (
        record.session_id,
        record.workout_id,
        record.workout_name,
        started.isoformat(),
        _utc_ms(started),
        started.date().isoformat(),
        _iso(record.ended_at),
        _iso(record.ended_at) or started.isoformat(),
        record.status.value,
        record.planned_ms,
        record.effort,
    )


def _segment_from(row: Sequence[Any]) -> SegmentRecord:
    # Positional: this runs once per segment of the whole history when stats are computed.
    side = row[4]
    return SegmentRecord(
        row[0],
        _KINDS[row[1]],
        row[2],
        row[3],
        None if side is None else _SIDES[side],
        row[5],
        row[6],
        row[7],
        row[8],
        row[9],
        row[10],
        _REASONS[row[11]],
        row[12],
    )


def _record_from(row: Sequence[Any], segments: tuple[SegmentRecord, ...]) -> SessionRecord:
    return SessionRecord(
        session_id=row[0],
        workout_id=row[1],
        workout_name=row[2],
        started_at=datetime.fromisoformat(row[3]),
        ended_at=None if row[4] is None else datetime.fromisoformat(row[4]),
        status=_STATUSES[row[5]],
        planned_ms=row[6],
        segments=segments,
        effort=row[7],
    )


def _filters(
    workout_id: str | None, since: date | None, until: date | None
) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if workout_id is not None:
        clauses.append("s.workout_id = ?")
        params.append(workout_id)
    if since is not None:
        clauses.append("s.started_date >= ?")
        params.append(since.isoformat())
    if until is not None:
        clauses.append("s.started_date <= ?")
        params.append(until.isoformat())
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


class HistoryStore:
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
        self._locks = _SessionLocks(path.with_name(path.name + ".running"))
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
                f"The history folder {folder} cannot be created ({_reason(error)})."
            ) from None
        notice: str | None = None
        while True:
            try:
                return cls._open_file(path, now, notice, busy_timeout_ms)
            except _Unreadable as unreadable:
                if notice is not None:  # pragma: no cover - a fresh file cannot be damaged
                    raise HistoryError(
                        f"A new history database at {path} could not be started "
                        f"({unreadable.reason})."
                    ) from None
                moved = _move_aside(path, now())
                notice = (
                    f"The history database could not be read ({unreadable.reason}); it was "
                    f"moved to {moved} and a new one was started."
                )

    @classmethod
    def _open_file(
        cls, path: Path, now: Callable[[], datetime], notice: str | None, busy_timeout_ms: int
    ) -> HistoryStore:
        store = cls(_connect(path, busy_timeout_ms), path, now=now, notice=notice)
        try:
            store.interrupted = store._recover_crashed()
            store.recovered = store._recover_unsaved()
        except HistoryError:
            store.close()
            if store.damaged:
                raise _Unreadable("the database is damaged") from None
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
        from legdrive_timer.core.history_format import records_from_document
        from legdrive_timer.storage.reader import HISTORY_IMPORT_LIMIT, read_json

        folder = self.unsaved_dir
        if folder.is_symlink() or not folder.is_dir():
            return ()
        added: list[str] = []
        for file in sorted(folder.glob("*.json")):
            try:
                document = read_json(file, what="unsaved session", limit=HISTORY_IMPORT_LIMIT)
                records = records_from_document(document, check_times=False).records
            except (UserError, ValueError):
                continue  # left where it is, for a person to look at
            for record in records:
                rows = self._read("SELECT status FROM sessions WHERE id = ?", (record.session_id,))
                if not rows or rows[0][0] in ("running", "interrupted"):
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

    # -- plumbing ----------------------------------------------------------------------------

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One short write transaction; any database failure becomes a HistoryError."""
        with self._lock:
            conn = self._conn
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                    conn.execute("COMMIT")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
            except (sqlite3.Error, OSError) as error:
                self._note_damage(error)
                raise HistoryError(
                    f"The history could not be saved ({_reason(error)}).",
                    transient=_transient(error),
                ) from None

    def _read(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        with self._lock:
            try:
                return self._conn.execute(sql, params).fetchall()
            except (sqlite3.Error, OSError) as error:
                self._note_damage(error)
                raise HistoryError(
                    f"The history could not be read ({_reason(error)}).",
                    transient=_transient(error),
                ) from None

    def _note_damage(self, error: BaseException) -> None:
        """Damage found deep in the file (opening only reads its first pages): leave a mark
        so that the next start checks the whole file and moves it aside if it is damaged."""
        if _is_corrupt(error):
            self.damaged = True
            with contextlib.suppress(OSError):
                _damage_mark(self.path).touch()

    # -- recording ---------------------------------------------------------------------------

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
            conn.execute(_INSERT_IGNORE_SESSION, _session_row(record))

    def add_segment(self, session_id: str, segment: SegmentRecord) -> None:
        """Write one finished phase at once. Writing the same phase again replaces it, keeping
        a stability rating or a rep count the user already gave for it."""
        with self._write() as conn:
            conn.execute(_UPSERT_SEGMENT, _segment_row(session_id, segment))
            conn.execute(
                "UPDATE sessions SET updated_at = ? WHERE id = ?",
                (_iso(self._now()), session_id),
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
                _session_row(record),
            )
            kept = [s.phase_index for s in record.segments]
            conn.execute(
                "DELETE FROM segments WHERE session_id = ? AND phase_index NOT IN "
                f"({', '.join('?' * len(kept))})",
                (record.session_id, *kept),
            )
            conn.executemany(
                _UPSERT_SEGMENT, [_segment_row(record.session_id, s) for s in record.segments]
            )
        self._locks.release(record.session_id)

    def set_stability(self, session_id: str, phase_index: int, rating: int | None) -> None:
        check_rating("stability", rating, STABILITY_RANGE)
        self._update_segment(session_id, phase_index, "stability = ?", (rating,))

    def set_reps_done(self, session_id: str, phase_index: int, reps: int) -> None:
        check_rating("reps", reps, REPS_RANGE)
        self._update_segment(session_id, phase_index, "reps_done = ?, reps_by_user = 1", (reps,))

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
        check_rating("effort", effort, EFFORT_RANGE)
        with self._write() as conn:
            cursor = conn.execute(
                "UPDATE sessions SET effort = ? WHERE id = ?", (effort, session_id)
            )
        if cursor.rowcount == 0:
            raise HistoryError("That session is not in the history.")

    # -- reading -----------------------------------------------------------------------------

    def sessions(
        self,
        *,
        workout_id: str | None = None,
        since: date | None = None,
        until: date | None = None,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[SessionSummary]:
        """Newest first. `since` and `until` are inclusive dates, each session dated where
        (in the time zone) it happened."""
        where, params = _filters(workout_id, since, until)
        rows = self._read(
            f"""
            SELECT {_SESSION_COLUMNS}, s.active_ms, s.segment_count, s.has_side,
                s.reps_left, s.reps_right, s.stability_left_sum, s.rated_left,
                s.stability_right_sum, s.rated_right
            FROM sessions s{where}
            ORDER BY s.started_utc_ms DESC, s.id DESC
            LIMIT ? OFFSET ?
            """,
            [*params, -1 if limit is None else limit, offset],
        )
        return [
            SessionSummary(
                session_id=r[0],
                workout_id=r[1],
                workout_name=r[2],
                started_at=datetime.fromisoformat(r[3]),
                ended_at=None if r[4] is None else datetime.fromisoformat(r[4]),
                status=_STATUSES[r[5]],
                planned_ms=r[6],
                effort=r[7],
                actual_ms=r[8],
                segment_count=r[9],
                has_side=bool(r[10]),
                reps_left=r[11],
                reps_right=r[12],
                stability_left=_mean(r[13], r[14]),
                stability_right=_mean(r[15], r[16]),
            )
            for r in rows
        ]

    def count_sessions(
        self,
        *,
        workout_id: str | None = None,
        since: date | None = None,
        until: date | None = None,
    ) -> int:
        where, params = _filters(workout_id, since, until)
        rows = self._read(f"SELECT COUNT(*) FROM sessions s{where}", params)
        return int(rows[0][0])

    def session(self, session_id: str) -> SessionRecord | None:
        with self._lock:
            rows = self._read(
                f"SELECT {_SESSION_COLUMNS} FROM sessions s WHERE s.id = ?", (session_id,)
            )
            if not rows:
                return None
            segments = self._read(
                f"SELECT {_SEGMENT_COLUMNS} FROM segments WHERE session_id = ? "
                "ORDER BY phase_index",
                (session_id,),
            )
        return _record_from(rows[0], tuple(_segment_from(g) for g in segments))

    def records(self, *, since: date | None = None) -> Iterator[SessionRecord]:
        """Every session with its segments, oldest first, read a chunk at a time so that no
        read transaction stays open while the caller works."""
        for chunk in self._session_chunks(f"{_SESSION_COLUMNS}, s.started_utc_ms", since):
            ids = [row[0] for row in chunk]
            # The segments of a chunk in primary-key order: no sorting, no join to sort.
            rows = self._read(
                f"SELECT session_id, {_SEGMENT_COLUMNS} FROM segments "
                f"WHERE session_id IN ({', '.join('?' * len(ids))}) "
                "ORDER BY session_id, phase_index",
                ids,
            )
            by_session: dict[str, list[SegmentRecord]] = {}
            for row in rows:
                by_session.setdefault(row[0], []).append(_segment_from(row[1:]))
            for row in chunk:
                yield _record_from(row, tuple(by_session.get(row[0], ())))

    def session_totals(self, *, since: date | None = None) -> Iterator[SessionTotals]:
        """Each session reduced to what the stats need, oldest first: the same values as
        `stats.session_totals(record)` for every record, kept up to date by SQLite triggers
        as segments are written, so that no segment is read at all."""
        columns = f"s.id, s.started_at, s.status, {_TOTALS}, s.started_utc_ms"
        for chunk in self._session_chunks(columns, since, chunk=TOTALS_CHUNK):
            for r in chunk:
                yield SessionTotals(
                    r[0],
                    datetime.fromisoformat(r[1]),
                    _STATUSES[r[2]],
                    r[3],
                    bool(r[5]),
                    bool(r[6]),
                    r[7],
                    r[8],
                    r[9],
                    r[10],
                    r[11],
                    r[12],
                )

    def _session_chunks(
        self, columns: str, since: date | None, *, chunk: int | None = None
    ) -> Iterator[list[Any]]:
        """Sessions oldest first, READ_CHUNK at a time by keyset, one short query per chunk.
        `columns` must start with `s.id` and end with `s.started_utc_ms` (the keyset)."""
        after: tuple[int, str] | None = None
        while True:
            clauses = []
            params: list[Any] = []
            if since is not None:
                clauses.append("s.started_date >= ?")
                params.append(since.isoformat())
            if after is not None:
                clauses.append("(s.started_utc_ms, s.id) > (?, ?)")
                params.extend(after)
            where = " WHERE " + " AND ".join(clauses) if clauses else ""
            rows = self._read(
                f"SELECT {columns} FROM sessions s{where} "
                f"ORDER BY s.started_utc_ms, s.id LIMIT {int(chunk or READ_CHUNK)}",
                params,
            )
            if not rows:
                return
            yield rows
            after = (rows[-1][-1], rows[-1][0])

    def workout_ids(self) -> list[tuple[str, str]]:
        """(id, name) of every workout in the history, with the name it last had."""
        # A skip scan over the workout index: one seek per distinct workout instead of a
        # pass over every session (45 ms against under 1 ms at 100,000 sessions).
        rows = self._read(
            """
            WITH RECURSIVE w(id) AS (
                SELECT MIN(workout_id) FROM sessions
                UNION ALL
                SELECT (SELECT MIN(workout_id) FROM sessions WHERE workout_id > w.id)
                FROM w WHERE w.id IS NOT NULL
            )
            SELECT w.id, (SELECT s.workout_name FROM sessions s WHERE s.workout_id = w.id
                          ORDER BY s.started_utc_ms DESC, s.id DESC LIMIT 1)
            FROM w WHERE w.id IS NOT NULL
            """
        )
        return sorted(((r[0], r[1]) for r in rows), key=lambda r: (r[1].casefold(), r[0]))

    # -- editing -----------------------------------------------------------------------------

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
            _insert_whole(conn, record)

    def merge(self, records: Iterable[SessionRecord]) -> int:
        """Add the sessions whose id is not in the history yet; returns how many were added."""
        added = 0
        chunk: list[SessionRecord] = []
        for record in records:
            chunk.append(record)
            if len(chunk) >= MERGE_CHUNK:
                added += self._merge_chunk(chunk)
                chunk = []
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
                    _insert_whole(conn, record)
                    added += 1
        return added


def _insert_whole(conn: sqlite3.Connection, record: SessionRecord) -> None:
    """Insert a whole session (not in the table) in time linear in its segments.

    The totals trigger on `segments` re-sums the session's segments at every insert, which
    for a whole session costs the square of its segments (an import of 16,000 segments took
    a minute). So the segments go in first, while their session row does not exist yet and
    the trigger's UPDATE matches nothing, and the totals are summed once at the end. The
    foreign key is checked at COMMIT, when the session row is there."""
    conn.execute("PRAGMA defer_foreign_keys = ON")
    conn.executemany(_INSERT_SEGMENT, [_segment_row(record.session_id, s) for s in record.segments])
    conn.execute(_INSERT_SESSION.format(verb=""), _session_row(record))
    conn.execute(refresh_totals_sql("?"), (record.session_id, record.session_id))


# -- opening the file --------------------------------------------------------------------------


class _Unreadable(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _connect(path: Path, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> sqlite3.Connection:
    """A migrated connection, or _Unreadable when the file is not a usable database.

    The schema version is read before anything is written, so that a database from a newer
    version of the app is refused without being touched (not even switched to WAL).
    """
    for own in (path, *_sidecars(path)):
        if own.is_symlink():
            # SQLite would follow it and write wherever it points (even when it dangles).
            raise HistoryError(
                f"{own} is a symbolic link; the history is only written to a real file in "
                "the data folder, so sessions are not saved until it is removed."
            )
    if path.is_dir():
        raise HistoryError(f"{path} is a folder where the history database should be.")
    existed = path.exists()
    found = _header_version(path) if existed else None
    if found is not None and found > CURRENT_VERSION:
        # Refused before SQLite opens it: even closing a connection can checkpoint a WAL file.
        raise _future_error(path, FutureSchemaError(found, CURRENT_VERSION))
    if existed:
        _probe(path, full_check=_damage_mark(path).exists())
    with contextlib.suppress(OSError):
        _damage_mark(path).unlink()
    try:
        conn = sqlite3.connect(
            path, isolation_level=None, timeout=busy_timeout_ms / 1000, check_same_thread=False
        )
    except sqlite3.Error as error:
        raise HistoryError(
            f"The history database {path} cannot be opened ({_reason(error)})."
        ) from None
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        version = schema_version(conn)
        if version > CURRENT_VERSION:
            raise FutureSchemaError(version, CURRENT_VERSION)
        has_tables = conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] > 0
        if version == 0 and has_tables:
            raise _Unreadable("it holds tables that are not a Legdrive Timer history")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise HistoryError(f"The history database {path} cannot use write-ahead logging.")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        migrate(conn)
        _check_schema(conn)
    except FutureSchemaError as future:
        conn.close()
        raise _future_error(path, future) from None
    except sqlite3.DatabaseError as error:
        conn.close()
        name = getattr(error, "sqlite_errorname", "")
        if existed and _is_corrupt(error):
            raise _Unreadable(_reason(error)) from None
        if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN")):
            raise HistoryError(
                f"The history database in {path.parent} cannot be written ({_reason(error)}); "
                "check that the folder is writable."
            ) from None
        raise HistoryError(
            f"The history database {path} cannot be opened ({_reason(error)})."
        ) from None
    except BaseException:
        conn.close()
        raise
    return conn


def _is_corrupt(error: BaseException) -> bool:
    name = getattr(error, "sqlite_errorname", "")
    return name in _CORRUPT or name.startswith("SQLITE_CORRUPT")


def _damage_mark(path: Path) -> Path:
    return path.with_name(path.name + ".damaged")


def _probe(path: Path, *, full_check: bool) -> None:
    """Read the file through a read-only connection first: if it is damaged, closing that
    connection leaves its WAL file alone (a writable one would checkpoint it into the damaged
    file and delete it), so everything can be moved aside as it was.

    Every start reads the header and the schema; the whole file (`PRAGMA quick_check`, which
    takes time in proportion to its size) only after a session found damage in it."""
    try:
        conn = sqlite3.connect(
            f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000
        )
    except sqlite3.Error:
        return  # The writable connection will say what is wrong.
    try:
        version = schema_version(conn)
        if version > CURRENT_VERSION:
            raise _future_error(path, FutureSchemaError(version, CURRENT_VERSION))
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        if full_check:
            verdict = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
            if verdict != "ok":
                raise _Unreadable("the database is damaged")
    except sqlite3.DatabaseError as error:
        if _is_corrupt(error):
            raise _Unreadable(_reason(error)) from None
    finally:
        conn.close()


def _future_error(path: Path, future: FutureSchemaError) -> HistoryError:
    return HistoryError(
        f"The history database {path} was written by a newer version of Legdrive Timer "
        f"(schema {future.found}, this version reads up to {future.known}); it was left "
        "untouched and history is off until you update the app."
    )


_SQLITE_MAGIC = b"SQLite format 3\x00"


def _header_version(path: Path) -> int | None:
    """`user_version` straight from the file header (bytes 60-63), or None if unreadable."""
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError:
        return None
    if len(header) < 100 or not header.startswith(_SQLITE_MAGIC):
        return None
    return int.from_bytes(header[60:64], "big", signed=True)


def _check_schema(conn: sqlite3.Connection) -> None:
    """The tables this code reads must be there (a file with our version number but not our
    tables is someone else's database)."""
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not {"sessions", "segments"} <= names:
        raise _Unreadable("its tables are missing")


def _move_aside(path: Path, moment: datetime) -> Path:
    """Rename the database and its WAL files out of the way; nothing is deleted."""
    base = f"{path.name}.corrupt-{_stamp(moment)}"
    target = path.with_name(base)
    counter = 2
    while target.exists() or any(p.exists() for p in _sidecars(target)):
        target = path.with_name(f"{base}-{counter}")
        counter += 1
    try:
        for source, dest in zip(
            [path, *_sidecars(path)], [target, *_sidecars(target)], strict=True
        ):
            if source.exists():
                source.replace(dest)
    except OSError as error:
        raise HistoryError(
            f"The history database {path} could not be read and could not be moved aside "
            f"({_reason(error)})."
        ) from None
    return target
