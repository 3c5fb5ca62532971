"""A person doing single-leg knee drives, as joint positions over time with known answers.

The unit tests feed these poses straight to the measures; the pipeline tests draw the same
figure into frames for the pose model. The thigh's lift follows a half-cosine ease, so the
time between 20% and 80% of the lift is a known share of each phase (`EASE_20_80`).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace

from legdrive_timer.coach.joints import Joint, Point, PoseSample
from legdrive_timer.core.workout import Side

EASE_20_80 = (math.acos(-0.6) - math.acos(0.6)) / math.pi
"""Share of a half-cosine ease spent between 20% and 80% of its rise (0.4097)."""


@dataclass(frozen=True)
class RepPlan:
    peak_deg: float = 95.0
    drive_s: float = 0.4
    top_s: float = 0.0
    lower_s: float = 1.0
    rest_s: float = 0.6
    sway_deg: float = 0.0

    @property
    def duration_s(self) -> float:
        return self.drive_s + self.top_s + self.lower_s + self.rest_s

    @property
    def expected_drive_s(self) -> float:
        return EASE_20_80 * self.drive_s

    @property
    def expected_lower_s(self) -> float:
        return EASE_20_80 * self.lower_s


@dataclass(frozen=True)
class Figure:
    """Body lengths in pixels; `oblique` is how much of the thigh's forward swing shows
    sideways in the image (0: straight from the front, 1: from the side)."""

    hip_x: float = 320.0
    hip_y: float = 250.0
    thigh: float = 90.0
    shin: float = 90.0
    torso: float = 120.0
    hip_half: float = 22.0
    shoulder_half: float = 40.0
    oblique: float = 0.6
    facing: int = -1  # the knee swings towards this side of the image (-1 left, +1 right)


@dataclass(frozen=True)
class Posture:
    """Where the figure's joints are at one instant."""

    drive_deg: float
    lean_deg: float


def posture_track(
    plans: Sequence[RepPlan], fps: float, stand_s: float = 3.5, end_s: float = 1.0
) -> list[tuple[float, Posture]]:
    """Standing for `stand_s`, then each rep in turn, then standing for `end_s`."""
    total = stand_s + sum(p.duration_s for p in plans) + end_s
    frames = int(total * fps)
    return [(i / fps, _posture_at(plans, i / fps - stand_s)) for i in range(frames)]


def _ease(u: float) -> float:
    return (1 - math.cos(math.pi * max(0.0, min(1.0, u)))) / 2


def _posture_at(plans: Sequence[RepPlan], t: float) -> Posture:
    for plan in plans:
        if t < 0:
            break
        if t < plan.duration_s:
            peak_lift = 1 - math.cos(math.radians(plan.peak_deg))
            if t < plan.drive_s:
                share = _ease(t / plan.drive_s)
            elif t < plan.drive_s + plan.top_s:
                share = 1.0
            elif t < plan.drive_s + plan.top_s + plan.lower_s:
                share = 1 - _ease((t - plan.drive_s - plan.top_s) / plan.lower_s)
            else:
                share = 0.0
            angle = math.degrees(math.acos(1 - peak_lift * share))
            # The trunk leans to one side and back while the knee is up, sway_deg at most.
            up_s = plan.drive_s + plan.top_s + plan.lower_s
            lean = plan.sway_deg * math.sin(math.pi * min(t / up_s, 1.0))
            return Posture(angle, lean)
        t -= plan.duration_s
    return Posture(0.0, 0.0)


def joints(figure: Figure, posture: Posture, side: Side) -> dict[Joint, Point]:
    """The figure's joints for a posture, the `side` leg driving."""
    lean = math.radians(posture.lean_deg)
    hips_mid = Point(figure.hip_x, figure.hip_y)
    shoulders_mid = Point(
        hips_mid.x + figure.torso * math.sin(lean), hips_mid.y - figure.torso * math.cos(lean)
    )
    # The person faces the camera: their left is the image's right.
    out = {
        Joint.LEFT_SHOULDER: Point(shoulders_mid.x + figure.shoulder_half, shoulders_mid.y),
        Joint.RIGHT_SHOULDER: Point(shoulders_mid.x - figure.shoulder_half, shoulders_mid.y),
    }
    for leg_side, hip_j, knee_j, ankle_j in (
        (Side.LEFT, Joint.LEFT_HIP, Joint.LEFT_KNEE, Joint.LEFT_ANKLE),
        (Side.RIGHT, Joint.RIGHT_HIP, Joint.RIGHT_KNEE, Joint.RIGHT_ANKLE),
    ):
        offset = figure.hip_half if leg_side is Side.LEFT else -figure.hip_half
        hip = Point(hips_mid.x + offset, hips_mid.y)
        angle = math.radians(posture.drive_deg if leg_side is side else 0.0)
        knee = Point(
            hip.x + figure.facing * figure.oblique * figure.thigh * math.sin(angle),
            hip.y + figure.thigh * math.cos(angle),
        )
        ankle = Point(knee.x, knee.y + figure.shin)
        out |= {hip_j: hip, knee_j: knee, ankle_j: ankle}
    return out


def samples(
    plans: Sequence[RepPlan],
    side: Side = Side.RIGHT,
    fps: float = 30.0,
    figure: Figure | None = None,
    stand_s: float = 3.5,
) -> list[PoseSample]:
    figure = figure or Figure()
    return [
        PoseSample(t, joints(figure, posture, side))
        for t, posture in posture_track(plans, fps, stand_s)
    ]


def rep_starts(plans: Sequence[RepPlan], stand_s: float = 3.5) -> Iterator[float]:
    t = stand_s
    for plan in plans:
        yield t
        t += plan.duration_s


def without(track: Sequence[PoseSample], start_s: float, end_s: float) -> list[PoseSample]:
    """The track with nobody in view from `start_s` to `end_s`."""
    return [replace(s, pose=None) if start_s <= s.t_s < end_s else s for s in track]
