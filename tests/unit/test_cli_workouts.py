"""`workouts import | export | delete` and `run --tempo --lead`: files between data folders."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from legdrive_timer import cli
from legdrive_timer.core import workout_format
from legdrive_timer.core.builtins import builtin_workout
from legdrive_timer.core.workout import RepSetBlock, Side, Tempo, Workout
from legdrive_timer.storage.paths import DataPaths
from legdrive_timer.storage.workouts import load_library
from tests.helpers import run_cli as run


def custom_file(tmp_path: Path, workout_id: str = "my-primer", name: str = "My primer") -> Path:
    primer = builtin_workout("primer")
    assert primer is not None
    data = workout_format.workout_to_dict(primer)
    data.update(id=workout_id, name=name)
    path = tmp_path / f"{workout_id}-export.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_export_then_import_into_another_data_folder_is_unchanged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    code, _, err = run(
        ["--data-dir", str(first), "workouts", "import", str(custom_file(tmp_path))], capsys
    )
    assert code == 0, err
    exported = tmp_path / "shared.json"
    code, out, err = run(
        ["--data-dir", str(first), "workouts", "export", "my-primer", "-o", str(exported)], capsys
    )
    assert code == 0, err
    assert "Exported 'my-primer'" in out
    code, _, err = run(["--data-dir", str(second), "workouts", "import", str(exported)], capsys)
    assert code == 0, err
    code, out, _ = run(["--data-dir", str(second), "workouts", "export", "my-primer"], capsys)
    assert out == exported.read_text(encoding="utf-8")
    a = load_library(DataPaths.resolve(first).workouts_dir).get("my-primer")
    b = load_library(DataPaths.resolve(second).workouts_dir).get("my-primer")
    assert a is not None and a == b


def test_importing_a_taken_id_needs_replace_or_keep_both(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = ["--data-dir", str(tmp_path / "data")]
    source = custom_file(tmp_path)
    assert run([*data, "workouts", "import", str(source)], capsys)[0] == 0
    code, _, err = run([*data, "workouts", "import", str(source)], capsys)
    assert code == 2
    assert err.count("\n") == 1 and "--replace" in err and "--keep-both" in err
    code, out, _ = run([*data, "workouts", "import", str(source), "--keep-both"], capsys)
    assert code == 0 and "my-primer-2" in out
    code, out, _ = run([*data, "workouts", "import", str(source), "--replace"], capsys)
    assert code == 0 and out.startswith("Replaced")
    code, _, _ = run([*data, "workouts", "import", str(source), "--replace", "--keep-both"], capsys)
    assert code == 2
    code, out, _ = run([*data, "workouts", "list"], capsys)
    assert "my-primer " in out and "my-primer-2" in out


def test_delete_removes_a_custom_workout_and_refuses_builtins(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = ["--data-dir", str(tmp_path / "data")]
    run([*data, "workouts", "import", str(custom_file(tmp_path))], capsys)
    code, out, _ = run([*data, "workouts", "delete", "my-primer"], capsys)
    assert code == 0 and out.startswith("Deleted 'my-primer'")
    assert "my-primer" not in run([*data, "workouts", "list"], capsys)[1]
    for gone in ("my-primer", "primer"):
        code, _, err = run([*data, "workouts", "delete", gone], capsys)
        assert code == 2 and err.count("\n") == 1


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("truncated.json", b'{"format": "legdrive-timer/workout", "vers', "not valid JSON"),
        ("types.json", None, "sets must be a whole number"),
        ("version.json", b'{"format": "legdrive-timer/workout", "version": 9}', "version 9"),
        ("junk.json", b"\x00junk" * 2_000_000, "too large for a workout file"),
        ("folder.json", "dir", "is a folder, not a workout file"),
    ],
)
def test_importing_a_bad_file_is_one_sentence_and_changes_nothing(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: bytes | str | None,
    reason: str,
) -> None:
    data = ["--data-dir", str(tmp_path / "data")]
    run([*data, "workouts", "import", str(custom_file(tmp_path))], capsys)
    folder = DataPaths.resolve(tmp_path / "data").workouts_dir
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    source = tmp_path / name
    if content == "dir":
        source.mkdir()
    elif content is None:
        text = custom_file(tmp_path, "other").read_text(encoding="utf-8")
        source.write_text(text.replace('"sets": 2', '"sets": "2"'), encoding="utf-8")
    else:
        assert isinstance(content, bytes)
        source.write_bytes(content)
    code, out, err = run([*data, "workouts", "import", str(source)], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and reason in err, err
    assert "Traceback" not in err
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


@pytest.mark.parametrize("name", ["../../x", "CON", "con.json"])
def test_odd_names_are_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    data = ["--data-dir", str(tmp_path / "data")]
    for command in (
        ["workouts", "import", name],
        ["workouts", "export", name],
        ["workouts", "delete", name],
    ):
        code, out, err = run([*data, *command], capsys)
        assert code == 2 and out == "", command
        assert err.count("\n") == 1 and "Traceback" not in err
    assert not (tmp_path.parent / "x").exists()


def _run_workout(
    args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[int, Workout | None, str]:
    """`run` as far as the window: the workout it would start."""
    started: list[Workout] = []
    import legdrive_timer.ui.app as app

    monkeypatch.setattr(app, "run_app", lambda paths, *, workout, **_: started.append(workout) or 0)
    code, _, err = run(args, capsys)
    return code, (started[0] if started else None), err


def test_run_takes_tempo_and_lead(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = ["--data-dir", str(tmp_path / "data")]
    code, workout, err = _run_workout(
        [*data, "run", "primer", "--tempo", "0.8/2", "--lead", "left"], capsys, monkeypatch
    )
    assert code == 0, err
    assert workout is not None
    block = workout.blocks[0]
    assert isinstance(block, RepSetBlock)
    assert block.tempo == Tempo(0.8, 2.0)
    assert block.sides == (Side.LEFT, Side.RIGHT) and not block.alternate_lead
    code, workout, _ = _run_workout(
        [*data, "run", "full", "--lead", "alternate"], capsys, monkeypatch
    )
    assert workout is not None
    assert isinstance(workout.blocks[0], RepSetBlock) and workout.blocks[0].alternate_lead


def test_run_takes_custom_ids_and_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    data = ["--data-dir", str(tmp_path / "data")]
    source = custom_file(tmp_path)
    run([*data, "workouts", "import", str(source)], capsys)
    for spec in ("my-primer", str(source)):
        code, workout, err = _run_workout([*data, "run", spec], capsys, monkeypatch)
        assert code == 0, err
        assert workout is not None and workout.id == "my-primer"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tempo", "0/1"], "drive up must be between 0.2 and 10 seconds (got 0)"),
        (["--tempo", "1/11"], "lower must be between 0.2 and 10 seconds (got 11)"),
        (["--tempo", "fast"], "is not a tempo"),
        (["--lead", "both"], "invalid choice: 'both'"),
        (["--set-rest", "4000"], "must be between 0 and 3600 seconds (got 4000)"),
        (["--block-rest", "-1"], "must be between 0 and 1800 seconds (got -1)"),
    ],
)
def test_bad_tempo_and_lead_are_refused_like_the_editors_fields(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, _, err = run(["--data-dir", str(tmp_path), "run", "primer", *args], capsys)
    assert code == 2
    assert message in err and err.count("\n") == 1


def test_the_parser_has_every_workouts_action() -> None:
    parser = cli.build_parser(set_up=("workouts",))
    for action in ("list", "show", "import", "export", "delete"):
        assert parser.parse_args(
            ["workouts", action, "x"] if action != "list" else ["workouts", "list"]
        )
