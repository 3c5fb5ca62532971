"""The command line contracts: --version, workouts list/show, --data-dir, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from legdrive_timer import __version__
from legdrive_timer.cli import build_parser, parse_args
from legdrive_timer.core import workout_format
from legdrive_timer.core.builtins import BUILTIN_IDS
from legdrive_timer.storage.paths import ENV_HOME, DataPaths
from tests.helpers import run_cli as run


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--version"], capsys)
    assert code == 0
    assert out.strip() == f"legdrive-timer {__version__}"


def test_workouts_list_shows_the_builtins(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["workouts", "list", "--data-dir", str(tmp_path)], capsys)
    assert code == 0, err
    listed = [line.split()[0] for line in out.splitlines()]
    assert listed == list(BUILTIN_IDS)
    # The length as the start screen writes it, and the figures the workout will run.
    assert out.splitlines()[0].split()[1] == "3:30"
    assert "2 x 15 per side" in out.splitlines()[0]


@pytest.mark.parametrize("workout_id", BUILTIN_IDS)
def test_workouts_show_prints_valid_workout_json(
    workout_id: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["--data-dir", str(tmp_path), "workouts", "show", workout_id], capsys)
    assert code == 0
    assert json.loads(out)["format"] == "legdrive-timer/workout"
    assert workout_format.loads(out).id == workout_id


def test_custom_workouts_from_the_data_dir_are_listed_and_broken_ones_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = DataPaths.resolve(tmp_path)
    paths.workouts_dir.mkdir(parents=True)
    code, out, _ = run(["workouts", "show", "hiit"], capsys)
    mine = json.loads(out)
    mine.update(id="my-hiit", name="My HIIT")
    (paths.workouts_dir / "my-hiit.json").write_text(json.dumps(mine))
    (paths.workouts_dir / "broken.json").write_text("{not json")
    code, out, err = run(["workouts", "list", "--data-dir", str(tmp_path)], capsys)
    assert code == 0
    assert "my-hiit" in out and "(custom)" in out
    assert "broken.json" in err and "not valid JSON" in err
    assert len(err.strip().splitlines()) == 1
    assert (paths.workouts_dir / "broken.json").exists(), "a broken file is kept, not deleted"


def test_environment_variable_sets_the_data_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(ENV_HOME, str(tmp_path / "home"))
    assert DataPaths.resolve().data_dir == tmp_path / "home"
    assert DataPaths.resolve(tmp_path / "flag").data_dir == tmp_path / "flag"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["workouts", "show", "nope"], "no workout called 'nope'"),
        (["workouts", "show", "missing.json"], "no such workout file"),
        (["run", "hiit", "--work", "abc"], "'abc' is not a number of seconds"),
        (["run", "hiit", "--rounds", "0"], "--rounds: must be between 1 and 100 (got 0)"),
        (["run", "hiit", "--work", "0"], "--work: must be between 1 and 3600 seconds (got 0)"),
        (["run", "hiit", "--audio", "loud"], "invalid choice: 'loud'"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_bad_input_is_one_sentence_and_exit_status_2(
    args: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run([*args, "--data-dir", str(tmp_path)], capsys)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_a_broken_workout_file_is_refused_before_any_window_opens(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "w.json"
    broken.write_text('{"format": "legdrive-timer/workout", "version": 9}')
    code, _, err = run(["run", str(broken), "--data-dir", str(tmp_path)], capsys)
    assert code == 2
    assert "version 9 is not supported" in err


def test_the_installed_command_and_python_m_agree(tmp_path: Path) -> None:
    env = {**os.environ, ENV_HOME: str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "legdrive_timer", "workouts", "show", "full"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert workout_format.loads(result.stdout).id == "full"


def test_the_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--help"], capsys)
    assert code == 0
    for command in ("run", "workouts", "history"):
        assert f"    {command} " in out


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (["run", "--help"], ["WORKOUT", "--work S", "--quit-when-done"]),
        (["run", "hiit", "-h"], ["WORKOUT", "--rounds N"]),
        (["workouts", "show", "--help"], ["ID"]),
        (["history", "export", "-h"], ["--format {json,csv}", "--output FILE"]),
    ],
)
def test_a_commands_help_shows_its_own_arguments(
    args: list[str], shown: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(args, capsys)
    assert code == 0
    for text in shown:
        assert text in out


def test_a_data_dir_named_like_a_command_is_a_data_dir(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(["--data-dir", "run", "workouts", "list"], capsys)
    assert code == 0, err
    assert out.split()[0] == "primer"


def test_no_arguments_parse_as_the_full_parser_would() -> None:
    assert parse_args([]) == build_parser().parse_args([])


@pytest.mark.parametrize(
    "argv",
    [
        ["--audio", "off", "--fullscreen", "run", "primer"],
        ["run", "primer", "--audio", "off", "--fullscreen"],
        ["--audio", "simpleaudio", "run", "primer", "--audio", "off", "--fullscreen"],
    ],
)
def test_window_options_count_before_or_after_run(argv: list[str]) -> None:
    args = parse_args(argv)
    assert (args.command, args.audio, args.fullscreen) == ("run", "off", True)


def test_run_without_window_options_takes_the_defaults() -> None:
    args = parse_args(["run", "primer"])
    assert (args.audio, args.fullscreen) == (None, False)
