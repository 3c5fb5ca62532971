"""Playback backends behind one small interface: simpleaudio, Qt's QSoundEffect, silent.

Every backend loads all cues once (before the session starts), plays a cue at a volume,
can stop the voice line speaking, and says whether it works (`available`) and if not why
(`reason`, the end of a sentence such as "no audio output device was found"). A backend
never raises from `play`: losing the device is a state, reported through `on_change`,
which may be called from a worker thread.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import functools
import queue
import threading
import time
import wave
from array import array
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from legdrive_timer.audio.cues import Cue, CueAsset

StatusCallback = Callable[[], None]

NO_DEVICE = "no audio output device was found"


class Backend(Protocol):
    name: str

    @property
    def available(self) -> bool: ...

    @property
    def reason(self) -> str | None: ...

    @property
    def installed(self) -> bool:
        """False when the library itself is missing (as opposed to a missing device)."""
        ...

    def load(self, assets: Mapping[Cue, CueAsset], *, volume: float = 1.0) -> None:
        """Load every cue once, before the session; `volume` is the one expected first."""
        ...

    def play(self, cue: Cue, volume: float) -> None: ...

    def stop_voice(self) -> None: ...

    def devices(self) -> list[str]: ...

    def set_device(self, name: str | None) -> None: ...

    def close(self) -> None: ...


class _Status:
    """Availability shared by the backends, with a change callback."""

    def __init__(self, on_change: StatusCallback | None) -> None:
        self._on_change = on_change
        self._lock = threading.Lock()
        self._available = False
        self._reason: str | None = "sound has not been set up yet"
        self.installed = True

    @property
    def available(self) -> bool:
        return self._available

    @property
    def reason(self) -> str | None:
        return self._reason

    def _set(self, available: bool, reason: str | None) -> None:
        with self._lock:
            changed = (available, reason) != (self._available, self._reason)
            self._available, self._reason = available, reason
        if changed and self._on_change is not None:
            self._on_change()

    def _ok(self) -> None:
        self._set(True, None)

    def _fail(self, reason: str) -> None:
        self._set(False, reason)


class SilentBackend(_Status):
    """Plays nothing. Chosen by `off`, or when no other backend works."""

    name = "off"

    def __init__(self, on_change: StatusCallback | None = None) -> None:
        super().__init__(on_change)
        self._ok()

    def load(self, assets: Mapping[Cue, CueAsset], *, volume: float = 1.0) -> None:
        pass

    def play(self, cue: Cue, volume: float) -> None:
        pass

    def stop_voice(self) -> None:
        pass

    def devices(self) -> list[str]:
        return []

    def set_device(self, name: str | None) -> None:
        pass

    def close(self) -> None:
        pass


# -- simpleaudio ------------------------------------------------------------------------


@dataclass(frozen=True)
class _Pcm:
    samples: array[int]
    channels: int
    rate: int


def _read_pcm(asset: CueAsset) -> _Pcm:
    with wave.open(str(asset.path), "rb") as wav:
        if wav.getsampwidth() != 2:
            raise wave.Error(f"{asset.cue.relative_path} is not 16-bit")
        samples = array("h")
        samples.frombytes(wav.readframes(wav.getnframes()))
        return _Pcm(samples, wav.getnchannels(), wav.getframerate())


def _scaled(pcm: _Pcm, volume: float) -> bytes:
    if volume >= 1.0:
        return pcm.samples.tobytes()
    # Fixed point keeps this a plain integer loop; simpleaudio has no volume control.
    gain = round(volume * 1024)
    return array("h", [s * gain >> 10 for s in pcm.samples]).tobytes()


_ALSA_ERROR_HANDLER = ctypes.CFUNCTYPE(
    None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p
)


def _quiet_alsa() -> Any:
    """Keep libasound from printing a screen of errors each time no device is found:
    the reason is reported once, in the window. Returns the handler to keep alive."""
    name = ctypes.util.find_library("asound")
    if name is None:
        return None
    try:
        lib = ctypes.CDLL(name)
        handler = _ALSA_ERROR_HANDLER(lambda *_args: None)
        lib.snd_lib_error_set_handler(handler)
    except (OSError, AttributeError):
        return None
    return handler


class SimpleaudioBackend(_Status):
    """simpleaudio (ALSA). Plays from a worker thread: opening an ALSA device can block.

    ALSA reports a missing device only when a sound is opened, so `load` plays a few
    milliseconds of silence to find out; after a failure the next cue retries, at most
    every `retry_s` seconds, so that sound comes back when a device does.
    """

    name = "simpleaudio"

    def __init__(self, on_change: StatusCallback | None = None, *, retry_s: float = 3.0) -> None:
        super().__init__(on_change)
        self._retry_s = retry_s
        self._sa: Any = None
        self._pcm: dict[Cue, _Pcm] = {}
        self._waves: dict[Cue, tuple[float, Any]] = {}
        self._voice: Any = None
        self._last_failure = 0.0
        self._jobs: queue.SimpleQueue[tuple[str, Cue | None, float] | None] = queue.SimpleQueue()
        self._worker: threading.Thread | None = None
        self._alsa_handler: Any = None

    def load(self, assets: Mapping[Cue, CueAsset], *, volume: float = 1.0) -> None:
        try:
            import simpleaudio  # optional extra, may be missing
        except ImportError:
            self.installed = False
            self._fail("the simpleaudio module is not installed")
            return
        self._sa = simpleaudio
        self._alsa_handler = _quiet_alsa()
        try:
            self._pcm = {cue: _read_pcm(asset) for cue, asset in assets.items()}
        except (OSError, wave.Error, EOFError):
            self._fail("the sound files could not be read")
            return
        self._probe()
        # Even without a device: the worker retries on later cues, off the GUI thread.
        self._worker = threading.Thread(target=self._work, name="cue-playback", daemon=True)
        self._worker.start()
        self._jobs.put(("prepare", None, round(volume, 2)))

    def _probe(self) -> None:
        try:
            self._sa.play_buffer(bytes(2 * 480), 1, 2, 48_000).wait_done()
        except Exception as error:  # SimpleaudioError is not importable by name
            self._last_failure = time.monotonic()
            self._fail(_alsa_reason(error))
            return
        self._ok()

    def play(self, cue: Cue, volume: float) -> None:
        if self._worker is not None:
            self._jobs.put(("play", cue, round(volume, 2)))

    def stop_voice(self) -> None:
        if self._worker is not None:
            self._jobs.put(("stop_voice", None, 0.0))

    def devices(self) -> list[str]:
        return []  # simpleaudio always plays on ALSA's default device.

    def set_device(self, name: str | None) -> None:
        pass

    def close(self) -> None:
        worker, self._worker = self._worker, None
        if worker is not None:
            self._jobs.put(None)
            worker.join(timeout=2.0)

    # -- worker thread --------------------------------------------------------------------

    def _work(self) -> None:
        while (job := self._jobs.get()) is not None:
            action, cue, volume = job
            if action == "prepare":
                self._prepare(volume)
            elif action == "stop_voice":
                if self._voice is not None:
                    self._voice.stop()
                    self._voice = None
            elif cue is not None:
                self._play_now(cue, volume)
                if self._jobs.empty():
                    self._prepare(volume)

    def _wave(self, cue: Cue, volume: float) -> Any:
        cached = self._waves.get(cue)
        if cached is not None and cached[0] == volume:
            return cached[1]
        pcm = self._pcm[cue]
        wave_object = self._sa.WaveObject(_scaled(pcm, volume), pcm.channels, 2, pcm.rate)
        self._waves[cue] = (volume, wave_object)
        return wave_object

    def _prepare(self, volume: float) -> None:
        """Scale the other cues to a new volume while idle, so none waits for it later."""
        for cue in self._pcm:
            if not self._jobs.empty():
                return
            self._wave(cue, volume)

    def _play_now(self, cue: Cue, volume: float) -> None:
        if not self.available and time.monotonic() - self._last_failure < self._retry_s:
            return
        try:
            play_object = self._wave(cue, volume).play()
        except Exception as error:  # SimpleaudioError is not importable by name
            self._last_failure = time.monotonic()
            self._fail(_alsa_reason(error))
            return
        if cue.is_voice:
            self._voice = play_object
        self._ok()


def _alsa_reason(error: Exception) -> str:
    text = str(error)
    if "PCM device" in text or "No such file" in text or "Unknown PCM" in text:
        return NO_DEVICE
    return f"the audio device failed ({text.split(' -- ')[0].strip() or 'unknown error'})"


# -- Qt -----------------------------------------------------------------------------------


class QtBackend(_Status):
    """Qt's QSoundEffect, one loaded, never played effect waiting per cue.

    Every effect plays once. Qt 6.8/6.9's effect keeps its audio sink between plays, and
    the sink keeps whatever it had read of the last play but not yet sent to PulseAudio
    (the end of the WAV: silence) and sends that first at the next play. How much is left
    depends on the WAV's length and on the plays before, so a replayed cue started up to
    about 65 ms late, by an amount that changed from one play to the next (rep_lower:
    +64, +57, +51 ms...). A new effect has a new, empty sink; the decoded WAV comes from
    Qt's sample cache, so a new effect is ready at once. The one that played is deleted
    when it falls silent.

    QtMultimedia is imported here, lazily: it raises ImportError when libpulse is missing.
    With the library but no sound server there are no outputs; the backend then waits for
    `audioOutputsChanged` and rebuilds its effects when a device appears.
    """

    name = "qt"

    def __init__(self, on_change: StatusCallback | None = None) -> None:
        super().__init__(on_change)
        self._qt: Any = None
        self._media_devices: Any = None
        self._assets: dict[Cue, CueAsset] = {}
        self._effects: dict[Cue, Any] = {}
        """The effect each cue plays next: loaded, never played."""
        self._sounding: list[Any] = []
        """Effects that were played, kept until they fall silent."""
        self._device: Any = None
        """The output chosen by the user, or None for the system's default."""
        self._device_name: str | None = None
        self._voice: Any = None
        self._receiver: Any = None
        self._device_id: Any = None

    def load(self, assets: Mapping[Cue, CueAsset], *, volume: float = 1.0) -> None:
        try:
            from PySide6 import QtMultimedia  # needs libpulse at import
            from PySide6.QtCore import QCoreApplication, Qt
        except ImportError as error:
            self.installed = False
            self._fail(f"Qt Multimedia could not be loaded ({error})")
            return
        if QCoreApplication.instance() is None:
            self._fail("the Qt application is not running")
            return
        self._qt = QtMultimedia
        self._assets = dict(assets)
        self._media_devices = QtMultimedia.QMediaDevices()
        # The device list changes on the sound server's thread: a receiver living on the
        # GUI thread with a queued connection rebuilds the effects where they belong.
        self._receiver = _make_receiver(self._rebuild)
        self._media_devices.audioOutputsChanged.connect(
            self._receiver.run, Qt.ConnectionType.QueuedConnection
        )
        self._rebuild()

    def _outputs(self) -> list[Any]:
        return list(self._qt.QMediaDevices.audioOutputs()) if self._qt is not None else []

    def _chosen_output(self) -> Any:
        outputs = self._outputs()
        for output in outputs:
            if output.description() == self._device_name:
                return output
        return self._qt.QMediaDevices.defaultAudioOutput()

    def _rebuild(self) -> None:
        """Put every effect on the chosen output, or report that there is none.

        Effects are only recreated when the output really changed: dropping effects that
        are still loading upsets Qt's audio thread.
        """
        if not self._outputs():
            self._drop_effects()
            self._fail(NO_DEVICE)
            return
        device = self._chosen_output()
        if self._effects and device.id() == self._device_id:
            self._ok()
            return
        self._drop_effects()
        self._device_id = device.id()
        chosen = self._device_name is not None and device.description() == self._device_name
        # An effect built on an explicit device made Qt 6.11/6.12 touch a socket notifier
        # from its audio thread and spin; the default one follows the system's default
        # output, so a device is only set when the user chose one.
        self._device = device if chosen else None
        for cue in self._assets:
            self._effects[cue] = self._new_effect(cue)
        self._ok()

    def _new_effect(self, cue: Cue) -> Any:
        from PySide6.QtCore import QUrl

        effect = self._qt.QSoundEffect()
        if self._device is not None:
            effect.setAudioDevice(self._device)
        effect.statusChanged.connect(functools.partial(self._status_changed, effect))
        effect.playingChanged.connect(functools.partial(self._playing_changed, effect))
        effect.setSource(QUrl.fromLocalFile(str(self._assets[cue].path)))
        return effect

    def _drop_effects(self) -> None:
        effects = [*self._effects.values(), *self._sounding]
        self._effects = {}
        self._sounding = []
        self._voice = None
        self._device_id = None
        self._device = None
        for effect in effects:
            effect.stop()
            effect.deleteLater()

    def _playing_changed(self, effect: Any) -> None:
        if effect.isPlaying() or not any(e is effect for e in self._sounding):
            return
        self._sounding = [e for e in self._sounding if e is not effect]
        if effect is self._voice:
            self._voice = None
        effect.deleteLater()

    def _status_changed(self, effect: Any) -> None:
        if effect.status() == self._qt.QSoundEffect.Status.Error and self._effects:
            self._fail("the audio device could not play the sounds")

    @property
    def ready(self) -> bool:
        """True once every effect has loaded its sound."""
        ready = self._qt.QSoundEffect.Status.Ready if self._qt is not None else None
        return bool(self._effects) and all(e.status() == ready for e in self._effects.values())

    def play(self, cue: Cue, volume: float) -> None:
        effect = self._effects.get(cue)
        if effect is None or not self.available:
            return
        effect.setVolume(volume)
        effect.play()
        self._sounding.append(effect)
        if cue.is_voice:
            self._voice = effect
        # After play(), so that the cue does not wait for it.
        self._effects[cue] = self._new_effect(cue)

    def stop_voice(self) -> None:
        if self._voice is not None:
            self._voice.stop()
            self._voice = None

    def devices(self) -> list[str]:
        return [output.description() for output in self._outputs()]

    def set_device(self, name: str | None) -> None:
        self._device_name = name
        if self._qt is not None:
            self._rebuild()

    def close(self) -> None:
        self._drop_effects()
        if self._media_devices is not None:
            with contextlib.suppress(RuntimeError, TypeError):
                self._media_devices.audioOutputsChanged.disconnect(self._receiver.run)
            self._media_devices = None
            self._receiver = None


def _make_receiver(fn: Callable[[], None]) -> Any:
    """A QObject on the current (GUI) thread whose `run` slot calls `fn`."""
    from PySide6.QtCore import QObject, Slot

    class Receiver(QObject):
        @Slot()
        def run(self) -> None:
            fn()

    return Receiver()
