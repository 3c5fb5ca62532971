"""CueSystem and the backends, without real audio: fakes for the device, the fake clock."""

from __future__ import annotations

import sys
import types
from contextlib import ExitStack
from typing import Any

import pytest

from legdrive_timer.audio import SOUND_OFF, Cue, CueSystem
from legdrive_timer.audio.backends import (
    NO_ANSWER,
    NO_DEVICE,
    SilentBackend,
    SimpleaudioBackend,
    _Status,
)
from legdrive_timer.audio.cues import CueAsset, open_assets
from legdrive_timer.core.builtins import builtin_workout
from legdrive_timer.core.overrides import Overrides, apply_overrides
from tests.helpers import Harness
from tests.helpers.fakes import FakeScheduler


class FakeBackend(_Status):
    """A device that can be unplugged and plugged back in."""

    name = "simpleaudio"

    def __init__(self) -> None:
        super().__init__(None)
        self.played: list[tuple[Cue, float]] = []
        self.voice_stops = 0
        self.expected: list[float | None] = []
        self.device: str | None = None
        self._ok()

    def set_callback(self, fn: Any) -> None:
        self._on_change = fn

    def load(self, assets: Any, *, volume: float = 1.0) -> None:
        pass

    def play(self, cue: Cue, volume: float) -> None:
        if self.available:
            self.played.append((cue, volume))

    def stop_voice(self) -> None:
        self.voice_stops += 1

    def expect(self, delay_s: float | None) -> None:
        self.expected.append(delay_s)

    def devices(self) -> list[str]:
        return ["Speakers", "Bluetooth"]

    def set_device(self, name: str | None) -> None:
        self.device = name

    def close(self) -> None:
        pass

    def unplug(self) -> None:
        self._fail(NO_DEVICE)

    def plug(self) -> None:
        self._ok()


@pytest.fixture
def assets() -> Any:
    with ExitStack() as stack:
        yield open_assets(stack)


def system_with(backend: FakeBackend, assets: dict[Cue, CueAsset]) -> CueSystem:
    system = CueSystem(backend, assets, ExitStack(), volume=0.5, muted=False, voice=True)
    backend.set_callback(system._refresh_status)
    return system


def harness() -> Harness:
    base = builtin_workout("hiit")
    assert base is not None
    return Harness(apply_overrides(base, Overrides(work_s=2, rest_s=1, rounds=2, prep_s=3)))


def test_off_is_silent_and_says_so() -> None:
    system = CueSystem.create("off")
    assert system.backend_name == "off"
    assert system.status == SOUND_OFF
    assert system.devices() == []
    system.play_test()
    system.close()


def test_a_session_plays_through_the_backend_at_the_volume(assets: Any) -> None:
    backend = FakeBackend()
    system = system_with(backend, assets)
    h = harness()
    detach = system.attach(h.engine, clock=h.clock, timer=FakeScheduler(h.clock))
    h.engine.start()
    h.advance(3000)
    assert (Cue.WORK_START, 0.5) in backend.played
    system.set_volume(1.7)
    h.advance(2000)
    assert backend.played[-1] == (Cue.VOICE_REST, 1.0)
    detach()
    count = len(backend.played)
    h.advance(10_000)
    assert len(backend.played) == count
    assert h.engine.record is not None


def test_mute_and_voice_apply_to_a_running_session(assets: Any) -> None:
    backend = FakeBackend()
    system = system_with(backend, assets)
    h = harness()
    system.attach(h.engine, clock=h.clock, timer=FakeScheduler(h.clock))
    h.engine.start()
    system.set_muted(True)
    assert backend.voice_stops == 1  # "Get ready" was speaking
    h.advance(4000)
    assert [c for c, _ in backend.played] == [Cue.VOICE_GET_READY]
    system.set_muted(False)
    system.set_voice(False)
    h.advance(1500)
    assert [c for c, _ in backend.played][1:] == [Cue.REST_START]
    system.play_test()
    assert backend.played[-1][0] is Cue.WORK_START


def test_a_form_cue_reaches_the_running_session_only(assets: Any) -> None:
    backend = FakeBackend()
    system = system_with(backend, assets)
    system.say_coach(Cue.VOICE_HIGHER)  # no session: nobody to tell
    assert backend.played == []
    h = harness()
    detach = system.attach(h.engine, clock=h.clock, timer=FakeScheduler(h.clock))
    h.engine.start()
    h.advance(4000)  # the work phase; "Drive" is over
    system.say_coach(Cue.VOICE_HIGHER)
    assert backend.played[-1] == (Cue.VOICE_HIGHER, 0.5)
    detach()
    system.say_coach(Cue.VOICE_CONTROL_DOWN)
    assert backend.played[-1] == (Cue.VOICE_HIGHER, 0.5)


def test_device_loss_and_return_are_reported(assets: Any) -> None:
    backend = FakeBackend()
    system = system_with(backend, assets)
    seen: list[str | None] = []
    system.add_status_listener(seen.append)
    h = harness()
    system.attach(h.engine, clock=h.clock, timer=FakeScheduler(h.clock))
    h.engine.start()
    backend.unplug()
    assert system.status == "Sound unavailable: no audio output device was found."
    h.advance(5500)  # the session goes on without sound
    backend.plug()
    h.advance(10_000)
    assert system.status is None
    assert seen == ["Sound unavailable: no audio output device was found.", None]
    assert h.engine.record is not None and h.engine.record.status.value == "completed"
    assert backend.played[-1][0] is Cue.VOICE_DONE


def test_devices_and_choice_are_passed_to_the_backend(assets: Any) -> None:
    backend = FakeBackend()
    system = system_with(backend, assets)
    assert system.devices() == ["Speakers", "Bluetooth"]
    system.set_device("Bluetooth")
    assert backend.device == "Bluetooth"


def test_an_unknown_choice_falls_back_to_auto() -> None:
    system = CueSystem.create("loud")
    try:
        assert system.backend_name in ("miniaudio", "simpleaudio", "off")
        assert system.status != SOUND_OFF
    finally:
        system.close()


def test_auto_asks_no_other_backend_of_a_sound_server_that_does_not_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The next backend would ask the same server (ALSA's default device goes through it)
    and wait for it for ever: miniaudio is kept, and its sound comes back when the server
    answers."""
    from legdrive_timer.audio import system as audio_system

    made: list[str] = []

    class Unanswered(FakeBackend):
        def load(self, assets: Any, *, volume: float = 1.0) -> None:
            self._fail(NO_ANSWER)

    def make(name: str, on_change: Any) -> FakeBackend:
        made.append(name)
        backend = Unanswered()
        backend.name = name
        return backend

    monkeypatch.setattr(audio_system, "_make_backend", make)
    system = CueSystem.create("auto")
    try:
        assert made == ["miniaudio"]
        assert system.backend_name == "miniaudio"
        assert system.status == "Sound unavailable: the sound server did not answer."
    finally:
        system.close()


# -- simpleaudio with a fake module -------------------------------------------------------


class FakePlay:
    def __init__(self) -> None:
        self.stopped = False

    def stop(self) -> None:
        self.stopped = True

    def wait_done(self) -> None:
        pass


class FakeSimpleaudio(types.ModuleType):
    def __init__(self) -> None:
        super().__init__("simpleaudio")
        self.device = False
        self.buffers: list[bytes] = []
        self.plays: list[FakePlay] = []
        module = self

        class WaveObject:
            def __init__(self, data: bytes, channels: int, width: int, rate: int) -> None:
                self.data = data

            def play(self) -> FakePlay:
                return module.play_buffer(self.data, 1, 2, 48_000)

        self.WaveObject = WaveObject

    def play_buffer(self, data: bytes, channels: int, width: int, rate: int) -> FakePlay:
        if not self.device:
            raise RuntimeError("Error opening PCM device. -- CODE: -2 -- MSG: No such file")
        self.buffers.append(bytes(data))
        play = FakePlay()
        self.plays.append(play)
        return play


def test_simpleaudio_reports_no_device_then_recovers(
    monkeypatch: pytest.MonkeyPatch, assets: Any
) -> None:
    fake = FakeSimpleaudio()
    monkeypatch.setitem(sys.modules, "simpleaudio", fake)
    changes: list[bool] = []
    backend = SimpleaudioBackend(lambda: changes.append(backend.available), retry_s=0.0)
    backend.load(assets, volume=0.5)
    assert not backend.available
    assert backend.reason == NO_DEVICE
    fake.device = True
    backend.play(Cue.COUNTDOWN, 0.5)
    backend.play(Cue.VOICE_DRIVE, 0.5)
    backend.stop_voice()
    backend.close()  # waits for the worker to finish the queued jobs
    assert backend.available
    assert changes == [False, True]
    assert len(fake.plays) == 2
    assert fake.plays[1].stopped and not fake.plays[0].stopped


def test_simpleaudio_scales_the_samples_to_the_volume(
    monkeypatch: pytest.MonkeyPatch, assets: Any
) -> None:
    from array import array

    fake = FakeSimpleaudio()
    fake.device = True
    monkeypatch.setitem(sys.modules, "simpleaudio", fake)
    backend = SimpleaudioBackend()
    backend.load(assets, volume=1.0)
    backend.play(Cue.COUNTDOWN, 1.0)
    backend.play(Cue.COUNTDOWN, 0.25)
    backend.close()
    loud, quiet = (array("h", b) for b in fake.buffers[-2:])
    assert len(loud) == len(quiet)
    assert max(map(abs, loud)) > 5000
    assert abs(max(map(abs, quiet)) - max(map(abs, loud)) / 4) <= 1


def test_simpleaudio_without_the_module(monkeypatch: pytest.MonkeyPatch, assets: Any) -> None:
    monkeypatch.setitem(sys.modules, "simpleaudio", None)
    backend = SimpleaudioBackend()
    backend.load(assets)
    assert not backend.available and not backend.installed
    assert backend.reason == "the simpleaudio module is not installed"
    backend.play(Cue.COUNTDOWN, 1.0)  # never raises
    backend.close()


def test_silent_backend_is_always_available() -> None:
    backend = SilentBackend()
    assert backend.available and backend.reason is None


def test_status_changes_from_a_worker_thread_reach_the_gui_thread(qapp: Any) -> None:
    import threading

    from legdrive_timer.audio.system import _MainThread

    post = _MainThread()
    ran_on: list[threading.Thread] = []
    worker = threading.Thread(
        target=lambda: post(lambda: ran_on.append(threading.current_thread()))
    )
    worker.start()
    worker.join()
    assert ran_on == []  # queued, not run on the worker
    qapp.processEvents()
    assert ran_on == [threading.main_thread()]
