"""The cue system the window uses: one backend, the cue planner per session, and a status.

`CueSystem.create` never raises. No audio device is a normal state: the session goes on
silently and `status` says why in one sentence; sound comes back when a device does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from contextlib import ExitStack
from typing import TYPE_CHECKING, Any

from legdrive_timer.audio.backends import NO_ANSWER, Backend, SilentBackend, SimpleaudioBackend
from legdrive_timer.audio.cues import TEST_CUE, Cue, CueAsset, CueAssetError, durations, open_assets
from legdrive_timer.audio.miniaudio_backend import MiniaudioBackend
from legdrive_timer.core.sound_choices import audio_choice

if TYPE_CHECKING:
    from legdrive_timer.audio.planner import CuePlanner
    from legdrive_timer.core.clock import Clock, Scheduler
    from legdrive_timer.core.engine import SessionEngine

SOUND_OFF = "Sound is off."

StatusListener = Callable[[str | None], None]


def _make_backend(name: str, on_change: Callable[[], None]) -> Backend:
    if name == "miniaudio":
        return MiniaudioBackend(on_change)
    if name == "simpleaudio":
        return SimpleaudioBackend(on_change)
    return SilentBackend(on_change)


class _MainThread:
    """Runs a callable on the thread that owns the Qt event loop (backends report from
    their worker threads); without a Qt application it calls at once."""

    def __init__(self) -> None:
        self._bridge: Any = None
        from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot

        if QCoreApplication.instance() is None:
            return

        class Bridge(QObject):
            call = Signal(object)

            # A slot of an object living on the GUI thread: a signal emitted from another
            # thread is queued to it (a plain lambda would run on the emitting thread).
            @Slot(object)
            def run(self, fn: Callable[[], None]) -> None:
                fn()

        self._bridge = Bridge()
        self._bridge.call.connect(self._bridge.run)

    def __call__(self, fn: Callable[[], None]) -> None:
        if self._bridge is None:
            fn()
        else:
            self._bridge.call.emit(fn)


class _Player:
    """The planner's player: the backend at the system's current volume."""

    def __init__(self, system: CueSystem) -> None:
        self._system = system

    def play(self, cue: Cue) -> None:
        self._system._backend.play(cue, self._system.volume)

    def stop_voice(self) -> None:
        self._system._backend.stop_voice()

    def expect(self, delay_ms: int | None) -> None:
        self._system._backend.expect(None if delay_ms is None else delay_ms / 1000)


class CueSystem:
    def __init__(
        self,
        backend: Backend,
        assets: Mapping[Cue, CueAsset],
        stack: ExitStack,
        *,
        volume: float,
        muted: bool,
        voice: bool,
        fixed_status: str | None = None,
    ) -> None:
        """`fixed_status`: the status whatever the device does (sound off by choice, or
        why there can be no sound at all)."""
        self._backend = backend
        self._assets = dict(assets)
        self._stack = stack
        self._fixed_status = fixed_status
        self.volume = _clamp(volume)
        self.muted = muted
        self.voice = voice
        self._planners: list[CuePlanner] = []
        self._listeners: list[StatusListener] = []
        self.status: str | None = self._current_status()

    # -- creation -----------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        choice: str = "auto",
        *,
        volume: float = 0.8,
        muted: bool = False,
        voice: bool = True,
        device: str | None = None,
    ) -> CueSystem:
        """The system for a backend choice (one of `AUDIO_CHOICES`)."""
        stack = ExitStack()
        settings: dict[str, Any] = {"volume": volume, "muted": muted, "voice": voice}
        post = _MainThread()
        holder: list[CueSystem] = []

        def changed() -> None:
            # The backend may call this from its worker thread, even before `holder` is set.
            post(lambda: holder[0]._refresh_status() if holder else None)

        try:
            assets = open_assets(stack)
        except CueAssetError as error:
            return cls(
                SilentBackend(),
                {},
                stack,
                fixed_status=f"Sound unavailable: {error}.",
                **settings,
            )
        # An unknown saved setting: the app still makes sound.
        choice = audio_choice(choice) or "auto"
        if choice == "off":
            backend: Backend = SilentBackend()
        elif choice == "auto":
            backend = _auto(assets, changed, volume)
        else:
            backend = _make_backend(choice, changed)
            backend.load(assets, volume=volume)
            if not backend.installed:
                fixed = f"Sound unavailable: {backend.reason}."
                backend.close()
                return cls(SilentBackend(), assets, stack, fixed_status=fixed, **settings)
        if device is not None:
            backend.set_device(device)
        off = SOUND_OFF if choice == "off" else None
        system = cls(backend, assets, stack, fixed_status=off, **settings)
        holder.append(system)
        return system

    # -- the window's interface -----------------------------------------------------------

    @property
    def backend_name(self) -> str:
        return self._backend.name

    def attach(
        self, engine: SessionEngine, *, clock: Clock, timer: Scheduler
    ) -> Callable[[], None]:
        """Play the session's cues; returns a function that detaches the planner.

        The cues get their own `timer` (the engine's scheduler holds one deadline only);
        the window passes a Qt timer, tests a fake one on the fake clock.
        """
        # The planner is made per session: the device opens at start without it.
        from legdrive_timer.audio.planner import CuePlanner

        planner = CuePlanner(
            _Player(self),
            clock,
            timer,
            durations(self._assets),
            voice=self.voice,
            muted=self.muted,
        )
        self._planners.append(planner)
        unsubscribe = planner.attach(engine)

        def detach() -> None:
            if planner in self._planners:
                self._planners.remove(planner)
                unsubscribe()

        return detach

    def set_volume(self, volume: float) -> None:
        self.volume = _clamp(volume)

    def set_muted(self, muted: bool) -> None:
        self.muted = muted
        for planner in self._planners:
            planner.set_muted(muted)

    def set_voice(self, enabled: bool) -> None:
        self.voice = enabled
        for planner in self._planners:
            planner.set_voice(enabled)

    def say_coach(self, cue: Cue) -> None:
        """Speak a form cue of the camera coach in the running session, under the rules of
        the voice channel (it never talks over another line)."""
        for planner in self._planners:
            planner.say_coach(cue)

    def play_test(self) -> None:
        """Play the work-start sound now, even when muted: the user asked to hear it."""
        self._backend.play(TEST_CUE, self.volume)

    def add_status_listener(self, fn: StatusListener) -> None:
        self._listeners.append(fn)

    def devices(self) -> list[str]:
        return self._backend.devices()

    def set_device(self, name: str | None) -> None:
        self._backend.set_device(name)
        self._refresh_status()

    def close(self) -> None:
        for planner in list(self._planners):
            planner.silence()
        self._planners.clear()
        self._backend.close()
        self._stack.close()

    # -- status ---------------------------------------------------------------------------

    def _current_status(self) -> str | None:
        if self._fixed_status is not None:
            return self._fixed_status
        if self._backend.available:
            return None
        return f"Sound unavailable: {self._backend.reason or 'unknown reason'}."

    def _refresh_status(self) -> None:
        status = self._current_status()
        if status != self.status:
            self.status = status
            for listener in list(self._listeners):
                listener(status)


def _auto(assets: Mapping[Cue, CueAsset], changed: Callable[[], None], volume: float) -> Backend:
    """The first backend that works; if none does, the first one installed, which keeps
    watching for a device (or silence when no playback library is there at all)."""
    tried: list[Backend] = []
    for name in ("miniaudio", "simpleaudio"):
        backend = _make_backend(name, changed)
        backend.load(assets, volume=volume)
        if backend.available:
            for other in tried:
                other.close()
            return backend
        tried.append(backend)
        if backend.reason == NO_ANSWER:
            # The others would ask the same server (ALSA's default device goes through
            # PulseAudio or PipeWire on a desktop) and wait for it on this thread, for ever.
            break
    installed = [b for b in tried if b.installed]
    keep = installed[0] if installed else None
    for backend in tried:
        if backend is not keep:
            backend.close()
    if keep is not None:
        return keep
    silent = SilentBackend()
    silent._fail(tried[-1].reason or "no playback library could be loaded")
    return silent


def _clamp(volume: float) -> float:
    return min(1.0, max(0.0, float(volume)))
