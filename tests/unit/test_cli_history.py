"""`legdrive-timer history list | export | import` through the real command line entry."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from legdrive_timer.cli import main
from legdrive_timer.core.history_format import CSV_COLUMNS, records_from_json, records_to_json
from legdrive_timer.core.records import (
    CoachMeasures,
    EndReason,
    SegmentRecord,
    SessionRecord,
    SessionStatus,
)
from legdrive_timer.core.timeline import PhaseKind
from legdrive_timer.core.workout import Side
from legdrive_timer.storage.history import HistoryStore
from legdrive_timer.storage.paths import DataPaths

CET = timezone(timedelta(hours=1))


def make(sid: str, day: int, status: SessionStatus, workout: str = "hiit") -> SessionRecord:
    start = datetime(2026, 3, day, 18, 0, tzinfo=CET)
    return SessionRecord(
        session_id=sid,
        workout_id=workout,
        workout_name="HIIT finisher" if workout == "hiit" else "Knee drive primer",
        started_at=start,
        ended_at=start + timedelta(minutes=8),
        status=status,
        planned_ms=480_000,
        segments=tuple(
            SegmentRecord(
                i, PhaseKind.WORK, 0, "sprint", Side.LEFT if i % 2 else None, None, i + 1,
                30_000, 30_000, None, None, EndReason.ELAPSED,
            )
            for i in range(day)
        ),
    )  # fmt: skip


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    with HistoryStore.open(DataPaths.resolve(folder).history_db) as store:
        store.merge(
            [
                make("one", 1, SessionStatus.COMPLETED),
                make("two", 2, SessionStatus.STOPPED, "primer"),
                make("three", 3, SessionStatus.INTERRUPTED),
            ]
        )
    return folder


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_prints_one_line_per_session_newest_first(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "history", "list", "--data-dir", str(data))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert len(lines) == 3
    # The clock time where the session was trained, whatever the time zone reading it.
    assert lines[0].startswith("2026-03-03 18:00  HIIT finisher")
    assert lines[0].split()[-2:] == ["1:30", "interrupted"]
    assert "Knee drive primer" in lines[1] and lines[1].endswith("stopped")
    assert lines[2].endswith("completed")


def test_list_on_an_empty_history(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "history", "list", "--data-dir", str(tmp_path))
    assert code == 0 and out == "No sessions in the history yet.\n"


def test_export_json_to_stdout_reads_back_as_the_same_records(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "history", "export", "--format", "json", "--data-dir", str(data))
    assert (code, err) == (0, "")
    assert json.loads(out)["format"] == "legdrive-timer/history"
    result = records_from_json(out)
    assert [r.session_id for r in result.records] == ["one", "two", "three"]  # oldest first
    assert result.records[2] == make("three", 3, SessionStatus.INTERRUPTED)


def test_export_csv_to_stdout_is_utf8_with_crlf_rows(
    data: Path, capfdbinary: pytest.CaptureFixture[bytes]
) -> None:
    with HistoryStore.open(DataPaths.resolve(data).history_db) as store:
        four = make("four", 4, SessionStatus.COMPLETED)
        store.merge([dataclasses.replace(four, workout_name="Kniehebelauf – Ü")])
    code = main(["history", "export", "--format", "csv", "--data-dir", str(data)])
    out, err = capfdbinary.readouterr()
    assert (code, err) == (0, b"")
    text = out.decode("utf-8")
    assert text.count("\r\n") == 1 + 1 + 2 + 3 + 4 and "\r\r" not in text
    assert "Kniehebelauf – Ü" in text


def test_export_csv_to_a_file_is_one_row_per_segment(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "out" / "history.csv"
    code, out, err = run(
        capsys, "history", "export", "--format", "csv", "-o", str(target), "--data-dir", str(data)
    )
    assert (code, err) == (0, "")
    assert out == f"Exported 3 sessions to {target}.\n"
    raw = target.read_bytes()
    assert b"\r\n" in raw and raw.decode("utf-8")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8"), newline="")))
    assert len(rows) == 1 + 2 + 3
    assert tuple(rows[0]) == CSV_COLUMNS
    assert rows[0]["started_at"] == "2026-03-01T18:00:00+01:00"
    assert [p.name for p in target.parent.iterdir()] == ["history.csv"]  # no temp file left


def test_export_to_a_folder_that_cannot_be_written_is_one_line_and_exit_2(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    code, out, err = run(
        capsys, "history", "export", "-o", str(blocker / "x.json"), "--data-dir", str(data)
    )
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "cannot be written (not a directory); nothing" in err
    assert "nothing was written" in err


def test_import_twice_adds_nothing_the_second_time(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    export = tmp_path / "export.json"
    assert main(["history", "export", "-o", str(export), "--data-dir", str(data)]) == 0
    fresh = tmp_path / "fresh"
    capsys.readouterr()

    code, out, err = run(capsys, "history", "import", str(export), "--data-dir", str(fresh))
    assert (code, out, err) == (0, "Imported 3 sessions (0 already present).\n", "")
    code, out, err = run(capsys, "history", "import", str(export), "--data-dir", str(fresh))
    assert (code, out, err) == (0, "Imported 0 sessions (3 already present).\n", "")
    with HistoryStore.open(DataPaths.resolve(fresh).history_db) as store:
        assert store.count_sessions() == 3
        assert store.session("two") == make("two", 2, SessionStatus.STOPPED, "primer")


def test_import_with_one_bad_session_keeps_the_good_ones_and_names_the_bad_one(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "history", "export", "--data-dir", str(data))
    document = json.loads(out)
    document["sessions"][1]["segments"][0]["kind"] = "nap"
    source = tmp_path / "damaged.json"
    source.write_text(json.dumps(document), encoding="utf-8")
    fresh = tmp_path / "fresh"

    code, out, err = run(capsys, "history", "import", str(source), "--data-dir", str(fresh))
    assert code == 0
    assert out == "Imported 2 sessions (0 already present).\n"
    assert err.count("\n") == 1
    assert err.startswith(f"legdrive-timer: {source}: skipped session 2 (id two): ")
    assert "segments[0].kind must be one of" in err


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"{ nope", "it is not valid JSON (line 1, column 3"),
        (b'{"format": "legdrive-timer/workout", "version": 1}', "is not a history export"),
        (b'{"format": "legdrive-timer/history", "version": 9, "sessions": []}', "version 9"),
        (b"\xff\xfe\x00binary", "is UTF-16 text; save it as UTF-8."),
        (
            b"session_id,workout_id,workout_name\r\nx,hiit,HIIT\r\n",
            "is a CSV export, which is for spreadsheets; import the JSON export instead",
        ),
    ],
)
def test_an_unreadable_import_file_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, expected: str
) -> None:
    source = tmp_path / "bad.json"
    source.write_bytes(content)
    code, out, err = run(capsys, "history", "import", str(source), "--data-dir", str(tmp_path))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "Traceback" not in err
    assert err.startswith(f"legdrive-timer: {source}")
    assert expected in err


def test_importing_a_missing_file_or_a_folder_is_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(
        capsys, "history", "import", str(tmp_path / "nope.json"), "--data-dir", str(tmp_path)
    )
    missing = tmp_path / "nope.json"
    assert code == 2 and err == f"legdrive-timer: {missing}: no such history export.\n"
    code, _, err = run(capsys, "history", "import", str(tmp_path), "--data-dir", str(tmp_path))
    assert code == 2 and "is a folder" in err
    code, _, err = run(capsys, "history", "import", "a\x00b", "--data-dir", str(tmp_path))
    assert code == 2 and "cannot hold a NUL character" in err and err.count("\n") == 1


def test_a_history_from_the_future_is_exit_2_with_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import sqlite3

    db = DataPaths.resolve(tmp_path).history_db
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA user_version = 42")
    conn.close()
    code, out, err = run(capsys, "history", "list", "--data-dir", str(tmp_path))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "newer version of Legdrive Timer" in err


def test_a_damaged_history_is_reported_and_listing_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = DataPaths.resolve(tmp_path).history_db
    db.parent.mkdir(parents=True, exist_ok=True)
    db.write_bytes(b"definitely not sqlite" * 100)
    code, out, err = run(capsys, "history", "list", "--data-dir", str(tmp_path))
    assert code == 0 and out == "No sessions in the history yet.\n"
    assert err.startswith("legdrive-timer: The history database could not be read")
    assert len(list(tmp_path.glob("history.sqlite3.corrupt-*"))) == 1


def test_importing_one_session_says_one_session(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    started = datetime(2026, 11, 24, 18, 30, tzinfo=timezone(timedelta(hours=1)))
    record = SessionRecord(
        session_id="one",
        workout_id="hiit",
        workout_name="HIIT finisher",
        started_at=started,
        ended_at=started + timedelta(minutes=8),
        status=SessionStatus.COMPLETED,
        planned_ms=480_000,
    )
    source = tmp_path / "one.json"
    source.write_text(records_to_json([record]))
    assert main(["history", "import", str(source), "--data-dir", str(tmp_path / "d")]) == 0
    assert capsys.readouterr().out == "Imported 1 session (0 already present).\n"


def test_measures_go_out_and_back_in_through_the_command_line(
    data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    measures = CoachMeasures(15, 12, 88.5, 0.45, 2.5)
    with HistoryStore.open(DataPaths.resolve(data).history_db) as store:
        store.set_coach("two", 1, measures)
    target = tmp_path / "out.json"
    code, _, err = run(capsys, "history", "export", "-o", str(target), "--data-dir", str(data))
    assert (code, err) == (0, "")
    assert json.loads(target.read_text(encoding="utf-8"))["version"] == 2
    other = tmp_path / "other"
    code, out, err = run(capsys, "history", "import", str(target), "--data-dir", str(other))
    assert (code, out, err) == (0, "Imported 3 sessions (0 already present).\n", "")
    with HistoryStore.open(DataPaths.resolve(other).history_db) as store:
        two = store.session("two")
    assert two is not None and [s.coach for s in two.segments] == [None, measures]
    code, out, _ = run(capsys, "history", "export", "--format", "csv", "--data-dir", str(data))
    rows = list(csv.DictReader(io.StringIO(out, newline="")))
    assert [r["coach_reps_counted"] for r in rows if r["session_id"] == "two"] == ["", "15"]
    coached = next(r for r in rows if r["coach_reps_counted"])
    assert (coached["coach_parallel_share"], coached["coach_sway_deg"]) == ("0.8", "2.5")


def test_an_export_of_the_previous_version_still_imports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Written by hand as version 1 apps wrote it (no `coach` in any segment).
    document = {
        "format": "legdrive-timer/history",
        "version": 1,
        "exported_at": "2026-03-03T08:00:00+01:00",
        "sessions": [
            {
                "id": "old", "workout_id": "primer", "workout_name": "Knee drive primer",
                "started_at": "2026-03-02T07:30:00+01:00",
                "ended_at": "2026-03-02T07:31:00+01:00", "status": "completed",
                "planned_s": 60.0, "actual_s": 45.0, "effort": None,
                "segments": [
                    {"phase_index": 0, "kind": "work", "side": "left", "set": 1,
                     "round": None, "exercise_id": "knee-drive", "block_index": 0,
                     "planned_s": 45.0, "actual_s": 45.0, "reps_planned": 15, "reps_done": 15,
                     "end_reason": "elapsed", "stability": 3},
                ],
            }
        ],
    }  # fmt: skip
    source = tmp_path / "v1.json"
    source.write_text(json.dumps(document), encoding="utf-8")
    code, out, err = run(capsys, "history", "import", str(source), "--data-dir", str(tmp_path))
    assert (code, out, err) == (0, "Imported 1 session (0 already present).\n", "")
    code, out, _ = run(capsys, "history", "export", "--data-dir", str(tmp_path))
    exported = json.loads(out)
    assert exported["version"] == 1  # nothing measured: still readable by version 1 apps
    assert exported["sessions"][0]["segments"] == document["sessions"][0]["segments"]


def test_show_prints_every_phase_and_the_coachs_measures_where_present(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with HistoryStore.open(DataPaths.resolve(data).history_db) as store:
        store.set_coach("two", 1, CoachMeasures(15, 12, 88.5, 0.45, 2.5))
    code, out, err = run(capsys, "history", "show", "two", "--data-dir", str(data))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0] == "Knee drive primer, Mon 02 Mar 2026, 18:00 (id two)"
    assert lines[1] == "Stopped, 1:00 of 8:00 planned."
    assert lines[3].split("  ")[0] == "Phase" and lines[3].endswith("Drive : lower  Sway")
    assert lines[4].split() == ["Drive", "Round", "1", "30", "s", "30", "s"]
    assert lines[5].split()[-6:] == ["15", "12", "(80%)", "88°", "0.45", "2.5°"]
    assert lines[5].split()[:2] == ["Drive", "Left"] and len(lines) == 6
    # Without measures: the seven columns of the history view, nothing more.
    code, out, _ = run(capsys, "history", "show", "one", "--data-dir", str(data))
    assert out.splitlines()[3].split() == [
        "Phase", "Side", "Set", "/", "round", "Planned", "Actual", "Reps", "Stability",
    ]  # fmt: skip
    # The list keeps its one line per session, the status last, whatever was measured.
    code, out, _ = run(capsys, "history", "list", "--data-dir", str(data))
    assert [line.split()[-1] for line in out.splitlines()] == [
        "interrupted", "stopped", "completed",
    ]  # fmt: skip


def test_show_takes_a_place_in_the_list_and_says_so_when_there_is_none(
    data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "history", "show", "--data-dir", str(data))
    assert code == 0 and out.startswith("HIIT finisher, Tue 03 Mar 2026, 18:00 (id three)\n")
    code, out, _ = run(capsys, "history", "show", "3", "--data-dir", str(data))
    assert code == 0 and "(id one)" in out.splitlines()[0]
    for missing in ("4", "0", "nope"):
        code, out, err = run(capsys, "history", "show", missing, "--data-dir", str(data))
        assert (code, out) == (2, "")
        assert err.startswith(f"legdrive-timer: There is no session '{missing}' in the history")
        assert err.count("\n") == 1
