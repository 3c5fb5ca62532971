"""The one reader and the one writer against hostile files, through the real command line.

Each case ends in exit 0 or one sentence on stderr with exit 2, promptly, with no other
file changed: FIFOs, devices, links to them, deep nesting, huge numbers, lone surrogates,
byte order marks, duplicate keys, and exports aimed at the app's own files.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from legdrive_timer.cli import main
from legdrive_timer.core import strict_json
from legdrive_timer.core.history_format import FORMAT as HISTORY_FORMAT
from legdrive_timer.core.text import printable, sentence, shown
from legdrive_timer.storage.atomic import WriteRefused, write_new_file
from legdrive_timer.storage.history import HistoryStore
from legdrive_timer.storage.paths import ENV_HOME, DataPaths
from legdrive_timer.storage.reader import UserFileError, read_bytes, read_json

posix_only = pytest.mark.skipif(sys.platform == "win32", reason="FIFOs and /dev are POSIX")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_sentence(err: str) -> None:
    assert err.startswith("legdrive-timer: ")
    assert err.count("\n") == 1 and err.endswith(".\n")
    assert "Traceback" not in err
    assert len(err) < 700


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


# -- the reader -------------------------------------------------------------------------------


@posix_only
def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "workout.json"
    os.mkfifo(fifo)
    with pytest.raises(UserFileError, match=r"is a named pipe \(FIFO\), not a workout file\.$"):
        read_bytes(fifo, what="workout file", limit=1000)


@posix_only
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom", "/dev/null"])
def test_a_device_or_a_link_to_one_is_refused(tmp_path: Path, device: str) -> None:
    link = tmp_path / "history.json"
    link.symlink_to(device)
    for path in (Path(device), link):
        with pytest.raises(UserFileError, match="is a device, not a history export"):
            read_bytes(path, what="history export", limit=1000)


def test_a_file_over_the_limit_is_refused_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "big.json"
    big.write_bytes(b" " * 2001)
    with pytest.raises(UserFileError, match="larger than 2 KiB"):
        read_bytes(big, what="workout file", limit=2000)
    assert read_bytes(big, what="workout file", limit=2001) == b" " * 2001
    # Refused from its size alone: a file over the limit is never opened.
    opened: list[object] = []
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda *a, **k: opened.append(a) or real_open(*a, **k))
    with pytest.raises(UserFileError, match="larger than 2 KiB"):
        read_bytes(big, what="workout file", limit=2000)
    assert opened == []


@pytest.mark.parametrize(
    ("content", "phrase"),
    [
        (b"", "it is empty"),
        (b"\xef\xbb\xbf{}", "byte order mark (BOM); save it as UTF-8 without a BOM"),
        (b"\xff\xfe{\x00}\x00", "is UTF-16 text; save it as UTF-8"),
        (b'{"a": "\xc3\x28"}', "is not UTF-8 text (byte 8 cannot be read)"),
        (b"[" * 100_000 + b"]" * 100_000, "nests lists or objects more than 64 levels deep"),
        (b'{"a": ' * 100_000, "nests lists or objects more than 64 levels deep"),
        (b"[" + b"9" * 5000 + b"]", "a number has 5000 digits"),
        (b"[1e999]", "the number 1e999 is too large"),
        (b"[NaN]", "NaN is not a number JSON allows"),
        (b'{"name": "\\ud800"}', "lone surrogate"),
        (b'{"\\udfff": 1}', "lone surrogate"),
        (b'{"a": 1, "a": 2}', "the key 'a' appears twice in one object"),
        (b"{not json", "it is not valid JSON (line 1, column 2"),
    ],
)
def test_every_decode_error_is_one_sentence_naming_the_file(
    tmp_path: Path, content: bytes, phrase: str
) -> None:
    path = tmp_path / "in.json"
    path.write_bytes(content)
    with pytest.raises(UserFileError) as caught:
        read_json(path, what="workout file", limit=10 * 1024 * 1024)
    message = str(caught.value)
    assert message.startswith(str(path)) and message.endswith(".")
    assert phrase in message and "\n" not in message


def test_strings_in_brackets_do_not_count_as_nesting() -> None:
    deep_text = json.dumps({"name": "[" * 500 + '\\"{' * 300})
    assert strict_json.loads(deep_text)["name"].startswith("[[[")
    nested = "[" * 64 + "]" * 64
    assert strict_json.loads(nested) is not None
    with pytest.raises(strict_json.JsonError):
        strict_json.loads("[" * 65 + "]" * 65)


# -- text shown to people ---------------------------------------------------------------------


def test_control_characters_and_surrogates_are_escaped() -> None:
    assert printable("a\x1b[2Jb\x07\n\u202e\ud800") == "a\\x1b[2Jb\\x07\\n\\u202e\\ud800"
    assert shown("x" * 10_000).endswith("…'") and len(shown("x" * 10_000)) < 70
    assert len(sentence("y" * 10**6)) <= 600


def test_workout_names_reach_the_terminal_without_control_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from legdrive_timer.core import workout_format
    from legdrive_timer.core.builtins import builtin_workout

    hiit = builtin_workout("hiit")
    assert hiit is not None
    data = workout_format.workout_to_dict(hiit)
    data.update(id="evil", name="Evil\x1b]0;pwned\x07\x1b[2J\nname")
    folder = tmp_path / "config" / "workouts"
    folder.mkdir(parents=True)
    (folder / "evil.json").write_text(json.dumps(data), encoding="utf-8")
    code, out, err = run(capsys, "workouts", "list", "--data-dir", str(tmp_path))
    assert code == 0 and err == ""
    line = next(line for line in out.splitlines() if line.startswith("evil"))
    assert "\x1b" not in out and "\x07" not in out
    assert "Evil\\x1b]0;pwned\\x07\\x1b[2J\\nname" in line


def test_a_huge_id_is_not_echoed_whole(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "workouts", "show", "z" * 5_000_000, "--data-dir", str(tmp_path))
    assert code == 2 and out == ""
    one_sentence(err)


@pytest.mark.parametrize("blank", ["", " ", "\t"])
def test_a_blank_data_dir_is_refused(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    blank: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "history", "list", "--data-dir", blank)
    assert code == 2 and "--data-dir is blank" in err
    one_sentence(err)
    monkeypatch.setenv(ENV_HOME, blank)
    code, _, err = run(capsys, "history", "list")
    assert code == 2 and f"{ENV_HOME} is blank" in err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("kind", ["file", "named pipe", "loop", "unreadable", "read-only"])
def test_a_data_folder_that_cannot_be_one_is_one_sentence_for_every_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    folder = tmp_path / "data"
    if kind == "file":
        folder.write_text("mine", encoding="utf-8")
    elif kind == "named pipe":
        if not hasattr(os, "mkfifo"):
            pytest.skip("named pipes are POSIX")
        os.mkfifo(folder)
    elif kind == "loop":
        folder.symlink_to("other")
        (tmp_path / "other").symlink_to("data")
    else:
        folder.mkdir()
        denied = os.R_OK if kind == "unreadable" else os.W_OK
        real_access = os.access
        # Root reads and writes a chmod 000 folder: the check is made to fail as it would.
        monkeypatch.setattr(
            os, "access", lambda p, mode: False if mode & denied else real_access(p, mode)
        )
    before = sorted(p.name for p in tmp_path.iterdir())
    expected = {
        "file": "is a file, not a folder",
        "named pipe": "is a named pipe, not a folder",
        "loop": "cannot be used (too many levels of symbolic links)",
        "unreadable": "cannot be read (permission denied)",
        "read-only": "cannot be written (permission denied), so nothing could be saved",
    }[kind]
    window_opened: list[object] = []
    monkeypatch.setattr("legdrive_timer.ui.app.run_app", lambda *a, **k: window_opened.append(a))
    boxes: list[str] = []
    monkeypatch.setattr("legdrive_timer.ui.app.show_start_problem", boxes.append)
    commands = [["run", "primer"], ["history", "list"], ["workouts", "list"], []]
    for command in commands:
        code, out, err = run(capsys, *command, "--data-dir", str(folder))
        if kind == "read-only" and command[:1] in (["history"], ["workouts"]):
            continue  # reading goes on; what cannot be written is said where it happens
        assert (code, out) == (2, ""), (command, err)
        assert err == (
            f"legdrive-timer: The data folder {folder} {expected}; move it away, or keep the "
            "data in another folder with --data-dir.\n"
        )
    assert window_opened == []
    # Opened from the desktop there is no terminal: the window's commands show it in a box.
    assert boxes == [err.removeprefix("legdrive-timer: ").rstrip("\n")] * 2
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_a_log_folder_that_cannot_be_one_does_not_stop_the_app(tmp_path: Path) -> None:
    blocked = tmp_path / "logs"
    blocked.write_text("a file where the log folder should be", encoding="utf-8")
    paths = DataPaths(data_dir=tmp_path / "data", config_dir=tmp_path / "config", log_dir=blocked)
    assert paths.folder_problem(writable=True) is None  # said by the log itself, once


# -- the writer: exports ----------------------------------------------------------------------


@pytest.fixture
def data(tmp_path: Path) -> DataPaths:
    paths = DataPaths.resolve(tmp_path / "data")
    HistoryStore.open(paths.history_db).close()  # a real, migrated database with its WAL
    paths.settings_file.parent.mkdir(parents=True, exist_ok=True)
    paths.settings_file.write_text('{"format": "legdrive-timer/settings", "version": 1}\n')
    paths.workouts_dir.mkdir(parents=True, exist_ok=True)
    (paths.workouts_dir / "mine.json").write_text("{}\n")
    return paths


@pytest.mark.parametrize(
    "own",
    [
        "history.sqlite3",
        "history.sqlite3-wal",
        "history.sqlite3-shm",
        "config/settings.json",
        "config/workouts/mine.json",
        "config/workouts/new.json",
    ],
)
def test_an_export_never_replaces_the_apps_own_files(
    data: DataPaths, capsys: pytest.CaptureFixture[str], own: str
) -> None:
    before = snapshot(data.data_dir)
    target = data.data_dir / own
    for extra in ([], ["--force"]):
        code, out, err = run(
            capsys, "history", "export", "-o", str(target), "--data-dir", str(data.data_dir), *extra
        )
        assert code == 2 and out == ""
        assert "is one of Legdrive Timer's own files" in err
        one_sentence(err)
    assert snapshot(data.data_dir) == before


@posix_only
def test_an_export_through_a_link_to_the_database_is_refused(
    data: DataPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    link = tmp_path / "innocent.json"
    link.symlink_to(data.history_db)
    hard = tmp_path / "hard.json"
    os.link(data.history_db, hard)
    before = snapshot(data.data_dir)
    for target in (link, hard):
        code, _, err = run(
            capsys, "history", "export", "--force", "-o", str(target), "--data-dir",
            str(data.data_dir),
        )  # fmt: skip
        assert code == 2 and "own files" in err
    assert snapshot(data.data_dir) == before


def test_an_existing_file_is_replaced_only_with_force(
    data: DataPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "export.json"
    target.write_text("precious", encoding="utf-8")
    args = ("history", "export", "-o", str(target), "--data-dir", str(data.data_dir))
    code, _, err = run(capsys, *args)
    assert code == 2 and "already exists; use --force to replace it" in err
    assert target.read_text(encoding="utf-8") == "precious"
    code, out, err = run(capsys, *args, "--force")
    assert (code, err) == (0, "") and out.startswith("Exported 0 sessions")
    assert json.loads(target.read_text(encoding="utf-8"))["format"] == HISTORY_FORMAT
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


@posix_only
def test_exports_onto_a_loop_of_links_a_pipe_or_a_device_are_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    loop = tmp_path / "loop.json"
    loop.symlink_to("other.json")
    (tmp_path / "other.json").symlink_to("loop.json")
    pipe = tmp_path / "pipe.json"
    os.mkfifo(pipe)
    home = ("--data-dir", str(tmp_path / "data"))
    for target in (loop, pipe, Path("/dev/full")):
        for command in (
            ("history", "export", "--force", "-o", str(target)),
            ("workouts", "export", "primer", "-o", str(target)),
        ):
            code, out, err = run(capsys, *command, *home)
            assert (code, out) == (2, ""), (command, err)
            one_sentence(err)
            assert "nothing was written" in err or "cannot be written" in err, err
    assert loop.is_symlink() and pipe.is_fifo()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "data") == [
        "loop.json",
        "other.json",
        "pipe.json",
    ]


def test_write_new_file_refuses_a_folder_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    with pytest.raises(WriteRefused, match="is a folder"):
        write_new_file(tmp_path, b"x", protected=(), replace=True)
    target = tmp_path / "new.csv"
    assert write_new_file(target, b"x", protected=()) == target.resolve()
    with pytest.raises(WriteRefused, match="already exists"):
        write_new_file(target, b"y", protected=())
    assert target.read_bytes() == b"x"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.csv"]


# -- import is linear and bounded -------------------------------------------------------------


def _sqlite_steps_to_merge(tmp_path: Path, segments: int) -> int:
    """SQLite virtual machine steps (counted, not timed) to merge one session."""
    import sys as _sys

    _sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    from history_import import long_session  # type: ignore[import-not-found]

    steps = 0

    def count() -> int:
        nonlocal steps
        steps += 1
        return 0

    with HistoryStore.open(tmp_path / f"h{segments}.sqlite3") as store:
        store._conn.set_progress_handler(count, 100)
        assert store.merge([long_session(segments)]) == 1
        store._conn.set_progress_handler(None, 0)
        (summary,) = store.sessions()
        assert summary.segment_count == segments and summary.actual_ms == segments * 1000
    return steps


def test_importing_a_session_costs_in_proportion_to_its_segments(tmp_path: Path) -> None:
    small = _sqlite_steps_to_merge(tmp_path, 1000)
    large = _sqlite_steps_to_merge(tmp_path, 4000)
    assert large < 5 * small  # quadratic would be 16x


def test_a_session_of_too_many_segments_is_refused_with_a_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    segment = {
        "phase_index": 0, "kind": "work", "side": None, "set": None, "round": 1,
        "exercise_id": "x", "block_index": 0, "planned_s": 1, "actual_s": 0,
        "reps_planned": None, "reps_done": None, "end_reason": "elapsed", "stability": None,
    }  # fmt: skip
    session = {
        "id": "big", "workout_id": "hiit", "workout_name": "HIIT",
        "started_at": "2026-03-02T07:30:00+01:00", "ended_at": None, "status": "stopped",
        "planned_s": 1, "actual_s": 0, "effort": None,
        "segments": [dict(segment, phase_index=i) for i in range(10_001)],
    }  # fmt: skip
    source = tmp_path / "big.json"
    document = {"format": HISTORY_FORMAT, "version": 1, "sessions": [session]}
    source.write_text(json.dumps(document), encoding="utf-8")
    code, out, err = run(capsys, "history", "import", str(source), "--data-dir", str(tmp_path))
    assert code == 0 and out == "Imported 0 sessions (0 already present).\n"
    assert "skipped session 1 (id big): it has 10001 segments, more than the 10000" in err


# -- writes never follow a link out of the data folder ----------------------------------------


@posix_only
def test_a_dangling_database_link_is_refused_and_nothing_is_written_where_it_points(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = DataPaths.resolve(tmp_path / "data")
    paths.data_dir.mkdir(parents=True)
    outside = tmp_path / "outside" / "victim.sqlite3"
    outside.parent.mkdir()
    paths.history_db.symlink_to(outside)
    code, _, err = run(capsys, "history", "list", "--data-dir", str(paths.data_dir))
    assert code == 2 and "is a symbolic link" in err
    one_sentence(err)
    assert list(outside.parent.iterdir()) == []


@posix_only
def test_a_linked_lock_folder_is_not_written_through(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    paths = DataPaths.resolve(tmp_path / "data")
    HistoryStore.open(paths.history_db).close()
    outside = tmp_path / "outside"
    outside.mkdir()
    paths.history_db.with_name("history.sqlite3.running").symlink_to(outside)
    with HistoryStore.open(paths.history_db) as store:
        store.begin_session("s", "hiit", "HIIT", datetime.now(UTC), 1000)
    assert list(outside.iterdir()) == []


# -- nothing stored can break the list, the stats or an export --------------------------------


def test_rows_changed_by_hand_are_left_out_not_fatal(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import sqlite3
    from datetime import date

    from legdrive_timer.core.stats import compute_stats

    paths = DataPaths.resolve(tmp_path / "data")
    HistoryStore.open(paths.history_db).close()
    conn = sqlite3.connect(paths.history_db, isolation_level=None)
    insert = (
        "INSERT INTO sessions (id, workout_id, workout_name, started_at, started_utc_ms, "
        "started_date, ended_at, status, planned_ms) VALUES (?, 'hiit', ?, ?, ?, ?, ?, "
        "'completed', 1000)"
    )
    conn.execute(insert, ("far", "Far", "9999-12-31T23:00:00+14:00", 2**50, "9999-12-31", None))
    conn.execute(insert, ("junk", "Junk", "not a date", 1, "x", "neither"))
    conn.close()
    code, out, _ = run(capsys, "history", "list", "--data-dir", str(paths.data_dir))
    assert code == 0 and out.startswith("9999-12-31 23:00  Far") and "Junk" not in out
    for fmt in ("json", "csv"):
        code, out, _ = run(
            capsys, "history", "export", "--format", fmt, "--data-dir", str(paths.data_dir)
        )
        assert code == 0 and "far" in out and "junk" not in out
    with HistoryStore.open(paths.history_db) as store:
        assert store.session("junk") is None
        totals = list(store.session_totals())
        assert [t.session_id for t in totals] == ["far"]
        compute_stats(totals, today=date(2026, 3, 2))  # no error


@posix_only
def test_a_fifo_as_settings_or_custom_workout_never_blocks_a_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = DataPaths.resolve(tmp_path / "data")
    paths.workouts_dir.mkdir(parents=True)
    os.mkfifo(paths.settings_file)
    os.mkfifo(paths.workouts_dir / "pipe.json")
    code, out, err = run(capsys, "workouts", "list", "--data-dir", str(paths.data_dir))
    assert code == 0 and "hiit" in out
    assert "is a named pipe (FIFO), not a workout file" in err
    assert "is a named pipe (FIFO), not a settings file" in err
    assert "Traceback" not in err


def test_an_export_made_during_a_session_imports_with_it_interrupted(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import UTC, datetime

    from legdrive_timer.core.records import EndReason, SegmentRecord, SessionStatus
    from legdrive_timer.core.timeline import PhaseKind

    here = DataPaths.resolve(tmp_path / "here")
    with HistoryStore.open(here.history_db) as store:
        store.begin_session("live", "hiit", "HIIT finisher", datetime.now(UTC), 60_000)
        store.add_segment(
            "live",
            SegmentRecord(0, PhaseKind.PREP, 0, "x", None, None, None, 10, 10, None, None,
                          EndReason.ELAPSED),
        )  # fmt: skip
        export = tmp_path / "mid-session.json"
        code, _, err = run(capsys, "history", "export", "-o", str(export), "--data-dir",
                           str(here.data_dir))  # fmt: skip
        assert code == 0, err
    code, out, err = run(capsys, "history", "import", str(export), "--data-dir",
                         str(tmp_path / "there"))  # fmt: skip
    assert (code, err) == (0, "") and out == "Imported 1 session (0 already present).\n"
    with HistoryStore.open(DataPaths.resolve(tmp_path / "there").history_db) as there:
        record = there.session("live")
        assert record is not None and record.status is SessionStatus.INTERRUPTED
        assert len(record.segments) == 1 and record.ended_at is not None
