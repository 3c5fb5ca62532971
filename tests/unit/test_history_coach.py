"""The camera coach's measures in the history: the value, the database (schema 2 and the
migration from schema 1) and the journal."""

from __future__ import annotations

import dataclasses
import shutil
import sqlite3
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from legdrive_timer.cli import main
from legdrive_timer.core import stats
from legdrive_timer.core.builtins import builtin_workout
from legdrive_timer.core.records import CoachMeasures, SessionRecord, SessionStatus
from legdrive_timer.core.timeline import PhaseKind
from legdrive_timer.core.workout import Side
from legdrive_timer.storage import history_file
from legdrive_timer.storage.history import HistoryError, HistoryStore
from legdrive_timer.storage.history_rows import INSERT_SESSION, segment_row, session_row
from legdrive_timer.storage.journal import SessionJournal
from legdrive_timer.storage.migrations import CURRENT_VERSION, MIGRATIONS, migrate
from legdrive_timer.storage.paths import DataPaths
from tests.helpers import Harness
from tests.unit.test_history_format import records, unique_ids
from tests.unit.test_history_store import record, seg
from tests.unit.test_journal import FillingDisk

FIXTURES = Path(__file__).parent.parent / "fixtures"
CET = timezone(timedelta(hours=1))
MOMENT = datetime(2026, 11, 30, 1, 40, 5)
MEASURED = CoachMeasures(
    reps_counted=14,
    parallel_reps=11,
    median_peak_thigh_deg=86.5,
    drive_lower_ratio=0.42,
    sway_deg=3.25,
)


# -- the value ----------------------------------------------------------------------------------


def test_the_widest_figures_a_pose_model_can_give_are_kept() -> None:
    # A trunk lost for a whole set, a descent seen within one frame: kept as measured.
    wild = CoachMeasures(3, 3, 180.0, 600.0, 359.0)
    assert (wild.median_peak_thigh_deg, wild.drive_lower_ratio, wild.sway_deg) == (
        180.0,
        600.0,
        359.0,
    )


def test_parallel_share_is_the_counted_reps_that_reached_parallel() -> None:
    assert MEASURED.parallel_share == pytest.approx(11 / 14)
    assert CoachMeasures(0, 0, None, None, None).parallel_share is None


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ((-1, 0, None, None, None), "reps_counted"),
        ((True, 0, None, None, None), "reps_counted"),
        ((1.0, 0, None, None, None), "reps_counted"),
        ((100_001, 0, None, None, None), "reps_counted"),
        ((3, 4, None, None, None), "parallel_reps"),
        ((3, -1, None, None, None), "parallel_reps"),
        ((3, "2", None, None, None), "parallel_reps"),
        ((3, 1, float("nan"), None, None), "median_peak_thigh_deg"),
        ((3, 1, -0.5, None, None), "median_peak_thigh_deg"),
        ((3, 1, 181.0, None, None), "median_peak_thigh_deg"),
        ((3, 1, "90", None, None), "median_peak_thigh_deg"),
        ((3, 1, None, float("inf"), None), "drive_lower_ratio"),
        ((3, 1, None, 1e9, None), "drive_lower_ratio"),
        ((3, 1, None, None, False), "sway_deg"),
        ((3, 1, None, None, -2.0), "sway_deg"),
        ((3, 1, None, None, 360.5), "sway_deg"),
    ],
)
def test_measures_that_cannot_be_real_are_refused_naming_the_field(
    values: tuple[Any, ...], field: str
) -> None:
    with pytest.raises(ValueError, match=rf"^{field} must be"):
        CoachMeasures(*values)


# -- the database -------------------------------------------------------------------------------


def test_measures_are_stored_per_phase_and_read_back(store: HistoryStore) -> None:
    start = datetime(2026, 3, 2, 7, 30, tzinfo=CET)
    store.merge([record("a", start)])
    store.set_coach("a", 1, MEASURED)
    found = store.session("a")
    assert found is not None
    assert [s.coach for s in found.segments] == [None, MEASURED, None]
    assert [s.coach for s in next(iter(store.records())).segments] == [None, MEASURED, None]
    store.set_coach("a", 1, None)
    found = store.session("a")
    assert found is not None and found.segments[1].coach is None


def test_measures_with_unmeasured_figures_round_trip(store: HistoryStore) -> None:
    store.merge([record("a", datetime(2026, 3, 2, 7, 30, tzinfo=CET))])
    bare = CoachMeasures(reps_counted=0, parallel_reps=0, median_peak_thigh_deg=None,
                         drive_lower_ratio=None, sway_deg=None)  # fmt: skip
    store.set_coach("a", 0, bare)
    found = store.session("a")
    assert found is not None and found.segments[0].coach == bare


def test_writing_a_phase_again_without_measures_keeps_them(store: HistoryStore) -> None:
    start = datetime(2026, 3, 2, 7, 30, tzinfo=CET)
    store.begin_session("a", "primer", "Primer", start, 370_000)
    store.add_segment("a", seg(0))
    store.set_coach("a", 0, MEASURED)
    store.add_segment("a", seg(0, actual_ms=40_000))  # the engine's record of it again
    final = record("a", start, segments=2)
    store.finish_session(final)
    found = store.session("a")
    assert found is not None
    assert found.segments[0].coach == MEASURED
    assert found.segments[1].coach is None
    # A phase written with its own measures replaces them as a whole.
    other = CoachMeasures(5, 0, 40.0, None, None)
    store.add_segment("a", seg(0, coach=other))
    found = store.session("a")
    assert found is not None and found.segments[0].coach == other


def test_delete_restore_and_merge_keep_the_measures(store: HistoryStore) -> None:
    start = datetime(2026, 3, 2, 7, 30, tzinfo=CET)
    measured = dataclasses.replace(record("a", start), segments=(seg(0), seg(1, coach=MEASURED)))
    assert store.merge([measured]) == 1
    assert store.session("a") == measured
    removed = store.delete_session("a")
    assert removed == measured
    store.restore_session(measured)
    assert store.session("a") == measured


def test_measures_for_a_phase_not_in_the_history_fail_with_one_sentence(
    store: HistoryStore,
) -> None:
    store.merge([record("a", datetime(2026, 3, 2, 7, 30, tzinfo=CET))])
    with pytest.raises(HistoryError, match=r"^Phase 10 of that session is not in the history\.$"):
        store.set_coach("a", 9, MEASURED)
    with pytest.raises(ValueError, match="CoachMeasures or None"):
        store.set_coach("a", 0, {"reps_counted": 3})  # type: ignore[arg-type]


def test_measures_changed_by_hand_into_nonsense_leave_out_the_measures_only(
    store: HistoryStore, tmp_path: Path
) -> None:
    store.merge([record("a", datetime(2026, 3, 2, 7, 30, tzinfo=CET))])
    store.set_coach("a", 1, MEASURED)
    conn = sqlite3.connect(tmp_path / "history.sqlite3")
    conn.execute("UPDATE segments SET coach_sway_deg = -40 WHERE phase_index = 1")
    conn.commit()
    conn.close()
    found = store.session("a")
    assert found is not None
    assert len(found.segments) == 3 and found.segments[1].coach is None
    assert found.segments[1].reps_done == 15


# -- migration from schema 1 --------------------------------------------------------------------


def rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_a_v1_database_is_copied_then_migrated_and_nothing_is_lost(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    shutil.copyfile(FIXTURES / "history-v1.sqlite3", db)
    before_sessions = rows(db, "SELECT * FROM sessions ORDER BY id")
    before_segments = rows(db, "SELECT * FROM segments ORDER BY session_id, phase_index")

    with HistoryStore.open(db, now=lambda: MOMENT) as store:
        assert store.notice is None
        a1 = store.session("a1")
        assert a1 is not None and all(s.coach is None for s in a1.segments)
        store.set_coach("a1", 3, MEASURED)
        a1 = store.session("a1")
        assert a1 is not None and a1.segments[3].coach == MEASURED

    copy = tmp_path / "history.sqlite3.schema-v1-20261130T014005"
    assert rows(copy, "PRAGMA user_version") == [(1,)]
    assert rows(copy, "SELECT * FROM sessions ORDER BY id") == before_sessions
    assert rows(copy, "SELECT * FROM segments ORDER BY session_id, phase_index") == (
        before_segments
    )
    assert rows(db, "PRAGMA user_version") == [(CURRENT_VERSION,)] == [(2,)]
    # Every v1 value is still there, followed by the (empty) measures of schema 2.
    migrated = rows(db, "SELECT * FROM segments ORDER BY session_id, phase_index")
    width = len(before_segments[0])
    assert [r[:width] for r in migrated if r[:2] != ("a1", 3)] == [
        r for r in before_segments if r[:2] != ("a1", 3)
    ]
    # Opening it again migrates nothing and copies nothing.
    with HistoryStore.open(db, now=lambda: MOMENT + timedelta(hours=1)):
        pass
    assert sorted(p.name for p in tmp_path.glob("*.schema-v*")) == [copy.name]


def test_a_copy_that_cannot_be_written_leaves_the_v1_database_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "history.sqlite3"
    shutil.copyfile(FIXTURES / "history-v1.sqlite3", db)
    original = history_file.sqlite3.connect

    def connect(target: Any, *args: Any, **kwargs: Any) -> sqlite3.Connection:
        if ".schema-v1-" in str(target):
            raise sqlite3.OperationalError("unable to open database file")
        return original(target, *args, **kwargs)

    monkeypatch.setattr(history_file.sqlite3, "connect", connect)
    with pytest.raises(HistoryError) as caught:
        HistoryStore.open(db, now=lambda: MOMENT)
    message = str(caught.value)
    assert message.startswith(f"The history database {db} needs an upgrade")
    assert message.endswith("it was left as it was.") and "\n" not in message
    monkeypatch.undo()
    assert rows(db, "PRAGMA user_version") == [(1,)]
    assert not list(tmp_path.glob("*.schema-v*"))
    with HistoryStore.open(db, now=lambda: MOMENT) as store:  # the next start goes ahead
        assert [s.session_id for s in store.sessions()] == ["c3", "b2", "a1"]


def test_the_v2_fixture_database_opens_with_its_measures(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    shutil.copyfile(FIXTURES / "history-v2.sqlite3", db)
    with HistoryStore.open(db) as store:
        assert store.notice is None
        assert not list(tmp_path.glob("*.schema-v*"))
        a1 = store.session("a1")
        assert a1 is not None
        assert [s.coach for s in a1.segments] == [
            None,
            CoachMeasures(15, 12, 88.5, 0.45, 2.5),
            None,
            CoachMeasures(12, 6, 74.0, None, 4.75),
        ]


# -- the journal --------------------------------------------------------------------------------


def _primer(
    store: HistoryStore, *, into_first_set: bool = False
) -> tuple[Harness, SessionJournal, int]:
    """A primer session journaled into `store`, started (and run until its first set is
    under way); and the index of that first work phase."""
    h = Harness(builtin_workout("primer"))
    journal = SessionJournal(store)
    journal.attach(h.engine)
    h.engine.start()
    first = next(p for p in h.engine.timeline.phases if p.kind is PhaseKind.WORK)
    while into_first_set and h.engine.phase is not None and h.engine.phase.index < first.index:
        h.advance(500)
    return h, journal, first.index


def _to_first_work_end(h: Harness) -> int:
    first_work = next(p for p in h.engine.timeline.phases if p.kind is PhaseKind.WORK)
    while h.engine.phase is not None and h.engine.phase.index <= first_work.index:
        if h.engine.phase.self_paced:
            h.engine.done()
        h.advance(500)
    return first_work.index


def _run_to_end(h: Harness) -> None:
    while h.engine.is_active:
        phase = h.engine.phase
        if phase is not None and phase.self_paced:
            h.engine.done()
        h.advance(500)


def test_measures_given_after_the_phase_are_kept_with_the_final_record(
    store: HistoryStore,
) -> None:
    h, journal, _ = _primer(store)
    index = _to_first_work_end(h)
    journal.set_coach("s1", index, MEASURED)
    _run_to_end(h)
    found = store.session("s1")
    assert found is not None and found.status is SessionStatus.COMPLETED
    assert [s.phase_index for s in found.segments if s.coach is not None] == [index]
    assert found.segments[index].coach == MEASURED
    assert journal.problem is None


def test_measures_given_just_before_the_phase_ends_are_written_with_it(
    store: HistoryStore,
) -> None:
    h, journal, index = _primer(store, into_first_set=True)
    journal.set_coach("s1", index, MEASURED)  # the phase is still running
    _to_first_work_end(h)
    mid = store.session("s1")
    assert mid is not None and mid.segments[index].coach == MEASURED
    _run_to_end(h)
    found = store.session("s1")
    assert found is not None and found.segments[index].coach == MEASURED
    assert journal.problem is None


def test_measures_of_the_wrong_type_fail_at_once_and_queue_nothing(store: HistoryStore) -> None:
    journal = SessionJournal(store)
    with pytest.raises(ValueError):
        journal.set_coach("s1", 0, (3, 2, None, None, None))  # type: ignore[arg-type]
    assert journal.pending == 0


# -- the measured sets for the stats ------------------------------------------------------------


@settings(max_examples=30, deadline=None)
@given(st.lists(records(), max_size=4).filter(unique_ids))
def test_the_stores_measured_sets_are_those_of_the_records(
    tmp_path_factory: pytest.TempPathFactory, recs: list[SessionRecord]
) -> None:
    with HistoryStore.open(tmp_path_factory.mktemp("sets") / "h.sqlite3") as opened:
        opened.merge(recs)
        found = opened.coach_sets()
        assert opened.has_coach_measures() == any(
            s.coach is not None for r in recs for s in r.segments
        )
    ordered = sorted(recs, key=lambda r: (r.started_at.timestamp(), r.session_id))
    assert found == [s for r in ordered for s in stats.coach_sets(r)]


def test_measured_sets_since_a_date_are_those_trained_from_that_date(
    store: HistoryStore,
) -> None:
    def on(day: int) -> SessionRecord:
        start = datetime(2026, 3, day, 7, 30, tzinfo=CET)
        return dataclasses.replace(record(f"d{day}", start), segments=(seg(1, coach=MEASURED),))

    store.merge([on(2), on(9), on(16)])
    assert [s.session_id for s in store.coach_sets()] == ["d2", "d9", "d16"]
    assert [s.session_id for s in store.coach_sets(since=date(2026, 3, 9))] == ["d9", "d16"]
    (first, *_) = store.coach_sets()
    assert (first.side, first.set_number, first.measures) == (Side.RIGHT, 1, MEASURED)


def test_measures_of_a_session_kept_aside_on_a_full_disk_reach_the_history_later(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "history.sqlite3"
    store = HistoryStore.open(db)
    disk = FillingDisk(store._conn)
    monkeypatch.setattr(store, "_conn", disk)
    h, journal, index = _primer(store)
    disk.full = True  # nothing from here on is saved
    _to_first_work_end(h)
    journal.set_coach("s1", index, MEASURED)
    _run_to_end(h)
    said = journal.close(wait_s=0)
    assert said is not None and "kept in" in said
    monkeypatch.undo()
    store.close()
    with HistoryStore.open(db) as reopened:
        assert reopened.recovered == ("s1",)
        found = reopened.session("s1")
    assert found is not None and found.status is SessionStatus.COMPLETED
    assert found.segments[index].coach == MEASURED


def test_measures_of_the_phase_a_session_is_stopped_in_are_kept_with_it(
    store: HistoryStore,
) -> None:
    h, journal, index = _primer(store, into_first_set=True)
    h.advance(3000)  # three seconds into the set
    journal.set_coach("s1", index, MEASURED)  # the set is measured, then the session stopped
    h.engine.stop()
    found = store.session("s1")
    assert found is not None and found.status is SessionStatus.STOPPED
    assert [s.coach for s in found.segments if s.phase_index == index] == [MEASURED]
    assert journal._early_coach == {}


V1_SEGMENT_COLUMNS = (
    "session_id, phase_index, kind, block_index, exercise_id, side, set_number, round_number, "
    "planned_ms, actual_ms, reps_planned, reps_done, end_reason, stability"
)


@settings(max_examples=20, deadline=None)
@given(st.lists(records(), max_size=4).filter(unique_ids))
def test_any_history_schema_1_held_comes_through_the_migration_whole(
    tmp_path_factory: pytest.TempPathFactory, recs: list[SessionRecord]
) -> None:
    """Sessions written by schema 1's own SQL (its migration, its columns) read back the
    same after schema 2's migration."""
    recs = [
        dataclasses.replace(
            r, segments=tuple(dataclasses.replace(s, coach=None) for s in r.segments)
        )
        for r in recs
    ]
    db = tmp_path_factory.mktemp("v1") / "history.sqlite3"
    conn = sqlite3.connect(db, isolation_level=None)
    migrate(conn, MIGRATIONS[:1])
    conn.execute("BEGIN")
    for rec in recs:  # the session row first: v1's triggers keep its totals as segments come
        conn.execute(INSERT_SESSION.format(verb=""), session_row(rec))
        conn.executemany(
            f"INSERT INTO segments ({V1_SEGMENT_COLUMNS}) VALUES ({', '.join('?' * 14)})",
            [segment_row(rec.session_id, s)[:14] for s in rec.segments],
        )
    conn.execute("COMMIT")
    conn.close()
    with HistoryStore.open(db, now=lambda: MOMENT) as store:
        found = list(store.records())
        totals = list(store.session_totals())
    ordered = sorted(recs, key=lambda r: (r.started_at.timestamp(), r.session_id))
    assert found == ordered
    assert totals == [stats.session_totals(r) for r in ordered]
    assert len(list(db.parent.glob("history.sqlite3.schema-v1-*"))) == 1


def test_the_copy_kept_before_the_migration_is_never_replaced_by_an_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = DataPaths.resolve(tmp_path)
    shutil.copyfile(FIXTURES / "history-v1.sqlite3", paths.history_db)
    HistoryStore.open(paths.history_db).close()
    (copy,) = tmp_path.glob("history.sqlite3.schema-v1-*")
    before = copy.read_bytes()
    code = main(["history", "export", "-o", str(copy), "--force", "--data-dir", str(tmp_path)])
    _, err = capsys.readouterr()
    assert code == 2 and "one of Legdrive Timer's own files" in err and err.count("\n") == 1
    assert copy.read_bytes() == before
