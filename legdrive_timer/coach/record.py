"""What the coach measured, as the history keeps it."""

from __future__ import annotations

from legdrive_timer.coach.measures import RepFigures
from legdrive_timer.core.records import CoachMeasures


def coach_measures(figures: RepFigures) -> CoachMeasures:
    """One side's set (a video's `SideAnalysis`, or a live coach's `RepSet`) for the history."""
    return CoachMeasures(
        reps_counted=len(figures.reps),
        parallel_reps=sum(rep.parallel for rep in figures.reps),
        median_peak_thigh_deg=figures.median_peak_thigh_deg,
        drive_lower_ratio=figures.drive_lower_ratio,
        sway_deg=figures.sway_deg,
    )
