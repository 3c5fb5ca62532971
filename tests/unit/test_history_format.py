"""The history export formats: JSON round trips exactly, CSV has one row per segment."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from legdrive_timer.core import history_format
from legdrive_timer.core.history_format import (
    CSV_COLUMNS,
    FORMAT,
    VERSION,
    HistoryFormatError,
    records_from_json,
    records_to_csv,
    records_to_json,
)
from legdrive_timer.core.records import (
    EndReason,
    SegmentRecord,
    SessionRecord,
    SessionStatus,
    reps_done_limit,
)
from legdrive_timer.core.timeline import PhaseKind
from legdrive_timer.core.workout import Side
from tests.unit.strategies import coach_measures

offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
moments = st.datetimes(
    min_value=datetime(2000, 1, 2), max_value=datetime(2025, 12, 31), timezones=offsets
)
ms = st.integers(min_value=0, max_value=history_format.MAX_MS)
phase_ms = st.integers(min_value=0, max_value=4 * 3_600_000)
small = st.none() | st.integers(min_value=1, max_value=10_000)
text = st.text(min_size=1, max_size=30).filter(lambda s: s.strip() != "")


@st.composite
def segments(draw: st.DrawFn, index: int) -> SegmentRecord:
    return SegmentRecord(
        phase_index=index,
        kind=draw(st.sampled_from(PhaseKind)),
        block_index=draw(st.integers(min_value=0, max_value=10_000)),
        exercise_id=draw(text),
        side=draw(st.none() | st.sampled_from(Side)),
        set_number=draw(small),
        round_number=draw(small),
        planned_ms=draw(ms),
        actual_ms=draw(phase_ms),
        reps_planned=(planned := draw(st.none() | st.integers(min_value=0, max_value=30_000))),
        reps_done=draw(
            st.none() | st.integers(min_value=0, max_value=reps_done_limit(planned) or 100_000)
        ),
        end_reason=draw(st.sampled_from(EndReason)),
        stability=draw(st.none() | st.integers(min_value=1, max_value=5)),
        coach=draw(st.none() | coach_measures()),
    )


@st.composite
def records(draw: st.DrawFn) -> SessionRecord:
    indexes = sorted(draw(st.sets(st.integers(min_value=0, max_value=100_000), max_size=6)))
    done = tuple(draw(segments(i)) for i in indexes)
    started_at = draw(moments)
    # A session lasts at least as long as its phases (pauses only add to it).
    lasted = sum(s.actual_ms for s in done) + draw(st.integers(min_value=0, max_value=10**8))
    return SessionRecord(
        session_id=draw(text),
        workout_id=draw(text),
        workout_name=draw(text),
        started_at=started_at,
        ended_at=draw(st.none() | st.just(started_at + timedelta(milliseconds=lasted))),
        status=draw(st.sampled_from(history_format.EXPORTED_STATUSES)),
        planned_ms=draw(ms),
        segments=done,
        effort=draw(st.none() | st.integers(min_value=0, max_value=10)),
    )


def unique_ids(recs: list[SessionRecord]) -> bool:
    return len({r.session_id for r in recs}) == len(recs)


@settings(max_examples=150, deadline=None)
@given(st.lists(records(), max_size=5).filter(unique_ids))
def test_any_valid_records_round_trip_through_json_exactly(recs: list[SessionRecord]) -> None:
    result = records_from_json(records_to_json(recs))
    assert result.problems == ()
    assert list(result.records) == recs
    for before, after in zip(recs, result.records, strict=True):
        assert after.started_at.utcoffset() == before.started_at.utcoffset()
        assert after.started_at.replace(tzinfo=None) == before.started_at.replace(tzinfo=None)


@settings(max_examples=100, deadline=None)
@given(st.lists(records(), max_size=5))
def test_csv_has_a_header_and_one_row_per_segment_that_parses_back(
    recs: list[SessionRecord],
) -> None:
    out = records_to_csv(recs)
    assert out.endswith("\r\n")
    rows = list(csv.reader(io.StringIO(out, newline="")))
    assert tuple(rows[0]) == CSV_COLUMNS
    body = [dict(zip(CSV_COLUMNS, row, strict=True)) for row in rows[1:]]
    assert len(body) == sum(max(1, len(r.segments)) for r in recs)
    expected = [(r, s) for r in recs for s in (r.segments if r.segments else (None,))]
    for row, (rec, segment) in zip(body, expected, strict=True):
        assert row["session_id"] == as_text(rec.session_id)
        assert row["workout_name"] == as_text(rec.workout_name)
        assert datetime.fromisoformat(row["started_at"]) == rec.started_at
        assert row["status"] == rec.status.value
        assert row["effort"] == ("" if rec.effort is None else str(rec.effort))
        if segment is None:
            assert row["phase_index"] == row["kind"] == ""
            continue
        assert int(row["phase_index"]) == segment.phase_index
        assert row["kind"] == segment.kind.value
        assert row["side"] == ("" if segment.side is None else segment.side.value)
        assert round(float(row["actual_s"]) * 1000) == segment.actual_ms
        assert row["stability"] == ("" if segment.stability is None else str(segment.stability))
        coach = segment.coach
        cells = [row[c] for c in CSV_COLUMNS[-6:]]
        if coach is None:
            assert cells == [""] * 6
        else:
            assert int(cells[0]) == coach.reps_counted and int(cells[1]) == coach.parallel_reps
            assert [None if c == "" else float(c) for c in cells[2:]] == [
                coach.parallel_share,
                coach.median_peak_thigh_deg,
                coach.drive_lower_ratio,
                coach.sway_deg,
            ]


CET = timezone(timedelta(hours=1))


def as_text(value: str) -> str:
    """How a text cell reads back: with a leading quote if a spreadsheet would run it."""
    return "'" + value if value.startswith(("=", "+", "-", "@", "\t", "\r")) else value


@pytest.mark.parametrize("name", ["=HYPERLINK(1)", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_csv_cells_a_spreadsheet_would_run_are_shown_as_text(name: str) -> None:
    rec = dataclasses.replace(sample(), workout_name=name, workout_id=name)
    rows = list(csv.reader(io.StringIO(records_to_csv([rec]), newline="")))
    row = dict(zip(CSV_COLUMNS, rows[1], strict=True))
    assert row["workout_name"] == row["workout_id"] == "'" + name
    # Numbers stay numbers, also the ones a spreadsheet could read as a formula.
    assert row["actual_s"] == "44.321" and row["phase_index"] == "0"


def sample(sid: str = "0123456789abcdef0123") -> SessionRecord:
    return SessionRecord(
        session_id=sid,
        workout_id="full",
        workout_name="Primer + finisher",
        started_at=datetime(2026, 3, 2, 7, 30, tzinfo=CET),
        ended_at=datetime(2026, 3, 2, 7, 42, 0, 500_000, tzinfo=CET),
        status=SessionStatus.COMPLETED,
        planned_ms=720_000,
        segments=(
            SegmentRecord(
                0, PhaseKind.WORK, 0, "knee-drive", Side.RIGHT, 1, None, 45_000, 44_321, 15,
                14, EndReason.DONE, 4,
            ),
        ),
        effort=6,
    )  # fmt: skip


def test_the_json_document_has_the_documented_shape() -> None:
    document = json.loads(
        records_to_json([sample()], exported_at=datetime(2026, 3, 3, 8, 0, tzinfo=CET))
    )
    assert document["format"] == FORMAT == "legdrive-timer/history"
    # Without the coach's measures an export is version 1, which older apps import.
    assert document["version"] == 1 and VERSION == 2
    assert document["exported_at"] == "2026-03-03T08:00:00+01:00"
    (session,) = document["sessions"]
    assert session == {
        "id": "0123456789abcdef0123",
        "workout_id": "full",
        "workout_name": "Primer + finisher",
        "started_at": "2026-03-02T07:30:00+01:00",
        "ended_at": "2026-03-02T07:42:00.500000+01:00",
        "status": "completed",
        "planned_s": 720.0,
        "actual_s": 44.321,
        "effort": 6,
        "segments": [
            {
                "phase_index": 0,
                "kind": "work",
                "side": "right",
                "set": 1,
                "round": None,
                "exercise_id": "knee-drive",
                "block_index": 0,
                "planned_s": 45.0,
                "actual_s": 44.321,
                "reps_planned": 15,
                "reps_done": 14,
                "end_reason": "done",
                "stability": 4,
            }
        ],
    }


def export_with(*sessions: dict[str, Any]) -> str:
    return json.dumps({"format": FORMAT, "version": 1, "sessions": list(sessions)})


def good(sid: str) -> dict[str, Any]:
    return history_format.record_to_dict(sample(sid))


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (
            lambda s: s["segments"][0].update(kind="sprint"),
            "segments[0].kind must be one of prep, work, rest, switch, set_rest, block_rest",
        ),
        (lambda s: s["segments"][0].update(stability=6), "segments[0].stability must be null"),
        (lambda s: s.update(status="running"), "status must be one of completed, stopped"),
        (lambda s: s.update(effort=11), "effort must be null or a whole number from 0 to 10"),
        (lambda s: s.update(started_at="yesterday"), "started_at must be an ISO 8601 date"),
        (
            lambda s: s.update(started_at="2026-03-02T07:30:00"),
            "started_at must be an ISO 8601 date and time with its offset",
        ),
        (lambda s: s.pop("workout_id"), "workout_id is missing"),
        (lambda s: s["segments"][0].update(actual_s=-1), "segments[0].actual_s must be a number"),
        (lambda s: s["segments"][0].update(side="both"), "segments[0].side must be one of"),
        (lambda s: s.update(segments={}), "segments must be a list"),
        (lambda s: s["segments"].append(s["segments"][0]), "must not repeat a phase_index"),
        (lambda s: s["segments"][0].update(set=True), "segments[0].set must be null or a whole"),
    ],
)
def test_a_bad_session_is_skipped_and_named_and_the_good_ones_kept(
    damage: Any, problem: str
) -> None:
    bad = good("badbadbadbadbadbad")
    damage(bad)
    result = records_from_json(export_with(good("first"), bad, good("third")))
    assert [r.session_id for r in result.records] == ["first", "third"]
    (message,) = result.problems
    assert message.startswith("session 2 (id badbadbadbad…): ")
    assert problem in message
    assert message.endswith(".") and message.count(". ") == 0


def test_a_session_that_is_not_an_object_or_repeats_an_id_is_named() -> None:
    result = records_from_json(export_with(good("a"), [], good("a")))  # type: ignore[arg-type]
    assert [r.session_id for r in result.records] == ["a"]
    assert result.problems == (
        "session 2 (no id): the session must be an object.",
        "session 3 (id a): the id appears twice.",
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{not json", "it is not valid JSON (line 1, column 2"),
        ("[]", 'the file is not a history export ("format": "legdrive-timer/history").'),
        ('{"format": "legdrive-timer/workout"}', "the file is not a history export"),
        (
            '{"format": "legdrive-timer/history", "version": 3, "sessions": []}',
            "the history export has version 3; this app reads versions 1 and 2.",
        ),
        (
            '{"format": "legdrive-timer/history", "version": true, "sessions": []}',
            "the history export has version True",
        ),
        ('{"format": "legdrive-timer/history", "version": 1}', "has no list of sessions."),
        ("[" * 100_000, "it nests lists or objects more than 64 levels deep"),
    ],
)
def test_a_file_that_is_not_a_readable_export_raises_one_sentence(text: str, message: str) -> None:
    with pytest.raises(HistoryFormatError) as caught:
        records_from_json(text)
    assert isinstance(caught.value, ValueError)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_seconds_are_read_with_millisecond_precision_and_ints_accepted() -> None:
    data = good("x")
    data["segments"][0]["actual_s"] = 12
    data["planned_s"] = 0.0015
    (rec,) = records_from_json(export_with(data)).records
    assert rec.segments[0].actual_ms == 12_000
    assert rec.planned_ms == 2
