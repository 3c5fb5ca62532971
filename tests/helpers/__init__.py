"""Test helpers shared by the unit and ui tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

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


def short_hiit_harness() -> Harness:
    """The HIIT finisher cut short (3 rounds of 2 s work, 1 s rest, 1 s prep) on a Harness."""
    return Harness(workout("hiit", work_s=2, rest_s=1, rounds=3, prep_s=1))


def run_to_end(h: Harness, limit_ms: int = 3_600_000) -> None:
    """Follow along: press done on self-paced phases, let time pass otherwise."""
    for _ in range(limit_ms // 500):
        if not h.engine.is_active:
            return
        phase = h.engine.phase
        if phase is not None and phase.self_paced:
            h.engine.done()
        h.advance(500)
    raise AssertionError("the session did not end")


def run_python(
    code: str,
    *args: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 60,
) -> str:
    """Run `code` (dedented) in a fresh interpreter with ARGS; its stdout. Fails the test
    with the interpreter's stderr when it does not exit 0."""
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


RUN_THE_APP = """

class _AtFirstFrame:
    def __init__(self, stream):
        self._stream = stream

    def write(self, text):
        if text.startswith("legdrive-timer: first frame painted"):
            at_first_frame()
            return len(text)
        return self._stream.write(text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


import sys as _sys

_sys.stderr = _AtFirstFrame(_sys.stderr)
from legdrive_timer.__main__ import main

main()
"""


def run_app_as_launched(data_dir: Path, script: str, *args: str) -> str:
    """`legdrive-timer` with no arguments in a fresh interpreter, as the desktop entry starts
    it, on the profile in `data_dir`; its stdout. `script` runs first and defines
    `at_first_frame()`, which the app's first paint calls (the app marks it on stderr)."""
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "LEGDRIVE_TIMER_HOME": str(data_dir),
        "LEGDRIVE_TIMER_STARTUP_MARKER": "1",
    }
    return run_python(script + RUN_THE_APP, *args, env=env, timeout=120)


def last_json_line(output: str) -> Any:
    """The JSON value a script printed last (its report, after any other output)."""
    return json.loads(output.strip().splitlines()[-1])


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
