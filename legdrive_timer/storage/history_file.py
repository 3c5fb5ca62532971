"""The history database file: opening it, checking it, moving a damaged one aside, and the
locks that tell a session another window records from one whose process died.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import IO

from legdrive_timer.core.digest import sha256_hex
from legdrive_timer.storage.atomic import unused_name
from legdrive_timer.storage.history_errors import HistoryError, is_corrupt, reason
from legdrive_timer.storage.migrations import (
    CURRENT_VERSION,
    FutureSchemaError,
    migrate,
    schema_version,
)
from legdrive_timer.storage.reader import not_a_file

try:  # Advisory locks mark sessions a live process is recording (POSIX only).
    import fcntl
except ImportError:  # pragma: no cover - Windows: every running session counts as crashed
    fcntl = None  # type: ignore[assignment]

BUSY_TIMEOUT_MS = 3000
"""How long a write waits for another window's transaction before it counts as failed."""


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S")


def sidecars(path: Path) -> list[Path]:
    return [path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal")]


class SessionLocks:
    """One lock file per running session, held by the process that records it.

    The kernel drops the lock when that process dies, however it dies; that is what tells
    a crashed session from one another window is still recording.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._held: dict[str, IO[bytes]] = {}

    def _file(self, session_id: str) -> Path:
        digest = sha256_hex(session_id.encode("utf-8"))[:32]
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


# -- opening the file --------------------------------------------------------------------------


class Unreadable(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def connect(
    path: Path,
    busy_timeout_ms: int = BUSY_TIMEOUT_MS,
    *,
    now: Callable[[], datetime] = datetime.now,
) -> sqlite3.Connection:
    """A migrated connection, or Unreadable when the file is not a usable database.

    The schema version is read before anything is written, so that a database from a newer
    version of the app is refused without being touched (not even switched to WAL). A
    database of an older schema is copied (`keep_copy`) before it is migrated.
    """
    for own in (path, *sidecars(path)):
        if own.is_symlink():
            # SQLite would follow it and write wherever it points (even when it dangles).
            raise HistoryError(
                f"{own} is a symbolic link, and the history is only written to a real file "
                "in the data folder; remove the link."
            )
    if path.is_dir():
        raise HistoryError(f"{path} is a folder where the history database should be.")
    for own in (path, *sidecars(path)):
        # SQLite (and the header read below) would wait for ever on a named pipe.
        try:
            mode = own.stat().st_mode
        except OSError:
            continue  # missing is normal; other failures are said when SQLite opens it
        problem = not_a_file(mode, "history database" if own == path else "database file")
        if problem is not None:
            raise HistoryError(f"{own} {problem}.")
    existed = path.exists()
    if existed and not os.access(path, os.R_OK):
        # SQLite would only say "unable to open database file". (A file that can be read
        # but not written is SQLite's to report: a read-only disk is said as one.)
        raise HistoryError(f"The history database {path} cannot be opened (permission denied).")
    found = header_version(path) if existed else None
    if existed and found is None and path.stat().st_size > 0:
        # Not a database at all. SQLite would take some short files (a byte or two) for
        # an empty one and write a new database over them.
        raise Unreadable("it is not a database file")
    if found is not None and found > CURRENT_VERSION:
        # Refused before SQLite opens it: even closing a connection can checkpoint a WAL file.
        raise future_error(path, FutureSchemaError(found, CURRENT_VERSION))
    if existed:
        probe(path, full_check=damage_mark(path).exists())
    with contextlib.suppress(OSError):
        damage_mark(path).unlink()
    try:
        conn = sqlite3.connect(
            path, isolation_level=None, timeout=busy_timeout_ms / 1000, check_same_thread=False
        )
    except sqlite3.Error as error:
        raise HistoryError(
            f"The history database {path} cannot be opened ({reason(error, path.parent)})."
        ) from None
    conn.row_factory = sqlite3.Row  # rows are read by column name (history_rows)
    try:
        conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        version = schema_version(conn)
        if version > CURRENT_VERSION:
            raise FutureSchemaError(version, CURRENT_VERSION)
        has_tables = conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0] > 0
        if version == 0 and has_tables:
            raise Unreadable("it holds tables that are not a Legdrive Timer history")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            raise HistoryError(f"The history database {path} cannot use write-ahead logging.")
        conn.execute("PRAGMA synchronous = FULL")
        conn.execute("PRAGMA foreign_keys = ON")
        if 0 < version < CURRENT_VERSION:
            keep_copy(conn, path, version, now())
        migrate(conn)
        check_schema(conn)
    except FutureSchemaError as future:
        conn.close()
        raise future_error(path, future) from None
    except sqlite3.DatabaseError as error:
        conn.close()
        name = getattr(error, "sqlite_errorname", "")
        if existed and is_corrupt(error):
            raise Unreadable(reason(error)) from None
        if name.startswith(("SQLITE_READONLY", "SQLITE_CANTOPEN")):
            raise HistoryError(
                f"The history database in {path.parent} cannot be written ({reason(error)}); "
                "check that the folder is writable."
            ) from None
        raise HistoryError(
            f"The history database {path} cannot be opened ({reason(error, path.parent)})."
        ) from None
    except BaseException:
        conn.close()
        raise
    return conn


def keep_copy(conn: sqlite3.Connection, path: Path, version: int, moment: datetime) -> Path:
    """Copy the database as it is, before a migration changes it, to
    `history.sqlite3.schema-vN-YYYYmmddTHHMMSS` beside it: an older app can still open the
    copy. SQLite's backup takes a consistent snapshot, the WAL's content included. When the
    copy cannot be written, nothing is migrated."""
    target = unused_name(path.parent, f"{path.name}.schema-v{version}-{stamp(moment)}")
    try:
        copy = sqlite3.connect(target)
        try:
            conn.backup(copy)
        finally:
            copy.close()
    except (sqlite3.Error, OSError) as error:
        with contextlib.suppress(OSError):
            target.unlink()
        raise HistoryError(
            f"The history database {path} needs an upgrade, and the copy kept before it "
            f"could not be written ({reason(error)}); it was left as it was.",
            transient=True,
        ) from None
    return target


def damage_mark(path: Path) -> Path:
    return path.with_name(path.name + ".damaged")


def probe(path: Path, *, full_check: bool) -> None:
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
            raise future_error(path, FutureSchemaError(version, CURRENT_VERSION))
        conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()
        if full_check:
            verdict = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
            if verdict != "ok":
                raise Unreadable("the database is damaged")
    except sqlite3.DatabaseError as error:
        if is_corrupt(error):
            raise Unreadable(reason(error)) from None
    except UnicodeDecodeError:
        # SQLite's message about a damaged schema quotes the damaged bytes, which are
        # not always text.
        raise Unreadable("the database is damaged") from None
    finally:
        conn.close()


def future_error(path: Path, future: FutureSchemaError) -> HistoryError:
    return HistoryError(
        f"The history database {path} was written by a newer version of Legdrive Timer "
        f"(schema {future.found}, this version reads up to {future.known}); it was left "
        "untouched and history is off until you update the app."
    )


SQLITE_MAGIC = b"SQLite format 3\x00"


def header_version(path: Path) -> int | None:
    """`user_version` straight from the file header (bytes 60-63), or None if unreadable."""
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError:
        return None
    if len(header) < 100 or not header.startswith(SQLITE_MAGIC):
        return None
    return int.from_bytes(header[60:64], "big", signed=True)


def check_schema(conn: sqlite3.Connection) -> None:
    """The tables this code reads must be there (a file with our version number but not our
    tables is someone else's database)."""
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if not {"sessions", "segments"} <= names:
        raise Unreadable("its tables are missing")


def move_aside(path: Path, moment: datetime) -> Path:
    """Rename the database and its WAL files out of the way; nothing is deleted."""
    base = f"{path.name}.corrupt-{stamp(moment)}"
    target = path.with_name(base)
    counter = 2
    while target.exists() or any(p.exists() for p in sidecars(target)):
        target = path.with_name(f"{base}-{counter}")
        counter += 1
    try:
        for source, dest in zip([path, *sidecars(path)], [target, *sidecars(target)], strict=True):
            if source.exists():
                source.replace(dest)
    except OSError as error:
        raise HistoryError(
            f"The history database {path} could not be read and could not be moved aside "
            f"({reason(error)})."
        ) from None
    return target
