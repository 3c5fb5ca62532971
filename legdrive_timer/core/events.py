"""Events the session engine emits. The window, the audio cues and the history journal
subscribe to them; nothing but the engine decides what phase it is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from legdrive_timer.core.records import EndReason, SegmentRecord, SessionRecord
from legdrive_timer.core.timeline import Motion, Phase, Timeline
from legdrive_timer.core.workout import Side


class PauseReason(StrEnum):
    USER = "user"
    LATE_WAKEUP = "late_wakeup"
    """The engine woke up long after a deadline (suspend, a stalled machine) and paused
    rather than firing a burst of stale cues."""


@dataclass(frozen=True)
class SessionStarted:
    session_id: str
    timeline: Timeline
    started_at: datetime


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
    """`phase` ended for `reason`; `segment` is what the history keeps of it."""

    segment: SegmentRecord
    reason: EndReason


@dataclass(frozen=True)
class SideSwitch(PhaseEvent):
    """A switch phase began: change to `side` (the leg that drives next)."""

    side: Side


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
    """A tempo beat of rep `rep`: the drive up or the lowering."""

    rep: int
    motion: Motion


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
