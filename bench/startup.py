"""Start-up time, peak memory and CPU of the window against a bare PySide6 window.

    python bench/startup.py [--runs 5] [--cpu-runs 3] [--cpu-seconds 30] [--instructions]
                            [--audio miniaudio|simpleaudio|off]

Start-up is the time from `Popen` to the first painted frame of the start screen (the app
prints a marker line on its first paint when LEGDRIVE_TIMER_STARTUP_MARKER is set). The app
starts as its desktop entry starts it: the installed `legdrive-timer` command with no
arguments, for a returning user (a profile under the bench's temporary folder, through the
XDG variables, with a settings file and the history the untimed first start made). Peak
memory is VmHWM from /proc. CPU is user+system time of the process while a session runs
for `--cpu-seconds` (`legdrive-timer run hiit --audio miniaudio`), against the bare window
updating one label every 100 ms over the same span; both run side by side so they share
the machine's load. Wake-ups are the context switches of all the process's threads per
second over the same span (the sound device's thread wakes once per period). With sound
(the default) the bench starts a private PulseAudio server with a null sink, so the app
opens a real output stream at start and plays the session's cues into it. Medians over the
runs and the ratios are printed, and for start-up the
ratio of the fastest runs too: on a shared machine some runs of either program take 50 ms
longer for reasons outside it, and the fastest runs are the ones that were not held up.
Runs under QT_QPA_PLATFORM=offscreen unless the environment says otherwise.

`--instructions` also counts the instructions each program runs from its start to its first
frame under valgrind's callgrind (a wrapper ends each at the marker): unlike the times, the
counts repeat exactly from run to run, so their ratio shows a change of a few ms that the
noise of single runs hides. It takes about 10 s per program.

Both programs run as installed: with their bytecode compiled, as pip leaves an installed
package. A development shell often sets PYTHONDONTWRITEBYTECODE, which would make every run
recompile the app's own modules from source (about 30 ms here), a cost the bare window,
which has no modules of its own, never pays. So the children write and read their bytecode
in a cache under the bench's temporary folder (PYTHONPYCACHEPREFIX, nothing written into the
tree), and each program runs once untimed first to fill it.
"""

from __future__ import annotations

import argparse
import os
import selectors
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

MARKER = "legdrive-timer: first frame painted"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

BARE_WINDOW = f"""
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow

class Window(QMainWindow):
    painted = False
    def paintEvent(self, event):
        super().paintEvent(event)
        if not self.painted:
            self.painted = True
            print("{MARKER}", time.monotonic(), file=sys.stderr, flush=True)

app = QApplication(sys.argv[:1])
window = Window()
label = QLabel("0")
window.setCentralWidget(label)
count = [0]
def tick():
    count[0] += 1
    label.setText(str(count[0]))
timer = QTimer()
timer.timeout.connect(tick)
timer.start(100)
window.resize(1024, 640)
window.show()
app.exec()
"""


EXIT_AT_MARKER = f"""
import os, sys
class _EndAtFirstFrame:
    def __init__(self, stream):
        self._stream = stream
    def write(self, text):
        if text.startswith("{MARKER}"):
            os._exit(0)
        return self._stream.write(text)
    def __getattr__(self, name):
        return getattr(self._stream, name)
sys.stderr = _EndAtFirstFrame(sys.stderr)
"""

APP_FROM_CODE = """
sys.argv = ["legdrive-timer"]
from legdrive_timer.__main__ import main
sys.exit(main())
"""


@dataclass
class Started:
    process: subprocess.Popen[str]
    seconds: float


SEED_SETTINGS = """
from legdrive_timer.storage.paths import DataPaths
from legdrive_timer.storage.settings import Settings, save_settings
save_settings(DataPaths.resolve().settings_file, Settings(last_workout_id="hiit"))
"""


def _environment(root: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["LEGDRIVE_TIMER_STARTUP_MARKER"] = "1"
    env.pop("LEGDRIVE_TIMER_HOME", None)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(root / "pycache")
    home = root / "home"
    env["HOME"] = str(home)
    for variable, folder in (
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_STATE_HOME", ".local/state"),
        ("XDG_CACHE_HOME", ".cache"),
    ):
        env[variable] = str(home / folder)
    return env


AUDIO = ["miniaudio"]
"""The sound choice of the session runs (set from --audio)."""


def _app_command(*, session: bool) -> list[str]:
    installed = Path(sys.executable).with_name("legdrive-timer")
    command = [str(installed)] if installed.exists() else [sys.executable, "-m", "legdrive_timer"]
    if session:
        command += ["run", "hiit", "--audio", AUDIO[0]]
    return command


def _bare_command() -> list[str]:
    return [sys.executable, "-c", BARE_WINDOW]


def start_until_painted(command: list[str], env: dict[str, str], timeout: float = 60.0) -> Started:
    began = time.perf_counter()
    process = subprocess.Popen(
        command,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stderr, selectors.EVENT_READ)
    deadline = began + timeout
    while time.perf_counter() < deadline:
        if not selector.select(timeout=deadline - time.perf_counter()):
            break
        line = process.stderr.readline()
        if not line:
            break
        if line.startswith(MARKER):
            return Started(process, time.perf_counter() - began)
    process.kill()
    raise RuntimeError(f"no first frame from {command[:4]} within {timeout} s")


def stop(process: subprocess.Popen[str]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def peak_memory_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # utime and stime are fields 14 and 15 of stat; after the name they are 12 and 13.
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def wakeups(pid: int) -> int:
    """Context switches of every thread of `pid` so far."""
    total = 0
    for status in Path(f"/proc/{pid}/task").glob("*/status"):
        try:
            lines = status.read_text().splitlines()
        except OSError:
            continue  # a thread that ended meanwhile
        for line in lines:
            if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                total += int(line.split()[1])
    return total


def warm_up(env: dict[str, str]) -> None:
    """The returning user's settings, then one untimed start of each, so both run with
    compiled bytecode and a warm disk cache, and the app finds the history it made. The
    app also runs a session once: the modules only a session imports (the engine's
    listeners, the cue planner) would otherwise be compiled during the first CPU run."""
    subprocess.run([sys.executable, "-c", SEED_SETTINGS], env=env, check=True)
    for command in (_app_command(session=False), _app_command(session=True), _bare_command()):
        started = start_until_painted(command, env)
        time.sleep(2.0)  # past the first frame: the session under way, its history written
        stop(started.process)


def measure_startup(runs: int, env: dict[str, str]) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {"app_s": [], "bare_s": [], "app_mib": [], "bare_mib": []}
    for run in range(runs):
        # Alternate which goes first so a warm disk cache favours neither.
        order = ["app", "bare"] if run % 2 == 0 else ["bare", "app"]
        for which in order:
            command = _app_command(session=False) if which == "app" else _bare_command()
            started = start_until_painted(command, env)
            time.sleep(0.5)  # settle, so the peak includes the first layout passes
            results[f"{which}_mib"].append(peak_memory_mib(started.process.pid))
            stop(started.process)
            results[f"{which}_s"].append(started.seconds)
    return results


def measure_cpu(runs: int, seconds: float, env: dict[str, str]) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {
        "app_cpu": [],
        "bare_cpu": [],
        "app_wakeups": [],
        "bare_wakeups": [],
        "app_run_mib": [],
    }
    for _ in range(runs):
        app = start_until_painted(_app_command(session=True), env)
        bare = start_until_painted(_bare_command(), env)
        pids = (app.process.pid, bare.process.pid)
        try:
            before = [(cpu_seconds(pid), wakeups(pid)) for pid in pids]
            time.sleep(seconds)
            after = [(cpu_seconds(pid), wakeups(pid)) for pid in pids]
            results["app_run_mib"].append(peak_memory_mib(app.process.pid))
        finally:
            stop(app.process)
            stop(bare.process)
        for which, first, last in zip(("app", "bare"), before, after, strict=True):
            results[f"{which}_cpu"].append((last[0] - first[0]) / seconds * 100)
            results[f"{which}_wakeups"].append((last[1] - first[1]) / seconds)
    return results


def count_instructions(code: str, env: dict[str, str]) -> int:
    """Instructions `python -c code` runs until it ends, counted by callgrind."""
    valgrind = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
    with subprocess.Popen(
        [*valgrind, sys.executable, "-c", code],
        env={**env, "PYTHONHASHSEED": "0"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    ) as process:
        _, report = process.communicate()
    # Qt may fork a helper (dbus-launch), which valgrind reports too: take our own line.
    for line in report.splitlines():
        if line.startswith(f"=={process.pid}==") and "Collected :" in line:
            return int(line.rsplit(":", 1)[1])
    raise RuntimeError(f"no instruction count from valgrind: {report[-500:]}")


def measure_instructions(env: dict[str, str]) -> dict[str, int]:
    return {
        "app": count_instructions(EXIT_AT_MARKER + APP_FROM_CODE, env),
        "bare": count_instructions(EXIT_AT_MARKER + BARE_WINDOW, env),
    }


def _sound_server(root: Path, stack: ExitStack) -> dict[str, str]:
    """A private PulseAudio server whose default sink is a null sink (clocked in real time,
    like a sound card); its address for the children's environment."""
    repo = Path(__file__).resolve().parents[1]
    if str(repo) not in sys.path:
        sys.path.insert(0, str(repo))
    from tests.e2e.audio_capture import PulseCapture

    server = PulseCapture(root / "pulse")
    stack.callback(server.close)
    return server.env()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="start-up runs (default 5)")
    parser.add_argument("--cpu-runs", type=int, default=3, help="CPU runs (default 3)")
    parser.add_argument("--cpu-seconds", type=float, default=30.0, help="per CPU run")
    parser.add_argument(
        "--instructions", action="store_true", help="also count instructions to the first frame"
    )
    parser.add_argument(
        "--audio",
        choices=("miniaudio", "simpleaudio", "off"),
        default="miniaudio",
        help="sound of the session runs; miniaudio plays into a private PulseAudio null sink",
    )
    args = parser.parse_args(argv)
    AUDIO[0] = args.audio
    with tempfile.TemporaryDirectory(prefix="legdrive-bench-") as tmp, ExitStack() as stack:
        env = _environment(Path(tmp))
        sound = "off"
        if args.audio == "miniaudio":
            env.update(_sound_server(Path(tmp), stack))
            sound = "miniaudio into a PulseAudio null sink"
        elif args.audio == "simpleaudio":
            sound = "simpleaudio on ALSA's default device"
        warm_up(env)
        start = measure_startup(args.runs, env)
        cpu = measure_cpu(args.cpu_runs, args.cpu_seconds, env)
        instructions = measure_instructions(env) if args.instructions else None
    med = {k: statistics.median(v) for k, v in {**start, **cpu}.items()}
    platform = os.environ.get("QT_QPA_PLATFORM", "offscreen")
    print(
        f"platform: {platform}; sound: {sound}; runs: {args.runs} start-up, {args.cpu_runs} x CPU"
    )
    print(
        f"first frame: app {med['app_s'] * 1000:.0f} ms, bare {med['bare_s'] * 1000:.0f} ms,"
        f" ratio {med['app_s'] / med['bare_s']:.2f} (target <= 1.30);"
        f" fastest runs {min(start['app_s']) * 1000:.0f} / {min(start['bare_s']) * 1000:.0f} ms,"
        f" ratio {min(start['app_s']) / min(start['bare_s']):.2f}"
    )
    print(
        f"peak memory at start: app {med['app_mib']:.1f} MiB, bare {med['bare_mib']:.1f} MiB,"
        f" ratio {med['app_mib'] / med['bare_mib']:.2f};"
        f" app after {args.cpu_seconds:.0f} s of session {med['app_run_mib']:.1f} MiB"
    )
    bare_cpu = max(med["bare_cpu"], 1e-9)
    print(
        f"CPU over {args.cpu_seconds:.0f} s: app running a session {med['app_cpu']:.2f}% of a core,"
        f" bare 10 Hz label {med['bare_cpu']:.2f}%, ratio {med['app_cpu'] / bare_cpu:.2f}"
        " (target <= 1.50)"
    )
    print(f"wake-ups per second: app {med['app_wakeups']:.0f}, bare {med['bare_wakeups']:.0f}")
    if instructions is not None:
        print(
            f"instructions to the first frame: app {instructions['app'] / 1e6:.1f} M,"
            f" bare {instructions['bare'] / 1e6:.1f} M,"
            f" ratio {instructions['app'] / instructions['bare']:.3f}"
        )
    for key, values in {**start, **cpu}.items():
        print(f"  {key}: " + ", ".join(f"{v:.3f}" for v in values))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
