"""`legdrive-timer history list | export | import`: the history on the command line.

Every failure is a UserError with one sentence; the command line prints it and exits 2.
The export and import themselves are `storage.history_io`, shared with the window.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from legdrive_timer.core.formatting import format_duration
from legdrive_timer.core.text import clip, printable
from legdrive_timer.storage.history import HistoryStore, SessionSummary
from legdrive_timer.storage.history_io import export_text, export_to_file, merge_import, read_import
from legdrive_timer.storage.paths import DataPaths
from legdrive_timer.storage.reader import describe

PROG = "legdrive-timer"


def _open(paths: DataPaths, err: TextIO) -> HistoryStore:
    store = HistoryStore.open(paths.history_db)
    if store.notice:
        print(f"{PROG}: {printable(store.notice)}", file=err)
    return store


def format_summary(summary: SessionSummary) -> str:
    """One line: date and time (as the history view shows them: the clock time where the
    person trained), workout, time trained, status; no control character of the workout's
    name reaches the terminal."""
    name = clip(printable(summary.workout_name), 28)
    return (
        f"{summary.started_at:%Y-%m-%d %H:%M}  {name:<28.28}  "
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
    *,
    force: bool = False,
) -> int:
    err = sys.stderr if err is None else err
    with _open(paths, err) as store:
        if output is None or output == "-":
            text, _ = export_text(store, fmt)
            _write_utf8(out, text)
            return 0
        target, count = export_to_file(store, paths.own_files(), fmt, Path(output), replace=force)
    noun = "session" if count == 1 else "sessions"
    print(f"Exported {count} {noun} to {printable(str(target))}.", file=out)
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
    result = read_import(Path(file))
    with _open(paths, err) as store:
        outcome = merge_import(store, result)
    for problem in outcome.problems:
        print(f"{PROG}: {describe(Path(file))}: skipped {problem}", file=err)
    print(outcome.sentence(), file=out)
    return 0
