"""Importing one long session: time against its number of segments.

For 2,000, 4,000 and 8,000 segments (by default), writes a history export holding one
session with that many segments, then measures `legdrive-timer history import` as the app
does it (`history_io.read_import` through the one reader, then `merge_import` into a fresh
database), median of several runs. Printed beside each: the baseline measured in the same
run (`json.loads` of the same file plus a bare `executemany` of the same rows into a table
without triggers), the ratio to it, and the ratio to the previous size (2.0 when linear,
4.0 when quadratic, as it was before the segments went in ahead of their session row).

    python bench/history_import.py
    python bench/history_import.py --sizes 2000 4000 8000 --runs 5
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

from legdrive_timer.core.history_format import records_to_json
from legdrive_timer.core.records import EndReason, SegmentRecord, SessionRecord, SessionStatus
from legdrive_timer.core.timeline import PhaseKind
from legdrive_timer.core.workout import Side
from legdrive_timer.storage.history import HistoryStore
from legdrive_timer.storage.history_io import merge_import, read_import

START = datetime(2026, 3, 2, 7, 30, tzinfo=timezone(timedelta(hours=1)))


def long_session(segments: int) -> SessionRecord:
    done = tuple(
        SegmentRecord(
            i, PhaseKind.WORK if i % 2 else PhaseKind.REST, 0, "sprint",
            Side.LEFT if i % 4 == 1 else Side.RIGHT if i % 4 == 3 else None,
            None, i // 2 + 1, 1000, 1000, None, None, EndReason.ELAPSED,
        )
        for i in range(segments)
    )  # fmt: skip
    return SessionRecord(
        session_id=f"long-{segments}",
        workout_id="hiit",
        workout_name="HIIT finisher",
        started_at=START,
        ended_at=START + timedelta(seconds=segments + 60),
        status=SessionStatus.COMPLETED,
        planned_ms=segments * 1000,
        segments=done,
    )


def median_s(action: Callable[[Path], None], runs: int, folder: Path) -> float:
    times = []
    for run in range(runs):
        target = folder / f"run-{run}"
        target.mkdir(parents=True)
        started = time.perf_counter()
        action(target)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def app_import(source: Path) -> Callable[[Path], None]:
    def run(folder: Path) -> None:
        result = read_import(source)
        with HistoryStore.open(folder / "history.sqlite3") as store:
            outcome = merge_import(store, result)
        assert outcome.added == 1, outcome

    return run


def baseline(source: Path) -> Callable[[Path], None]:
    def run(folder: Path) -> None:
        document = json.loads(source.read_text(encoding="utf-8"))
        rows = [
            (s["phase_index"], s["kind"], s["actual_s"])
            for s in document["sessions"][0]["segments"]
        ]
        conn = sqlite3.connect(folder / "bare.sqlite3", isolation_level=None)
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE t (i INTEGER PRIMARY KEY, kind TEXT, actual REAL)")
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO t VALUES (?, ?, ?)", rows)
        conn.execute("COMMIT")
        conn.close()

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 4000, 8000])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"{'segments':>9} {'import ms':>10} {'baseline ms':>12} {'x baseline':>11} {'x prev':>7}")
    previous: float | None = None
    with tempfile.TemporaryDirectory(prefix="legdrive-import-bench-") as tmp:
        folder = Path(tmp)
        for size in args.sizes:
            source = folder / f"export-{size}.json"
            source.write_text(records_to_json([long_session(size)]), encoding="utf-8")
            work = folder / f"work-{size}"
            work.mkdir()
            app = median_s(app_import(source), args.runs, work / "app")
            base = median_s(baseline(source), args.runs, work / "base")
            growth = f"{app / previous:7.2f}" if previous else f"{'-':>7}"
            print(
                f"{size:>9} {app * 1000:>10.1f} {base * 1000:>12.1f} {app / base:>11.1f} {growth}"
            )
            previous = app


if __name__ == "__main__":
    main()
