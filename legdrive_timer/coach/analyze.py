"""`legdrive-timer coach analyze VIDEO --side left|right [--json]`: a video through the same
pose model and measures as the live coach, printed per rep."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TextIO

from legdrive_timer.coach.form import form_cues
from legdrive_timer.coach.joints import PoseSample, is_complete
from legdrive_timer.coach.measures import CoachError, SideAnalysis, analyze_track
from legdrive_timer.coach.pose import PoseModel
from legdrive_timer.coach.video import read_frames
from legdrive_timer.core.workout import Side

FORMAT = "legdrive-timer/coach-analysis"
VERSION = 1


def track_video(path: Path, model: PoseModel | None = None) -> list[PoseSample]:
    """The pose in every frame of the video."""
    track: list[PoseSample] = []
    for t, rgb in read_frames(path):
        if model is None:  # loaded once the file has shown it is a video
            model = PoseModel()
        if not track:
            model.reset()
        track.append(PoseSample(t, model.estimate(rgb)))
    return track


def analyze_video(path: Path, side: Side, model: PoseModel | None = None) -> SideAnalysis:
    track = track_video(path, model)
    if not track:
        raise CoachError(f"{path} has no frames in it.")
    if not any(is_complete(sample.pose) for sample in track):
        raise CoachError(f"Nobody was found in {path}.")
    return analyze_track(track, side)


def _round(value: float | None, digits: int = 3) -> float | None:
    return None if value is None else round(value, digits)


def to_json(analysis: SideAnalysis) -> dict[str, Any]:
    """The documented shape (docs/coach.md): the first five keys are the contract."""
    c = analysis.calibration
    cues = form_cues(analysis.reps)
    return {
        "side": analysis.side.value,
        "reps": [
            {
                "index": rep.index,
                "start_s": _round(rep.start_s),
                "parallel": rep.parallel,
                "peak_thigh_deg": _round(rep.peak_thigh_deg, 1),
                "drive_s": _round(rep.drive_s),
                "lower_s": _round(rep.lower_s),
                "sway_deg": _round(rep.sway_deg, 1),
                "form_cue": None if cue is None else cue.key,
            }
            for rep, cue in zip(analysis.reps, cues, strict=True)
        ],
        "parallel_share": _round(analysis.parallel_share),
        "drive_lower_ratio": _round(analysis.drive_lower_ratio),
        "sway": _round(analysis.sway_deg, 1),
        "format": FORMAT,
        "version": VERSION,
        "median_peak_thigh_deg": _round(analysis.median_peak_thigh_deg, 1),
        "median_drive_s": _round(analysis.median_drive_s),
        "median_lower_s": _round(analysis.median_lower_s),
        "dropped_reps": analysis.dropped_reps,
        "frames": analysis.frames,
        "frames_without_person": analysis.frames_without_person,
        "calibration": {
            "start_s": _round(c.start_s),
            "end_s": _round(c.end_s),
            "hip_y_px": _round(c.hip_y, 1),
            "knee_y_px": _round(c.knee_y, 1),
            "ankle_y_px": _round(c.ankle_y, 1),
            "thigh_px": _round(c.thigh, 1),
        },
    }


def _figure(value: float | None, fmt: str) -> str:
    return "-" if value is None else format(value, fmt)


def write_text(analysis: SideAnalysis, out: TextIO) -> None:
    reps = analysis.reps
    out.write(f"{analysis.side.value.capitalize()} knee: {len(reps)} reps counted")
    if analysis.dropped_reps:
        out.write(f" ({analysis.dropped_reps} not seen whole)")
    out.write(".\n")
    if reps:
        out.write("  rep  start   peak  parallel  drive   lower   sway  cue\n")
    for rep, cue in zip(reps, form_cues(reps), strict=True):
        out.write(
            f"  {rep.index:>3}  {rep.start_s:5.1f}s  {rep.peak_thigh_deg:4.0f}°  "
            f"{'yes' if rep.parallel else 'no':<8}  {_figure(rep.drive_s, '.2f'):>5}s  "
            f"{_figure(rep.lower_s, '.2f'):>5}s  {rep.sway_deg:4.1f}°"
            f"{'' if cue is None else '  ' + cue.text}\n"
        )
    if reps:
        share = analysis.parallel_share or 0.0
        out.write(
            f"Parallel or higher: {share:.0%}. Median peak thigh angle: "
            f"{_figure(analysis.median_peak_thigh_deg, '.0f')}°. Drive/lowering time: "
            f"{_figure(analysis.drive_lower_ratio, '.2f')} "
            f"(median {_figure(analysis.median_drive_s, '.2f')} s up, "
            f"{_figure(analysis.median_lower_s, '.2f')} s down). "
            f"Sway: {_figure(analysis.sway_deg, '.1f')}°.\n"
        )


def run(path: Path, side: Side, as_json: bool, out: TextIO) -> int:
    analysis = analyze_video(path, side)
    if as_json:
        json.dump(to_json(analysis), out, indent=2)
        out.write("\n")
    else:
        write_text(analysis, out)
    return 0
