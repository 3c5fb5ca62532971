"""Test helpers shared by the unit and ui tests."""

from __future__ import annotations

import os

import pytest

from legdrive_timer.core.builtins import builtin_workout
from legdrive_timer.core.engine import SessionEngine
from legdrive_timer.core.events import Event
from legdrive_timer.core.overrides import Overrides, apply_overrides
from legdrive_timer.core.timeline import Timeline, compile_workout
from legdrive_timer.core.workout import Workout
from tests.helpers.fakes import FakeClock, FakeScheduler


def workout(workout_id: str, **overrides: float) -> Workout:
    """A built-in workout with some of its lengths changed (`rounds=1, prep_s=0`)."""
    base = builtin_workout(workout_id)
    assert base is not None
    return apply_overrides(base, Overrides(**overrides))


class Harness:
    """An engine on a fake clock and scheduler that records every event."""

    def __init__(self, workout_or_timeline: Workout | Timeline) -> None:
        timeline = (
            compile_workout(workout_or_timeline)
            if isinstance(workout_or_timeline, Workout)
            else workout_or_timeline
        )
        self.clock = FakeClock()
        self.scheduler = FakeScheduler(self.clock)
        counter = iter(range(1, 1_000_000))
        self.engine = SessionEngine(
            timeline, self.clock, self.scheduler, new_session_id=lambda: f"s{next(counter)}"
        )
        self.events: list[tuple[int, Event]] = []
        self.engine.subscribe(lambda e: self.events.append((self.clock.now_ms, e)))

    def of(self, kind: type) -> list[tuple[int, Event]]:
        return [(t, e) for t, e in self.events if isinstance(e, kind)]

    def advance(self, ms: int) -> None:
        self.scheduler.advance(ms)


IN_CI = os.environ.get("CI", "").lower() == "true"


def require(condition: bool, reason: str) -> None:
    """Skip when a test's prerequisite (a program, a library) is missing on a developer's
    machine; in CI, where `.ci/run` installs everything, fail instead of skipping."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI must provide this: {reason}")
    pytest.skip(reason)


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """`legdrive-timer ARGS` in this process: exit status, stdout, stderr."""
    from legdrive_timer.cli import main

    try:
        code = main(args)
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err
