"""Every time, count and phase name as a person reads it: the window, the command line, the
summary, the history and the CSV all take their words from here, so the same session reads
the same everywhere.

The duration rule (`workout_words`, where a workout's own words live too): a length planned
or done is rounded to the nearest whole second, halves up. A countdown (what is left) rounds
up instead, so that it shows `1` during the last second and reaches `0` exactly at the end.
Either way the figure is written the same: `45 s` under a minute, `7:30`, then `1:07:30`
from an hour on. A time of day is the one the person saw on the clock when they trained: the
offset the session was recorded with, not the one of the machine reading it now.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from legdrive_timer.core.records import CoachMeasures, EndReason, SegmentRecord, SessionStatus
from legdrive_timer.core.timeline import PhaseKind
from legdrive_timer.core.workout import Side
from legdrive_timer.core.workout_words import ADJUSTED as ADJUSTED
from legdrive_timer.core.workout_words import clock_text
from legdrive_timer.core.workout_words import describe_block as describe_block
from legdrive_timer.core.workout_words import describe_workout as describe_workout
from legdrive_timer.core.workout_words import format_duration as format_duration
from legdrive_timer.core.workout_words import whole_seconds as whole_seconds
from legdrive_timer.core.workout_words import workout_length as workout_length

if TYPE_CHECKING:
    from datetime import datetime

PHASE_NAMES: dict[PhaseKind, str] = {
    PhaseKind.PREP: "Get ready",
    PhaseKind.WORK: "Drive",
    PhaseKind.REST: "Rest",
    PhaseKind.SWITCH: "Switch sides",
    PhaseKind.SET_REST: "Set rest",
    PhaseKind.BLOCK_REST: "Block rest",
}
"""One name per kind of phase: written in capitals as the session screen's title, as it is
in the summary, the history and the CSV's `phase` column."""

STATUS_NAMES: dict[SessionStatus, str] = {
    SessionStatus.COMPLETED: "Completed",
    SessionStatus.STOPPED: "Stopped",
    SessionStatus.INTERRUPTED: "Interrupted",
    SessionStatus.RUNNING: "In progress",
}

END_NAMES: dict[EndReason, str] = {
    EndReason.ELAPSED: "Done",
    EndReason.DONE: "Done",
    EndReason.SKIPPED: "Skipped",
    EndReason.STOPPED: "Stopped",
}

SEGMENT_COLUMNS = ("Phase", "Side", "Set / round", "Planned", "Actual", "Reps", "Stability")
"""The headings of a session's phase table, in the order `segment_cells` gives them."""

STABILITY_TOP = 5
EFFORT_TOP = 10
NOT_COUNTED = "–"
"""Reps of a set that ended without a count (a skipped self-paced set)."""


def seconds_left(ms: int) -> int:
    """Whole seconds of a countdown: rounded up, so `0` shows only at the end."""
    return -(-max(0, ms) // 1000)


def format_remaining(ms: int) -> str:
    """What is left of a countdown, written as a duration (rounded up)."""
    return clock_text(seconds_left(ms))


def format_countdown(seconds: int) -> str:
    """The big digits: `45`, or `1:30` from a minute on (plain figures read fastest)."""
    seconds = max(0, seconds)
    if seconds < 60:
        return str(seconds)
    minutes, rest = divmod(seconds, 60)
    return f"{minutes}:{rest:02d}"


def format_started(moment: datetime) -> str:
    """`Wed 25 Nov 2026, 18:30`: the clock time where and when the person trained."""
    return moment.strftime("%a %d %b %Y, %H:%M")


def phase_name(kind: PhaseKind) -> str:
    return PHASE_NAMES[kind]


def status_name(status: SessionStatus) -> str:
    return STATUS_NAMES.get(status, str(status))


def side_name(side: Side | None) -> str:
    return "" if side is None else side.value.capitalize()


def side_letter(side: Side | None) -> str:
    return "" if side is None else side.value[0].upper()


def format_reps(done: int | None, planned: int | None) -> str:
    """`12 of 15`; `– of 15` when the set ended without a count; empty for a timed phase."""
    if planned is None:
        return ""
    return f"{NOT_COUNTED if done is None else done} of {planned}"


def format_stability(rating: int | None) -> str:
    return "" if rating is None else f"{rating} of {STABILITY_TOP}"


def format_effort(effort: int | None) -> str:
    return "" if effort is None else f"{effort} of {EFFORT_TOP}"


def format_rating(value: float | None) -> str:
    """A mean rating as a person says it: `4`, `3.5`, `3.3`; `–` when not rated."""
    return NOT_COUNTED if value is None else f"{round(value, 1):g}"


def format_left_right(left: str, right: str) -> str:
    """Left first, as every left-against-right figure in the app: `30 / 27`."""
    return f"{left} / {right}"


def segment_where(segment: SegmentRecord) -> str:
    if segment.set_number is not None:
        return f"Set {segment.set_number}"
    if segment.round_number is not None:
        return f"Round {segment.round_number}"
    return ""


def segment_cells(segment: SegmentRecord) -> tuple[str, ...]:
    """One row of a session's phase table, under `SEGMENT_COLUMNS`."""
    return (
        phase_name(segment.kind),
        side_name(segment.side),
        segment_where(segment),
        format_duration(segment.planned_ms),
        format_duration(segment.actual_ms),
        format_reps(segment.reps_done, segment.reps_planned),
        format_stability(segment.stability),
    )


COACH_COLUMNS = ("Counted", "Parallel", "Peak thigh", "Drive : lower", "Sway")
"""The headings of the camera coach's measures of a set, in the order `coach_cells` gives
them: shown after `SEGMENT_COLUMNS` for a session the coach watched."""


def format_angle(degrees: float | None, decimals: int = 0) -> str:
    """`86°`; `–` when not measured."""
    return NOT_COUNTED if degrees is None else f"{degrees:.{decimals}f}°"


def format_share(share: float | None) -> str:
    """A share 0-1 as a whole percentage, `79%`; `–` when there is nothing to share."""
    return NOT_COUNTED if share is None else f"{share * 100:.0f}%"


def format_ratio(ratio: float | None) -> str:
    """Drive time over lowering time, `0.42`; `–` when not measured."""
    return NOT_COUNTED if ratio is None else f"{ratio:.2f}"


def coach_cells(measures: CoachMeasures | None) -> tuple[str, ...]:
    """The coach's measures of a set under `COACH_COLUMNS`; empty cells where it did not
    watch (a timed phase, a set without the camera)."""
    if measures is None:
        return ("",) * len(COACH_COLUMNS)
    return (
        str(measures.reps_counted),
        f"{measures.parallel_reps} ({format_share(measures.parallel_share)})",
        format_angle(measures.median_peak_thigh_deg),
        format_ratio(measures.drive_lower_ratio),
        format_angle(measures.sway_deg, 1),
    )
