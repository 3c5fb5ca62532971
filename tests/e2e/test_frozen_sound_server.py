"""A sound server that takes connections and never answers: a PulseAudio daemon stopped
with SIGSTOP, as a frozen pipewire-pulse or a stuck PulseAudio behaves. The app says sound
is unavailable, runs the session without it to its end and exits as usual.

The app runs in a child process on the offscreen platform, with the private server's
address; a hang fails the test at the child's timeout.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.e2e.audio_capture import PulseCapture, PulseUnavailable
from tests.helpers import require

pytestmark = [
    pytest.mark.audio,
    pytest.mark.slow,
    pytest.mark.skipif(os.name != "posix", reason="stops the sound server with SIGSTOP"),
]

SHORT = ("--prep", "1", "--work", "1", "--rest", "1", "--rounds", "1")
LONG_PREP = ("--quit-when-done", "--prep", "8", "--work", "1", "--rest", "1", "--rounds", "1")
HANG_S = 60
QUIT_S = 15
"""How long the app may take to exit when asked to: it waits 2 s at most for the sound
device's thread. libpulse gives up on a request after 30 s, which is how long the app took
when it waited for a thread stuck on the frozen server (a session manager kills an app that
takes that long at logout)."""
"""Far longer than the session (about 2 s) and the wait for the server (2 s) together."""


def app(data: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "legdrive_timer", "--data-dir", str(data), *args]


def pulse(tmp_path: Path) -> PulseCapture:
    try:
        return PulseCapture(tmp_path / "pulse")
    except PulseUnavailable as error:
        require(False, f"no private PulseAudio server on this machine: {error}")
        raise


@pytest.mark.parametrize("audio", ["auto", "miniaudio"])
def test_a_frozen_sound_server_costs_the_session_its_sound_only(tmp_path: Path, audio: str) -> None:
    server = pulse(tmp_path)
    daemon = server._daemon
    assert daemon is not None
    data = tmp_path / "data"
    env = {**os.environ, **server.env(), "QT_QPA_PLATFORM": "offscreen"}
    os.kill(daemon.pid, signal.SIGSTOP)
    try:
        run = subprocess.run(
            app(data, "--verbose", "run", "hiit", "--audio", audio, "--quit-when-done", *SHORT),
            env=env,
            capture_output=True,
            text=True,
            timeout=HANG_S,
        )
    finally:
        os.kill(daemon.pid, signal.SIGCONT)
        server.close()
    assert run.returncode == 0, run.stderr
    assert "the sound server did not answer" in run.stderr
    assert "Traceback" not in run.stderr
    history = subprocess.run(
        app(data, "history", "list"), capture_output=True, text=True, check=True, timeout=HANG_S
    )
    assert "HIIT finisher" in history.stdout and "completed" in history.stdout


def test_sound_comes_back_when_a_frozen_sound_server_answers(tmp_path: Path) -> None:
    """The server thaws during the session's long prep phase: the open that waited for it
    completes, and the cues after that are heard."""
    server = pulse(tmp_path)
    daemon = server._daemon
    assert daemon is not None
    env = {**os.environ, **server.env(), "QT_QPA_PLATFORM": "offscreen"}
    try:
        server.start_recording()
        os.kill(daemon.pid, signal.SIGSTOP)
        child = subprocess.Popen(
            app(tmp_path / "data", "--verbose", "run", "hiit", "--audio", "miniaudio", *LONG_PREP),
            env=env,
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
        )
        assert child.stderr is not None
        hung = threading.Timer(HANG_S, child.kill)  # a hang fails the test, never blocks it
        hung.start()
        log: list[str] = []
        try:
            for line in child.stderr:
                log.append(line)
                if "the sound server did not answer" in line:
                    break
            os.kill(daemon.pid, signal.SIGCONT)
            log.append(child.communicate()[1])
        finally:
            hung.cancel()
            child.kill()
    finally:
        os.kill(daemon.pid, signal.SIGCONT)
        onsets = server.onsets()
        server.close()
    stderr = "".join(log)
    assert child.returncode == 0, stderr
    assert "the sound server answered: sound is back" in stderr
    assert "Traceback" not in stderr
    assert onsets, "no cue was heard after the sound server answered"


def test_the_app_quits_when_the_sound_server_froze_during_the_session(tmp_path: Path) -> None:
    """The server freezes under an open device, during a long prep phase: the stream waking
    ahead of the countdown waits for it (on the watcher thread, holding the device). Asked
    to close (SIGTERM, as at logout), the app exits at once all the same."""
    server = pulse(tmp_path)
    daemon = server._daemon
    assert daemon is not None
    env = {**os.environ, **server.env(), "QT_QPA_PLATFORM": "offscreen"}
    try:
        child = subprocess.Popen(
            app(
                tmp_path / "data",
                "--verbose",
                "run",
                "hiit",
                "--audio",
                "miniaudio",
                "--prep",
                "12",
            ),
            env=env,
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
        )
        try:
            time.sleep(5)  # the device open, "Get ready" played, the stream paused
            os.kill(daemon.pid, signal.SIGSTOP)
            time.sleep(8)  # past the wake before the countdown and the countdown
            child.send_signal(signal.SIGTERM)
            stderr = child.communicate(timeout=QUIT_S)[1]
        finally:
            child.kill()
    finally:
        os.kill(daemon.pid, signal.SIGCONT)
        server.close()
    assert child.returncode == 0, stderr
    assert "closing on SIGTERM" in stderr
    assert "Traceback" not in stderr
