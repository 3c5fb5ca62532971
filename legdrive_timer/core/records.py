"""What was actually done: the record of a session, phase by phase."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, TypeGuard

from legdrive_timer.core.timeline import PhaseKind
from legdrive_timer.core.workout import Side

if TYPE_CHECKING:
    from datetime import datetime  # values only: the module loads with the first session

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


COACH_REPS_MAX = 100_000
"""The most reps one set can count (the same bound as a set's reps done)."""
COACH_ANGLE_MAX_DEG = 180.0
"""A thigh angle from hanging straight down is between 0 and this."""
COACH_SWAY_MAX_DEG = 360.0
"""Sway is the difference of two signed leans (each within +-180): a pose model that lost the
trunk for a set can give up to this, which is kept as measured rather than refused."""
COACH_RATIO_MAX = 10_000.0
"""Drive time over lowering time: real sets lie near 0.2-3, yet a descent seen within one
frame can give hundreds; beyond this it can only be damage."""


@dataclass(frozen=True)
class CoachMeasures:
    """What the camera coach measured over one rep set of one side.

    `reps_counted` and `parallel_reps` (those whose thigh reached parallel) are counts; the
    other figures are medians over the set's reps and are None when no rep gave them (no
    reps, or a crossing not seen). Built only with values that can be real: anything else
    raises ValueError naming the field, so a damaged file or a slip in a caller never
    reaches the history.
    """

    reps_counted: int
    parallel_reps: int
    median_peak_thigh_deg: float | None
    """Median of the reps' highest thigh angle: 0 hanging down, 90 parallel to the floor."""
    drive_lower_ratio: float | None
    """Median drive time over median lowering time: below 1 is a fast drive and a
    controlled descent."""
    sway_deg: float | None
    """Median of the reps' largest trunk lean away from standing, degrees."""

    def __post_init__(self) -> None:
        problem = coach_problem(
            self.reps_counted,
            self.parallel_reps,
            self.median_peak_thigh_deg,
            self.drive_lower_ratio,
            self.sway_deg,
        )
        if problem is not None:
            raise ValueError(problem)

    @property
    def parallel_share(self) -> float | None:
        """The share of the counted reps that reached parallel, 0-1 (None without reps)."""
        return self.parallel_reps / self.reps_counted if self.reps_counted else None


COACH_FIGURES: tuple[tuple[str, float], ...] = (
    ("median_peak_thigh_deg", COACH_ANGLE_MAX_DEG),
    ("drive_lower_ratio", COACH_RATIO_MAX),
    ("sway_deg", COACH_SWAY_MAX_DEG),
)
"""The measured (not counted) figures of CoachMeasures and their upper bound (0 is the lower)."""


def _whole(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


def coach_problem(
    reps_counted: object,
    parallel_reps: object,
    median_peak_thigh_deg: object,
    drive_lower_ratio: object,
    sway_deg: object,
) -> str | None:
    """What makes these figures impossible, as words naming the field; None when they can
    be real."""
    if not _whole(reps_counted) or not 0 <= reps_counted <= COACH_REPS_MAX:
        return f"reps_counted must be a whole number from 0 to {COACH_REPS_MAX}"
    if not _whole(parallel_reps) or not 0 <= parallel_reps <= reps_counted:
        return f"parallel_reps must be a whole number from 0 to reps_counted ({reps_counted})"
    figures = (median_peak_thigh_deg, drive_lower_ratio, sway_deg)
    for (name, high), value in zip(COACH_FIGURES, figures, strict=True):
        if value is None:
            continue
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or not 0 <= value <= high
        ):
            return f"{name} must be null or a number from 0 to {high:g}"
    return None


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
    coach: CoachMeasures | None = None
    """What the camera coach measured in this rep set, when it watched it."""

    @property
    def completed(self) -> bool:
        return self.end_reason in (EndReason.ELAPSED, EndReason.DONE)


@dataclass(frozen=True)
class SessionHeader:
    """Which workout a session was, when, how it ended and how long it was planned."""

    session_id: str
    workout_id: str
    workout_name: str
    started_at: datetime
    ended_at: datetime | None
    status: SessionStatus
    planned_ms: int


@dataclass(frozen=True)
class SessionRecord(SessionHeader):
    """A whole session as it was done: its header and every phase's segment."""

    segments: tuple[SegmentRecord, ...] = field(default=())
    effort: int | None = None
    """Perceived effort 0-10, when the user gave it after the session."""

    @property
    def actual_ms(self) -> int:
        return sum(s.actual_ms for s in self.segments)
