"""The real playback backends, with their output captured: every planned cue sounds, in
order, within 30 ms of its planned time, and nothing else sounds.

Each session runs on the Qt event loop (QtScheduler) in a child process that reads the
capture environment (ALSA config, PulseAudio server) before it opens any audio. miniaudio
(the default engine) is captured from a PulseAudio null sink, simpleaudio from ALSA's file
plugin.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import threading
import time
from contextlib import ExitStack
from pathlib import Path

import pytest

from legdrive_timer.audio.cues import Cue, durations, open_assets
from legdrive_timer.core.builtins import builtin_workout
from legdrive_timer.core.overrides import Overrides, apply_overrides
from legdrive_timer.core.timeline import Timeline, compile_workout
from tests.e2e.audio_capture import (
    AlsaFifoCapture,
    ExpectedOnset,
    PulseCapture,
    PulseUnavailable,
    SessionRun,
    audible_ms,
    compare,
    expected_onsets,
    run_session,
)
from tests.helpers import require
from tests.helpers.cues import CuePlan, plan_session

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
# 13 s with a long prep phase, for a sound server that starts during it.
LATE_DEVICE = ("hiit", {"work_s": 2, "rest_s": 1, "rounds": 2, "prep_s": 8})


def _needs_simpleaudio() -> None:
    require(
        importlib.util.find_spec("simpleaudio") is not None,
        "simpleaudio is not installed (pip install simpleaudio-patched)",
    )


def _pulse(
    tmp_path: Path, *, start: bool = True, suspend_idle_s: int | None = None
) -> PulseCapture:
    require(
        shutil.which("pulseaudio") is not None and shutil.which("parec") is not None,
        "pulseaudio and pulseaudio-utils are not installed",
    )
    try:
        return PulseCapture(tmp_path, start=start, suspend_idle_s=suspend_idle_s)
    except PulseUnavailable as error:
        require(False, f"no private PulseAudio server on this machine: {error}")
        raise


def _timeline(session: tuple[str, dict[str, float]]) -> Timeline:
    workout_id, overrides = session
    base = builtin_workout(workout_id)
    assert base is not None
    return compile_workout(apply_overrides(base, Overrides(**overrides)))  # type: ignore[arg-type]


def _plan(session: tuple[str, dict[str, float]]) -> tuple[CuePlan, dict[Cue, int]]:
    with ExitStack() as stack:
        assets = open_assets(stack)
        audible = {cue: audible_ms(asset) for cue, asset in assets.items()}
        plan = plan_session(_timeline(session), durations(assets))
    return plan, audible


def _groups(session: tuple[str, dict[str, float]], *, realtime: bool) -> list[ExpectedOnset]:
    plan, audible = _plan(session)
    return expected_onsets(plan, audible, realtime=realtime)


def _check(session: str, run: SessionRun, onsets: list[float], *, realtime: bool) -> None:
    assert run.status == "completed"
    assert run.cue_status is None
    plan, audible = _plan(SESSIONS[session])
    groups = expected_onsets(plan, audible, realtime=realtime)
    assert len(groups) >= 8
    # Each group sounds within 30 ms of when its cue was asked for (when the cues asked for
    # are the plan's), and nothing else sounds.
    result = compare(groups, onsets, run.origin_s, realtime=realtime, played=run.played, plan=plan)
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
def test_miniaudio_plays_every_cue_on_time(tmp_path: Path, session: str) -> None:
    capture = _pulse(tmp_path)
    try:
        capture.start_recording()
        workout_id, overrides = SESSIONS[session]
        run = run_session("miniaudio", workout_id, overrides, capture.env())
    finally:
        capture.close()
    if os.environ.get("AUDIO_CAPTURE_KEEP"):
        # To listen to what the session played: AUDIO_CAPTURE_KEEP=DIR.
        capture.save_wav(Path(os.environ["AUDIO_CAPTURE_KEEP"]) / f"miniaudio-{session}.wav")
    assert run.backend == "miniaudio"
    assert run.statuses == [None]
    _check(session, run, capture.onsets(), realtime=True)
    # Cues overlap here (a countdown pip under a voice line) and the mix never clips.
    assert max(map(abs, capture.frames)) < 32767


# 8 s of work: "Drive" and "Last round" end 1.3 s in, then silence until the countdown at
# 5 s: long enough for a sink that suspends after 1 s idle to fall asleep.
LONG_SILENCE = ("hiit", {"work_s": 8, "rest_s": 1, "rounds": 1, "prep_s": 0})


def test_the_first_cue_after_a_long_silence_finds_the_sink_awake(tmp_path: Path) -> None:
    """The server suspends the idle sink (module-suspend-on-idle, 1 s) during the silence,
    as desktops do (after 5 s). The stream wakes it ahead of the countdown: the sink plays
    again well before the cue and stays awake for it, and the cue is heard within 10 ms
    of when it was asked for."""
    capture = _pulse(tmp_path, suspend_idle_s=1)
    try:
        capture.start_recording()
        workout_id, overrides = LONG_SILENCE
        run = run_session("miniaudio", workout_id, overrides, capture.env())
    finally:
        capture.close()
    assert run.status == "completed" and run.statuses == [None]
    plan, audible = _plan(LONG_SILENCE)
    groups = expected_onsets(plan, audible, realtime=True)
    result = compare(
        groups, capture.onsets(), run.origin_s, realtime=True, played=run.played, plan=plan
    )
    assert result.problems() == []
    # The first cue after the silence: the countdown's first pip.
    silence_end = next(m for m in result.matches if m.expected.at_ms == 5000)
    assert silence_end.onset_s is not None and silence_end.error_ms is not None
    before = run.origin_s + 1.3
    asleep = [t for t, state in capture.sink_states if state == "SUSPENDED" and t > before]
    assert asleep and asleep[0] < silence_end.onset_s - 0.5, "the sink never slept"
    woke = [t for t in capture.wakes() if asleep[0] < t <= silence_end.onset_s]
    assert woke, "the sink did not wake for the cue"
    assert silence_end.onset_s - woke[0] >= 0.2, "the sink woke only with the cue"
    # The stream paused again soon after the wake, and the sink stayed awake for the cue.
    assert not [
        t
        for t, state in capture.sink_states
        if woke[0] < t < silence_end.onset_s and state == "SUSPENDED"
    ]
    assert silence_end.error_ms <= 10


def test_auto_chooses_miniaudio(tmp_path: Path) -> None:
    capture = _pulse(tmp_path)
    try:
        capture.start_recording()
        run = run_session("auto", "hiit", {"work_s": 1, "rest_s": 1, "rounds": 1}, capture.env())
    finally:
        capture.close()
    assert run.backend == "miniaudio" and run.cue_status is None
    assert capture.onsets(), "the session made no sound"


def test_the_capture_notices_a_missing_cue(tmp_path: Path) -> None:
    """The comparison itself can fail: a cue missing, one more, or all of them late."""
    capture = _pulse(tmp_path)
    try:
        capture.start_recording()
        workout_id, overrides = SESSIONS["hiit"]
        run = run_session("miniaudio", workout_id, overrides, capture.env())
    finally:
        capture.close()
    onsets = capture.onsets()
    _check("hiit", run, onsets, realtime=True)
    completion_s = run.origin_s + 8.0  # prep 3 s, work 2 s, rest 1 s, work 2 s
    without_completion = [t for t in onsets if abs(t - completion_s) > 0.15]
    with pytest.raises(AssertionError):
        _check("hiit", run, without_completion, realtime=True)
    with pytest.raises(AssertionError):
        _check("hiit", run, [*onsets, run.origin_s + 4.5], realtime=True)
    with pytest.raises(AssertionError):
        _check("hiit", run, [t + 0.05 for t in onsets], realtime=True)


def test_sound_returns_when_a_device_appears(tmp_path: Path) -> None:
    """The app starts with no sound server at all; one starts during the prep phase. The
    window is told sound is unavailable, then that it works, and the cues after that are
    heard on time."""
    capture = _pulse(tmp_path, start=False)
    ready = tmp_path / "cue-system-ready"
    env = {**capture.env(), "AUDIO_CAPTURE_READY_FILE": str(ready)}
    started = threading.Event()

    def start_server() -> None:
        # Once the app has looked for a device and found none.
        deadline = time.monotonic() + 30
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        capture.start_server()
        capture.start_recording()
        started.set()

    server = threading.Thread(target=start_server, daemon=True)
    workout_id, overrides = LATE_DEVICE
    try:
        server.start()
        run = run_session("miniaudio", workout_id, overrides, env)
    finally:
        server.join(timeout=30)
        capture.close()
    assert started.is_set()
    assert run.status == "completed"
    assert run.statuses[0] == "Sound unavailable: no audio output device was found."
    assert run.statuses[-1] is None
    # From the work phase on (8 s in), every cue is heard.
    plan, audible = _plan(LATE_DEVICE)
    groups = [g for g in expected_onsets(plan, audible, realtime=True) if g.at_ms >= 8000]
    result = compare(
        groups, capture.onsets(), run.origin_s, realtime=True, played=run.played, plan=plan
    )
    assert len(groups) >= 5
    assert result.missing == []
    assert all(abs(e) <= 30 for e in result.errors_ms)


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


@pytest.mark.parametrize("choice", ["auto", "miniaudio", "simpleaudio"])
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
