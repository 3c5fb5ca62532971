"""History database at scale: opening the view's data, stats, recording, size on disk.

Builds history databases of realistic sessions (the `full` workout, 24 segments each, with
stability ratings and the odd stopped or interrupted session) and measures, as the median
of several runs, each against a baseline measured in the same run (a fresh connection and a
plain `SELECT count(*) FROM sessions`):

- open: `HistoryStore.open` + the count, the first page of `sessions()` and `workout_ids()`,
  which is everything the history view reads before it shows (target: < 150 ms at 10,000);
- filtered page: the first page filtered by workout and a date range;
- stats (when `core/stats.py` exists): `compute_stats` over every record from `records()`,
  and `compute_stats` over the per-session sums SQLite computes (`session_totals()`);
- the camera coach's weeks (half the sessions have measured rep sets): `coach_sets()` of the
  last 12 weeks and `coach_weeks` over them, as the stats page reads them, and of all time;
- record: one whole session recorded through the SessionJournal (one commit per phase,
  `synchronous=FULL`, so this is mostly fsync time);
- the size of the database on disk.

    python bench/history.py                        # 10,000 and 100,000 sessions
    python bench/history.py --sizes 10000 --runs 9
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import importlib.util
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # the fake clock and scheduler of the tests

from legdrive_timer.core.builtins import builtin_workout  # noqa: E402
from legdrive_timer.core.engine import SessionEngine  # noqa: E402
from legdrive_timer.core.timeline import PhaseKind, Timeline, compile_workout  # noqa: E402
from legdrive_timer.storage.history import HistoryStore  # noqa: E402
from legdrive_timer.storage.journal import SessionJournal  # noqa: E402
from legdrive_timer.storage.migrations import (  # noqa: E402
    COACH_COLUMNS,
    TOTALS_COLUMNS,
    TOTALS_SELECT,
)
from tests.helpers.fakes import FakeClock, FakeScheduler  # noqa: E402

PAGE = 100
OFFSET = timezone(timedelta(hours=1))
LATEST = datetime(2026, 11, 24, 18, 0, tzinfo=OFFSET)


def full_timeline() -> Timeline:
    workout = builtin_workout("full")
    assert workout is not None
    return compile_workout(workout)


def build(path: Path, sessions: int, seed: int = 1) -> None:
    """Write `sessions` sessions straight into the schema, in bulk (setup, not measured)."""
    HistoryStore.open(path).close()
    rng = random.Random(seed)
    timeline = full_timeline()
    workouts = [("full", "Primer + finisher"), ("primer", "Knee drive primer"), ("hiit", "HIIT")]
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("BEGIN")
    session_rows: list[tuple[Any, ...]] = []
    segment_rows: list[tuple[Any, ...]] = []
    for n in range(sessions):
        coach_on = rng.random() < 0.5
        # Newest last; about two sessions a day, at varied times.
        started = LATEST - timedelta(hours=12 * (sessions - n), minutes=rng.randrange(0, 240))
        status = rng.choices(["completed", "stopped", "interrupted"], [90, 7, 3])[0]
        workout_id, name = workouts[n % 3]
        sid = f"{n:08x}{rng.getrandbits(96):024x}"
        ended = started + timedelta(milliseconds=timeline.total_ms)
        session_rows.append(
            (
                sid,
                workout_id,
                name,
                started.isoformat(),
                round(started.timestamp() * 1000),
                started.date().isoformat(),
                ended.isoformat(),
                ended.isoformat(),
                status,
                timeline.total_ms,
                rng.choice([None, rng.randrange(0, 11)]),
            )
        )
        for phase in timeline.phases:
            rated = phase.kind is PhaseKind.WORK and phase.side is not None
            segment_rows.append(
                (
                    sid,
                    phase.index,
                    phase.kind.value,
                    phase.block_index,
                    phase.exercise_id,
                    None if phase.side is None else phase.side.value,
                    phase.set_number,
                    phase.round_number,
                    phase.planned_ms,
                    phase.planned_ms + rng.randrange(-500, 500) if phase.self_paced else
                    phase.planned_ms,
                    phase.reps_planned,
                    None if phase.reps_planned is None else phase.reps_planned - rng.randrange(3),
                    0,
                    "done" if phase.self_paced else "elapsed",
                    rng.randrange(1, 6) if rated and rng.random() < 0.7 else None,
                    *(coach_values(rng) if rated and coach_on else (None,) * 5),
                )
            )  # fmt: skip
        if len(segment_rows) > 50_000:
            _flush(conn, session_rows, segment_rows)
    _flush(conn, session_rows, segment_rows)
    conn.execute(
        f"UPDATE sessions SET ({TOTALS_COLUMNS}) = ({TOTALS_SELECT.format(session='sessions.id')})"
    )
    conn.execute("COMMIT")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("ANALYZE")
    conn.close()


def coach_values(rng: random.Random) -> tuple[Any, ...]:
    """What the camera coach measured in one rep set (COACH_COLUMNS)."""
    counted = rng.randrange(10, 16)
    return (
        counted,
        rng.randrange(0, counted + 1),
        rng.uniform(60, 100),
        rng.choice([None, rng.uniform(0.3, 1.2)]),
        rng.uniform(1, 8),
    )


def _flush(conn: sqlite3.Connection, sessions: list[Any], segments: list[Any]) -> None:
    # Segments before their sessions: the triggers that keep each session's totals then find
    # no session to update, and the totals are computed once per session at the end.
    columns = (
        "session_id, phase_index, kind, block_index, exercise_id, side, set_number, "
        "round_number, planned_ms, actual_ms, reps_planned, reps_done, reps_by_user, "
        f"end_reason, stability, {', '.join(COACH_COLUMNS)}"
    )
    conn.executemany(
        f"INSERT INTO segments ({columns}) VALUES ({', '.join('?' * (15 + len(COACH_COLUMNS)))})",
        segments,
    )
    conn.executemany(
        "INSERT INTO sessions (id, workout_id, workout_name, started_at, started_utc_ms, "
        "started_date, ended_at, updated_at, status, planned_ms, effort) "
        f"VALUES ({', '.join('?' * 11)})",
        sessions,
    )
    sessions.clear()
    segments.clear()


def timed(fn: Callable[[], object], runs: int) -> float:
    """Median seconds of `runs` calls (after one warm-up call)."""
    fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def baseline(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("SELECT count(*) FROM sessions").fetchone()
    conn.close()


def open_view(path: Path) -> None:
    with HistoryStore.open(path) as store:
        store.count_sessions()
        store.sessions(limit=PAGE)
        store.workout_ids()


def filtered_page(store: HistoryStore) -> None:
    store.count_sessions(workout_id="hiit", since=date(2024, 1, 1), until=date(2025, 12, 31))
    store.sessions(workout_id="hiit", since=date(2024, 1, 1), until=date(2025, 12, 31), limit=PAGE)


def record_one(store: HistoryStore) -> None:
    clock = FakeClock()
    scheduler = FakeScheduler(clock)
    engine = SessionEngine(full_timeline(), clock, scheduler)
    journal = SessionJournal(store)
    detach = journal.attach(engine)
    engine.start()
    while engine.is_active:
        phase = engine.phase
        if phase is not None and phase.self_paced:
            engine.done()
        scheduler.advance(1000)
    detach()
    assert journal.problem is None
    assert engine.session_id is not None
    store.delete_session(engine.session_id)  # keep the size fixed across runs


def stats_functions() -> dict[str, Callable[[HistoryStore], object]]:
    if importlib.util.find_spec("legdrive_timer.core.stats") is None:
        return {}
    from legdrive_timer.core import stats

    def from_records(store: HistoryStore) -> object:
        return stats.compute_stats(store.records(), LATEST.date())

    def from_totals(store: HistoryStore) -> object:
        return stats.compute_stats(store.session_totals(), LATEST.date())

    def coach_last_weeks(store: HistoryStore) -> object:
        today = LATEST.date()
        return stats.coach_weeks(store.coach_sets(since=stats.first_week(today)), today)

    def coach_all_time(store: HistoryStore) -> object:
        return stats.coach_weeks(store.coach_sets(), LATEST.date())

    return {
        "stats from every record (records())": from_records,
        "stats from SQL totals (session_totals())": from_totals,
        "coach weeks, last 12 weeks (coach_sets())": coach_last_weeks,
        "coach sets of all time + weeks": coach_all_time,
    }


def size_mib(path: Path) -> float:
    files = [path, path.with_name(path.name + "-wal")]
    return sum(p.stat().st_size for p in files if p.exists()) / 2**20


def measure(folder: Path, sessions: int, runs: int) -> list[tuple[str, float | None]]:
    path = folder / f"history-{sessions}.sqlite3"
    started = time.perf_counter()
    build(path, sessions)
    print(f"  built {sessions:,} sessions in {time.perf_counter() - started:.1f} s", flush=True)
    rows: list[tuple[str, float | None]] = []
    rows.append(("baseline: connect + SELECT count(*)", timed(lambda: baseline(path), runs)))
    rows.append(
        ("open store + count + first page + workouts", timed(lambda: open_view(path), runs))
    )
    with HistoryStore.open(path) as store:
        rows.append(
            ("filtered first page (workout + dates)", timed(lambda: filtered_page(store), runs))
        )
        functions = stats_functions()
        for label, function in functions.items():
            rows.append((label, timed(functools.partial(function, store), max(1, runs // 3))))
        if not functions:
            rows.append(("stats (no core/stats.py)", None))
        rows.append(
            ("record one session (24 phases, journal)", timed(lambda: record_one(store), runs))
        )
    rows.append(("size on disk (MiB)", size_mib(path)))
    return rows


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--dir", type=Path, default=None, help="where to build the databases")
    args = parser.parse_args(argv)
    folder = args.dir or Path(tempfile.mkdtemp(prefix="legdrive-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"SQLite {sqlite3.sqlite_version}, Python {sys.version.split()[0]}, runs={args.runs}")
    try:
        for sessions in args.sizes:
            print(f"\n{sessions:,} sessions")
            rows = measure(folder, sessions, args.runs)
            base = rows[0][1]
            print(f"  {'measure':<46} {'median':>12} {'x baseline':>11}")
            for label, value in rows:
                if value is None:
                    print(f"  {label:<46} {'-':>12} {'-':>11}")
                elif label.startswith("size"):
                    print(f"  {label:<46} {value:>12.1f} {'':>11}")
                else:
                    ratio = value / base if base else float("nan")
                    print(f"  {label:<46} {value * 1000:>9.2f} ms {ratio:>10.1f}x")
    finally:
        if args.dir is None:
            with contextlib.suppress(OSError):
                shutil.rmtree(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
