"""Playback backends behind one small interface: simpleaudio and silent here; the default
engine, miniaudio, in `miniaudio_backend`.

Every backend loads all cues once (before the session starts), plays a cue at a volume,
can stop the voice line speaking, and says whether it works (`available`) and if not why
(`reason`, the end of a sentence such as "no audio output device was found"). A backend
never raises from `play`: losing the device is a state, reported through `on_change`,
which may be called from a worker thread.
"""

from __future__ import annotations

import functools
import mmap
import threading
import time
from array import array
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, BinaryIO, Protocol

from legdrive_timer.audio.cues import Cue, CueAsset, WavError, read_wav_header

if TYPE_CHECKING:
    import queue

StatusCallback = Callable[[], None]

NO_DEVICE = "no audio output device was found"
NO_ANSWER = "the sound server did not answer"
"""A sound server that takes the connection and then does not answer (a frozen PulseAudio or
pipewire-pulse)."""


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

    def expect(self, delay_s: float | None) -> None:
        """The next scheduled cue is due in `delay_s` seconds (None: none is scheduled),
        so that the device can be awake by then."""
        ...

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
        self._reports = 0
        """How many times a status was set: see `_fail_unless_reported`."""
        self.installed = True

    @property
    def available(self) -> bool:
        return self._available

    @property
    def reason(self) -> str | None:
        return self._reason

    def _set(self, available: bool, reason: str | None, *, unless_since: int | None = None) -> None:
        with self._lock:
            if unless_since is not None and unless_since != self._reports:
                return
            self._reports += 1
            changed = (available, reason) != (self._available, self._reason)
            self._available, self._reason = available, reason
        if changed and self._on_change is not None:
            self._on_change()

    def _ok(self) -> None:
        self._set(True, None)

    def _fail(self, reason: str) -> None:
        self._set(False, reason)

    def _fail_unless_reported(self, since: int, reason: str) -> None:
        """Fail, unless a status was set after `since` (a `_reports` count read earlier): a
        worker thread that has meanwhile reported what really happened is not contradicted."""
        self._set(False, reason, unless_since=since)


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

    def expect(self, delay_s: float | None) -> None:
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
    samples: memoryview
    """16-bit samples ("h"), mapped from the file: see `_read_pcm`."""
    channels: int
    rate: int
    sound_end: int
    """Samples up to and including the last one that is not silent."""

    def trimmed(self, keep_silence: int) -> memoryview:
        """The samples up to `keep_silence` samples after the last sound (a view)."""
        return self.samples[: min(len(self.samples), self.sound_end + keep_silence)]


def _read_pcm(asset: CueAsset) -> _Pcm:
    """A cue's samples as a view of its file mapped into memory, not a copy.

    A page of a mapped file becomes part of the app's memory when it is first read, so a
    sound's samples arrive when it first plays (from the system's file cache, which
    `MADV_WILLNEED` fills now), not at start, and a start holds none of the 1.4 MB of cues
    and voice lines. The trailing silence is found by reading the file's end, which maps
    nothing.
    """
    with asset.path.open("rb") as file:
        header = read_wav_header(file)
        if header.sample_width != 2:
            raise WavError(f"{asset.cue.relative_path} is not 16-bit")
        channels, rate = header.channels, header.rate
        # Whole frames, of what the file holds if it is cut short (`read_wav_header`).
        size = header.frames * channels * 2
        start = header.data_start
        sound_end = _last_sound(file, start, size) // 2
        if size == 0:
            return _Pcm(memoryview(array("h")), channels, rate, 0)
        mapped = mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ)
    if hasattr(mapped, "madvise") and hasattr(mmap, "MADV_WILLNEED"):
        mapped.madvise(mmap.MADV_WILLNEED)
    return _Pcm(memoryview(mapped)[start : start + size].cast("h"), channels, rate, sound_end)


def _last_sound(file: BinaryIO, start: int, size: int, chunk: int = 8192) -> int:
    """Bytes from `start` up to the end of the last 16-bit sample that is not zero,
    reading the file backwards from `start + size`."""
    end = start + size
    while end > start:
        begin = max(start, end - chunk)
        file.seek(begin)
        data = file.read(end - begin).rstrip(b"\0")
        if data:
            return (begin + len(data) - start + 1) // 2 * 2
        end = begin
    return 0


def _scaled(pcm: _Pcm, volume: float) -> bytes:
    if volume >= 1.0:
        return pcm.samples.tobytes()
    # Fixed point keeps this a plain integer loop; simpleaudio has no volume control.
    gain = round(volume * 1024)
    return array("h", [s * gain >> 10 for s in pcm.samples]).tobytes()


ALSA_LIBRARY = "libasound.so.2"


@functools.cache
def _quiet_alsa() -> Any:
    """Keep libasound from printing a screen of errors each time no device is found:
    the reason is reported once, in the window.

    libasound holds one handler for the whole process, so it is made once and the cache
    keeps it alive for good: a handler owned by a backend would leave libasound calling
    freed memory once that backend is dropped (`auto` drops the backends it does not
    keep), which crashed the next ALSA error. ctypes is loaded here, not at start: the
    miniaudio engine needs this only where libasound is used."""
    import ctypes

    try:
        # By its soname first: find_library runs `ldconfig -p` in a child process.
        lib = ctypes.CDLL(ALSA_LIBRARY)
    except OSError:
        from ctypes.util import find_library

        name = find_library("asound")
        if name is None:
            return None
        try:
            lib = ctypes.CDLL(name)
        except OSError:
            return None
    try:
        handler_type = ctypes.CFUNCTYPE(
            None, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p
        )
        handler = handler_type(lambda *_args: None)
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
        # The queue module only here: the default engine needs none (nor heapq with it).
        from queue import SimpleQueue

        self._jobs: queue.SimpleQueue[tuple[str, Cue | None, float] | None] = SimpleQueue()
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
        except (OSError, WavError, EOFError):
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

    def expect(self, delay_s: float | None) -> None:
        pass  # every cue opens ALSA's device anew: there is no stream to keep awake

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
