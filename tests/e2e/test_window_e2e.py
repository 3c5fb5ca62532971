"""The real app in a real X server: a short HIIT session from the command line."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from legdrive_timer.core.records import SessionStatus
from legdrive_timer.storage.history import HistoryStore
from legdrive_timer.ui import theme
from tests.helpers import require
from tests.helpers.window import dominant_colour

pytestmark = [pytest.mark.e2e]

SCREEN = "1100x700x24"
"""A little larger than the window's first size, so the window is most of every shot."""


@pytest.fixture
def x_display(tmp_path: Path) -> Iterator[str]:
    """A private Xvfb on a display number it picks itself (no clash with other runs)."""
    require(shutil.which("Xvfb") is not None, "needs Xvfb (apt: xvfb)")
    read_fd, write_fd = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", SCREEN, "-nolisten", "tcp"],
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(write_fd)
    try:
        with os.fdopen(read_fd) as pipe:
            number = pipe.readline().strip()
        assert number, "Xvfb did not report its display"
        yield f":{number}"
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=10)


def test_hiit_runs_to_the_end_in_a_real_x_server(x_display: str, tmp_path: Path) -> None:
    data = tmp_path / "data"
    shots = tmp_path / "shots"
    env = {
        **os.environ,
        "DISPLAY": x_display,
        "QT_QPA_PLATFORM": "xcb",
        "LEGDRIVE_TIMER_SCREENSHOT_DIR": str(shots),
    }
    env.pop("LEGDRIVE_TIMER_HOME", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "legdrive_timer",
            "run",
            "hiit",
            "--work",
            "2",
            "--rest",
            "1",
            "--rounds",
            "2",
            "--prep",
            "0",
            "--audio",
            "off",
            "--quit-when-done",
            "--data-dir",
            str(data),
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr

    store = HistoryStore.open(data / "history.sqlite3")
    try:
        sessions = list(store.records())
    finally:
        store.close()
    assert len(sessions) == 1
    record = sessions[0]
    assert record.status is SessionStatus.COMPLETED
    assert [s.kind.value for s in record.segments] == ["work", "rest", "work"]

    # The app grabbed the X server's screen shortly after each phase began.
    taken = sorted(p.name for p in shots.glob("*.png"))
    assert taken[:3] == ["000-work.png", "001-rest.png", "002-work.png"], taken
    work = dominant_colour(QImage(str(shots / "000-work.png")))
    rest = dominant_colour(QImage(str(shots / "001-rest.png")))
    again = dominant_colour(QImage(str(shots / "002-work.png")))
    assert work == theme.WORK.background
    assert rest == theme.REST.background
    assert again == work
    assert theme.lightness(theme.parse_hex(rest)) - theme.lightness(theme.parse_hex(work)) > 25


def _wait_for(path: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.05)


def test_real_key_presses_pause_and_stop(x_display: str, tmp_path: Path) -> None:
    require(shutil.which("xdotool") is not None, "needs xdotool (apt: xdotool)")
    data, shots = tmp_path / "data", tmp_path / "shots"
    env = {
        **os.environ,
        "DISPLAY": x_display,
        "QT_QPA_PLATFORM": "xcb",
        "LEGDRIVE_TIMER_SCREENSHOT_DIR": str(shots),
    }
    env.pop("LEGDRIVE_TIMER_HOME", None)
    command = [sys.executable, "-m", "legdrive_timer", "run", "hiit", "--work", "20"]
    command += ["--rest", "5", "--rounds", "2", "--prep", "3", "--audio", "off"]
    command += ["--quit-when-done", "--data-dir", str(data)]
    app = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )

    def xdotool(*args: str) -> str:
        done = subprocess.run(
            ["xdotool", *args], env=env, capture_output=True, text=True, timeout=20, check=True
        )
        return done.stdout

    try:
        _wait_for(shots / "000-prep.png")
        prep_seen = time.monotonic()
        window = xdotool("search", "--name", "Legdrive Timer").split()[0]
        xdotool("windowfocus", "--sync", window)
        xdotool("key", "space")  # pause during the get-ready countdown
        time.sleep(2.0)
        xdotool("key", "space")  # resume
        _wait_for(shots / "001-work.png")
        # Both shots come the same delay after their phase began: 3 s of get-ready plus
        # the 2 s pause in between (a lower bound only; a busy machine just adds to it).
        assert time.monotonic() - prep_seen >= 4.5
        xdotool("key", "Escape")  # asks first
        time.sleep(0.5)
        assert app.poll() is None
        xdotool("key", "Return")  # stop
        _, errors = app.communicate(timeout=30)
    finally:
        if app.poll() is None:
            app.kill()
            app.communicate()
    assert app.returncode == 0, errors
    assert "Traceback" not in errors
    store = HistoryStore.open(data / "history.sqlite3")
    try:
        (record,) = list(store.records())
    finally:
        store.close()
    assert record.status is SessionStatus.STOPPED
    prep, work = record.segments
    assert prep.actual_ms == 3000  # the pause did not count as time done
    assert work.end_reason.value == "stopped" and work.actual_ms < 20_000


WATCH_QT_ENUMS = """
import sys

import PySide6.QtCore
from PySide6.QtCore import QTimer

from legdrive_timer.ui import app as ui_app

load_services = ui_app.AppController.load_services
seen = []
timers = []


def report(window):
    parts = ["qt=%s" % ("Qt" in vars(PySide6.QtCore)), "session=False"]
    if window.has_session_view:  # built by the first Start
        view = window.session_view
        paused = view._paused_overlay  # built when the session is first paused
        parts[1:] = [
            "session=%s" % view.isVisible(),
            "title=%s" % view.title.text().replace(" ", "_"),
            "paused=%s" % (paused is not None and paused.isVisible()),
            "confirm=%s" % view.confirming_stop,
        ]
    line = " ".join(parts)
    if not seen or seen[-1] != line:
        seen.append(line)
        print(line, flush=True)


def loaded(controller):
    load_services(controller)
    if not timers:  # the first call, after the first frame; a Start calls it again
        window = controller.window
        timers.append(QTimer(window))
        timers[0].timeout.connect(lambda: report(window))
        timers[0].start(20)


ui_app.AppController.load_services = loaded
sys.argv = ["legdrive-timer", *sys.argv[1:]]
from legdrive_timer.__main__ import main

main()
"""


def test_real_keys_run_a_session_without_building_qts_enums(x_display: str, tmp_path: Path) -> None:
    """Real key events from the X server through the start and session screens: neither
    builds PySide6's `Qt` namespace (ui.qt_values), and every key does its command."""
    require(shutil.which("xdotool") is not None, "needs xdotool (apt: xdotool)")
    env = {**os.environ, "DISPLAY": x_display, "QT_QPA_PLATFORM": "xcb"}
    env["LEGDRIVE_TIMER_HOME"] = str(tmp_path / "data")
    app = subprocess.Popen(
        [sys.executable, "-c", WATCH_QT_ENUMS, "--audio", "off"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert app.stdout is not None

    def xdotool(*args: str) -> str:
        done = subprocess.run(
            ["xdotool", *args], env=env, capture_output=True, text=True, timeout=20, check=True
        )
        return done.stdout

    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in app.stdout], daemon=True).start()

    def until(*words: str) -> str:
        deadline = time.monotonic() + 30
        while True:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
            if all(word in line.split() for word in words):
                return line.strip()

    try:
        until("session=False")  # the start screen shown, its services loaded
        window = xdotool("search", "--sync", "--name", "Legdrive Timer").split()[0]
        xdotool("windowfocus", "--sync", window)
        xdotool("key", "Return")  # start the selected workout
        until("session=True", "title=GET_READY")
        xdotool("key", "Right")  # skip to the first set
        until("session=True", "title=DRIVE")
        xdotool("key", "space")  # pause
        until("paused=True")
        xdotool("key", "space")  # resume
        until("paused=False")
        xdotool("key", "Up", "Down", "Left", "shift+question", "Escape")  # help, closed by Esc
        xdotool("key", "Escape")  # stop? asks first
        until("confirm=True")
        xdotool("key", "Escape")  # no: keep going
        last = until("confirm=False")
    finally:
        app.send_signal(signal.SIGTERM)
        _, errors = app.communicate(timeout=30)
    assert "qt=False" in last.split(), last
    assert "Traceback" not in errors
