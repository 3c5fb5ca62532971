"""The joints the coach measures, and one person's pose in one frame.

Coordinates are image pixels, x to the right and y down, so that lengths are comparable
in both directions whatever the frame's aspect ratio.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from legdrive_timer.core.workout import Side


class Joint(StrEnum):
    LEFT_SHOULDER = "left_shoulder"
    RIGHT_SHOULDER = "right_shoulder"
    LEFT_HIP = "left_hip"
    RIGHT_HIP = "right_hip"
    LEFT_KNEE = "left_knee"
    RIGHT_KNEE = "right_knee"
    LEFT_ANKLE = "left_ankle"
    RIGHT_ANKLE = "right_ankle"


LEG_JOINTS: Mapping[Side, tuple[Joint, Joint, Joint]] = {
    Side.LEFT: (Joint.LEFT_HIP, Joint.LEFT_KNEE, Joint.LEFT_ANKLE),
    Side.RIGHT: (Joint.RIGHT_HIP, Joint.RIGHT_KNEE, Joint.RIGHT_ANKLE),
}


@dataclass(frozen=True, slots=True)
class Point:
    x: float
    y: float


Pose = Mapping[Joint, Point]
"""The joints found in one frame; a joint the model could not see is absent."""


@dataclass(frozen=True, slots=True)
class PoseSample:
    """What the pose model saw at `t_s` seconds: a pose, or None when nobody was found."""

    t_s: float
    pose: Pose | None


def is_complete(pose: Pose | None) -> bool:
    """True when every joint the measures use is present."""
    return pose is not None and all(joint in pose for joint in Joint)
