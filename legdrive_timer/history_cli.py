"""`legdrive-timer history list | show | export | import`: the history on the command line.

Every failure is a UserError with one sentence; the command line prints it and exits 2.
The export and import themselves are `storage.history_io`, shared with the window.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from legdrive_timer.core.formatting import (
    COACH_COLUMNS,
    SEGMENT_COLUMNS,
    coach_cells,
    format_duration,
    format_effort,
    format_started,
    segment_cells,
    status_name,
)
from legdrive_timer.core.records import SessionRecord
from legdrive_timer.core.text import clip, printable, shown
from legdrive_timer.errors import UserError
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


LEFT_ALIGNED = 3
"""The phase table's first columns (phase, side, set) are text; the others are figures."""


def show_session(paths: DataPaths, session: str, out: TextIO, err: TextIO | None = None) -> int:
    """Every phase of one session, as the history view shows it: the camera coach's
    measures of each set in five more columns when it watched the session."""
    err = sys.stderr if err is None else err
    with _open(paths, err) as store:
        record = _find(store, session)
    print(format_record(record), file=out, end="")
    return 0


def _find(store: HistoryStore, session: str) -> SessionRecord:
    record = store.session(session)
    if record is None and session.isdigit() and int(session) >= 1:
        # A place in `history list`, newest first.
        found = store.sessions(limit=1, offset=int(session) - 1)
        record = store.session(found[0].session_id) if found else None
    if record is None:
        raise UserError(
            f"There is no session {shown(session)} in the history; give an id, or a place "
            "in `legdrive-timer history list` (1 is the newest)."
        )
    return record


def format_record(record: SessionRecord) -> str:
    """The session's heading and its phase table, one line per phase, columns aligned."""
    coached = any(s.coach is not None for s in record.segments)
    headings = SEGMENT_COLUMNS + COACH_COLUMNS if coached else SEGMENT_COLUMNS
    rows = [
        segment_cells(s) + coach_cells(s.coach) if coached else segment_cells(s)
        for s in record.segments
    ]
    widths = [max(len(row[c]) for row in (headings, *rows)) for c in range(len(headings))]

    def line(cells: tuple[str, ...]) -> str:
        text = "  ".join(
            cell.ljust(width) if column < LEFT_ALIGNED else cell.rjust(width)
            for column, (cell, width) in enumerate(zip(cells, widths, strict=True))
        )
        return text.rstrip()

    effort = format_effort(record.effort)
    lines = [
        f"{printable(record.workout_name)}, {format_started(record.started_at)} "
        f"(id {printable(record.session_id)})",
        f"{status_name(record.status)}, {format_duration(record.actual_ms)} of "
        f"{format_duration(record.planned_ms)} planned"
        + (f", effort {effort}." if effort else "."),
        "",
        line(headings),
        *(line(row) for row in rows),
    ]
    return "\n".join(lines) + "\n"


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
