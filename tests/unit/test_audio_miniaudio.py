"""The miniaudio engine with a fake `miniaudio` module: a device that can be unplugged."""

from __future__ import annotations

import sys
import threading
import time
import types
from collections.abc import Iterator
from contextlib import ExitStack
from enum import Enum
from typing import Any

import pytest

from legdrive_timer.audio import miniaudio_backend
from legdrive_timer.audio.backends import NO_ANSWER, NO_DEVICE
from legdrive_timer.audio.cues import Cue, CueAsset, open_assets
from legdrive_timer.audio.miniaudio_backend import MiniaudioBackend
from legdrive_timer.audio.mixer import Mixer


class FakeMiniaudio(types.ModuleType):
    """Devices open only while `plugged`; an open device stops pulling when unplugged."""

    class MiniaudioError(Exception):
        pass

    class SampleFormat(Enum):
        SIGNED16 = 2

    class Backend(Enum):
        PULSEAUDIO = 7
        ALSA = 8

    def __init__(self) -> None:
        super().__init__("miniaudio")
        self.plugged = False
        self.realtime = False
        self.backend = "PulseAudio"
        self.servers: set[str] | None = None
        """The system's audio backends that answer while plugged (None: any asked)."""
        self.answer: threading.Event | None = None
        """If set: a sound server that takes the connection and answers only once the event
        is set (a frozen one: miniaudio waits for it without a timeout)."""
        self.opened: list[dict[str, Any]] = []
        self.lib = types.SimpleNamespace(
            MA_NO_DEVICE=-204, MA_NO_BACKEND=-203, MA_FAILED_TO_OPEN_BACKEND_DEVICE=-401
        )
        module = self

        class PlaybackDevice:
            def __init__(self, **config: Any) -> None:
                if module.answer is not None:
                    module.answer.wait()
                if not module.plugged:
                    raise module.MiniaudioError("failed to init device", -401)
                asked = config.get("backends") or list(module.Backend)
                if module.servers is not None and not module.servers & {b.name for b in asked}:
                    raise module.MiniaudioError("cannot init context", -203)
                module.opened.append(config)
                self.backend = module.backend
                self.stop_callback: Any = None
                self.stream: Any = None
                self.closed = False
                self.running = False
                self.starts = 0
                module.device = self

            def start(self, stream: Any) -> None:
                if not module.plugged:
                    raise module.MiniaudioError("failed to start audio device", -204)
                self.stream = stream
                self.lock = threading.Lock()
                self.running = True
                self.starts += 1
                if module.realtime:
                    threading.Thread(target=self._run, daemon=True).start()

            def stop(self) -> None:
                self.running = False
                self.stream = None
                if self.stop_callback is not None:
                    self.stop_callback()

            def _run(self) -> None:
                # The sound server's clock: pulls while the device is there and running.
                while module.plugged and not self.closed and self.running:
                    self.pull(10)
                    time.sleep(0.002)

            def pull(self, frames: int) -> Any:
                with self.lock:
                    stream = self.stream
                    return b"" if stream is None else stream.send(frames)

            def close(self) -> None:
                self.closed = True

        self.PlaybackDevice = PlaybackDevice
        self.device: Any = None


@pytest.fixture
def assets() -> Iterator[dict[Cue, CueAsset]]:
    with ExitStack() as stack:
        yield open_assets(stack)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeMiniaudio:
    module = FakeMiniaudio()
    monkeypatch.setitem(sys.modules, "miniaudio", module)
    monkeypatch.setattr(
        miniaudio_backend, "playback_devices", lambda ma: [("Speakers", 1), ("Headset", 2)]
    )
    return module


def wait_for(condition: Any, timeout_s: float = 5.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_opens_a_small_buffer_once_and_plays_through_the_mixer(
    fake: FakeMiniaudio, assets: dict[Cue, CueAsset]
) -> None:
    fake.plugged = True
    backend = MiniaudioBackend()
    backend.load(assets, volume=0.5)
    try:
        assert backend.available and backend.reason is None
        assert len(fake.opened) == 1
        config = fake.opened[0]
        assert config["sample_rate"] == 48_000 and config["nchannels"] == 1
        assert config["buffersize_msec"] * config["callback_periods"] <= 10
        assert fake.device.pull(144) == b""  # nothing sounds: no samples computed
        backend.play(Cue.WORK_START, 1.0)
        block = fake.device.pull(144)
        assert len(block) == 144 and max(block) > 1000
    finally:
        backend.close()
    assert fake.device.closed


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PulseAudio and ALSA")
def test_libasound_is_quieted_only_when_pulseaudio_does_not_answer(
    fake: FakeMiniaudio, assets: dict[Cue, CueAsset], monkeypatch: pytest.MonkeyPatch
) -> None:
    quieted: list[bool] = []
    monkeypatch.setattr(miniaudio_backend, "_quiet_alsa", lambda: quieted.append(True) or object())
    fake.plugged = True
    backend = MiniaudioBackend()
    backend.load(assets)
    backend.close()
    assert fake.opened[-1]["backends"] == [FakeMiniaudio.Backend.PULSEAUDIO]
    assert quieted == []  # libasound never loaded, nor ctypes

    fake.servers = {"ALSA"}
    fake.backend = "ALSA"
    backend = MiniaudioBackend()
    backend.load(assets)
    try:
        assert backend.available and backend.backend == "ALSA"
        assert "backends" not in fake.opened[-1]  # all of them, in miniaudio's order
        assert quieted == [True]
    finally:
        backend.close()


def test_no_device_is_reported_and_sound_returns_with_one(
    fake: FakeMiniaudio, assets: dict[Cue, CueAsset]
) -> None:
    fake.realtime = True
    changes: list[bool] = []
    backend = MiniaudioBackend(
        lambda: changes.append(backend.available), watch_s=0.02, retry_s=0.02, idle_s=60
    )
    backend.load(assets)
    try:
        assert not backend.available and backend.reason == NO_DEVICE
        backend.play(Cue.WORK_START, 1.0)  # never raises, never queues for later
        fake.plugged = True
        wait_for(lambda: backend.available)
        time.sleep(0.1)  # several looks at a device that keeps pulling: it stays
        assert backend.available
        # Unplugged: the device stops asking for samples; the watcher notices.
        fake.plugged = False
        wait_for(lambda: not backend.available)
        assert fake.device.closed
        fake.plugged = True
        wait_for(lambda: backend.available)
        assert changes == [False, True, False, True]
    finally:
        backend.close()


def test_a_device_that_stops_by_itself_is_closed(
    fake: FakeMiniaudio, assets: dict[Cue, CueAsset]
) -> None:
    fake.plugged = fake.realtime = True
    fake.backend = "ALSA"
    backend = MiniaudioBackend(watch_s=0.05, retry_s=0.05, idle_s=60)
    backend.load(assets)
    try:
        first = fake.device
        first.stop_callback()  # miniaudio says the device stopped (it was lost)
        wait_for(lambda: fake.device is not first and backend.available)
        assert first.closed
    finally:
        backend.close()


def test_devices_and_the_chosen_one(fake: FakeMiniaudio, assets: dict[Cue, CueAsset]) -> None:
    fake.plugged = True
    backend = MiniaudioBackend()
    backend.load(assets)
    try:
        assert backend.devices() == ["Speakers", "Headset"]
        backend.set_device("Headset")
        assert fake.opened[-1]["device_id"] == 2
        backend.set_device("Headset")  # the same: not reopened
        assert len(fake.opened) == 2
        backend.set_device(None)
        assert fake.opened[-1]["device_id"] is None
    finally:
        backend.close()


def test_without_the_module(monkeypatch: pytest.MonkeyPatch, assets: dict[Cue, CueAsset]) -> None:
    monkeypatch.setitem(sys.modules, "miniaudio", None)
    backend = MiniaudioBackend()
    backend.load(assets)
    assert not backend.installed and not backend.available
    assert backend.reason is not None and backend.reason.startswith(
        "the miniaudio module could not be loaded"
    )
    backend.play(Cue.COUNTDOWN, 1.0)
    backend.close()


def test_the_stream_pauses_while_idle_and_a_cue_restarts_it(
    fake: FakeMiniaudio, assets: dict[Cue, CueAsset]
) -> None:
    fake.plugged = fake.realtime = True
    backend = MiniaudioBackend(watch_s=0.01, idle_s=0.05)
    backend.load(assets)
    try:
        device = fake.device
        assert device.running  # started at once: a device that cannot play is known early
        wait_for(lambda: not device.running)
        assert backend.available  # paused, not lost
        backend.play(Cue.COUNTDOWN, 1.0)
        assert device.running and device.starts == 2
        assert fake.device is device  # the same device: opened once
    finally:
        backend.close()


def test_the_stream_reports_quiet_once_the_last_cue_has_played_out() -> None:
    from array import array

    quiet: list[int] = []
    mixer = Mixer({Cue.COUNTDOWN: array("h", [1000] * 25)})
    stream = miniaudio_backend._stream(mixer, 30, lambda: quiet.append(mixer.blocks_rendered))
    next(stream)
    assert [len(stream.send(10)) for _ in range(3)] == [0, 0, 0]
    assert quiet == [3]  # 30 frames of silence: once, and not again while silent
    assert stream.send(10) == b"" and quiet == [3]
    mixer.play(Cue.COUNTDOWN, 1.0)
    assert [len(stream.send(10)) for _ in range(3)] == [10, 10, 5]  # the cue, to its end
    assert [len(stream.send(10)) for _ in range(2)] == [0, 0] and quiet == [3]
    stream.send(10)
    assert quiet == [3, 10]  # 30 frames of silence after the block with its last sample


def record_sleeps(backend: MiniaudioBackend) -> list[float | None]:
    """The timeouts of the backend's watcher's sleeps, in order (None: until woken)."""
    timeouts: list[float | None] = []

    class RecordingEvent(threading.Event):
        def wait(self, timeout: float | None = None) -> bool:
            timeouts.append(timeout)
            return super().wait(timeout)

    backend._wake = RecordingEvent()
    return timeouts


def test_the_stream_pauses_when_quiet_and_the_watcher_sleeps_meanwhile(
    fake: FakeMiniaudio, assets: dict[Cue, CueAsset]
) -> None:
    fake.plugged = True
    backend = MiniaudioBackend(watch_s=0.01, idle_s=60)  # only quiet can pause it
    timeouts = record_sleeps(backend)
    backend.load(assets)
    try:
        device = fake.device
        quiet_frames = 48_000 * miniaudio_backend.QUIET_MS // 1000
        assert device.pull(quiet_frames - 1) == b""
        time.sleep(0.05)  # several looks: a running stream short of quiet keeps running
        assert device.running
        device.pull(1)
        wait_for(lambda: not device.running)
        assert backend.available and fake.device is device  # paused, not lost
        wait_for(lambda: timeouts[-1] is None)  # asleep until a cue: no wake-ups
        looks = len(timeouts)
        time.sleep(0.05)
        assert len(timeouts) == looks

        backend.play(Cue.COUNTDOWN, 1.0)
        assert device.running and device.starts == 2
        assert len(device.pull(240)) == 240  # the cue from the first block of the restart
        wait_for(lambda: timeouts[-1] == 0.01)  # the watcher watches the running stream again
        while device.pull(480):
            pass  # the cue plays out
        device.pull(quiet_frames)
        wait_for(lambda: not device.running)
    finally:
        backend.close()


def test_a_device_lost_while_the_stream_is_paused_is_found_again(
    fake: FakeMiniaudio, assets: dict[Cue, CueAsset]
) -> None:
    fake.plugged = fake.realtime = True
    changes: list[bool] = []
    backend = MiniaudioBackend(
        lambda: changes.append(backend.available), watch_s=0.01, retry_s=0.02
    )
    backend.load(assets)
    try:
        first = fake.device
        wait_for(lambda: not first.running)  # quiet: paused, the watcher asleep
        fake.plugged = False  # the sound server goes away meanwhile
        backend.play(Cue.COUNTDOWN, 1.0)  # the restart fails: that is how it is found out
        assert not backend.available and backend.reason == NO_DEVICE
        assert first.closed
        fake.plugged = True
        wait_for(lambda: backend.available)  # the watcher woke and opened a device again
        assert fake.device is not first
        assert changes == [True, False, True]
    finally:
        backend.close()


def test_a_cue_asked_for_while_the_stream_stops_restarts_it(
    fake: FakeMiniaudio, assets: dict[Cue, CueAsset]
) -> None:
    fake.plugged = True
    backend = MiniaudioBackend(watch_s=0.01, idle_s=60)
    backend.load(assets)
    try:
        device = fake.device
        stop = device.stop

        def slow_stop() -> None:
            # The window asks for a cue while the device is stopping, and its `play`
            # gives up waiting for the lock the watcher holds meanwhile.
            backend._mixer.play(Cue.COUNTDOWN, 1.0)
            stop()

        device.stop = slow_stop
        device.pull(48_000 * miniaudio_backend.QUIET_MS // 1000)  # quiet: the watcher pauses
        wait_for(lambda: device.starts == 2)
        assert device.running
        assert len(device.pull(240)) == 240  # the cue, now
    finally:
        backend.close()


class FakeTime:
    """The backend's clock, moved by hand (seconds)."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def paused_backend(
    fake: FakeMiniaudio, assets: dict[Cue, CueAsset], clock: FakeTime
) -> tuple[MiniaudioBackend, list[float | None]]:
    """A backend on `clock` whose stream has played its opening silence and paused; the
    watcher's sleeps are recorded."""
    fake.plugged = True
    backend = MiniaudioBackend(watch_s=0.01, idle_s=60, clock=clock)
    timeouts = record_sleeps(backend)
    backend.load(assets)
    fake.device.pull(48_000 * miniaudio_backend.QUIET_MS // 1000)
    wait_for(lambda: not fake.device.running)
    wait_for(lambda: timeouts[-1] is None)
    return backend, timeouts


def look(backend: MiniaudioBackend, timeouts: list[float | None]) -> None:
    """Let the watcher look now (as its timed sleep ends) and go back to sleep."""
    looks = len(timeouts)
    backend._wake.set()
    wait_for(lambda: len(timeouts) > looks)


def test_a_paused_stream_wakes_the_device_ahead_of_a_scheduled_cue_after_a_long_silence(
    fake: FakeMiniaudio, assets: dict[Cue, CueAsset]
) -> None:
    clock = FakeTime()
    backend, timeouts = paused_backend(fake, assets, clock)
    lead = miniaudio_backend.WAKE_LEAD_MS / 1000
    quiet_frames = 48_000 * miniaudio_backend.QUIET_MS // 1000
    try:
        device = fake.device
        backend.expect(30.0)  # the rest's countdown, 30 s from now
        wait_for(lambda: timeouts[-1] == pytest.approx(30.0 - lead))
        assert not device.running and device.starts == 1  # nothing runs meanwhile
        clock.now += 30.0 - lead - 0.001
        look(backend, timeouts)  # a watcher that woke a little early goes back to sleep
        assert not device.running
        assert timeouts[-1] == pytest.approx(0.001)
        clock.now += 0.001
        look(backend, timeouts)
        assert device.running and device.starts == 2  # the device wakes, before the cue
        assert device.pull(240) == b""  # silence: nothing is computed
        assert device.running
        # Once the device has taken QUIET_MS of silence it runs: the stream pauses, and the
        # watcher sleeps until the cue (no second wake for it).
        device.pull(quiet_frames)
        wait_for(lambda: not device.running)
        wait_for(lambda: timeouts[-1] is None)
        clock.now += lead  # the cue is due, and comes: the stream restarts at once
        backend.play(Cue.COUNTDOWN, 1.0)
        assert device.running and device.starts == 3
        assert len(device.pull(240)) == 240
    finally:
        backend.close()


def test_a_short_silence_needs_no_wake_and_a_late_word_wakes_at_once_never_after(
    fake: FakeMiniaudio, assets: dict[Cue, CueAsset]
) -> None:
    clock = FakeTime()
    backend, timeouts = paused_backend(fake, assets, clock)
    try:
        device = fake.device
        # The next beat in 0.8 s: the device cannot fall asleep in so short a pause.
        backend.expect(0.8)
        wait_for(lambda: len(timeouts) >= 2 and timeouts[-1] is None)
        clock.now += 0.8
        look(backend, timeouts)
        assert not device.running
        # Paused for long; the next cue is due in 0.1 s (less than the lead): wake now.
        clock.now += 5.0
        backend.expect(0.1)
        wait_for(lambda: device.running)
        assert device.starts == 2
        device.stop()  # (as if paused again)
        backend._running = False
        backend._paused_at = clock.now - 5.0
        # Told of a cue whose time has come already: too late to help, nothing starts.
        backend.expect(0.0)
        look(backend, timeouts)
        assert not device.running and device.starts == 2
        backend.expect(None)  # nothing scheduled: asleep for good
        wait_for(lambda: timeouts[-1] is None)
    finally:
        backend.close()


def test_a_sink_suspended_under_a_running_stream_is_started_again(
    fake: FakeMiniaudio, assets: dict[Cue, CueAsset]
) -> None:
    """On PulseAudio miniaudio's "stopped" means the server suspended the sink, news that
    can arrive just after the stream started again; pyminiaudio then drops the stream.
    The stream starts again on the same device; sound stays available."""
    fake.plugged = True
    changes: list[bool] = []
    backend = MiniaudioBackend(lambda: changes.append(backend.available), watch_s=0.01)
    backend.load(assets)
    try:
        device = fake.device
        assert device.running and device.starts == 1
        device.stream = None  # what pyminiaudio does before it calls the stop callback
        device.running = False
        device.stop_callback()
        wait_for(lambda: device.starts == 2)
        assert device.running and fake.device is device and not device.closed
        backend.play(Cue.COUNTDOWN, 1.0)
        assert len(device.pull(240)) == 240
        assert changes == [True]
    finally:
        backend.close()


def test_a_device_slow_to_resume_is_given_time_before_it_counts_as_lost(
    fake: FakeMiniaudio, assets: dict[Cue, CueAsset]
) -> None:
    """A stream restarted on a device the server must first wake pulls nothing for a while:
    that is not a lost device (a Bluetooth link takes a second or two). Once it has pulled,
    a second without pulling is."""
    clock = FakeTime()
    backend, timeouts = paused_backend(fake, assets, clock)
    try:
        device = fake.device
        backend.play(Cue.COUNTDOWN, 1.0)  # restarts the stream; the device is slow to resume
        assert device.running and device.starts == 2
        clock.now += 2.0
        look(backend, timeouts)
        assert backend.available and not device.closed
        assert len(device.pull(240)) == 240  # awake at last: the cue
        clock.now += 0.5
        look(backend, timeouts)
        clock.now += 1.1  # then nothing pulled for more than a second: lost
        look(backend, timeouts)
        assert not backend.available and device.closed
    finally:
        backend.close()


def returns(call: Any, timeout_s: float = 5.0) -> None:
    """Call `call` on a thread of its own and fail, rather than hang, if it has not
    returned within `timeout_s` (left waiting then: a daemon thread)."""
    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    thread.join(timeout_s)
    assert not thread.is_alive(), f"{call} did not return"


@pytest.fixture
def frozen_server(fake: FakeMiniaudio) -> Iterator[threading.Event]:
    """A sound server that takes connections and answers only once the event is set."""
    fake.plugged = True
    fake.answer = threading.Event()
    yield fake.answer
    fake.answer.set()  # no thread of a failed test is left waiting


def test_a_sound_server_that_does_not_answer_holds_the_app_up_briefly_and_sound_comes_back(
    fake: FakeMiniaudio, frozen_server: threading.Event, assets: dict[Cue, CueAsset]
) -> None:
    changes: list[tuple[bool, str | None]] = []
    backend = MiniaudioBackend(
        lambda: changes.append((backend.available, backend.reason)),
        watch_s=0.01,
        open_wait_s=0.05,
    )
    try:
        returns(lambda: backend.load(assets))
        assert not backend.available and backend.reason == NO_ANSWER
        assert fake.device is None
        backend.play(Cue.WORK_START, 1.0)  # nothing to play on, and nothing waits
        frozen_server.set()  # the server answers at last: sound is back by itself
        wait_for(lambda: backend.available)
        assert changes == [(False, NO_ANSWER), (True, None)]
        backend.play(Cue.WORK_START, 1.0)
        block = fake.device.pull(144)
        assert len(block) == 144 and max(block) > 1000
    finally:
        returns(backend.close)
    assert fake.device.closed


def test_closing_while_the_sound_server_does_not_answer(
    fake: FakeMiniaudio, frozen_server: threading.Event, assets: dict[Cue, CueAsset]
) -> None:
    changes: list[bool] = []
    backend = MiniaudioBackend(lambda: changes.append(backend.available), open_wait_s=0.05)
    returns(lambda: backend.load(assets))
    returns(backend.close)
    # The open still waiting completes after the app closed: the device is closed at once,
    # never started, and nothing is reported to an app that has gone.
    frozen_server.set()
    wait_for(lambda: fake.device is not None and fake.device.closed)
    assert fake.device.starts == 0
    assert changes == [False]


def test_choosing_a_device_while_the_sound_server_does_not_answer(
    fake: FakeMiniaudio, assets: dict[Cue, CueAsset]
) -> None:
    fake.plugged = True
    backend = MiniaudioBackend(watch_s=0.01, open_wait_s=0.05)
    backend.load(assets)
    try:
        assert backend.available
        fake.answer = threading.Event()  # the server freezes
        returns(lambda: backend.set_device("Headset"))
        assert not backend.available and backend.reason == NO_ANSWER
        backend.play(Cue.WORK_START, 1.0)
        fake.answer.set()
        wait_for(lambda: backend.available)
        assert fake.opened[-1]["device_id"] == 2  # the device chosen meanwhile
    finally:
        if fake.answer is not None:
            fake.answer.set()
        backend.close()


def test_the_list_of_devices_of_a_sound_server_that_does_not_answer_is_empty(
    fake: FakeMiniaudio, assets: dict[Cue, CueAsset], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake.plugged = True
    backend = MiniaudioBackend(open_wait_s=0.05)
    backend.load(assets)
    answer = threading.Event()

    def frozen(ma: Any) -> list[tuple[str, Any]]:
        answer.wait()
        return [("Speakers", 1)]

    monkeypatch.setattr(miniaudio_backend, "playback_devices", frozen)
    try:
        found: list[list[str]] = []
        returns(lambda: found.append(backend.devices()))
        assert found == [[]]
        answer.set()
        assert backend.devices() == ["Speakers"]
    finally:
        answer.set()
        backend.close()
