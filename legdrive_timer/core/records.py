"""What was actually done: the record of a session, phase by phase."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from legdrive_timer.core.timeline import PhaseKind
from legdrive_timer.core.workout import Side

REPS_DONE_FACTOR = 3
"""A set's reps done can be corrected up to this many times the reps planned."""


def reps_done_limit(reps_planned: int | None) -> int | None:
    """The most reps a set of `reps_planned` can record (None: no plan, no limit)."""
    return None if reps_planned is None else max(reps_planned * REPS_DONE_FACTOR, 1)


class SessionStatus(StrEnum):
    RUNNING = "running"
    """Only ever seen in storage: a session still being journaled (or one that crashed)."""
    COMPLETED = "completed"
    STOPPED = "stopped"
    INTERRUPTED = "interrupted"


class EndReason(StrEnum):
    ELAPSED = "elapsed"
    DONE = "done"
    SKIPPED = "skipped"
    STOPPED = "stopped"


@dataclass(frozen=True)
class SegmentRecord:
    """One phase as it was done. Times are milliseconds of active (unpaused) time."""

    phase_index: int
    kind: PhaseKind
    block_index: int
    exercise_id: str
    side: Side | None
    set_number: int | None
    round_number: int | None
    planned_ms: int
    actual_ms: int
    reps_planned: int | None
    reps_done: int | None
    end_reason: EndReason
    stability: int | None = None
    """How stable the side felt, 1-5, when the user rated it."""

    @property
    def completed(self) -> bool:
        return self.end_reason in (EndReason.ELAPSED, EndReason.DONE)


@dataclass(frozen=True)
class SessionRecord:
    session_id: str
    workout_id: str
    workout_name: str
    started_at: datetime
    ended_at: datetime | None
    status: SessionStatus
    planned_ms: int
    segments: tuple[SegmentRecord, ...] = field(default=())
    effort: int | None = None
    """Perceived effort 0-10, when the user gave it after the session."""

    @property
    def actual_ms(self) -> int:
        return sum(s.actual_ms for s in self.segments)
