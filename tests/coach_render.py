"""Draws the knee-drive figure of `coach_figure` into RGB frames for the pose model.

An articulated figure: a head, a torso, two-segment arms and legs with some thickness, and
shoes, in plain colours on a plain wall. Numpy only, so the frames can be made anywhere the
coach's runtime is installed.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence

import numpy as np
import numpy.typing as npt

from legdrive_timer.coach.joints import Joint, Point
from legdrive_timer.core.workout import Side
from tests.coach_figure import Figure, Posture, RepPlan, joints, posture_track

WIDTH, HEIGHT = 640, 480
SKIN = (224, 172, 140)
SHIRT = (40, 90, 170)
SHORTS = (35, 35, 45)
SHOES = (200, 40, 40)
WALL = (215, 215, 205)
FLOOR = (150, 140, 125)


def _capsule(
    image: npt.NDArray[np.uint8], a: Point, b: Point, radius: float, colour: tuple[int, int, int]
) -> None:
    x0 = max(int(min(a.x, b.x) - radius) - 1, 0)
    x1 = min(int(max(a.x, b.x) + radius) + 2, image.shape[1])
    y0 = max(int(min(a.y, b.y) - radius) - 1, 0)
    y1 = min(int(max(a.y, b.y) + radius) + 2, image.shape[0])
    if x0 >= x1 or y0 >= y1:
        return
    ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    dx, dy = b.x - a.x, b.y - a.y
    length2 = dx * dx + dy * dy
    t = np.zeros_like(xs) if length2 == 0 else ((xs - a.x) * dx + (ys - a.y) * dy) / length2
    t = np.clip(t, 0, 1)
    distance = np.hypot(xs - (a.x + t * dx), ys - (a.y + t * dy))
    # Soft edge over one pixel, as a camera would blur it.
    alpha = np.clip(radius + 0.5 - distance, 0, 1)[..., None]
    region = image[y0:y1, x0:x1].astype(np.float32)
    image[y0:y1, x0:x1] = (region * (1 - alpha) + np.array(colour) * alpha).astype(np.uint8)


def draw(figure: Figure, posture: Posture, side: Side) -> npt.NDArray[np.uint8]:
    image = np.empty((HEIGHT, WIDTH, 3), dtype=np.uint8)
    image[:] = WALL
    j = joints(figure, posture, side)
    floor_y = int(figure.hip_y + figure.thigh + figure.shin + 12)
    image[floor_y:] = FLOOR
    s = figure.thigh / 90  # body proportions follow the thigh length
    shoulders = Point(
        (j[Joint.LEFT_SHOULDER].x + j[Joint.RIGHT_SHOULDER].x) / 2,
        (j[Joint.LEFT_SHOULDER].y + j[Joint.RIGHT_SHOULDER].y) / 2,
    )
    hips = Point((j[Joint.LEFT_HIP].x + j[Joint.RIGHT_HIP].x) / 2, j[Joint.LEFT_HIP].y)
    lean = math.atan2(shoulders.x - hips.x, hips.y - shoulders.y)
    neck = Point(shoulders.x + 14 * s * math.sin(lean), shoulders.y - 14 * s * math.cos(lean))
    head = Point(neck.x + 22 * s * math.sin(lean), neck.y - 22 * s * math.cos(lean))
    # Legs behind the torso; the standing leg first, the driving leg in front of it.
    legs = [Side.LEFT, Side.RIGHT]
    legs.sort(key=lambda leg: leg is side)
    for leg in legs:
        hip, knee, ankle = (
            (j[Joint.LEFT_HIP], j[Joint.LEFT_KNEE], j[Joint.LEFT_ANKLE])
            if leg is Side.LEFT
            else (j[Joint.RIGHT_HIP], j[Joint.RIGHT_KNEE], j[Joint.RIGHT_ANKLE])
        )
        _capsule(image, hip, knee, 15 * s, SHORTS)
        _capsule(image, knee, ankle, 11 * s, SKIN)
        toe = Point(ankle.x + figure.facing * 4 * s, ankle.y + 10 * s)
        _capsule(image, Point(ankle.x, ankle.y + 4 * s), toe, 10 * s, SHOES)
    # Torso: a broad capsule from shoulders to hips, plus the hip and shoulder lines.
    _capsule(image, shoulders, hips, 30 * s, SHIRT)
    _capsule(image, j[Joint.LEFT_SHOULDER], j[Joint.RIGHT_SHOULDER], 13 * s, SHIRT)
    _capsule(image, j[Joint.LEFT_HIP], j[Joint.RIGHT_HIP], 16 * s, SHORTS)
    _capsule(image, neck, shoulders, 8 * s, SKIN)
    # Arms hang with a slight bend, swinging a little against the driving knee.
    swing = math.radians(posture.drive_deg) * 0.3
    for shoulder, sign in ((j[Joint.LEFT_SHOULDER], 1), (j[Joint.RIGHT_SHOULDER], -1)):
        elbow = Point(shoulder.x + sign * 8 * s, shoulder.y + 55 * s)
        wrist = Point(
            elbow.x + sign * 4 * s + figure.facing * 30 * s * math.sin(swing), elbow.y + 50 * s
        )
        _capsule(image, shoulder, elbow, 9 * s, SHIRT)
        _capsule(image, elbow, wrist, 7 * s, SKIN)
        _capsule(image, wrist, wrist, 8 * s, SKIN)
    _capsule(image, head, head, 24 * s, SKIN)
    return image


def frames(
    plans: Sequence[RepPlan],
    side: Side = Side.RIGHT,
    fps: float = 30.0,
    figure: Figure | None = None,
    stand_s: float = 3.5,
) -> Iterator[tuple[float, npt.NDArray[np.uint8]]]:
    figure = figure or Figure()
    for t, posture in posture_track(plans, fps, stand_s):
        yield t, draw(figure, posture, side)


def write_video(
    path: object,
    plans: Sequence[RepPlan],
    side: Side = Side.RIGHT,
    fps: int = 30,
    figure: Figure | None = None,
) -> None:
    """The figure's clip as an MPEG-4 file (FFmpeg's own encoder, in every PyAV wheel)."""
    import av

    with av.open(str(path), "w") as container:
        stream = container.add_stream("mpeg4", rate=fps)
        stream.width, stream.height = WIDTH, HEIGHT
        stream.pix_fmt = "yuv420p"
        stream.bit_rate = 4_000_000
        for _, rgb in frames(plans, side, fps, figure):
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
