"""Capture what a playback backend really plays, find the cue onsets, compare with the plan.

Shared by tests/e2e/test_audio_capture.py and bench/cue_latency.py. Two captures, as
described in the project's testing notes:

- `AlsaFifoCapture`: ALSA's default device becomes the `file` plugin writing into a FIFO
  (via `$XDG_CONFIG_HOME/alsa/asoundrc`); a reader thread stamps each chunk with
  `time.monotonic()`. The null slave consumes samples at once, so a cue arrives as a burst
  of data when it is played: its onset is the first non-silent chunk after a gap.
- `PulseCapture`: a private PulseAudio server with a null sink, recorded by `parec` from
  its monitor. The null sink runs in real time, so each recorded frame has a time: this is
  how the streaming miniaudio engine is captured (over ALSA's file plugin a stream runs
  flat out and no timing can be read). With `suspend_idle_s` the server also suspends the
  sink after that long without a playing stream (module-suspend-on-idle, as on a desktop)
  and the recorder (`tests/e2e/pulse_record.py`) does not keep it awake; while the sink
  sleeps no data arrives, and each stretch of recorded data gets a time of its own.

The session itself runs in a child process (`python -m tests.e2e.audio_capture ...`) so
that ALSA and PulseAudio clients read the capture environment before they start. CLOCK_MONOTONIC is
shared by all processes, so times from the child and the recorder compare directly.
"""

from __future__ import annotations

import contextlib
import faulthandler
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import wave
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from legdrive_timer.audio.cues import Cue, CueAsset
from tests.helpers.cues import CuePlan

RATE = 48_000
SILENCE_PEAK = 400
"""Samples below this (about -38 dBFS) count as silence."""
MIN_SILENCE_MS = 40
"""A quiet stretch at least this long separates two onsets."""
BURST_GAP_MS = 40
"""simpleaudio capture: data arriving after this long without sound starts a new burst."""
TOLERANCE_MS = 30
SLEEP_GAP_S = 0.03
"""PulseAudio capture with suspend: data arriving this much later than continuous data
would have starts a new stretch (the sink slept in between)."""


def _peak(samples: array[int]) -> int:
    return max((abs(s) for s in samples), default=0)


# -- the plan: what should be heard, and when ----------------------------------------------


@dataclass(frozen=True)
class ExpectedOnset:
    at_ms: int
    """Planned time from the session start."""
    cues: tuple[Cue, ...]
    """Every cue that starts in this group (cues starting while it sounds join it)."""
    ends_ms: int


def audible_ms(asset: CueAsset) -> int:
    """How long a cue is audible: up to its last sample above the silence level."""
    with wave.open(str(asset.path), "rb") as wav:
        samples = array("h")
        samples.frombytes(wav.readframes(wav.getnframes()))
        rate = wav.getframerate()
    last = max((i for i, s in enumerate(samples) if abs(s) >= SILENCE_PEAK), default=0)
    return round(last * 1000 / rate) + 1


def expected_onsets(
    plan: CuePlan, audible: Mapping[Cue, int], *, realtime: bool
) -> list[ExpectedOnset]:
    """Group the planned cues into the onsets a detector can tell apart.

    Real-time capture (PulseAudio): a cue that starts while another is still audible (or
    within the silence gap after it) merges into one onset. Burst capture (ALSA file):
    only cues played at (nearly) the same instant merge.
    """
    groups: list[ExpectedOnset] = []
    stops = sorted(plan.voice_stops)
    for played in sorted(plan.played, key=lambda p: p.at_ms):
        end = played.at_ms + audible[played.cue]
        if played.cue.is_voice:
            cut = [s for s in stops if played.at_ms < s < end]
            end = min([end, *cut])
        if groups:
            last = groups[-1]
            gap_from = last.ends_ms if realtime else last.at_ms
            if played.at_ms - gap_from < (MIN_SILENCE_MS if realtime else BURST_GAP_MS):
                groups[-1] = ExpectedOnset(
                    last.at_ms, (*last.cues, played.cue), max(last.ends_ms, end)
                )
                continue
        groups.append(ExpectedOnset(played.at_ms, (played.cue,), end))
    return groups


@dataclass
class Match:
    expected: ExpectedOnset
    onset_s: float | None
    error_ms: float | None


@dataclass
class Comparison:
    matches: list[Match]
    extra_s: list[float]
    """Detected onsets that no planned cue explains."""

    @property
    def missing(self) -> list[ExpectedOnset]:
        return [m.expected for m in self.matches if m.onset_s is None]

    @property
    def errors_ms(self) -> list[float]:
        return [m.error_ms for m in self.matches if m.error_ms is not None]

    def problems(self, tolerance_ms: float = TOLERANCE_MS) -> list[str]:
        found: list[str] = []
        for m in self.matches:
            names = "+".join(c.key for c in m.expected.cues)
            if m.error_ms is None:
                found.append(f"missing at {m.expected.at_ms} ms: {names}")
            elif abs(m.error_ms) > tolerance_ms:
                found.append(f"{names} at {m.expected.at_ms} ms was {m.error_ms:+.1f} ms off")
        found += [f"unexpected sound at {t:.3f} s" for t in self.extra_s]
        return found


def compare(
    groups: Sequence[ExpectedOnset],
    onsets_s: Sequence[float],
    origin_s: float,
    *,
    window_ms: float = 150,
    realtime: bool,
    played: Sequence[tuple[str, float]] | None = None,
    plan: CuePlan | None = None,
) -> Comparison:
    """Match each planned group with the first detected onset near it, in order.

    With `played` (what the session asked the backend to play, and when) and its `plan`,
    each group is expected when its first cue was really asked for, not when the plan
    said: a machine too busy to run the engine on time then does not fail the sound
    engine, which is what the capture checks. The order and the cues must still match
    the plan, or the plan's times are used.
    """
    starts = _asked_times(groups, played, plan, origin_s)
    remaining = sorted(onsets_s)
    matches: list[Match] = []
    used: set[float] = set()
    for group in groups:
        planned = starts.get(group.at_ms, origin_s + group.at_ms / 1000)
        near = [t for t in remaining if abs(t - planned) * 1000 <= window_ms and t not in used]
        if near:
            best = min(near, key=lambda t: abs(t - planned))
            used.add(best)
            matches.append(Match(group, best, (best - planned) * 1000))
        else:
            matches.append(Match(group, None, None))
    extra: list[float] = []
    for t in remaining:
        if t in used:
            continue
        # Inside a group that is still sounding: a louder part of a merged cue, not extra.
        inside = False
        for g in groups:
            begin = starts.get(g.at_ms, origin_s + g.at_ms / 1000)
            if realtime and begin <= t <= begin + (g.ends_ms - g.at_ms + 20) / 1000:
                inside = True
        if not inside:
            extra.append(t)
    return Comparison(matches, extra)


def _asked_times(
    groups: Sequence[ExpectedOnset],
    played: Sequence[tuple[str, float]] | None,
    plan: CuePlan | None,
    origin_s: float,
) -> dict[int, float]:
    """Planned group time -> when its first cue was really asked for (empty if the real
    cues differ from the plan's)."""
    if played is None or plan is None:
        return {}
    planned = sorted(plan.played, key=lambda p: p.at_ms)
    if [p.cue.key for p in planned] != [key for key, _ in played]:
        return {}
    asked: dict[int, float] = {}
    for p, (_key, at_s) in zip(planned, played, strict=True):
        asked[p.at_ms] = min(asked.get(p.at_ms, at_s), at_s)
    return {g.at_ms: asked[g.at_ms] for g in groups if g.at_ms in asked}


# -- ALSA file capture (simpleaudio) ---------------------------------------------------------


@dataclass
class AlsaFifoCapture:
    workdir: Path
    chunks: list[tuple[float, bytes]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.fifo = self.workdir / "alsa-capture.fifo"
        self.config_home = self.workdir / "xdg-config"
        (self.config_home / "alsa").mkdir(parents=True, exist_ok=True)
        os.mkfifo(self.fifo)
        (self.config_home / "alsa" / "asoundrc").write_text(
            f'pcm.!default {{ type file; slave.pcm "null"; file "{self.fifo}"; format "raw" }}\n'
        )
        self._stop = threading.Event()
        # Read-write keeps the FIFO open between cues: no EOF, and writers never block.
        self._fd = os.open(self.fifo, os.O_RDWR | os.O_NONBLOCK)
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def env(self) -> dict[str, str]:
        return {"XDG_CONFIG_HOME": str(self.config_home)}

    def _read(self) -> None:
        while not self._stop.is_set():
            ready, _, _ = select.select([self._fd], [], [], 0.05)
            if not ready:
                continue
            stamp = time.monotonic()
            with contextlib.suppress(BlockingIOError):
                data = os.read(self._fd, 1 << 16)
                self.chunks.append((stamp, data))

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        os.close(self._fd)

    def onsets(self, channels: int = 1) -> list[float]:
        """The arrival time of each burst's first sounding chunk."""
        result: list[float] = []
        last_sound: float | None = None
        pending = b""
        for stamp, data in self.chunks:
            data = pending + data
            usable = len(data) - len(data) % 2
            samples = array("h")
            samples.frombytes(data[:usable])
            pending = data[usable:]
            if _peak(samples) < SILENCE_PEAK:
                continue
            if last_sound is None or (stamp - last_sound) * 1000 >= BURST_GAP_MS:
                result.append(stamp)
            last_sound = stamp
        return result


# -- PulseAudio null sink capture (miniaudio) ------------------------------------------------


class PulseUnavailable(RuntimeError):
    pass


class PulseCapture:
    """A private PulseAudio server with a null sink, and `parec` recording its monitor."""

    def __init__(
        self, workdir: Path, *, start: bool = True, suspend_idle_s: int | None = None
    ) -> None:
        """`start=False` prepares the server's folder and address but leaves the server off
        until `start_server`: a client started before it sees no device at all.
        `suspend_idle_s`: suspend the sink after that many seconds without a stream playing."""
        if shutil.which("pulseaudio") is None or shutil.which("parec") is None:
            raise PulseUnavailable("pulseaudio and parec (pulseaudio-utils) are not installed")
        self.runtime = workdir / "xdg-runtime"
        self.runtime.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.server = f"unix:{self.runtime}/pulse/native"
        self._workdir = workdir
        self.suspend_idle_s = suspend_idle_s
        self.sink_states: list[tuple[float, str]] = []
        """(time, state) each time the sink's state was seen to change (`watch_sink`)."""
        self._watching = threading.Event()
        self._daemon: subprocess.Popen[bytes] | None = None
        self._recorder: subprocess.Popen[bytes] | None = None
        self.frames = array("h")
        self._stamps: list[tuple[float, int]] = []
        self._thread: threading.Thread | None = None
        if start:
            self.start_server()

    def start_server(self) -> None:
        workdir = self._workdir
        script = workdir / "capture.pa"
        script.write_text(
            "load-module module-native-protocol-unix\n"
            f"load-module module-null-sink sink_name=cue rate={RATE} channels=2\n"
            "set-default-sink cue\n"
            + (
                f"load-module module-suspend-on-idle timeout={self.suspend_idle_s}\n"
                if self.suspend_idle_s is not None
                else ""
            )
        )
        base = {**os.environ, "XDG_RUNTIME_DIR": str(self.runtime), "HOME": str(workdir)}
        base.pop("PULSE_SERVER", None)
        self._daemon = subprocess.Popen(
            [
                "pulseaudio",
                "-n",
                "-F",
                str(script),
                "--exit-idle-time=-1",
                "--daemonize=no",
                "--use-pid-file=no",
                "--log-target=stderr",
            ],
            env=base,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            self._wait_for_server()
        except PulseUnavailable:
            self.close()
            raise

    def env(self) -> dict[str, str]:
        # The client config keeps a PulseAudio client from starting a server of its own.
        client = self._workdir / "client.conf"
        client.write_text("autospawn = no\n")
        return {
            "XDG_RUNTIME_DIR": str(self.runtime),
            "PULSE_SERVER": self.server,
            "PULSE_CLIENTCONFIG": str(client),
        }

    def _wait_for_server(self) -> None:
        deadline = time.monotonic() + 10
        env = {**os.environ, **self.env()}
        while time.monotonic() < deadline:
            if self._daemon is None or self._daemon.poll() is not None:
                raise PulseUnavailable("the PulseAudio server exited at start")
            probe = subprocess.run(
                ["pactl", "info"], env=env, capture_output=True, check=False, timeout=5
            )
            if probe.returncode == 0:
                return
            time.sleep(0.05)
        raise PulseUnavailable("the PulseAudio server did not start within 10 s")

    def start_recording(self) -> None:
        if self.suspend_idle_s is not None:
            self._start_light_recorder()
            return
        self._recorder = subprocess.Popen(
            [
                "parec",
                "-d",
                "cue.monitor",
                "--raw",
                "--format=s16le",
                f"--rate={RATE}",
                "--channels=2",
                "--latency-msec=5",
            ],
            env={**os.environ, **self.env()},
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        # An idle null sink first delivers in large blocks: wait until data flows steadily.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and len(self._stamps) < 20:
            time.sleep(0.02)
        if len(self._stamps) < 20:
            raise PulseUnavailable("parec delivered no audio from the null sink")

    def _start_light_recorder(self) -> None:
        """Record the monitor without keeping the sink awake; wait until the sink sleeps."""
        repo = Path(__file__).resolve().parents[2]
        self._recorder = subprocess.Popen(
            [sys.executable, "-m", "tests.e2e.pulse_record", "cue.monitor", "5"],
            cwd=repo,
            env={**os.environ, **self.env()},
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        watcher = threading.Thread(target=self._watch_sink, daemon=True)
        self._watching.set()
        watcher.start()
        deadline = time.monotonic() + 10 + (self.suspend_idle_s or 0)
        while time.monotonic() < deadline and self.sink_state() != "SUSPENDED":
            time.sleep(0.05)
        if self.sink_state() != "SUSPENDED":
            raise PulseUnavailable("the null sink did not suspend while idle")

    def sink_state(self) -> str | None:
        return self.sink_states[-1][1] if self.sink_states else None

    def _watch_sink(self) -> None:
        """Note the sink's state (RUNNING, IDLE, SUSPENDED) as it changes."""
        env = {**os.environ, **self.env()}
        while self._watching.is_set():
            probe = subprocess.run(
                ["pactl", "list", "sinks", "short"],
                env=env,
                capture_output=True,
                text=True,
                check=False,
                timeout=5,
            )
            stamp = time.monotonic()
            fields = probe.stdout.split()
            state = fields[-1] if fields else "GONE"
            if state != self.sink_state():
                self.sink_states.append((stamp, state))
            time.sleep(0.1)  # a sleep lasts seconds: ten looks a second see it

    def _read(self) -> None:
        assert self._recorder is not None and self._recorder.stdout is not None
        fd = self._recorder.stdout.fileno()
        pending = b""
        while True:
            data = os.read(fd, 4096)
            if not data:
                return
            stamp = time.monotonic()
            data = pending + data
            usable = len(data) - len(data) % 4
            pending = data[usable:]
            stereo = array("h")
            stereo.frombytes(data[:usable])
            # Both channels carry the same mono cue: keep the left one.
            self.frames.extend(stereo[0::2])
            self._stamps.append((stamp, len(self.frames)))

    def epoch(self) -> float:
        """The monotonic time of frame 0: the earliest time consistent with every arrival
        (a chunk can arrive late, never early)."""
        return min(stamp - count / RATE for stamp, count in self._stamps)

    def segments(self) -> list[tuple[int, float]]:
        """(first frame, monotonic time of frame 0 for it) of each stretch of data the
        sink delivered without sleeping in between. Without suspend there is one."""
        if self.suspend_idle_s is None or not self._stamps:
            return [(0, self.epoch())] if self._stamps else []
        found: list[tuple[int, float]] = []
        before = 0
        for stamp, count in self._stamps:
            epoch = stamp - count / RATE
            # Data that starts well after the previous stretch would have: the sink slept.
            if not found or epoch - found[-1][1] > SLEEP_GAP_S:
                found.append((before, epoch))
            else:
                found[-1] = (found[-1][0], min(found[-1][1], epoch))
            before = count
        return found

    def time_of(self, frame: int) -> float:
        """The monotonic time at which frame `frame` played."""
        epoch = 0.0
        for first, segment_epoch in self.segments():
            if first > frame:
                break
            epoch = segment_epoch
        return epoch + frame / RATE

    def onsets(self) -> list[float]:
        """Times of the first sounding sample after at least MIN_SILENCE_MS of silence."""
        frames = self.frames
        quiet_needed = RATE * MIN_SILENCE_MS // 1000
        starts: list[int] = []
        quiet = quiet_needed
        for i, sample in enumerate(frames):
            if -SILENCE_PEAK < sample < SILENCE_PEAK:
                quiet += 1
                continue
            if quiet >= quiet_needed:
                starts.append(i)
            quiet = 0
        if self.suspend_idle_s is None:
            epoch = self.epoch() if self._stamps else 0.0
            return [epoch + i / RATE for i in starts]
        return [self.time_of(i) for i in starts]

    def wakes(self) -> list[float]:
        """When the sink started delivering again after each sleep."""
        return [self.time_of(first) for first, _epoch in self.segments()[1:]]

    def save_wav(self, path: Path) -> None:
        """What was recorded, as a mono WAV to listen to."""
        with wave.open(str(path), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(RATE)
            wav.writeframes(self.frames.tobytes())

    def close(self) -> None:
        self._watching.clear()
        for process in (self._recorder, self._daemon):
            if process is not None and process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
        if self._thread is not None:
            self._thread.join(timeout=2)
        if self._recorder is not None and self._recorder.stdout is not None:
            self._recorder.stdout.close()


# -- the session in a child process ----------------------------------------------------------


@dataclass(frozen=True)
class SessionRun:
    origin_s: float
    """Monotonic time at which the session's first phase started."""
    status: str
    backend: str
    cue_status: str | None
    phase_starts_s: list[float]
    statuses: list[str | None]
    """Every sound status the cue system reported, in order, starting with the first."""
    played: list[tuple[str, float]]
    """Every cue the session asked the backend to play (file stem, monotonic time)."""


def run_session(
    backend: str,
    workout_id: str,
    overrides: Mapping[str, float],
    env: Mapping[str, str],
    *,
    timeout_s: float = 60,
) -> SessionRun:
    """Run a session on the Qt event loop in a child process with `env` added."""
    repo = Path(__file__).resolve().parents[2]
    child_env = {**os.environ, **env}
    child_env.pop("QT_QPA_PLATFORM", None)
    # The child dumps its stacks and exits by itself before the timeout if it hangs.
    child_env["AUDIO_CAPTURE_HANG_S"] = str(max(5.0, timeout_s - 10))
    # stderr goes to a file: a misbehaving Qt can log without end.
    with tempfile.TemporaryFile("w+") as errors:
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "tests.e2e.audio_capture",
                backend,
                workout_id,
                json.dumps(dict(overrides)),
            ],
            cwd=repo,
            env=child_env,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            timeout=timeout_s,
            check=False,
        )
        errors.seek(0)
        stderr_head = errors.read(4000)
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    if result.returncode != 0 or not lines:
        raise RuntimeError(
            f"session child failed ({result.returncode}):\n{result.stdout}\n{stderr_head}"
        )
    data = json.loads(lines[-1])
    return SessionRun(
        origin_s=data["origin_s"],
        status=data["status"],
        backend=data["backend"],
        cue_status=data["cue_status"],
        phase_starts_s=data["phase_starts_s"],
        statuses=data["statuses"],
        played=[(key, at) for key, at in data["played"]],
    )


def _child(backend: str, workout_id: str, overrides_json: str) -> int:
    """Child process: build the cue system (which loads every sound and opens the device),
    run the session on a QtScheduler, report the phase start times as JSON."""
    from PySide6.QtCore import QCoreApplication, QTimer

    from legdrive_timer.audio import CueSystem
    from legdrive_timer.core.builtins import builtin_workout
    from legdrive_timer.core.clock import monotonic_ms
    from legdrive_timer.core.engine import SessionEngine
    from legdrive_timer.core.events import PhaseStarted, SessionEnded
    from legdrive_timer.core.overrides import Overrides, apply_overrides
    from legdrive_timer.core.timeline import compile_workout
    from legdrive_timer.ui.scheduler import QtScheduler

    faulthandler.dump_traceback_later(float(os.environ.get("AUDIO_CAPTURE_HANG_S", 50)), exit=True)

    app = QCoreApplication([])
    cues = CueSystem.create(backend)
    played: list[tuple[str, float]] = []
    play = cues._backend.play

    def record(cue: Cue, volume: float) -> None:
        played.append((cue.key, time.monotonic()))
        play(cue, volume)

    cues._backend.play = record  # type: ignore[method-assign]
    statuses: list[str | None] = [cues.status]
    cues.add_status_listener(statuses.append)
    ready = os.environ.get("AUDIO_CAPTURE_READY_FILE")
    if ready:
        # The cue system has looked for a device: a test may change the machine now.
        Path(ready).write_text(json.dumps(cues.status))
    start_ms = int(os.environ.get("AUDIO_CAPTURE_START_MS", "300"))
    base = builtin_workout(workout_id)
    assert base is not None
    workout = apply_overrides(base, Overrides(**json.loads(overrides_json)))
    engine = SessionEngine(compile_workout(workout), monotonic_ms, QtScheduler())
    starts: list[float] = []
    outcome: dict[str, str] = {}

    def listen(event: object) -> None:
        if isinstance(event, PhaseStarted):
            starts.append(time.monotonic())
        elif isinstance(event, SessionEnded):
            outcome["status"] = event.record.status.value
            # Let the last cue ("Done", 1.6 s) finish before the process goes.
            QTimer.singleShot(2500, app.quit)

    engine.subscribe(listen)
    cues.attach(engine, clock=monotonic_ms, timer=QtScheduler())
    QTimer.singleShot(start_ms, engine.start)
    app.exec()
    print(
        json.dumps(
            {
                "origin_s": starts[0] if starts else 0.0,
                "status": outcome.get("status", "none"),
                "backend": cues.backend_name,
                "cue_status": cues.status,
                "phase_starts_s": starts,
                "statuses": statuses,
                "played": played,
            }
        ),
        flush=True,
    )
    cues.close()
    faulthandler.cancel_dump_traceback_later()
    return 0


if __name__ == "__main__":
    sys.exit(_child(*sys.argv[1:4]))
