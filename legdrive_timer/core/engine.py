"""The session engine: walks a timeline against a clock and emits events.

Remaining time is always derived from the deadline (`phase_ends_at - clock()`), never
counted in ticks, so a late timer callback cannot make the session drift: each phase
starts at the exact deadline of the one before. One scheduler call is armed at a time,
aimed at the next thing that is due (a rep beat, a whole second, halfway, the phase end).

The engine runs to completion. What a command or a timer wake may do is one entry of
`TRANSITIONS`, `(state, command) -> state`; a command the table does not allow (or whose
guard fails) is refused the same way everywhere: it returns False and changes nothing.
Events raised during a transition are queued and delivered once the state is consistent,
and a command a listener issues while events are being delivered waits until the events
already queued have been delivered (`docs/engine.md`).
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from types import MappingProxyType
from typing import TYPE_CHECKING

from legdrive_timer.core.clock import Clock, Scheduler
from legdrive_timer.core.events import (
    Adjusted,
    Countdown,
    Event,
    Halfway,
    Paused,
    PauseReason,
    PhaseEnded,
    PhaseStarted,
    RepBeat,
    Resumed,
    SecondTick,
    SessionEnded,
    SessionStarted,
    SideSwitch,
)
from legdrive_timer.core.records import EndReason, SegmentRecord, SessionRecord, SessionStatus
from legdrive_timer.core.timeline import Beat, Motion, Phase, PhaseKind, Timeline

if TYPE_CHECKING:
    from datetime import datetime

LATE_WAKEUP_MS = 3000
"""A callback this late means the machine slept or stalled: pause instead of catching up."""
BACK_GRACE_MS = 2000
"""Back within this long of a phase's start goes to the previous phase."""
HALFWAY_MIN_MS = 10_000
"""Work phases shorter than this get no halfway event."""
COUNTDOWN_FROM = 3
MIN_REMAINING_AFTER_ADJUST_MS = 1000
MAX_PHASE_MS = 3600 * 1000


class State(StrEnum):
    IDLE = "idle"
    PREP = "prep"
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"
    STOPPED = "stopped"


class Command(StrEnum):
    """What moves the session from one state to another: the user's commands, then the
    engine's own (a deadline reached, a wake-up too late, the end of the timeline)."""

    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    SKIP = "skip"
    DONE = "done"
    BACK = "back"
    ADJUST = "adjust"
    STOP = "stop"
    ELAPSE = "elapse"
    """The current phase reached its deadline."""
    LATE = "late"
    """The timer woke up so late that the session pauses instead of catching up."""
    FINISH = "finish"
    """The last phase ended."""


def _table() -> Mapping[tuple[State, Command], State]:
    # PREP is RUNNING while the prep phase runs: both take the same commands, and a
    # transition to RUNNING lands in PREP when the phase it enters is the prep phase.
    table: dict[tuple[State, Command], State] = {(State.IDLE, Command.START): State.RUNNING}
    for running in (State.PREP, State.RUNNING):
        table[running, Command.PAUSE] = State.PAUSED
        table[running, Command.LATE] = State.PAUSED
        for command in (Command.SKIP, Command.DONE, Command.BACK, Command.ADJUST, Command.ELAPSE):
            table[running, command] = State.RUNNING
    table[State.PAUSED, Command.RESUME] = State.RUNNING
    for command in (Command.SKIP, Command.DONE, Command.BACK, Command.ADJUST):
        table[State.PAUSED, command] = State.PAUSED
    for active in (State.PREP, State.RUNNING, State.PAUSED):
        table[active, Command.FINISH] = State.FINISHED
        table[active, Command.STOP] = State.STOPPED
    return MappingProxyType(table)


TRANSITIONS = _table()
"""Every allowed transition; any (state, command) pair not here is refused."""

Listener = Callable[[Event], None]
Step = Callable[[], Command | None]
"""The work of one transition; it may name a follow-up command (FINISH after the last phase)."""
WallClock = Callable[[], "datetime"]


def local_now() -> datetime:
    # datetime is imported by the first session that asks the time, not with the engine: on
    # Python 3.11 the module compiles its pure-Python classes too (0.35 MiB).
    import datetime as wall

    return wall.datetime.now().astimezone()


@dataclass(frozen=True)
class Snapshot:
    """Everything a view needs to draw the session now."""

    state: State
    phase: Phase | None
    next_phase: Phase | None
    remaining_ms: int
    elapsed_ms: int
    planned_ms: int
    session_remaining_ms: int
    session_total_ms: int
    rep: int | None
    motion: Motion | None
    pause_reason: PauseReason | None


# Ordering of simultaneous due items inside a phase: beats, then the whole-second tick,
# then halfway, and the phase end last.
_BEAT, _TICK, _HALFWAY, _END = range(4)


def random_session_id() -> str:
    """A random (version 4) UUID as 32 lowercase hex digits: what `uuid.uuid4().hex` gives,
    from the same `os.urandom`, without the `uuid` module (which loads `platform` and
    libuuid, a third of a MiB, for a function this small)."""
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
    raw[8] = (raw[8] & 0x3F) | 0x80  # variant: RFC 4122
    return raw.hex()


class SessionEngine:
    def __init__(
        self,
        timeline: Timeline,
        clock: Clock,
        scheduler: Scheduler,
        *,
        wall_clock: WallClock = local_now,
        new_session_id: Callable[[], str] = random_session_id,
    ) -> None:
        if not timeline.phases:
            raise ValueError("a session needs at least one phase")
        self.timeline = timeline
        self._clock = clock
        self._scheduler = scheduler
        self._wall_clock = wall_clock
        self._new_session_id = new_session_id
        self._listeners: list[Listener] = []

        self.state = State.IDLE
        self.session_id: str | None = None
        self.started_at: datetime | None = None
        self.pause_reason: PauseReason | None = None
        self.record: SessionRecord | None = None
        self._index = -1
        self._planned_ms = 0
        self._phase_ends_at = 0
        self._paused_elapsed = 0
        # Progress through the current phase, as elapsed milliseconds already handled.
        self._beat_i = 0
        self._next_tick_elapsed = 0
        self._halfway_done = False
        self._rep: int | None = None
        self._motion: Motion | None = None
        self._segments: dict[int, SegmentRecord] = {}
        # Run-to-completion: events wait in the outbox until the transition that raised
        # them is complete; commands from listeners wait behind the events already queued.
        self._outbox: deque[Event] = deque()
        self._waiting: deque[Callable[[], bool]] = deque()
        self._delivering = False

    # -- subscription -------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def _emit(self, event: Event) -> None:
        self._outbox.append(event)

    # -- queries ------------------------------------------------------------------------

    @property
    def phase(self) -> Phase | None:
        if 0 <= self._index < len(self.timeline.phases):
            return self.timeline.phases[self._index]
        return None

    @property
    def is_active(self) -> bool:
        return self.state in (State.PREP, State.RUNNING, State.PAUSED)

    def elapsed_ms(self) -> int:
        if self.state is State.PAUSED:
            return self._paused_elapsed
        if self.state in (State.PREP, State.RUNNING):
            return self._planned_ms - (self._phase_ends_at - self._clock())
        return 0

    def remaining_ms(self) -> int:
        if not self.is_active:
            return 0
        return max(0, self._planned_ms - self.elapsed_ms())

    def next_signal_ms(self) -> int | None:
        """When the next event beyond a plain second tick is due: a rep beat, a countdown
        second, halfway or the end of the phase (clock milliseconds). None while nothing
        is scheduled: before the start, paused, ended, or a self-paced phase with no beat
        left (it ends when the user says so)."""
        if self.state not in (State.PREP, State.RUNNING):
            return None
        phase = self.timeline.phases[self._index]
        due: list[int] = []
        if self._beat_i < len(phase.beats):
            offset = phase.beats[self._beat_i].offset_ms
            if offset < self._planned_ms:
                due.append(offset)
        if self._wants_halfway(phase):
            due.append(self._halfway_elapsed())
        if not phase.self_paced:
            due.append(self._planned_ms)
            # Ticks fall on whole seconds of remaining time; the last COUNTDOWN_FROM count.
            countdown = self._planned_ms - COUNTDOWN_FROM * 1000
            first_tick = max(self._next_tick_elapsed, countdown)
            if first_tick < self._planned_ms:
                due.append(first_tick)
        if not due:
            return None
        return self._phase_ends_at - self._planned_ms + min(due)

    def snapshot(self) -> Snapshot:
        phase = self.phase if self.is_active else None
        remaining = self.remaining_ms()
        following = self.timeline.remaining_after(self._index) if phase else 0
        next_index = self._index + 1
        next_phase = (
            self.timeline.phases[next_index]
            if phase and next_index < len(self.timeline.phases)
            else None
        )
        return Snapshot(
            state=self.state,
            phase=phase,
            next_phase=next_phase,
            remaining_ms=remaining,
            elapsed_ms=self.elapsed_ms() if phase else 0,
            planned_ms=self._planned_ms if phase else 0,
            session_remaining_ms=remaining + following,
            session_total_ms=self.timeline.total_ms,
            rep=self._rep if phase else None,
            motion=self._motion if phase else None,
            pause_reason=self.pause_reason if self.state is State.PAUSED else None,
        )

    # -- commands -----------------------------------------------------------------------
    # Each returns whether it was applied. A command issued by a listener while events are
    # being delivered is queued and returns True; it is checked against the table when its
    # turn comes, and a refusal then changes nothing.

    def start(self) -> bool:
        return self._submit(lambda: self._apply(Command.START, self._start))

    def pause(self, reason: PauseReason = PauseReason.USER) -> bool:
        return self._submit(
            lambda: self._apply(
                Command.PAUSE, lambda: self._pause_at(self.elapsed_ms(), reason, gap_ms=0)
            )
        )

    def resume(self) -> bool:
        return self._submit(lambda: self._apply(Command.RESUME, self._resume))

    def toggle_pause(self) -> bool:
        """Resume when paused, else pause: decided when the command is applied."""
        return self._submit(
            lambda: (
                self._apply(Command.RESUME, self._resume)
                if self.state is State.PAUSED
                else self._apply(
                    Command.PAUSE,
                    lambda: self._pause_at(self.elapsed_ms(), PauseReason.USER, gap_ms=0),
                )
            )
        )

    def skip(self) -> bool:
        return self._submit(
            lambda: self._apply(
                Command.SKIP,
                lambda: self._finish_phase(EndReason.SKIPPED, self.elapsed_ms(), self._clock()),
            )
        )

    def done(self) -> bool:
        """End a self-paced phase: the user finished the reps."""
        return self._submit(
            lambda: self._apply(
                Command.DONE,
                lambda: self._finish_phase(EndReason.DONE, self.elapsed_ms(), self._clock()),
                allowed=lambda: self.phase is not None and self.phase.self_paced,
            )
        )

    def back(self) -> bool:
        """Restart this phase, or go to the previous one when pressed in its first 2 s."""
        return self._submit(lambda: self._apply(Command.BACK, self._back))

    def adjust(self, delta_ms: int) -> bool:
        """Add (or with a negative delta remove) time on the current timed phase."""
        return self._submit(
            lambda: self._apply(
                Command.ADJUST,
                lambda: self._adjust(delta_ms),
                allowed=lambda: (
                    self.phase is not None
                    and not self.phase.self_paced
                    and self._adjusted_plan(delta_ms) != self._planned_ms
                ),
            )
        )

    def stop(self) -> bool:
        return self._submit(lambda: self._apply(Command.STOP, self._stop))

    # -- run to completion --------------------------------------------------------------

    def _submit(self, command: Callable[[], bool]) -> bool:
        """Apply `command` now and deliver what it raised; from a listener, queue it."""
        if self._delivering:
            self._waiting.append(command)
            return True
        self._delivering = True
        try:
            applied = command()
            self._deliver()
        finally:
            self._delivering = False
        return applied

    def _deliver(self) -> None:
        """Deliver queued events in order; a listener's command runs when the events queued
        before it have been delivered.

        A listener that raises does not keep the others from hearing of the session (the
        journal must still record it): delivery goes on, and the first error is raised
        again once the queue is empty."""
        error: BaseException | None = None
        while self._outbox or self._waiting:
            if self._outbox:
                event = self._outbox.popleft()
                for listener in list(self._listeners):
                    try:
                        listener(event)
                    except Exception as raised:
                        error = error or raised
            else:
                try:
                    self._waiting.popleft()()
                except Exception as raised:
                    error = error or raised
        if error is not None:
            raise error

    def _apply(
        self, command: Command, step: Step, *, allowed: Callable[[], bool] | None = None
    ) -> bool:
        """One transition by the table, then whatever falls due in the state it reaches."""
        if not self._transition(command, step, allowed):
            return False
        self._run_due()
        return True

    def _transition(
        self, command: Command, step: Step, allowed: Callable[[], bool] | None = None
    ) -> bool:
        target = TRANSITIONS.get((self.state, command))
        if target is None or (allowed is not None and not allowed()):
            return False
        follow_up = step()
        self.state = self._running_state() if target is State.RUNNING else target
        if follow_up is not None:
            # The only follow-up: the last phase ended, whatever ended it.
            assert follow_up is Command.FINISH
            applied = self._transition(Command.FINISH, self._finish)
            assert applied, f"the table must allow {follow_up} after {command}"
        return True

    def _on_timer(self) -> None:
        self._submit(self._timer_wake)

    def _timer_wake(self) -> bool:
        self._run_due()
        return True

    # -- transition steps -----------------------------------------------------------------

    def _start(self) -> None:
        self.session_id = self._new_session_id()
        self.started_at = self._wall_clock()
        self._emit(SessionStarted(self.timeline, self._session_record(SessionStatus.RUNNING)))
        self._enter(0, origin=self._clock(), previous=None)

    def _resume(self) -> None:
        self._phase_ends_at = self._clock() + self._planned_ms - self._paused_elapsed
        self.pause_reason = None
        self._emit(Resumed())

    def _back(self) -> None:
        target = self._index
        if self.elapsed_ms() < BACK_GRACE_MS and self._index > 0:
            target = self._index - 1
        for index in [i for i in self._segments if i >= target]:
            del self._segments[index]
        self._enter(target, origin=self._clock(), previous=self.phase)

    def _adjusted_plan(self, delta_ms: int) -> int:
        """The current phase's planned length after adding `delta_ms`, within limits."""
        if delta_ms == 0:
            return self._planned_ms
        planned = self._planned_ms + delta_ms
        planned = max(planned, self.elapsed_ms() + MIN_REMAINING_AFTER_ADJUST_MS)
        return min(planned, MAX_PHASE_MS)

    def _adjust(self, delta_ms: int) -> None:
        phase = self.timeline.phases[self._index]
        elapsed = self.elapsed_ms()
        planned = self._adjusted_plan(delta_ms)
        applied = planned - self._planned_ms
        self._planned_ms = planned
        if self.state is not State.PAUSED:
            self._phase_ends_at += applied
        self._reset_progress(elapsed)
        self._emit(Adjusted(phase, applied, planned))

    def _stop(self) -> None:
        phase = self.timeline.phases[self._index]
        elapsed = self.elapsed_ms()
        self._scheduler.cancel()
        if elapsed > 0:
            segment = self._segment(phase, elapsed, EndReason.STOPPED)
            self._segments[phase.index] = segment
            self._emit(PhaseEnded(phase, segment))
        self._end_session(SessionStatus.STOPPED)

    def _finish(self) -> None:
        self._scheduler.cancel()
        self._end_session(SessionStatus.COMPLETED)

    # -- internals ----------------------------------------------------------------------

    def _running_state(self) -> State:
        phase = self.phase
        return State.PREP if phase is not None and phase.kind is PhaseKind.PREP else State.RUNNING

    def _enter(self, index: int, *, origin: int, previous: Phase | None) -> None:
        """Make phase `index` current from its start; the transition sets the state."""
        self._index = index
        phase = self.timeline.phases[index]
        self._planned_ms = phase.planned_ms
        self._phase_ends_at = origin + phase.planned_ms
        self._paused_elapsed = 0
        self._rep = None
        self._motion = None
        self._halfway_done = False
        self._reset_progress(0)
        self._emit(PhaseStarted(phase, previous))
        if phase.kind is PhaseKind.SWITCH and phase.side is not None:
            self._emit(SideSwitch(phase))

    def _reset_progress(self, elapsed: int) -> None:
        """Point the beat and tick cursors at what is still to come after `elapsed`."""
        phase = self.timeline.phases[self._index]
        self._beat_i = 0
        while self._beat_i < len(phase.beats) and phase.beats[self._beat_i].offset_ms < elapsed:
            self._beat_i += 1
        if phase.self_paced:
            self._next_tick_elapsed = (elapsed // 1000 + 1) * 1000
        else:
            remaining = self._planned_ms - elapsed
            # The next whole second strictly below the remaining time.
            next_remaining = (remaining - 1) // 1000 * 1000
            self._next_tick_elapsed = self._planned_ms - next_remaining
        if elapsed > self._halfway_elapsed():
            self._halfway_done = True

    def _halfway_elapsed(self) -> int:
        return self._planned_ms // 2

    def _wants_halfway(self, phase: Phase) -> bool:
        return (
            phase.kind is PhaseKind.WORK
            and not phase.self_paced
            and not self._halfway_done
            and self._planned_ms >= HALFWAY_MIN_MS
        )

    def _next_due(self) -> tuple[int, int] | None:
        """The next item of the current phase as (elapsed_ms, kind), or None if none."""
        phase = self.timeline.phases[self._index]
        candidates: list[tuple[int, int]] = []
        if self._beat_i < len(phase.beats):
            offset = phase.beats[self._beat_i].offset_ms
            if offset < self._planned_ms:
                candidates.append((offset, _BEAT))
        if phase.self_paced or self._next_tick_elapsed < self._planned_ms:
            candidates.append((self._next_tick_elapsed, _TICK))
        if self._wants_halfway(phase):
            candidates.append((self._halfway_elapsed(), _HALFWAY))
        if not phase.self_paced:
            candidates.append((self._planned_ms, _END))
        return min(candidates) if candidates else None

    def _run_due(self) -> None:
        """Fire everything that is due now, then arm the scheduler for the next item."""
        while self.state in (State.PREP, State.RUNNING):
            due = self._next_due()
            if due is None:
                self._scheduler.cancel()
                return
            due_elapsed, kind = due
            origin = self._phase_ends_at - self._planned_ms
            due_at = origin + due_elapsed
            now = self._clock()
            if due_at > now:
                self._scheduler.call_at(due_at, self._on_timer)
                return
            if now - due_at >= LATE_WAKEUP_MS:
                # Freeze the session where it was last on time; nothing stale is fired.
                late = partial(
                    self._pause_at, due_elapsed, PauseReason.LATE_WAKEUP, gap_ms=now - due_at
                )
                self._transition(Command.LATE, late)
                return
            self._fire(kind, due_elapsed, due_at)

    def _fire(self, kind: int, due_elapsed: int, due_at: int) -> None:
        phase = self.timeline.phases[self._index]
        if kind == _BEAT:
            beat: Beat = phase.beats[self._beat_i]
            self._beat_i += 1
            self._rep, self._motion = beat.rep, beat.motion
            self._emit(RepBeat(phase, beat))
        elif kind == _TICK:
            self._next_tick_elapsed += 1000
            remaining = self._planned_ms - due_elapsed
            self._emit(SecondTick(phase, max(0, remaining), due_elapsed))
            seconds = remaining // 1000
            if not phase.self_paced and 1 <= seconds <= COUNTDOWN_FROM:
                self._emit(Countdown(phase, seconds))
        elif kind == _HALFWAY:
            self._halfway_done = True
            self._emit(Halfway(phase))
        else:
            # The next phase starts at this phase's exact deadline: no drift.
            self._transition(
                Command.ELAPSE,
                lambda: self._finish_phase(EndReason.ELAPSED, self._planned_ms, due_at),
            )

    def _segment(self, phase: Phase, elapsed: int, reason: EndReason) -> SegmentRecord:
        reps_done: int | None = None
        if phase.reps_planned is not None:
            if reason in (EndReason.ELAPSED, EndReason.DONE):
                reps_done = phase.reps_planned
            elif phase.beats:
                reps_done = sum(
                    1 for b in phase.beats if b.motion is Motion.LOWER and b.offset_ms < elapsed
                )
        return SegmentRecord(
            phase_index=phase.index,
            kind=phase.kind,
            block_index=phase.block_index,
            exercise_id=phase.exercise_id,
            side=phase.side,
            set_number=phase.set_number,
            round_number=phase.round_number,
            planned_ms=phase.planned_ms,
            actual_ms=max(0, elapsed),
            reps_planned=phase.reps_planned,
            reps_done=reps_done,
            end_reason=reason,
        )

    def _finish_phase(self, reason: EndReason, elapsed: int, origin: int) -> Command | None:
        """Record the current phase and enter the next one from `origin`; FINISH if none."""
        phase = self.timeline.phases[self._index]
        segment = self._segment(phase, elapsed, reason)
        self._segments[phase.index] = segment
        self._emit(PhaseEnded(phase, segment))
        if self._index + 1 >= len(self.timeline.phases):
            return Command.FINISH
        self._enter(self._index + 1, origin=origin, previous=phase)
        return None

    def _pause_at(self, elapsed: int, reason: PauseReason, *, gap_ms: int) -> None:
        self._scheduler.cancel()
        self._paused_elapsed = elapsed
        self.pause_reason = reason
        self._emit(Paused(reason, gap_ms))

    def _end_session(self, status: SessionStatus) -> None:
        self.record = self._session_record(status, ended_at=self._wall_clock())
        self._emit(SessionEnded(self.record))

    def _session_record(
        self, status: SessionStatus, ended_at: datetime | None = None
    ) -> SessionRecord:
        """The session as the history keeps it, with the segments of the phases ended."""
        assert self.session_id is not None and self.started_at is not None
        return SessionRecord(
            session_id=self.session_id,
            workout_id=self.timeline.workout_id,
            workout_name=self.timeline.workout_name,
            started_at=self.started_at,
            ended_at=ended_at,
            status=status,
            planned_ms=self.timeline.total_ms,
            segments=tuple(self._segments[i] for i in sorted(self._segments)),
        )
