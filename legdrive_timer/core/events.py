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
class PhaseStarted:
    phase: Phase
    previous: Phase | None


@dataclass(frozen=True)
class PhaseEnded:
    phase: Phase
    segment: SegmentRecord
    reason: EndReason


@dataclass(frozen=True)
class SideSwitch:
    """A switch phase began: change to `side` (the leg that drives next)."""

    phase: Phase
    side: Side


@dataclass(frozen=True)
class SecondTick:
    """A whole second passed: remaining time for timed phases, elapsed for self-paced ones."""

    phase: Phase
    remaining_ms: int
    elapsed_ms: int


@dataclass(frozen=True)
class Countdown:
    """3, 2, 1 seconds left in the phase."""

    phase: Phase
    seconds: int


@dataclass(frozen=True)
class Halfway:
    phase: Phase


@dataclass(frozen=True)
class RepBeat:
    phase: Phase
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
class Adjusted:
    phase: Phase
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
