"""The command holds garbage collection while it starts and always turns it back on."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from legdrive_timer import __main__ as command
from legdrive_timer import startup
from legdrive_timer.startup import (
    collect_due,
    collection_resumed,
    hold_collection,
    resume_collection,
)


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


def test_resumed_for_a_window_the_collector_makes_no_passes_of_its_own() -> None:
    hold_collection()
    assert not collection_resumed()
    made_at_start = [[n] for n in range(1000)]
    resume_collection(automatic=False)
    assert collection_resumed()
    assert not gc.isenabled()
    assert gc.get_freeze_count() >= len(made_at_start)


class Cycle:
    def __init__(self, freed: list[int]) -> None:
        self.me = self
        self.freed = freed

    def __del__(self) -> None:
        self.freed.append(1)


def test_collect_due_passes_as_the_collector_would() -> None:
    gc.disable()
    gc.collect()
    freed: list[int] = []
    Cycle(freed)
    assert collect_due() is None  # a handful of new objects: no pass due
    assert freed == []
    kept = [[n] for n in range(gc.get_threshold()[0] + 1)]
    assert collect_due() == 0
    assert freed == [1]
    assert collect_due() is None  # counted afresh after the pass
    assert kept


def test_collect_due_takes_the_older_generations_along(monkeypatch: pytest.MonkeyPatch) -> None:
    gc.disable()
    monkeypatch.setattr(startup, "_young_passes", 0)
    made: list[int] = []
    monkeypatch.setattr(gc, "get_count", lambda: (10_000, 0, 0))
    monkeypatch.setattr(gc, "collect", lambda generation=2: made.append(generation) or 0)
    passes = [collect_due() for _ in range(100)]
    assert passes == made
    assert made.count(2) == 1 and made[-1] == 2
    assert made.count(1) == 9
    assert [i for i, g in enumerate(made) if g == 1] == [9, 19, 29, 39, 49, 59, 69, 79, 89]


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


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    """'legdrive-timer workouts show full | head -1': no traceback, no complaint."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first write
    try:
        result = subprocess.run(
            [sys.executable, "-m", "legdrive_timer", "workouts", "show", "full"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            # Buffered, as in a person's shell: unbuffered output would fail at the write
            # (and be caught there) instead of at exit.
            env={
                **{k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"},
                "LEGDRIVE_TIMER_HOME": str(tmp_path),
            },
            check=False,
        )
    finally:
        os.close(write_end)
    assert result.stderr == ""
    assert result.returncode == 1


def test_the_sources_read_at_import_are_forgotten() -> None:
    import linecache

    from legdrive_timer.startup import forget_module_sources

    assert linecache.getlines(command.__file__)  # read, and now cached
    forget_module_sources()
    assert command.__file__ not in linecache.cache
