"""The history database: round trips, queries, editing, crash recovery and concurrency."""

from __future__ import annotations

import dataclasses
import random
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from legdrive_timer.core import stats
from legdrive_timer.core.records import EndReason, SegmentRecord, SessionRecord, SessionStatus
from legdrive_timer.core.timeline import PhaseKind
from legdrive_timer.core.workout import Side
from legdrive_timer.storage import history_queries
from legdrive_timer.storage.history import HistoryError, HistoryStore

FIXTURES = Path(__file__).parent.parent / "fixtures"
CET = timezone(timedelta(hours=1))
IST = timezone(timedelta(hours=5, minutes=30))


def seg(index: int, **changes: object) -> SegmentRecord:
    base = SegmentRecord(
        phase_index=index,
        kind=PhaseKind.WORK,
        block_index=0,
        exercise_id="knee-drive",
        side=Side.RIGHT if index % 2 else Side.LEFT,
        set_number=1,
        round_number=None,
        planned_ms=45_000,
        actual_ms=44_500 + index,
        reps_planned=15,
        reps_done=15,
        end_reason=EndReason.ELAPSED,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def record(
    sid: str,
    started_at: datetime,
    *,
    workout_id: str = "primer",
    status: SessionStatus = SessionStatus.COMPLETED,
    segments: int = 3,
    effort: int | None = None,
) -> SessionRecord:
    return SessionRecord(
        session_id=sid,
        workout_id=workout_id,
        workout_name=f"{workout_id.title()} workout",
        started_at=started_at,
        ended_at=started_at + timedelta(minutes=6, microseconds=123),
        status=status,
        planned_ms=370_000,
        segments=tuple(seg(i) for i in range(segments)),
        effort=effort,
    )


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "history.sqlite3"


@pytest.fixture
def store(db: Path) -> HistoryStore:
    opened = HistoryStore.open(db)
    yield opened  # type: ignore[misc]
    opened.close()


def record_through_store(store: HistoryStore, rec: SessionRecord) -> None:
    store.begin_session(
        rec.session_id, rec.workout_id, rec.workout_name, rec.started_at, rec.planned_ms
    )
    for segment in rec.segments:
        store.add_segment(rec.session_id, segment)
    store.finish_session(rec)


# -- round trips --------------------------------------------------------------------------------


def test_a_journaled_session_reads_back_exactly_with_its_offset(store: HistoryStore) -> None:
    rec = record("s1", datetime(2026, 3, 2, 7, 30, 5, 250_000, tzinfo=IST), effort=7)
    record_through_store(store, rec)

    back = store.session("s1")
    assert back == rec
    assert back is not None
    assert back.started_at.utcoffset() == timedelta(hours=5, minutes=30)
    assert back.ended_at is not None and back.ended_at.utcoffset() == IST.utcoffset(None)
    (summary,) = store.sessions()
    assert summary.session_id == "s1"
    assert summary.status is SessionStatus.COMPLETED
    assert summary.actual_ms == rec.actual_ms
    assert summary.segment_count == 3
    assert summary.effort == 7
    assert list(store.records()) == [rec]


def test_the_database_is_in_wal_mode_and_at_the_current_schema(
    store: HistoryStore, db: Path
) -> None:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 2
    finally:
        conn.close()


def test_a_naive_start_time_is_stored_as_local_time_with_an_offset(store: HistoryStore) -> None:
    store.begin_session("n", "hiit", "HIIT", datetime(2026, 5, 1, 12, 0), 1000)
    back = store.session("n")
    assert back is not None and back.started_at.utcoffset() is not None
    assert back.status is SessionStatus.RUNNING


def test_add_segment_replaces_the_same_phase(store: HistoryStore) -> None:
    store.begin_session("s", "primer", "Primer", datetime(2026, 1, 1, tzinfo=CET), 90_000)
    store.add_segment("s", seg(0, actual_ms=1000, end_reason=EndReason.SKIPPED))
    store.add_segment("s", seg(0, actual_ms=45_000))
    store.add_segment("s", seg(1))
    back = store.session("s")
    assert back is not None
    assert [s.actual_ms for s in back.segments] == [45_000, seg(1).actual_ms]
    assert back.segments[0].end_reason is EndReason.ELAPSED


def test_ratings_given_during_the_session_survive_its_end(store: HistoryStore) -> None:
    rec = record("s", datetime(2026, 1, 1, 8, tzinfo=CET), segments=2)
    store.begin_session("s", rec.workout_id, rec.workout_name, rec.started_at, rec.planned_ms)
    store.add_segment("s", rec.segments[0])
    store.set_stability("s", 0, 2)
    store.set_reps_done("s", 0, 11)
    store.add_segment("s", rec.segments[1])
    store.finish_session(rec)  # the engine's record knows nothing of the ratings
    store.set_effort("s", 8)

    back = store.session("s")
    assert back is not None
    assert back.segments[0].stability == 2
    assert back.segments[0].reps_done == 11
    assert back.segments[1].stability is None and back.segments[1].reps_done == 15
    assert back.effort == 8
    store.set_stability("s", 0, None)
    store.set_effort("s", None)
    back = store.session("s")
    assert back is not None and back.segments[0].stability is None and back.effort is None


def test_finish_session_drops_phases_the_engine_went_back_over(store: HistoryStore) -> None:
    rec = record("s", datetime(2026, 1, 1, 8, tzinfo=CET), segments=2)
    store.begin_session("s", rec.workout_id, rec.workout_name, rec.started_at, rec.planned_ms)
    for i in range(3):
        store.add_segment("s", seg(i))
    store.finish_session(rec)
    back = store.session("s")
    assert back is not None and [s.phase_index for s in back.segments] == [0, 1]


@pytest.mark.parametrize(
    ("call", "args"),
    [
        ("set_stability", ("s", 0, 0)),
        ("set_stability", ("s", 0, 6)),
        ("set_reps_done", ("s", 0, -1)),
        ("set_effort", ("s", 11)),
        ("set_effort", ("s", -1)),
    ],
)
def test_ratings_out_of_range_are_refused(
    store: HistoryStore, call: str, args: tuple[object, ...]
) -> None:
    record_through_store(store, record("s", datetime(2026, 1, 1, tzinfo=CET)))
    with pytest.raises(ValueError):
        getattr(store, call)(*args)


def test_rating_something_that_is_not_there_says_so(store: HistoryStore) -> None:
    with pytest.raises(HistoryError, match=r"not in the history\.$"):
        store.set_stability("nope", 0, 3)
    with pytest.raises(HistoryError, match=r"not in the history\.$"):
        store.set_effort("nope", 3)


# -- queries ------------------------------------------------------------------------------------


def _several(store: HistoryStore) -> None:
    # Local dates: 1 March in Kolkata is still 28 February in UTC; ordering is by instant.
    for rec in [
        record("early", datetime(2026, 3, 1, 2, 0, tzinfo=IST), workout_id="primer"),
        record("mid", datetime(2026, 3, 2, 18, 0, tzinfo=CET), workout_id="hiit"),
        record("late", datetime(2026, 3, 3, 6, 0, tzinfo=CET), workout_id="primer"),
        record("later", datetime(2026, 3, 3, 7, 0, tzinfo=CET), workout_id="full"),
    ]:
        store.merge([rec])


def test_sessions_are_newest_first_and_filter_by_workout_and_local_dates(
    store: HistoryStore,
) -> None:
    _several(store)
    ids = [s.session_id for s in store.sessions()]
    assert ids == ["later", "late", "mid", "early"]
    assert [s.session_id for s in store.sessions(workout_id="primer")] == ["late", "early"]
    assert [
        s.session_id for s in store.sessions(since=date(2026, 3, 1), until=date(2026, 3, 1))
    ] == ["early"]
    assert [s.session_id for s in store.sessions(since=date(2026, 3, 2))] == [
        "later",
        "late",
        "mid",
    ]
    assert [s.session_id for s in store.sessions(until=date(2026, 3, 2))] == ["mid", "early"]
    assert [s.session_id for s in store.sessions(limit=2, offset=1)] == ["late", "mid"]
    assert store.count_sessions() == 4
    assert store.count_sessions(workout_id="primer", since=date(2026, 3, 2)) == 1
    assert store.count_sessions(workout_id="nothing") == 0


def test_workout_ids_lists_each_workout_once_with_its_latest_name(store: HistoryStore) -> None:
    _several(store)
    store.merge(
        [
            dataclasses.replace(
                record("renamed", datetime(2026, 4, 1, tzinfo=CET)), workout_name="Primer v2"
            )
        ]
    )
    assert store.workout_ids() == [
        ("full", "Full workout"),
        ("hiit", "Hiit workout"),
        ("primer", "Primer v2"),
    ]


def test_records_streams_everything_oldest_first_in_chunks(
    store: HistoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(history_queries, "READ_CHUNK", 3)
    start = datetime(2026, 1, 1, 8, tzinfo=CET)
    recs = [record(f"r{i:02d}", start + timedelta(days=i), segments=i % 4) for i in range(10)]
    # Two sessions at the same instant: the id breaks the tie, none is lost at a chunk edge.
    recs.append(record("r02b", recs[2].started_at))
    store.merge(reversed(recs))
    expected = sorted(recs, key=lambda r: (r.started_at, r.session_id))
    assert list(store.records()) == expected
    assert list(store.records(since=date(2026, 1, 9))) == expected[-2:]


# -- editing ------------------------------------------------------------------------------------


def test_delete_then_restore_gives_the_session_back_exactly(store: HistoryStore) -> None:
    rec = record("s", datetime(2026, 1, 1, tzinfo=CET), effort=4)
    record_through_store(store, rec)
    store.set_stability("s", 1, 3)
    before = store.session("s")

    deleted = store.delete_session("s")
    assert deleted == before
    assert store.session("s") is None
    assert store.count_sessions() == 0
    assert store.delete_session("s") is None

    assert deleted is not None
    store.restore_session(deleted)
    assert store.session("s") == before


def test_merge_adds_new_ids_only_and_leaves_existing_sessions_alone(store: HistoryStore) -> None:
    original = record("s", datetime(2026, 1, 1, tzinfo=CET), effort=3)
    store.merge([original])
    changed = dataclasses.replace(original, effort=9, segments=())
    other = record("t", datetime(2026, 1, 2, tzinfo=CET))
    assert store.merge([changed, other]) == 1
    assert store.merge([changed, other]) == 0
    assert store.session("s") == original
    assert store.session("t") == other


# -- crashes and two windows --------------------------------------------------------------------


def test_a_session_left_running_by_a_dead_process_becomes_interrupted(db: Path) -> None:
    start = datetime(2026, 2, 1, 7, 0, tzinfo=CET)
    clock = Clock(start)
    first = HistoryStore.open(db, now=clock)
    first.begin_session("crashed", "primer", "Primer", start, 370_000)
    for i in range(2):
        clock.now = start + timedelta(seconds=45 * (i + 1))
        first.add_segment("crashed", seg(i))
    # Closing without finishing is what a crash leaves behind (the lock dies with the process).
    first.close()

    second = HistoryStore.open(db)
    try:
        assert second.interrupted == ("crashed",)
        back = second.session("crashed")
        assert back is not None
        assert back.status is SessionStatus.INTERRUPTED
        assert [s.phase_index for s in back.segments] == [0, 1]
        assert back.ended_at == start + timedelta(seconds=90)
    finally:
        second.close()
    third = HistoryStore.open(db)
    assert third.interrupted == ()
    third.close()


def test_a_session_another_window_is_recording_is_not_marked_interrupted(db: Path) -> None:
    recording = HistoryStore.open(db)
    recording.begin_session("live", "hiit", "HIIT", datetime(2026, 2, 1, tzinfo=CET), 1000)
    other = HistoryStore.open(db)
    try:
        assert other.interrupted == ()
        summary = other.sessions()[0]
        assert summary.status is SessionStatus.RUNNING
        # The recording window goes on and finishes normally.
        recording.add_segment("live", seg(0))
        recording.finish_session(
            dataclasses.replace(record("live", datetime(2026, 2, 1, tzinfo=CET)), segments=())
        )
        assert other.sessions()[0].status is SessionStatus.COMPLETED
    finally:
        other.close()
        recording.close()


def test_two_stores_writing_in_turn_keep_every_session(db: Path) -> None:
    a = HistoryStore.open(db)
    b = HistoryStore.open(db)
    try:
        start = datetime(2026, 1, 1, tzinfo=CET)
        for i in range(20):
            for name, store in (("a", a), ("b", b)):
                rec = record(f"{name}{i}", start + timedelta(minutes=i))
                store.begin_session(
                    rec.session_id, rec.workout_id, rec.workout_name, rec.started_at, 1
                )
                store.add_segment(rec.session_id, rec.segments[0])
        for i in range(20):
            a.finish_session(record(f"a{i}", start + timedelta(minutes=i)))
            b.finish_session(record(f"b{i}", start + timedelta(minutes=i)))
        assert a.count_sessions() == b.count_sessions() == 40
        assert all(s.status is SessionStatus.COMPLETED for s in b.sessions())
    finally:
        a.close()
        b.close()


WRITER = textwrap.dedent(
    """
    import sys
    from datetime import datetime, timedelta, timezone
    from pathlib import Path
    from legdrive_timer.core.records import EndReason, SegmentRecord, SessionRecord
    from legdrive_timer.core.records import SessionStatus
    from legdrive_timer.core.timeline import PhaseKind
    from legdrive_timer.storage.history import HistoryStore

    db, name, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    store = HistoryStore.open(db)
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    print("ready", flush=True)
    sys.stdin.readline()
    for i in range(count):
        sid = f"{name}-{i}"
        store.begin_session(sid, "hiit", "HIIT", start + timedelta(seconds=i), 60000)
        segments = tuple(
            SegmentRecord(p, PhaseKind.WORK, 0, "sprint", None, None, p + 1, 30000, 30000,
                          None, None, EndReason.ELAPSED)
            for p in range(5)
        )
        for segment in segments:
            store.add_segment(sid, segment)
        store.finish_session(SessionRecord(sid, "hiit", "HIIT", start + timedelta(seconds=i),
                                           start + timedelta(seconds=i + 60),
                                           SessionStatus.COMPLETED, 60000, segments))
    store.close()
    print("done", flush=True)
    """
)


def test_two_processes_writing_at_once_keep_every_session(db: Path) -> None:
    HistoryStore.open(db).close()
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db), name, "40"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("left", "right")
    ]
    try:
        for proc in procs:
            assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        for proc in procs:  # release both at once so that their writes interleave
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        for proc in procs:
            out, err = proc.communicate(timeout=120)
            assert proc.returncode == 0, err
            assert out.strip() == "done"
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
            proc.communicate()  # reaps it and closes its pipes
    with HistoryStore.open(db) as store:
        assert store.count_sessions() == 80
        assert all(len(r.segments) == 5 for r in store.records())
        assert {s.status for s in store.sessions()} == {SessionStatus.COMPLETED}
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        conn.close()


# -- the released schema ------------------------------------------------------------------------


def test_the_v1_fixture_database_opens_with_its_known_sessions(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    shutil.copyfile(FIXTURES / "history-v1.sqlite3", db)
    with HistoryStore.open(db) as store:
        assert store.notice is None
        assert store.interrupted == ("c3",)  # it was running when v1 last wrote it
        assert [s.session_id for s in store.sessions()] == ["c3", "b2", "a1"]
        a1 = store.session("a1")
        assert a1 is not None
        assert a1.started_at == datetime(2026, 3, 2, 7, 30, tzinfo=CET)
        assert a1.started_at.utcoffset() == timedelta(hours=1)
        assert a1.status is SessionStatus.COMPLETED
        assert a1.effort == 6
        assert [(s.kind, s.side, s.stability) for s in a1.segments] == [
            (PhaseKind.PREP, None, None),
            (PhaseKind.WORK, Side.RIGHT, 4),
            (PhaseKind.SWITCH, Side.LEFT, None),
            (PhaseKind.WORK, Side.LEFT, 2),
        ]
        assert a1.segments[3].reps_done == 12
        assert a1.segments[3].end_reason is EndReason.DONE
        b2 = store.session("b2")
        assert b2 is not None and b2.status is SessionStatus.STOPPED
        assert b2.started_at.utcoffset() == timedelta(hours=-5)
        assert b2.actual_ms == 80_250
        c3 = store.session("c3")
        assert c3 is not None and c3.status is SessionStatus.INTERRUPTED
        assert c3.ended_at == datetime(2026, 3, 6, 7, 1, 5, tzinfo=CET)
        assert store.sessions(workout_id="primer", since=date(2026, 3, 3))[0].session_id == "c3"
        # Still writable after opening an old file.
        store.set_effort("b2", 9)
        assert store.workout_ids() == [("hiit", "HIIT finisher"), ("primer", "Knee drive primer")]
        # The per-session totals were kept by v1's own triggers.
        a1_totals = next(t for t in store.session_totals() if t.session_id == "a1")
        assert a1_totals == stats.session_totals(a1)
        assert (a1_totals.reps_left, a1_totals.reps_right) == (12, 15)
        assert (a1_totals.stability_left_sum, a1_totals.rated_right) == (2, 1)


def test_a_full_disk_fails_the_write_with_one_sentence_and_keeps_what_was_saved(
    store: HistoryStore,
) -> None:
    record_through_store(store, record("kept", datetime(2026, 1, 1, tzinfo=CET)))
    conn = store._conn
    # SQLite's own cap on the file size fails a write exactly as a full disk does.
    conn.execute(f"PRAGMA max_page_count = {conn.execute('PRAGMA page_count').fetchone()[0]}")
    with pytest.raises(HistoryError) as caught:
        for i in range(1000):
            store.merge([record(f"fill{i}", datetime(2026, 1, 2, tzinfo=CET), segments=20)])
    assert str(caught.value) == "The history could not be saved (the disk is full)."
    assert store.session("kept") == record("kept", datetime(2026, 1, 1, tzinfo=CET))


def test_session_totals_from_sql_match_the_stats_of_each_record(
    store: HistoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(history_queries, "READ_CHUNK", 7)
    rng = random.Random(3)
    start = datetime(2026, 1, 1, 8, tzinfo=CET)
    recs = []
    for n in range(40):
        segments = tuple(
            seg(
                i,
                kind=rng.choice(list(PhaseKind)),
                side=rng.choice([None, Side.LEFT, Side.RIGHT]),
                actual_ms=rng.choice([0, 1, 30_000]),
                reps_done=rng.choice([None, 0, 7, 15]),
                stability=rng.choice([None, 1, 3, 5]),
            )
            for i in range(rng.randrange(0, 8))
        )
        recs.append(
            dataclasses.replace(
                record(f"t{n:02d}", start + timedelta(hours=n * 7)),
                segments=segments,
                status=rng.choice(list(SessionStatus)),
            )
        )
    store.merge(recs)
    expected = [stats.session_totals(r) for r in store.records()]
    assert list(store.session_totals()) == expected
    assert len(expected) == 40
    since = date(2026, 1, 6)
    assert list(store.session_totals(since=since)) == [
        stats.session_totals(r) for r in store.records(since=since)
    ]

    # Every way of changing segments keeps the totals right.
    for rec in recs[:10]:
        for segment in rec.segments:
            store.set_stability(rec.session_id, segment.phase_index, rng.choice([None, 2, 4]))
            store.set_reps_done(rec.session_id, segment.phase_index, rng.randrange(20))
    store.finish_session(dataclasses.replace(recs[11], segments=recs[11].segments[:1]))
    deleted = store.delete_session(recs[12].session_id)
    store.begin_session("fresh", "w", "W", start, 1)
    store.add_segment("fresh", seg(0, side=Side.LEFT, stability=2))
    store.add_segment("fresh", seg(0, side=Side.LEFT, stability=None, reps_done=3))
    expected = [stats.session_totals(r) for r in store.records()]
    assert list(store.session_totals()) == expected
    assert deleted is not None
    store.restore_session(deleted)
    assert list(store.session_totals()) == [stats.session_totals(r) for r in store.records()]
    fresh = next(t for t in store.session_totals() if t.session_id == "fresh")
    assert (fresh.reps_left, fresh.stability_left_sum, fresh.rated_left) == (3, 2, 1)
