"""`legdrive-timer history list | export | import`: the history on the command line.

Every failure is a HistoryError with one sentence; the command line prints it and exits 2.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from legdrive_timer.core.formatting import format_duration
from legdrive_timer.core.history_format import (
    HistoryFormatError,
    records_from_json,
    records_to_csv,
    records_to_json,
)
from legdrive_timer.storage.atomic import write_text_atomic
from legdrive_timer.storage.history import HistoryError, HistoryStore, SessionSummary
from legdrive_timer.storage.paths import DataPaths

PROG = "legdrive-timer"
FORMATS = ("json", "csv")


def _open(paths: DataPaths, err: TextIO) -> HistoryStore:
    store = HistoryStore.open(paths.history_db)
    if store.notice:
        print(f"{PROG}: {store.notice}", file=err)
    return store


def format_summary(summary: SessionSummary) -> str:
    """One line: date and time (as the history view shows them: the clock time where the
    person trained), workout, time trained, status."""
    return (
        f"{summary.started_at:%Y-%m-%d %H:%M}  {summary.workout_name:<28.28}  "
        f"{format_duration(summary.actual_ms):>8}  {summary.status.value}"
    )


def list_sessions(paths: DataPaths, out: TextIO, err: TextIO | None = None) -> int:
    err = sys.stderr if err is None else err
    with _open(paths, err) as store:
        summaries = store.sessions()
    if not summaries:
        print("No sessions in the history yet.", file=out)
        return 0
    for summary in summaries:
        print(format_summary(summary), file=out)
    return 0


def export_history(
    paths: DataPaths,
    fmt: str,
    output: str | None,
    out: TextIO,
    err: TextIO | None = None,
) -> int:
    err = sys.stderr if err is None else err
    if fmt not in FORMATS:
        raise HistoryError(f"Unknown export format {fmt!r}; choose json or csv.")
    with _open(paths, err) as store:
        records = list(store.records())
    text = records_to_json(records) if fmt == "json" else records_to_csv(records)
    if output is None or output == "-":
        _write_utf8(out, text)
        return 0
    target = Path(output)
    try:
        # Always UTF-8: the CSV must open the same in every spreadsheet and locale.
        write_text_atomic(target, text)
    except OSError as error:
        raise HistoryError(
            f"Cannot write {target} ({error.strerror or error}); nothing was written."
        ) from None
    count = len(records)
    print(f"Exported {count} session{'s' if count != 1 else ''} to {target}.", file=out)
    return 0


def _write_utf8(out: TextIO, text: str) -> None:
    """The export's bytes as they are, whatever the terminal's encoding: UTF-8, and the CSV's
    `\r\n` line ends untranslated."""
    buffer = getattr(out, "buffer", None)
    if buffer is None:
        out.write(text)
        return
    out.flush()
    buffer.write(text.encode("utf-8"))
    buffer.flush()


def import_history(paths: DataPaths, file: str, out: TextIO, err: TextIO | None = None) -> int:
    err = sys.stderr if err is None else err
    source = Path(file)
    try:
        text = source.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise HistoryError(f"{source}: no such file.") from None
    except IsADirectoryError:
        raise HistoryError(f"{source} is a folder, not a history export.") from None
    except UnicodeDecodeError:
        raise HistoryError(f"{source}: the file is not UTF-8 text.") from None
    except OSError as error:
        raise HistoryError(f"{source}: cannot read the file ({error.strerror}).") from None
    try:
        result = records_from_json(text)
    except HistoryFormatError as error:
        raise HistoryError(f"{source}: {error}") from None
    for problem in result.problems:
        print(f"{PROG}: {source}: skipped {problem}", file=err)
    with _open(paths, err) as store:
        added = store.merge(result.records)
    present = len(result.records) - added
    noun = "session" if added == 1 else "sessions"
    print(f"Imported {added} {noun} ({present} already present).", file=out)
    return 0
