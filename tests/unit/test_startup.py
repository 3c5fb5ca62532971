"""The command holds garbage collection while it starts and always turns it back on."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from legdrive_timer import __main__ as command
from legdrive_timer.startup import hold_collection, resume_collection


@pytest.fixture(autouse=True)
def collection_restored() -> Iterator[None]:
    yield
    gc.enable()
    gc.unfreeze()


def test_resume_freezes_what_the_start_made_and_collects_again() -> None:
    hold_collection()
    assert not gc.isenabled()
    made_at_start = [[n] for n in range(1000)]
    resume_collection()
    assert gc.isenabled()
    assert gc.get_freeze_count() >= len(made_at_start)


def test_resume_without_a_hold_changes_nothing() -> None:
    resume_collection()
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


@pytest.mark.parametrize("args", [["workouts", "list"], ["history", "list"]])
def test_commands_without_a_window_collect_again(
    args: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "argv", ["legdrive-timer", *args, "--data-dir", str(tmp_path)])
    assert command.main() == 0
    assert gc.isenabled()
