"""History export and import, the same for the command line and the window.

Export writes through the one writer (`atomic.write_new_file`): never onto the app's own
files, an existing file only when the user said so, never half a file. Import reads through
the one reader (`reader.read_json`), size-capped, and merges in bounded transactions.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from legdrive_timer.core.history_format import (
    CSV_COLUMNS,
    HistoryFormatError,
    ImportResult,
    records_from_document,
    records_to_csv,
    records_to_json,
)
from legdrive_timer.core.records import SessionRecord
from legdrive_timer.errors import UserError
from legdrive_timer.storage.atomic import write_new_file
from legdrive_timer.storage.history import HistoryError, HistoryStore
from legdrive_timer.storage.reader import (
    HISTORY_IMPORT_LIMIT,
    UserFileError,
    describe,
    read_json,
)

FORMATS = ("json", "csv")


@dataclass(frozen=True)
class ImportOutcome:
    added: int
    present: int
    problems: tuple[str, ...]
    """One sentence per session that was skipped ("session 2 (id x): ... .")."""

    def sentence(self) -> str:
        noun = "session" if self.added == 1 else "sessions"
        return f"Imported {self.added} {noun} ({self.present} already present)."


def own_files_of(store: HistoryStore) -> tuple[Path, ...]:
    """The database and the files beside it (what an export must never replace) when the
    app's full list of files is not at hand."""
    db = store.path
    return (db, *(db.with_name(db.name + s) for s in ("-wal", "-shm", "-journal", ".running")))


def export_text(store: HistoryStore, fmt: str) -> tuple[str, int]:
    """The whole history in `fmt` (json or csv) and the number of sessions in it."""
    if fmt not in FORMATS:
        raise HistoryError(f"Unknown export format; choose {' or '.join(FORMATS)}.")
    records = list(store.records())
    text = records_to_json(records) if fmt == "json" else records_to_csv(records)
    return text, len(records)


def export_to_file(
    store: HistoryStore, protected: Iterable[Path], fmt: str, target: Path, *, replace: bool
) -> tuple[Path, int]:
    """Write the export to `target`; returns where it went and how many sessions.

    Every failure is one sentence: WriteRefused (the app's own file, an existing file without
    `replace`, a folder) or HistoryError (the disk's own failures; nothing was written)."""
    text, count = export_text(store, fmt)
    try:
        written = write_new_file(target, text.encode("utf-8"), protected=protected, replace=replace)
    except OSError as error:
        raise HistoryError(
            f"{describe(target)} cannot be written ({_reason(error)}); nothing was written."
        ) from None
    return written, count


def read_import(source: Path) -> ImportResult:
    """The sessions of the history export `source`, read before the history is touched.

    A file that cannot be used at all raises UserFileError (one sentence naming it); a session
    that does not validate is left out and named in the result's `problems`."""
    try:
        document = read_json(source, what="history export", limit=HISTORY_IMPORT_LIMIT)
    except UserFileError:
        if _is_csv_export(source):
            raise UserFileError(
                f"{describe(source)} is a CSV export, which is for spreadsheets; import the "
                "JSON export instead (history export --format json)."
            ) from None
        raise
    try:
        result = records_from_document(document)
    except HistoryFormatError as error:
        raise UserFileError(f"{describe(source)}: {error}") from None
    return result


class ImportStopped(UserError):
    """The import was asked to stop (the window closed) before every session was merged."""


def merge_import(
    store: HistoryStore, result: ImportResult, *, stopped: Callable[[], bool] | None = None
) -> ImportOutcome:
    """Merge the sessions of `result`. With `stopped`, asked between sessions: when it says
    so, the sessions merged so far stay (each chunk is its own transaction) and ImportStopped
    says how to get the rest (importing again adds only what is missing)."""
    records: Iterable[SessionRecord] = result.records
    if stopped is not None:
        records = _until(stopped, result.records)
    before = store.count_sessions()
    try:
        added = store.merge(records)
    except HistoryError as error:
        # The chunks merged before the failure stay: say so, and how to add the rest.
        merged = _count_or_none(store)
        if not merged or merged <= before:
            raise
        done = merged - before
        noun = "session" if done == 1 else "sessions"
        why = str(error).rstrip(".")
        raise HistoryError(
            f"Imported {done} {noun}, then {why[:1].lower()}{why[1:]}; import the file "
            "again to add the rest.",
            transient=error.transient,
        ) from None
    return ImportOutcome(added, len(result.records) - added, result.problems)


def _count_or_none(store: HistoryStore) -> int | None:
    try:
        return store.count_sessions()
    except HistoryError:
        return None


def _until(
    stopped: Callable[[], bool], records: Iterable[SessionRecord]
) -> Iterator[SessionRecord]:
    for record in records:
        if stopped():
            raise ImportStopped(
                "The import stopped before its end; import the file again to add the rest."
            )
        yield record


def _is_csv_export(source: Path) -> bool:
    """Whether `source` starts like this app's CSV export (its header row)."""
    header = ",".join(CSV_COLUMNS[:2]).encode()
    try:
        # Never waiting: whatever read_json refused may be a named pipe.
        fd = os.open(source, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except (OSError, ValueError):  # ValueError: a NUL in the name, which read_json refused
        return False
    try:
        return stat.S_ISREG(os.fstat(fd).st_mode) and os.read(fd, len(header)) == header
    except OSError:
        return False
    finally:
        os.close(fd)


def _reason(error: OSError) -> str:
    if error.strerror:
        return error.strerror[0].lower() + error.strerror[1:]
    return type(error).__name__
