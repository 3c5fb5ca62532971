"""The default sound engine: miniaudio, a streaming device fed by `Mixer`.

miniaudio (pyminiaudio) ships wheels for CPython 3.11-3.14 on Linux, Windows and macOS and
talks to PulseAudio/PipeWire, ALSA, WASAPI and CoreAudio itself: nothing to compile and
no system package beside it. See docs/audio.md for why it was chosen.

The device is opened once, when the cue system loads (before any session), with a small
buffer (two periods of `PERIOD_MS`), so a cue starts within a few milliseconds of `play`.
Silence costs next to nothing: while nothing sounds the callback returns an empty block
(no mixing, no arithmetic), and `QUIET_MS` after the last cue has been handed to the device
the stream pauses altogether (no callbacks, no wake-ups) until the next cue restarts it; the
device stays open. Restarting is quick: starting a stream asks the mixer for its first block
at once, so a cue on a paused stream is heard sooner than one queued to a running stream,
which waits for the next period (docs/audio.md).

A sound server puts a device nobody plays to to sleep (PulseAudio's module-suspend-on-idle,
PipeWire's session.suspend-timeout-seconds: 5 s by default), and waking it takes tens to
hundreds of milliseconds, so the first cue after a long silence would start late or lose
its beginning. The planner says when the next scheduled cue is due (`expect`); when the
stream will have been paused long enough for the device to fall asleep, the stream starts
again `WAKE_LEAD_MS` before the cue and plays silence until the device has taken
`QUIET_MS` of it (it is running then), and pauses as after a cue. The server keeps the
woken device running for its suspend time (seconds) after that, so when the cue's first
sample is due the device runs and the paused stream restarts on it at once. Cues nobody
scheduled (the test sound) start the stream as they come.

A watcher thread looks after the device, and opens it: the window asks for a device (at load,
or when the user chooses another one) and waits for it at most `OPEN_WAIT_S`. Opening takes
tens of milliseconds, but a sound server that accepts the connection and then does not answer
(a frozen PulseAudio or pipewire-pulse) keeps miniaudio waiting for ever, with no timeout of
its own: then the window goes on without sound ("the sound server did not answer") while the
watcher waits, and if the server ever answers, sound comes back through the same report as a
returning device. Nothing the window does waits on the device unbounded: `play` gives up on
the device's lock after 50 ms, `devices` asks on a thread of its own, and `close` leaves a
watcher that waits for ever to end with the process (a daemon thread).

While the stream runs the watcher looks every `WATCH_S` seconds, and a stream that stopped
pulling samples (unplugged, sound server gone) is closed and reported; while there is no
device it tries to open one every `RETRY_S`, so sound comes back by itself when a device
does; it pauses the stream when the stream reports quiet; and while the stream is paused it
sleeps until a cue restarts it or it is time to wake the device for the next scheduled cue.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import sys
import threading
import time
from collections.abc import Callable, Generator, Mapping
from types import ModuleType
from typing import Any

from legdrive_timer.audio.backends import (
    NO_ANSWER,
    NO_DEVICE,
    StatusCallback,
    _quiet_alsa,
    _read_pcm,
    _Status,
)
from legdrive_timer.audio.cues import Cue, CueAsset, WavError
from legdrive_timer.audio.mixer import Block, Mixer

log = logging.getLogger(__name__)

RATE = 48_000
PERIOD_MS = 5
PERIODS = 2
"""Two periods of 5 ms: a cue waits at most one period for the callback that mixes it in.
Measured through a PulseAudio null sink on two shared, overloaded cores: 3 ms periods
missed 2-7 % of their deadlines (the sound stutters), 5 ms periods about 1 %, and
10 ms periods doubled the latency (docs/performance.md)."""
WATCH_S = 0.25
"""How often the watcher looks at a running stream (or for a device, while there is none)."""
QUIET_MS = 30
"""Silence handed to the device after the last cue before the stream pauses: the device's
buffer (two periods) has played out by then, so pausing cuts nothing that was heard."""
TAIL_MS = 20
"""Trailing silence kept at the end of each cue (the rest of the file's zeros is not
played): with `QUIET_MS`, 50 ms pass after a cue's last sound before the stream pauses."""
IDLE_S = 0.5
"""A running stream that has not reported quiet pauses after this long without a sound."""
STALL_S = 1.0
"""A running stream that pulled nothing for this long has lost its device."""
START_STALL_S = 3.0
"""A stream just started that has pulled nothing yet is lost only after this long: a sound
server may take a while to resume a sleeping device (a Bluetooth link: a second or two; a
PulseAudio null sink with nobody recording it: up to its 2 s idle latency)."""
RETRY_S = 1.5
"""While there is no device, how often to try to open one."""
OPEN_WAIT_S = 2.0
"""How long the window waits for the device to open, or for the list of devices. Opening
takes 14-40 ms (longer on a loaded machine, or while the sound server starts); a sound server
that has not answered in two seconds is taken as not answering, and sound comes back when
it does."""
WAKE_LEAD_MS = 800
"""How long before a scheduled cue a paused stream starts again (playing silence): longer
than a sound server takes to wake a sleeping device (tens to hundreds of milliseconds; a
laptop's codec resuming from runtime power saving, up to about a second). It costs nothing
more for being long: the stream pauses again as soon as the device runs, and the server
keeps the device running for its suspend time (`ASLEEP_AFTER_S` at the least) after that,
past the cue."""
ASLEEP_AFTER_S = 1.0
"""A stream paused at least this long before its next cue is woken ahead of it: the
shortest time after which a sound server may have put the device to sleep (the defaults
are 5 s; this also covers a server set to 1 s, which still keeps a device it just woke
running past the cue, `WAKE_LEAD_MS` later). Shorter pauses cost nothing."""
APP_NAME = "Legdrive Timer"


class _ImportedOnUse(ModuleType):
    """Stands for a module until something is looked up on it, then imports the real one."""

    def __getattr__(self, name: str) -> Any:
        # Questions about the module itself (PySide6's import hook asks for `__wrapped__`
        # and the source) are answered by the stand-in, as is anything asked while it
        # still stands in sys.modules: importing then would find the stand-in again.
        if name.startswith("__") or sys.modules.get(self.__name__) is self:
            raise AttributeError(name)
        return getattr(importlib.import_module(self.__name__), name)


def import_miniaudio() -> ModuleType:
    """`import miniaudio`, without its internet-radio client's imports.

    pyminiaudio imports `urllib.request` and `html` at its top for `IceCastClient`, which
    plays no part here; they bring http.client, email, ssl, OpenSSL and the table of HTML
    entities with them: about 8 MiB of memory and 80 ms at every start
    (docs/performance.md). While miniaudio loads, those modules are stand-ins, and
    miniaudio keeps the stand-ins: the first lookup on one (or any later import of the
    module) imports the real module.

    It also imports numpy if it can, only to accept numpy arrays as samples; the mixer
    hands it arrays and memoryviews. Where numpy is installed (the camera coach's extra
    brings it) that was 15 MiB and 70 ms at every start: miniaudio loads as if numpy were
    not there, and the coach imports it as usual when it starts.
    """
    return import_without("miniaudio", _WEB_CLIENT, optional=("numpy",))


def import_without(
    module: str, unused: tuple[str, ...], *, optional: tuple[str, ...] = ()
) -> ModuleType:
    """Import `module` with the modules `unused` standing in until first used, and the
    modules `optional` (which it imports if it can) missing while it loads.

    A release of the module that uses one of them while it loads (`from html import
    escape` at its top, say) is imported again the plain way: it costs the start-up time,
    never the sound.
    """
    if module in sys.modules or any(name in sys.modules for name in unused):
        return importlib.import_module(module)
    parents = {name: sys.modules.get(name.rpartition(".")[0]) for name in unused}
    stand_ins = {name: _ImportedOnUse(name) for name in unused}
    sys.modules.update(stand_ins)
    # None in sys.modules makes `import name` raise ImportError.
    missing = [name for name in optional if name not in sys.modules]
    for name in missing:
        sys.modules[name] = None  # type: ignore[assignment]
    try:
        loaded = importlib.import_module(module)
    except (ImportError, AttributeError):
        loaded = None
    finally:
        for name, stand_in in stand_ins.items():
            if sys.modules.get(name) is stand_in:
                del sys.modules[name]
        for name in missing:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]
    if loaded is None:
        for name in [name for name in sys.modules if name.partition(".")[0] == module]:
            del sys.modules[name]
        return importlib.import_module(module)
    for name, stand_in in stand_ins.items():
        package, _, attribute = name.rpartition(".")
        parent = parents[name] or sys.modules.get(package)
        if parent is not None and getattr(parent, attribute, None) is None:
            setattr(parent, attribute, stand_in)
    return loaded


_WEB_CLIENT = ("urllib.request", "html")
"""What miniaudio imports for its internet-radio client only."""


def _stream(
    mixer: Mixer,
    quiet_frames: int,
    on_quiet: Callable[[], None],
    on_sound: Callable[[], None] = lambda: None,
) -> Generator[Block, int, None]:
    """The generator miniaudio's callback sends frame counts to. Once `quiet_frames` of
    silence have followed the last sound, it calls `on_quiet` (once until the next sound):
    the stream may pause; the first sound after that calls `on_sound` (the stream is not
    quiet any more). Counted in frames the device asked for, so it follows the device's
    clock."""
    frames = yield b""
    quiet = 0
    while True:
        try:
            block = mixer.render(frames)
        except Exception:  # never let an error end the stream on the audio thread
            log.exception("mixing a sound block failed")
            mixer.stop_all()
            block = b""
        if block:
            if quiet >= quiet_frames:
                on_sound()
            quiet = 0
        elif quiet < quiet_frames:
            quiet += frames
            if quiet >= quiet_frames:
                on_quiet()
        frames = yield block


def _reason(error: Exception, ma: Any) -> str:
    code = error.args[1] if len(error.args) > 1 else None
    if code in (ma.lib.MA_NO_DEVICE, ma.lib.MA_NO_BACKEND, ma.lib.MA_FAILED_TO_OPEN_BACKEND_DEVICE):
        return NO_DEVICE
    return f"the audio device could not be opened (miniaudio error {code})"


def playback_devices(ma: Any) -> list[tuple[str, Any]]:
    """(name, id) of each output device of the system's first working audio backend."""
    ffi, lib = ma.ffi, ma.lib
    context = ffi.new("ma_context*")
    if lib.ma_context_init(ffi.NULL, 0, ffi.NULL, context) != lib.MA_SUCCESS:
        return []
    try:
        if context[0].backend == lib.ma_backend_null:
            return []
        infos = ffi.new("ma_device_info**")
        count = ffi.new("ma_uint32*")
        if lib.ma_context_get_devices(context, infos, count, ffi.NULL, ffi.NULL) != lib.MA_SUCCESS:
            return []
        found: list[tuple[str, Any]] = []
        for i in range(count[0]):
            info = infos[0][i]
            name = ffi.string(info.name).decode(errors="replace")
            found.append((name, ffi.new("ma_device_id *", info.id)))
        return found
    finally:
        lib.ma_context_uninit(context)


class MiniaudioBackend(_Status):
    name = "miniaudio"

    def __init__(
        self,
        on_change: StatusCallback | None = None,
        *,
        watch_s: float = WATCH_S,
        idle_s: float = IDLE_S,
        retry_s: float = RETRY_S,
        open_wait_s: float = OPEN_WAIT_S,
        period_ms: int = PERIOD_MS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(on_change)
        self._watch_s = watch_s
        self._idle_s = idle_s
        self._retry_s = retry_s
        self._open_wait_s = open_wait_s
        self._clock = clock
        self._running = False
        """The device is pulling from the mixer (it pauses while idle)."""
        self._paused_at = 0.0
        self._due: float | None = None
        """When the next scheduled cue is due (`expect`), on `clock`."""
        self._last_sound = 0.0
        self._last_block = (0, 0.0)
        self._start_block = 0
        """`blocks_rendered` when the stream last started."""
        self._period_ms = period_ms
        self._ma: Any = None
        self._mixer: Mixer | None = None
        self._device: Any = None
        self._device_name: str | None = None
        self._device_lock = threading.RLock()
        self._opens = threading.Condition()
        """Guards `_opens_asked` and `_opens_done`, and tells when an open asked for is done."""
        self._opens_asked = 0
        self._opens_done = 0
        """The last of the window's asks for a device that the watcher has answered."""
        self._opening_since: float | None = None
        """When the device being opened began to open (`time.monotonic`), while it opens."""
        self._stopped = threading.Event()
        """Set by miniaudio (audio thread) when the device stops by itself."""
        self._closing = threading.Event()
        self._wake = threading.Event()
        """Wakes the watcher early: the stream went quiet or started, or the app closes."""
        self._quiet = threading.Event()
        """Set from the audio thread when the running stream has gone quiet."""
        self._watcher: threading.Thread | None = None
        self._alsa_handler: Any = None

    @property
    def backend(self) -> str | None:
        """The system audio API in use ("PulseAudio", "ALSA", "WASAPI" ...), if open."""
        device = self._device
        return None if device is None else str(device.backend)

    def load(self, assets: Mapping[Cue, CueAsset], *, volume: float = 1.0) -> None:
        try:
            miniaudio = import_miniaudio()
        except ImportError as error:
            self.installed = False
            self._fail(f"the miniaudio module could not be loaded ({error})")
            return
        self._ma = miniaudio
        try:
            pcm = {cue: _read_pcm(asset) for cue, asset in assets.items()}
        except (OSError, EOFError, WavError) as error:
            self._fail(f"the sound files could not be read ({error})")
            return
        odd = [cue.relative_path for cue, p in pcm.items() if (p.rate, p.channels) != (RATE, 1)]
        if odd:
            self._fail(f"the sound file {odd[0]} is not 48 kHz mono")
            return
        self._mixer = Mixer({cue: p.trimmed(RATE * TAIL_MS // 1000) for cue, p in pcm.items()})
        self._watcher = threading.Thread(target=self._watch, name="sound-device", daemon=True)
        self._watcher.start()
        self._ask_open()

    # -- the device -----------------------------------------------------------------------

    def _ask_open(self) -> None:
        """Have the watcher open the device (again), and wait for it at most `open_wait_s`;
        past that, sound is unavailable until the watcher reports."""
        reports = self._reports
        with self._opens:
            self._opens_asked += 1
            asked = self._opens_asked
        self._wake.set()
        with self._opens:
            done = self._opens.wait_for(lambda: self._opens_done >= asked, self._open_wait_s)
        if not done:
            log.warning(
                "the sound server did not answer in %.1f s; going on without sound",
                self._open_wait_s,
            )
            self._fail_unless_reported(reports, NO_ANSWER)

    def _open(self) -> None:
        """On the watcher thread: open the device (closing the one open), and report."""
        ma, mixer = self._ma, self._mixer
        if ma is None or mixer is None:
            return
        with self._device_lock:
            self._close_device()
            mixer.stop_all()
            # Both may wait for ever on a sound server that does not answer.
            self._opening_since = time.monotonic()
            try:
                device_id = None
                if self._device_name is not None:
                    self._quiet_alsa()
                    device_id = dict(playback_devices(ma)).get(self._device_name)
                device = self._new_device(ma, device_id)
            except ma.MiniaudioError as error:
                if not self._closing.is_set():
                    self._fail(_reason(error, ma))
                return
            finally:
                self._opening_since = None
            if self._closing.is_set():
                # The app closed while the sound server kept this open waiting.
                device.close()
                return
            if str(device.backend).lower() == "null":
                device.close()
                self._fail(NO_DEVICE)
                return
            self._device = device
            # Started once now, so that a device that opens but cannot play is known before
            # the session; the watcher pauses it again once it has been idle.
            if self._start_stream():
                if self.reason == NO_ANSWER:
                    log.info("the sound server answered: sound is back")
                self._ok()

    def _new_device(self, ma: Any, device_id: Any) -> Any:
        """A playback device of the first of the system's audio backends that has one, in
        miniaudio's order. On Linux PulseAudio (or PipeWire's server for it) is asked alone
        first: where it answers, as on most desktops, libasound is never loaded (with
        ctypes to quiet it, about 0.6 MiB of memory at start). Only when it does not are
        the others asked, with libasound's error printing quieted."""
        config: dict[str, Any] = {
            "output_format": ma.SampleFormat.SIGNED16,
            "nchannels": 1,
            "sample_rate": RATE,
            "buffersize_msec": self._period_ms,
            "device_id": device_id,
            "callback_periods": PERIODS,
            "app_name": APP_NAME,
        }
        if sys.platform.startswith("linux"):
            with contextlib.suppress(ma.MiniaudioError):
                return ma.PlaybackDevice(backends=[ma.Backend.PULSEAUDIO], **config)
        self._quiet_alsa()
        return ma.PlaybackDevice(**config)

    def _quiet_alsa(self) -> None:
        if self._alsa_handler is None:
            self._alsa_handler = _quiet_alsa()

    def _start_stream(self) -> bool:
        """Let the device pull from the mixer again; False (and reported) if it cannot."""
        device, ma, mixer = self._device, self._ma, self._mixer
        if device is None or mixer is None:
            return False
        if self._running:
            return True
        stream = _stream(mixer, RATE * QUIET_MS // 1000, self._went_quiet, self._quiet.clear)
        next(stream)
        self._stopped.clear()
        self._quiet.clear()
        try:
            device.start(stream)
        except ma.MiniaudioError as error:
            self._close_device()
            self._fail(_reason(error, ma))
            return False
        device.stop_callback = self._device_stopped
        self._running = True
        now = self._clock()
        self._last_block = (mixer.blocks_rendered, now)
        self._start_block = mixer.blocks_rendered
        self._last_sound = now
        self._wake.set()  # the watcher sleeps while the stream is paused: watch it again
        return True

    def _device_stopped(self) -> None:
        """On miniaudio's thread: the running device stopped by itself."""
        self._stopped.set()
        self._wake.set()

    def _went_quiet(self) -> None:
        """On the audio thread: the mixer has been silent for `QUIET_MS`."""
        self._quiet.set()
        self._wake.set()

    def _pause_stream(self) -> None:
        """Stop pulling while nothing sounds: no callbacks, no wake-ups. The device stays
        open, so the next cue only restarts it."""
        device = self._device
        if device is None or not self._running:
            return
        device.stop_callback = None  # a stop we asked for is not a lost device
        try:
            device.stop()
        except self._ma.MiniaudioError:
            self._close_device()
            self._fail(NO_DEVICE)
        self._running = False
        self._paused_at = self._clock()

    def _close_device(self) -> None:
        with self._device_lock:
            device, self._device = self._device, None
            self._running = False
            if device is not None:
                device.stop_callback = None
                device.close()
        # A watcher asleep beside a paused stream starts looking for a device again.
        self._wake.set()

    def _wake_at(self) -> float | None:
        """When to start the paused stream ahead of the next scheduled cue (None: no need):
        `WAKE_LEAD_MS` before it, if by then the stream will have been paused long enough
        for the sound server to have put the device to sleep."""
        due = self._due
        if due is None or due - self._paused_at < ASLEEP_AFTER_S:
            return None
        return due - WAKE_LEAD_MS / 1000

    def _watch(self) -> None:
        next_retry = 0.0
        while True:
            asked = self._opens_asked
            if asked != self._opens_done:
                with self._device_lock:
                    if self._closing.is_set():
                        return
                    self._open()
                next_retry = self._clock() + self._retry_s
                with self._opens:
                    self._opens_done = asked
                    self._opens.notify_all()
            # A paused stream on an open device needs no looking after: sleep until a cue
            # restarts it, or until it is time to wake the device for the next cue (no
            # wake-ups while nothing sounds).
            timeout: float | None = self._watch_s
            if self._device is not None and not self._running:
                wake_at = self._wake_at()
                timeout = None if wake_at is None else max(0.0, wake_at - self._clock())
            self._wake.wait(timeout)
            self._wake.clear()
            if self._mixer is None or self._closing.is_set():
                return
            if self._opens_asked != self._opens_done:
                continue  # the window waits for a device: open it first
            with self._device_lock:
                if self._closing.is_set():
                    return
                next_retry = self._look(self._clock(), next_retry)

    def _look(self, now: float, next_retry: float) -> float:
        """One look at the device, under the device lock; returns when to try opening a
        device next."""
        mixer = self._mixer
        assert mixer is not None
        if self._device is None:
            if now >= next_retry:
                next_retry = now + self._retry_s
                self._open()
            return next_retry
        if not self._running:
            wake_at, due = self._wake_at(), self._due
            if wake_at is not None and due is not None and wake_at <= now < due:
                # The device may be asleep: wake it now, so that it runs when the cue's
                # first sample is due. The stream plays silence (nothing is mixed) and
                # pauses again once the device has taken `QUIET_MS` of it.
                self._start_stream()
            return next_retry
        if mixer.sounding:
            self._last_sound = now
        count = mixer.blocks_rendered
        if count != self._last_block[0]:
            self._last_block = (count, now)
        if self._stopped.is_set() and self._resumable():
            log.info("the sound server suspended the device; starting the stream again")
            self._running = False
            self._start_stream()
        elif self._stopped.is_set() or now - self._last_block[1] > (
            START_STALL_S if count == self._start_block else STALL_S
        ):
            log.info("the audio device stopped; looking for one again")
            self._close_device()
            self._fail(NO_DEVICE)
            next_retry = now + self._retry_s
        elif not mixer.sounding and (self._quiet.is_set() or now - self._last_sound > self._idle_s):
            # Under the lock: a cue queued meanwhile makes `sounding` true, or its `play`
            # waits for the lock and restarts the paused stream.
            self._pause_stream()
            if mixer.sounding:
                # Queued while the device stopped, by a `play` that gave up waiting for
                # the lock: it plays now rather than at the next cue.
                self._start_stream()
        return next_retry

    def _resumable(self) -> bool:
        """Whether miniaudio's "stopped" means a pause the sound server imposed rather than
        a lost device: on PulseAudio it reports only that the server suspended the sink
        (which happens to a paused stream, and that news can arrive just after the stream
        started again). The stream then starts anew on the same device; a device that is
        really gone then stops pulling and is found out by the stall check."""
        return self.backend == "PulseAudio"

    # -- the backend interface ------------------------------------------------------------

    def play(self, cue: Cue, volume: float) -> None:
        mixer = self._mixer
        if mixer is None or self._device is None:
            return
        mixer.play(cue, volume)
        # Always through the lock: the watcher may be pausing the stream right now, having
        # seen the mixer quiet just before this cue was queued; then the stream restarts.
        if self._device_lock.acquire(timeout=0.05):
            try:
                self._start_stream()
            finally:
                self._device_lock.release()

    def stop_voice(self) -> None:
        if self._mixer is not None:
            self._mixer.stop_voice()

    def expect(self, delay_s: float | None) -> None:
        self._due = None if delay_s is None else self._clock() + delay_s
        if self._device is not None and not self._running:
            self._wake.set()  # the watcher sleeps towards the wake-up it knew: aim again

    def devices(self) -> list[str]:
        """The output devices' names; none if the sound server does not answer in
        `open_wait_s` (asking it waits on a thread of its own, which ends if it ever does)."""
        ma = self._ma
        if ma is None:
            return []
        self._quiet_alsa()
        found: list[str] = []
        listed = threading.Event()

        def list_devices() -> None:
            try:
                found.extend(name for name, _id in playback_devices(ma))
            finally:
                listed.set()

        threading.Thread(target=list_devices, name="sound-devices", daemon=True).start()
        if not listed.wait(self._open_wait_s):
            log.warning("the sound server did not answer: no list of devices")
            return []
        return found

    def set_device(self, name: str | None) -> None:
        if name == self._device_name:
            return
        self._device_name = name
        if self._watcher is not None:
            self._ask_open()

    def close(self) -> None:
        self._closing.set()
        self._wake.set()
        watcher, self._watcher = self._watcher, None
        if watcher is not None:
            # A watcher opening a device for a sound server that has not answered within
            # `open_wait_s` may wait for ever: it ends with the process (a daemon thread),
            # and closes the device if the server answers before that.
            opening_since = self._opening_since
            wait_s = 2.0
            if opening_since is not None:
                wait_s = max(0.0, opening_since + self._open_wait_s - time.monotonic())
            watcher.join(timeout=wait_s)
            if watcher.is_alive():
                log.info("closing without waiting for a sound server that does not answer")
                return
        self._close_device()
