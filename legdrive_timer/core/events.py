"""Events the session engine emits. The window, the audio cues and the history journal
subscribe to them; nothing but the engine decides what phase it is."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from legdrive_timer.core.records import EndReason, SegmentRecord, SessionRecord
from legdrive_timer.core.timeline import Beat, Phase, Timeline
from legdrive_timer.core.workout import Side


class PauseReason(StrEnum):
    USER = "user"
    LATE_WAKEUP = "late_wakeup"
    """The engine woke up long after a deadline (suspend, a stalled machine) and paused
    rather than firing a burst of stale cues."""


@dataclass(frozen=True)
class SessionStarted:
    """`record` is the session as the history keeps it from its start: running, nothing
    done yet."""

    timeline: Timeline
    record: SessionRecord


@dataclass(frozen=True)
class PhaseEvent:
    """Something that happened in one phase of the session."""

    phase: Phase


@dataclass(frozen=True)
class PhaseStarted(PhaseEvent):
    """`phase` began; `previous` is the one before it, if any."""

    previous: Phase | None


@dataclass(frozen=True)
class PhaseEnded(PhaseEvent):
    """`phase` ended; `segment` is what the history keeps of it, and says why it ended."""

    segment: SegmentRecord

    @property
    def reason(self) -> EndReason:
        return self.segment.end_reason


@dataclass(frozen=True)
class SideSwitch(PhaseEvent):
    """A switch phase with a side began: change to that leg (the one that drives next)."""

    @property
    def side(self) -> Side:
        side = self.phase.side
        if side is None:
            raise ValueError("a side switch is emitted only for a phase with a side")
        return side


@dataclass(frozen=True)
class SecondTick(PhaseEvent):
    """A whole second passed: remaining time for timed phases, elapsed for self-paced ones."""

    remaining_ms: int
    elapsed_ms: int


@dataclass(frozen=True)
class Countdown(PhaseEvent):
    """3, 2, 1 seconds left in the phase."""

    seconds: int


@dataclass(frozen=True)
class Halfway(PhaseEvent):
    """Half of a timed phase has passed."""


@dataclass(frozen=True)
class RepBeat(PhaseEvent):
    """A tempo beat of the phase: the drive up or the lowering of one rep."""

    beat: Beat


@dataclass(frozen=True)
class Paused:
    reason: PauseReason
    gap_ms: int = 0
    """For a late wake-up: how far past its deadline the engine woke up."""


@dataclass(frozen=True)
class Resumed:
    pass


@dataclass(frozen=True)
class Adjusted(PhaseEvent):
    """The user added or took time (`delta_ms`); `planned_ms` is the phase's new length."""

    delta_ms: int
    planned_ms: int


@dataclass(frozen=True)
class SessionEnded:
    record: SessionRecord


Event = (
    SessionStarted
    | PhaseStarted
    | PhaseEnded
    | SideSwitch
    | SecondTick
    | Countdown
    | Halfway
    | RepBeat
    | Paused
    | Resumed
    | Adjusted
    | SessionEnded
)
