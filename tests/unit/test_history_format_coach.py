"""The camera coach's measures in the history export: version 2, the version 1 files that
still import, and hostile values in a file a person hands the app."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from legdrive_timer.core.history_format import (
    VERSION,
    HistoryFormatError,
    record_to_dict,
    records_from_document,
    records_from_json,
    records_to_json,
)
from legdrive_timer.core.records import CoachMeasures, SessionRecord
from legdrive_timer.storage.history import HistoryStore
from legdrive_timer.storage.history_io import export_text, merge_import, read_import
from tests.unit.strategies import coach_measures
from tests.unit.test_history_format import records, sample, unique_ids

CET = timezone(timedelta(hours=1))
MEASURED = CoachMeasures(14, 11, 86.5, 0.42, 3.25)
DOCS = Path(__file__).parent.parent.parent / "docs"


def measured(sid: str = "0123456789abcdef0123") -> SessionRecord:
    rec = sample(sid)
    return dataclasses.replace(
        rec, segments=tuple(dataclasses.replace(s, coach=MEASURED) for s in rec.segments)
    )


def test_an_export_with_measures_is_version_2_with_the_documented_coach_object() -> None:
    document = json.loads(
        records_to_json([sample("plain"), measured()], exported_at=datetime(2026, 3, 3))
    )
    assert document["version"] == VERSION == 2
    plain, coached = document["sessions"]
    assert plain["segments"][0]["coach"] is None
    assert coached["segments"][0]["coach"] == {
        "reps_counted": 14,
        "parallel_reps": 11,
        "parallel_share": 11 / 14,
        "median_peak_thigh_deg": 86.5,
        "drive_lower_ratio": 0.42,
        "sway_deg": 3.25,
    }
    result = records_from_json(json.dumps(document))
    assert result.problems == ()
    assert list(result.records) == [sample("plain"), measured()]


def test_the_version_1_example_of_the_docs_still_imports() -> None:
    text = (DOCS / "history-format.md").read_text(encoding="utf-8")
    blocks = [b.split("```", 1)[0] for b in text.split("```json\n")[1:]]
    v1 = next(json.loads(b) for b in blocks if json.loads(b).get("version") == 1)
    (rec,) = records_from_document(v1).records
    assert rec.segments[1].stability == 4
    assert all(s.coach is None for s in rec.segments)


def test_a_coach_field_in_a_version_1_file_is_someone_elses_and_ignored() -> None:
    data = record_to_dict(sample("a"), version=1)
    assert "coach" not in data["segments"][0]
    data["segments"][0]["coach"] = {"reps_counted": "lots"}
    result = records_from_document({"format": "legdrive-timer/history", "version": 1,
                                    "sessions": [data]})  # fmt: skip
    assert result.problems == ()
    assert result.records[0].segments[0].coach is None


def test_a_version_2_segment_without_coach_is_not_measured() -> None:
    data = record_to_dict(measured("a"))
    del data["segments"][0]["coach"]
    (rec,) = records_from_document(
        {"format": "legdrive-timer/history", "version": 2, "sessions": [data]}
    ).records
    assert rec.segments[0].coach is None


def test_parallel_share_is_derived_and_not_read_back() -> None:
    data = record_to_dict(measured("a"))
    data["segments"][0]["coach"]["parallel_share"] = 0.01
    (rec,) = records_from_document(
        {"format": "legdrive-timer/history", "version": 2, "sessions": [data]}
    ).records
    assert rec.segments[0].coach == MEASURED


@pytest.mark.parametrize(
    ("coach", "problem"),
    [
        ("yes", "segments[0].coach must be null or an object"),
        ([14, 11], "segments[0].coach must be null or an object"),
        ({"parallel_reps": 1}, "segments[0].coach.reps_counted is missing"),
        ({"reps_counted": 3}, "segments[0].coach.parallel_reps is missing"),
        ({"reps_counted": -1, "parallel_reps": 0}, "segments[0].coach.reps_counted must be a"),
        ({"reps_counted": 10**30, "parallel_reps": 0}, "coach.reps_counted must be a whole"),
        ({"reps_counted": 3.0, "parallel_reps": 0}, "coach.reps_counted must be a whole"),
        ({"reps_counted": True, "parallel_reps": 0}, "coach.reps_counted must be a whole"),
        ({"reps_counted": "3", "parallel_reps": 0}, "coach.reps_counted must be a whole"),
        ({"reps_counted": 3, "parallel_reps": 4}, "coach.parallel_reps must be a whole number"),
        ({"reps_counted": 3, "parallel_reps": None}, "coach.parallel_reps must be a whole"),
        (
            {"reps_counted": 3, "parallel_reps": 1, "median_peak_thigh_deg": float("nan")},
            "coach.median_peak_thigh_deg must be null or a number from 0 to 180",
        ),
        (
            {"reps_counted": 3, "parallel_reps": 1, "median_peak_thigh_deg": float("inf")},
            "coach.median_peak_thigh_deg must be null or a number from 0 to 180",
        ),
        (
            {"reps_counted": 3, "parallel_reps": 1, "median_peak_thigh_deg": -4},
            "coach.median_peak_thigh_deg must be null or a number from 0 to 180",
        ),
        (
            {"reps_counted": 3, "parallel_reps": 1, "drive_lower_ratio": 1e308},
            "coach.drive_lower_ratio must be null or a number from 0 to 10000",
        ),
        (
            {"reps_counted": 3, "parallel_reps": 1, "drive_lower_ratio": "0.5"},
            "coach.drive_lower_ratio must be null or a number",
        ),
        (
            {"reps_counted": 3, "parallel_reps": 1, "sway_deg": [3]},
            "coach.sway_deg must be null or a number from 0 to 360",
        ),
        (
            {"reps_counted": 3, "parallel_reps": 1, "sway_deg": False},
            "coach.sway_deg must be null or a number from 0 to 360",
        ),
    ],
)
def test_hostile_measures_skip_their_session_with_one_sentence_and_keep_the_others(
    coach: Any, problem: str
) -> None:
    bad = record_to_dict(measured("badbadbadbadbadbad"))
    bad["segments"][0]["coach"] = coach
    document = {
        "format": "legdrive-timer/history",
        "version": 2,
        "sessions": [record_to_dict(measured("first")), bad, record_to_dict(sample("third"))],
    }
    result = records_from_document(document)
    assert [r.session_id for r in result.records] == ["first", "third"]
    (message,) = result.problems
    assert message.startswith("session 2 (id badbadbadbad…): ")
    assert problem in message
    assert message.endswith(".") and "\n" not in message


def test_nan_in_the_file_itself_refuses_the_file_with_one_sentence() -> None:
    text = records_to_json([measured()]).replace('"sway_deg": 3.25', '"sway_deg": NaN')
    assert "NaN" in text
    with pytest.raises(HistoryFormatError) as caught:
        records_from_json(text)
    assert "\n" not in str(caught.value)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=25), inner),
    max_leaves=8,
)
coach_like = st.fixed_dictionaries(
    {},
    optional={
        "reps_counted": json_values,
        "parallel_reps": json_values,
        "median_peak_thigh_deg": json_values,
        "drive_lower_ratio": json_values,
        "sway_deg": json_values,
    },
)


@settings(max_examples=300, deadline=None)
@given(json_values | coach_like)
def test_any_value_as_coach_imports_valid_measures_or_skips_that_session_alone(
    coach: Any,
) -> None:
    bad = record_to_dict(measured("x"))
    bad["segments"][0]["coach"] = coach
    document = {"format": "legdrive-timer/history", "version": 2, "sessions": [bad]}
    result = records_from_document(document)
    if result.records:
        found = result.records[0].segments[0].coach
        assert found is None or isinstance(found, CoachMeasures)
    else:
        (message,) = result.problems
        assert "segments[0].coach" in message and "\n" not in message


@settings(max_examples=25, deadline=None)
@given(st.lists(records(), min_size=1, max_size=3).filter(unique_ids), st.data())
def test_measures_round_trip_through_the_database_and_the_export(
    tmp_path_factory: pytest.TempPathFactory, recs: list[SessionRecord], data: st.DataObject
) -> None:
    recs = [
        dataclasses.replace(
            r,
            segments=tuple(
                dataclasses.replace(s, coach=data.draw(st.none() | coach_measures()))
                for s in r.segments
            ),
        )
        for r in recs
    ]
    folder = tmp_path_factory.mktemp("rt")
    with HistoryStore.open(folder / "a.sqlite3") as first:
        first.merge(recs)
        text, count = export_text(first, "json")
    assert count == len(recs)
    (folder / "export.json").write_text(text, encoding="utf-8")
    result = read_import(folder / "export.json")
    assert result.problems == ()
    with HistoryStore.open(folder / "b.sqlite3") as second:
        assert merge_import(second, result).added == len(recs)
        by_id = {r.session_id: r for r in second.records()}
    for rec in recs:
        assert [s.coach for s in by_id[rec.session_id].segments] == [s.coach for s in rec.segments]
