"""One instance per data folder, with real processes: a second launch hands over to the first;
a first instance killed with SIGKILL leaves a socket and a lock that do not block the next."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from legdrive_timer.core.records import SessionStatus
from legdrive_timer.storage.history import HistoryStore
from legdrive_timer.storage.paths import DataPaths
from legdrive_timer.ui.single_instance import server_name

pytestmark = [pytest.mark.skipif(os.name != "posix", reason="uses SIGKILL and Unix sockets")]

REPO = Path(__file__).resolve().parents[2]
LIMIT_S = 60.0
"""Only a bound on a hung process: the tests go on as soon as what they wait for is there."""
LISTENING = "listening for other launches on "
SHORT = ("--work", "1", "--rest", "1", "--rounds", "1", "--prep", "0", "--audio", "off")


@pytest.fixture
def env() -> Iterator[dict[str, str]]:
    # Qt puts local sockets in the temporary folder; a short private one keeps them apart
    # from other tests' and under the length limit of a socket path.
    sockets = tempfile.mkdtemp(prefix="ldt-")
    yield dict(os.environ, QT_QPA_PLATFORM="offscreen", TMPDIR=sockets)
    shutil.rmtree(sockets, ignore_errors=True)


def app(data: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "legdrive_timer", "--data-dir", str(data), *args]


def start_first(data: Path, env: dict[str, str]) -> tuple[subprocess.Popen[str], Path]:
    """The first instance, once it listens for other launches; and its socket file."""
    proc = subprocess.Popen(
        app(data, "--audio", "off", "--verbose"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    )
    assert proc.stderr is not None
    lines: queue.Queue[str] = queue.Queue()
    stream = proc.stderr

    def read() -> None:
        # Also drains the pipe for as long as the process runs, so it never blocks on it.
        with stream:
            for line in stream:
                lines.put(line)

    threading.Thread(target=read, name=f"stderr-{proc.pid}", daemon=True).start()
    give_up = time.monotonic() + LIMIT_S
    seen: list[str] = []
    while time.monotonic() < give_up:
        try:
            line = lines.get(timeout=1.0)
        except queue.Empty:
            if proc.poll() is not None:
                break
            continue
        seen.append(line)
        if LISTENING in line:
            return proc, Path(line.split(LISTENING, 1)[1].strip())
    stop(proc)
    raise AssertionError(f"the first instance never listened: {''.join(seen)}")


def launch(data: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        app(data, *args),
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=LIMIT_S,
        check=False,
    )


def stop(proc: subprocess.Popen[str]) -> None:
    """SIGTERM, as at logout: the app closes its window as the user would."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=LIMIT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    for reader in threading.enumerate():  # start_first's: it closes the stream at its end
        if reader.name == f"stderr-{proc.pid}":
            reader.join(timeout=LIMIT_S)


def sessions(data: Path) -> list[SessionStatus]:
    with HistoryStore.open(DataPaths.resolve(data).history_db) as store:
        return [s.status for s in store.sessions()]


def test_server_names_follow_the_resolved_folder(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "a")
    assert server_name(tmp_path / "a") == server_name(tmp_path / "link")
    assert server_name(tmp_path / "a") == server_name(tmp_path / "a" / ".." / "a")
    assert server_name(tmp_path / "a") != server_name(tmp_path / "b")


def test_a_second_launch_hands_its_workout_to_the_first(
    tmp_path: Path, env: dict[str, str]
) -> None:
    data = tmp_path / "data"
    first, _ = start_first(data, env)
    try:
        started = launch(data, env, "run", "hiit", *SHORT[:-2], "--work", "30")
        assert started.returncode == 0, started.stderr
        assert started.stdout == "legdrive-timer: HIIT finisher started in the open window.\n"

        # The first instance runs it: it is in the first instance's history, running.
        give_up = time.monotonic() + LIMIT_S
        while sessions(data) != [SessionStatus.RUNNING]:
            assert first.poll() is None
            assert time.monotonic() < give_up, "the handed-over session never started"
            time.sleep(0.05)

        busy = launch(data, env, "run", "primer", "--audio", "off")
        assert busy.returncode == 1
        assert "already running" in busy.stderr and "not started" in busy.stderr

        shown = launch(data, env)
        assert shown.returncode == 0, shown.stderr
        assert "already open" in shown.stdout
        assert first.poll() is None
    finally:
        stop(first)
    # One history, one session: the first instance's, stopped when SIGTERM closed its window.
    assert sessions(data) == [SessionStatus.STOPPED]
    assert first.returncode == 0


def test_two_data_folders_are_two_instances(tmp_path: Path, env: dict[str, str]) -> None:
    first, _ = start_first(tmp_path / "one", env)
    try:
        other = launch(tmp_path / "two", env, "run", "hiit", *SHORT, "--quit-when-done")
        assert other.returncode == 0, other.stderr
        assert other.stdout == ""  # it ran its own window, it did not hand over
        assert sessions(tmp_path / "two") == [SessionStatus.COMPLETED]
        assert first.poll() is None
    finally:
        stop(first)


def test_a_killed_first_instance_leaves_nothing_that_blocks_the_next(
    tmp_path: Path, env: dict[str, str]
) -> None:
    data = tmp_path / "data"
    first, socket_file = start_first(data, env)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    stop(first)
    # What the crash left behind: the socket file and the lock file.
    assert socket_file.is_socket()
    assert DataPaths.resolve(data).instance_lock.exists()

    again = launch(data, env, "run", "hiit", *SHORT, "--quit-when-done")
    assert again.returncode == 0, again.stderr
    assert again.stdout == ""
    assert sessions(data) == [SessionStatus.COMPLETED]
