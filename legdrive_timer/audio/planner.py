"""The cue planner: listens to the session engine and decides which cue plays when.

Pure Python and Qt-free, so that whole sessions can be checked on a fake clock. The
planner only decides; a `CuePlayer` (a playback backend behind the cue system) plays.

Rules, in short:
- Sounds at one instant: only the most important one plays (the work-start sound at a
  phase start replaces the first "drive" beat of the rep tempo).
- Voice lines never overlap. A line that would start while a more important one is still
  speaking is dropped; a line at least as important cuts the one speaking, because it
  says what is happening now. A line that follows another ("Drive" then "Last round")
  waits for the first to finish.
- Pausing or stopping silences the voice and forgets queued lines.
- The camera coach's form cues ("Higher", "Control the way down") are the least important
  lines: spoken only when no other line is, cut by any phase line, never while paused.
- After every event the player hears when the next scheduled cue is due (`expect`), so
  that a device the sound server has put to sleep during a long silence is awake again
  by then.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol

from legdrive_timer.audio.cues import COACH_VOICE, Cue
from legdrive_timer.core.clock import Clock, Scheduler
from legdrive_timer.core.engine import SessionEngine
from legdrive_timer.core.events import (
    Countdown,
    Event,
    Halfway,
    Paused,
    PhaseEnded,
    PhaseStarted,
    RepBeat,
    Resumed,
    SessionEnded,
    SessionStarted,
    SideSwitch,
)
from legdrive_timer.core.records import EndReason, SessionStatus
from legdrive_timer.core.timeline import Motion, Phase, PhaseKind, Timeline
from legdrive_timer.core.workout import Side

REST_KINDS = (PhaseKind.REST, PhaseKind.SET_REST, PhaseKind.BLOCK_REST)
SWITCH_VOICE = {Side.LEFT: Cue.VOICE_SWITCH_LEFT, Side.RIGHT: Cue.VOICE_SWITCH_RIGHT}


class CuePlayer(Protocol):
    def play(self, cue: Cue) -> None: ...

    def stop_voice(self) -> None: ...

    def expect(self, delay_ms: int | None) -> None:
        """The next scheduled cue is due in `delay_ms` (None: none is scheduled)."""
        ...


class CuePlanner:
    def __init__(
        self,
        player: CuePlayer,
        clock: Clock,
        timer: Scheduler,
        durations_ms: Mapping[Cue, int],
        *,
        voice: bool = True,
        muted: bool = False,
    ) -> None:
        """`timer` is a scheduler of the planner's own (not the engine's: each holds one
        pending call) used to start a queued voice line when the one before it ends."""
        self._player = player
        self._clock = clock
        self._timer = timer
        self._durations = dict(durations_ms)
        self._voice_enabled = voice
        self._muted = muted
        self._timeline: Timeline | None = None
        self._paused = False
        self._unannounced: Phase | None = None
        # The sound instant: when the last sound started and the top priority played then.
        self._sound_at: int | None = None
        self._sound_top = -1
        # The voice line speaking (until `_voice_ends`) and the lines waiting for it.
        self._voice_now: Cue | None = None
        self._voice_ends = 0
        self._voice_queue: list[Cue] = []
        self._engine: SessionEngine | None = None
        self._expected: int | None = None
        """When the player was last told the next cue is due (clock ms)."""

    # -- settings -----------------------------------------------------------------------

    @property
    def muted(self) -> bool:
        return self._muted

    def set_muted(self, muted: bool) -> None:
        self._muted = muted
        if muted:
            self.silence()
        self._expect_next()

    @property
    def voice_enabled(self) -> bool:
        return self._voice_enabled

    def set_voice(self, enabled: bool) -> None:
        self._voice_enabled = enabled
        if not enabled:
            self.silence()
        self._expect_next()

    def attach(self, engine: SessionEngine) -> Callable[[], None]:
        unsubscribe = engine.subscribe(self.on_event)
        self._engine = engine

        def detach() -> None:
            unsubscribe()
            self.silence()
            self._engine = None
            self._expect_next()

        return detach

    # -- events -------------------------------------------------------------------------

    def on_event(self, event: Event) -> None:
        self._on_event(event)
        self._expect_next()

    def _expect_next(self) -> None:
        """Tell the player when the next scheduled cue is due, when that changed: the
        next event the engine schedules beyond a plain second tick (each has a sound: a
        beat, a countdown second, halfway, a phase boundary) or a voice line waiting for
        the one speaking; none while muted."""
        engine = self._engine
        due = None if engine is None or self._muted else engine.next_signal_ms()
        if self._voice_queue and not self._muted and (due is None or self._voice_ends < due):
            due = self._voice_ends
        if due == self._expected:
            return
        self._expected = due
        self._player.expect(None if due is None else max(0, due - self._clock()))

    def _on_event(self, event: Event) -> None:
        if isinstance(event, SessionStarted):
            self._timeline = event.timeline
            self._paused = False
            self._unannounced = None
        elif isinstance(event, PhaseStarted):
            if self._paused:
                # Skipped to while paused: announce it when the session goes on.
                self._unannounced = event.phase
            else:
                self._announce(event.phase)
        elif isinstance(event, SideSwitch):
            if not self._paused:
                self._switch(event.side)
        elif isinstance(event, Countdown):
            self._sound(Cue.PREP_TICK if event.phase.kind is PhaseKind.PREP else Cue.COUNTDOWN)
        elif isinstance(event, Halfway):
            self._sound(Cue.HALFWAY)
            self._say(Cue.VOICE_HALFWAY)
        elif isinstance(event, RepBeat):
            self._sound(Cue.REP_DRIVE if event.beat.motion is Motion.DRIVE else Cue.REP_LOWER)
        elif isinstance(event, PhaseEnded):
            if self._ends_set(event):
                self._sound(Cue.SET_DONE)
        elif isinstance(event, Paused):
            self._paused = True
            self.silence()
        elif isinstance(event, Resumed):
            self._paused = False
            phase, self._unannounced = self._unannounced, None
            if phase is not None:
                self._announce(phase)
                if phase.kind is PhaseKind.SWITCH and phase.side is not None:
                    self._switch(phase.side)
        elif isinstance(event, SessionEnded):
            self.silence()
            if event.record.status is SessionStatus.COMPLETED:
                self._sound(Cue.SESSION_COMPLETE)
                self._say(Cue.VOICE_DONE)

    def say_coach(self, cue: Cue) -> None:
        """Speak a form cue of the camera coach (one of `COACH_VOICE`'s lines)."""
        if cue not in COACH_VOICE.values():
            raise ValueError(f"{cue.name} is not a line of the coach")
        if not self._paused:
            self._say(cue)

    def _announce(self, phase: Phase) -> None:
        if phase.kind is PhaseKind.PREP:
            self._say(Cue.VOICE_GET_READY)
        elif phase.kind is PhaseKind.WORK:
            self._sound(Cue.WORK_START)
            self._say(Cue.VOICE_DRIVE, *([Cue.VOICE_LAST_ROUND] if phase.is_last_round else []))
        elif phase.kind in REST_KINDS:
            self._sound(Cue.REST_START)
            self._say(Cue.VOICE_REST)

    def _switch(self, side: Side) -> None:
        self._sound(Cue.SWITCH_SIDES)
        self._say(SWITCH_VOICE[side])

    def _ends_set(self, event: PhaseEnded) -> bool:
        phase = event.phase
        if not (phase.ends_set and phase.reps_planned is not None):
            return False  # Interval rounds are not sets; their end is the rest cue.
        if event.reason not in (EndReason.ELAPSED, EndReason.DONE):
            return False
        # The last set of the session gets the session-complete sound instead.
        timeline = self._timeline
        return timeline is None or phase.index < len(timeline.phases) - 1

    # -- channels -----------------------------------------------------------------------

    def _sound(self, cue: Cue) -> None:
        if self._muted:
            return
        now = self._clock()
        if now == self._sound_at:
            if cue.priority <= self._sound_top:
                return
            self._sound_top = cue.priority
        else:
            self._sound_at, self._sound_top = now, cue.priority
        self._player.play(cue)

    def _say(self, cue: Cue, *then: Cue) -> None:
        """Speak `cue` now if nothing more important is speaking, then the lines `then`."""
        if self._muted or not self._voice_enabled:
            return
        now = self._clock()
        speaking = self._voice_now if now < self._voice_ends else None
        if speaking is not None:
            if cue.priority < speaking.priority:
                return
            self._player.stop_voice()
        self._timer.cancel()
        self._voice_queue = list(then)
        self._start_voice(cue, now)

    def _start_voice(self, cue: Cue, now: int) -> None:
        self._voice_now = cue
        self._voice_ends = now + self._durations.get(cue, 0)
        self._player.play(cue)
        if self._voice_queue:
            self._timer.call_at(self._voice_ends, self._next_voice)

    def _next_voice(self) -> None:
        if not self._voice_queue or self._muted or not self._voice_enabled:
            return
        self._start_voice(self._voice_queue.pop(0), self._clock())
        self._expect_next()

    def silence(self) -> None:
        """Stop the voice line speaking and forget the ones waiting."""
        self._timer.cancel()
        self._voice_queue = []
        if self._voice_now is not None and self._clock() < self._voice_ends:
            self._player.stop_voice()
        self._voice_now = None
        self._voice_ends = 0
