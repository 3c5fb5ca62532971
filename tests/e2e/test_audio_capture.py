"""The real playback backends, with their output captured: every planned cue sounds, in
order, within 30 ms of its planned time, and nothing else sounds.

Each session runs on the Qt event loop (QtScheduler) in a child process that reads the
capture environment (ALSA config, PulseAudio server) before it opens any audio.
"""

from __future__ import annotations

import importlib.util
import shutil
from contextlib import ExitStack
from pathlib import Path

import pytest

from legdrive_timer.audio.cues import durations, open_assets
from legdrive_timer.audio.planner import plan_session
from legdrive_timer.core.builtins import builtin_workout
from legdrive_timer.core.overrides import Overrides, apply_overrides
from legdrive_timer.core.timeline import compile_workout
from tests.e2e.audio_capture import (
    AlsaFifoCapture,
    PulseCapture,
    PulseUnavailable,
    SessionRun,
    audible_ms,
    compare,
    expected_onsets,
    run_session,
)
from tests.helpers import require

pytestmark = [pytest.mark.audio, pytest.mark.slow]

SESSIONS = {
    # 8 s: prep ticks, work start + "Drive", countdown, rest, "Last round", completion.
    "hiit": ("hiit", {"work_s": 2, "rest_s": 1, "rounds": 2, "prep_s": 3}),
    # 15 s: rep tempo, "Switch to the left leg", set done, second set, completion.
    "primer": (
        "primer",
        {"reps": 1, "sets": 2, "rest_s": 1, "prep_s": 2, "switch_s": 2},
    ),
}


def _needs_simpleaudio() -> None:
    require(
        importlib.util.find_spec("simpleaudio") is not None,
        "simpleaudio is not installed (pip install simpleaudio-patched)",
    )


def _needs_qt_multimedia() -> None:
    try:
        from PySide6 import QtMultimedia  # noqa: F401
    except ImportError as error:
        require(False, f"Qt Multimedia cannot be imported (install libpulse0): {error}")
    require(
        shutil.which("pulseaudio") is not None and shutil.which("parec") is not None,
        "pulseaudio and pulseaudio-utils are not installed",
    )


def _check(session: str, run: SessionRun, onsets: list[float], *, realtime: bool) -> None:
    workout_id, overrides = SESSIONS[session]
    base = builtin_workout(workout_id)
    assert base is not None
    timeline = compile_workout(apply_overrides(base, Overrides(**overrides)))  # type: ignore[arg-type]
    with ExitStack() as stack:
        assets = open_assets(stack)
        audible = {cue: audible_ms(asset) for cue, asset in assets.items()}
        plan = plan_session(timeline, durations(assets))
    assert run.status == "completed"
    assert run.cue_status is None
    groups = expected_onsets(plan, audible, realtime=realtime)
    assert len(groups) >= 8
    result = compare(groups, onsets, run.origin_s, realtime=realtime)
    assert result.problems() == []
    assert len(result.errors_ms) == len(groups)


@pytest.mark.parametrize("session", sorted(SESSIONS))
def test_simpleaudio_plays_every_cue_on_time(tmp_path: Path, session: str) -> None:
    _needs_simpleaudio()
    capture = AlsaFifoCapture(tmp_path)
    try:
        workout_id, overrides = SESSIONS[session]
        run = run_session("simpleaudio", workout_id, overrides, capture.env())
    finally:
        capture.close()
    assert run.backend == "simpleaudio"
    _check(session, run, capture.onsets(), realtime=False)


@pytest.mark.parametrize("session", sorted(SESSIONS))
def test_qt_plays_every_cue_on_time(tmp_path: Path, session: str) -> None:
    _needs_qt_multimedia()
    try:
        capture = PulseCapture(tmp_path)
    except PulseUnavailable as error:
        pytest.skip(f"no private PulseAudio server on this machine: {error}")
    try:
        capture.start_recording()
        workout_id, overrides = SESSIONS[session]
        # A QtThreadBug here (Qt Multimedia's event loop spinning on a dead socket, as on
        # Qt 6.10-6.12) fails the test: the supported PySide6 range must not have it.
        run = run_session("qt", workout_id, overrides, capture.env())
    finally:
        capture.close()
    assert run.backend == "qt"
    _check(session, run, capture.onsets(), realtime=True)


def test_the_capture_notices_a_missing_cue(tmp_path: Path) -> None:
    """The comparison itself can fail: a plan with one more cue than was played."""
    _needs_simpleaudio()
    capture = AlsaFifoCapture(tmp_path)
    try:
        workout_id, overrides = SESSIONS["hiit"]
        run = run_session("simpleaudio", workout_id, overrides, capture.env())
    finally:
        capture.close()
    onsets = capture.onsets()
    with pytest.raises(AssertionError):
        _check("hiit", run, onsets[:-1], realtime=False)
    with pytest.raises(AssertionError):
        _check("hiit", run, [*onsets, run.origin_s + 4.5], realtime=False)
    with pytest.raises(AssertionError):
        _check("hiit", run, [t + 0.05 for t in onsets], realtime=False)


def _no_device_env(tmp_path: Path) -> dict[str, str]:
    config = tmp_path / "config"
    runtime = tmp_path / "runtime"
    for folder in (config, runtime):
        folder.mkdir(mode=0o700)
    client = tmp_path / "client.conf"
    # A PulseAudio client must not start a server of its own for the app.
    client.write_text("autospawn = no\n")
    return {
        "XDG_CONFIG_HOME": str(config),
        "XDG_RUNTIME_DIR": str(runtime),
        "HOME": str(tmp_path),
        "PULSE_SERVER": f"unix:{runtime}/pulse/native",
        "PULSE_CLIENTCONFIG": str(client),
    }


@pytest.mark.parametrize("choice", ["auto", "qt", "simpleaudio"])
def test_without_any_device_the_session_completes_and_says_so(tmp_path: Path, choice: str) -> None:
    cards = Path("/proc/asound/cards")
    if cards.exists() and "no soundcards" not in cards.read_text():
        pytest.skip("this machine has a sound card")
    env = _no_device_env(tmp_path)
    run = run_session(choice, "hiit", {"work_s": 1, "rest_s": 1, "rounds": 1, "prep_s": 1}, env)
    assert run.status == "completed"
    assert run.cue_status is not None
    assert run.cue_status.startswith("Sound unavailable: ")
    assert run.cue_status.endswith(".")
    assert len(run.phase_starts_s) == 2
