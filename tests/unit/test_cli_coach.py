"""`legdrive-timer coach analyze` where the coach extra is missing, and its arguments."""

from __future__ import annotations

from pathlib import Path

import pytest

import legdrive_timer.coach
from legdrive_timer.cli import main


def test_without_the_extra_it_says_how_to_add_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setattr(
        legdrive_timer.coach, "RUNTIME_MODULES", ("numpy", "no_such_pose_runtime_module")
    )
    video, data = str(tmp_path / "set.mp4"), str(tmp_path / "data")
    status = main(["coach", "analyze", video, "--side", "left", "--data-dir", data])
    out, err = capsys.readouterr()
    assert status == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "no_such_pose_runtime_module" in err
    assert 'pip install "legdrive-timer[coach]"' in err


def test_the_side_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["coach", "analyze", "set.mp4"])
    assert exit_info.value.code == 2
    assert "--side" in capsys.readouterr().err


def test_the_side_is_left_or_right(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["coach", "analyze", "set.mp4", "--side", "both"])
    assert exit_info.value.code == 2
    assert "invalid choice: 'both'" in capsys.readouterr().err


def test_the_command_help_names_the_extra(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "coach" in capsys.readouterr().out
