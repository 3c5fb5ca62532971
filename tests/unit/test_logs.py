"""The log file, --verbose, and one sentence for an unexpected error."""

from __future__ import annotations

import itertools
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from legdrive_timer import logs
from legdrive_timer.logs import Diagnostics
from legdrive_timer.storage.paths import DataPaths

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def diagnostics(tmp_path: Path) -> Iterator[Diagnostics]:
    made = Diagnostics(DataPaths.resolve(tmp_path).log_file)
    made.install()
    yield made
    made.uninstall()


def _raise() -> None:
    raise ValueError("the inner detail")


def test_an_unexpected_error_is_logged_with_its_traceback_and_told_in_one_sentence(
    diagnostics: Diagnostics,
) -> None:
    told: list[str] = []
    diagnostics.reporter = told.append
    try:
        _raise()
    except ValueError:
        sys.excepthook(*sys.exc_info())  # type: ignore[arg-type]
    assert diagnostics.failed
    assert len(told) == 1
    sentence = told[0]
    assert "\n" not in sentence and "Traceback" not in sentence
    assert str(diagnostics.log_file) in sentence and "ValueError" in sentence
    text = diagnostics.log_file.read_text()
    assert "Traceback (most recent call last)" in text
    assert "in _raise" in text and "the inner detail" in text


def test_errors_in_threads_are_reported_too(diagnostics: Diagnostics) -> None:
    told: list[str] = []
    diagnostics.reporter = told.append
    thread = threading.Thread(target=_raise)
    thread.start()
    thread.join()
    assert len(told) == 1 and "ValueError" in told[0]


def test_a_failing_reporter_falls_back_to_stderr(
    diagnostics: Diagnostics, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(sentence: str) -> None:
        raise RuntimeError("no window")

    diagnostics.reporter = broken
    try:
        _raise()
    except ValueError:
        diagnostics.excepthook(*sys.exc_info())  # type: ignore[arg-type]
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "ValueError" in err and "Traceback" not in err


def test_the_log_is_rotated_and_bounded(diagnostics: Diagnostics) -> None:
    assert diagnostics.attach_file()
    line = "x" * 1000
    for _ in range(6 * logs.MAX_BYTES // 1000):
        logs.log.info(line)
    files = sorted(diagnostics.log_file.parent.iterdir())
    assert [f.name for f in files] == [
        "legdrive-timer.log",
        "legdrive-timer.log.1",
        "legdrive-timer.log.2",
        "legdrive-timer.log.3",
    ]
    assert all(f.stat().st_size <= logs.MAX_BYTES for f in files)


def test_rotation_keeps_the_newest_lines_in_order(diagnostics: Diagnostics) -> None:
    assert diagnostics.attach_file()
    for number in range(4 * logs.MAX_BYTES // 500):
        logs.log.info("line %06d %s", number, "y" * 480)
    folder = diagnostics.log_file.parent
    newest_first = [folder / "legdrive-timer.log"] + [
        folder / f"legdrive-timer.log.{n}" for n in range(1, logs.BACKUPS + 1)
    ]
    numbers = [
        [int(line.split("line ")[1][:6]) for line in path.read_text().splitlines()]
        for path in newest_first
    ]
    assert numbers[0][-1] == 4 * logs.MAX_BYTES // 500 - 1
    for newer, older in itertools.pairwise(numbers):
        assert older[-1] + 1 == newer[0]  # nothing lost between two files
    assert all(path.stat().st_size <= logs.MAX_BYTES for path in newest_first)


def test_an_unwritable_log_folder_still_gives_one_sentence(tmp_path: Path) -> None:
    blocker = tmp_path / "logs"
    blocker.write_text("a file where the log folder should be")
    made = Diagnostics(blocker / "legdrive-timer.log")
    made.install()
    told: list[str] = []
    made.reporter = told.append
    try:
        try:
            _raise()
        except ValueError:
            sys.excepthook(*sys.exc_info())  # type: ignore[arg-type]
    finally:
        made.uninstall()
    assert told == ["Something went wrong unexpectedly (ValueError); no log file could be written."]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_a_named_pipe_or_a_folder_as_the_log_file_is_one_sentence_not_a_hang(
    tmp_path: Path,
) -> None:
    pipe = tmp_path / "pipe" / "legdrive-timer.log"
    pipe.parent.mkdir()
    os.mkfifo(pipe)
    folder = tmp_path / "folder" / "legdrive-timer.log"
    folder.mkdir(parents=True)
    blocked = tmp_path / "file" / "legdrive-timer.log"
    blocked.parent.write_text("a file where the log folder should be")
    expected = {
        pipe: f"No log is kept: {pipe} is a named pipe (FIFO), not a file.",
        folder: f"No log is kept: {folder} is a folder, not a file.",
        blocked: f"No log is kept: {blocked} cannot be written: {blocked.parent} is not a folder.",
    }
    for path, sentence in expected.items():
        made = Diagnostics(path)
        attached: list[bool] = []

        def attach(made: Diagnostics = made, attached: list[bool] = attached) -> None:
            attached.append(made.attach_file())

        opener = threading.Thread(target=attach, daemon=True)
        opener.start()
        opener.join(10)
        assert not opener.is_alive(), "opening the log waited on the named pipe"
        assert attached == [False]
        assert made.file_problem == sentence
        made.uninstall()
    assert pipe.is_fifo() and folder.is_dir() and blocked.parent.is_file()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_a_log_on_a_full_disk_is_given_up_without_a_traceback(
    capfd: pytest.CaptureFixture[str],
) -> None:
    made = Diagnostics(Path("/dev/full"))  # every write: no space left on device
    made.install()
    try:
        assert made.attach_file()
        for n in range(3):
            logs.log.warning("line %d", n)
    finally:
        made.uninstall()  # closing flushes onto the full disk too
    err = capfd.readouterr().err
    assert "Traceback" not in err and "Logging error" not in err, err


def test_uninstall_gives_back_the_hooks(tmp_path: Path) -> None:
    before = sys.excepthook, threading.excepthook
    made = Diagnostics(tmp_path / "x.log")
    made.install()
    assert sys.excepthook == made.excepthook
    made.uninstall()
    assert (sys.excepthook, threading.excepthook) == before
    assert not logging.getLogger(logs.LOGGER).handlers


CRASHING_COMMAND = """
import sys
from legdrive_timer import cli

def broken(args, paths):
    raise KeyError("not a user's mistake")

cli._workouts = broken
sys.exit(cli.main(sys.argv[1:]))
"""


def test_the_command_line_says_one_sentence_and_exits_non_zero(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CRASHING_COMMAND, "--data-dir", str(tmp_path), "workouts", "list"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    log_file = DataPaths.resolve(tmp_path).log_file
    assert done.stderr == (
        f"legdrive-timer: Something went wrong unexpectedly (KeyError); "
        f"the details are in {log_file}.\n"
    )
    text = log_file.read_text()
    assert "Traceback" in text and "in broken" in text and "not a user's mistake" in text


def test_verbose_also_prints_the_log(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            CRASHING_COMMAND,
            "workouts",
            "list",
            "--data-dir",
            str(tmp_path),
            "--verbose",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert "CRITICAL legdrive_timer: unexpected error" in done.stderr
    assert "Traceback" in done.stderr  # asked for: the log, as the file has it
