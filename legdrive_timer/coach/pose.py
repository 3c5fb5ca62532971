"""BlazePose (MediaPipe's pose models, Apache-2.0) run by LiteRT, with numpy for the images.

Two models come with the `coach` extra (the `legdrive-timer-pose-models` distribution, built
from packaging/pose-models/): a person detector that finds the body's centre, size and tilt,
and the full landmark model that places 33 body landmarks in a square crop around it. As in
MediaPipe's own graph, the detector runs only when there is no track: each frame's crop
comes from the previous frame's landmarks until the model loses the person.

Why LiteRT rather than the `mediapipe` package: `mediapipe` depends on
`opencv-contrib-python`, which brings its own Qt 5 into the process next to PySide6; LiteRT
runs the same `.tflite` files, has wheels for CPython 3.11-3.14 on Linux, Windows and
Apple-silicon macOS, and no OpenCV. docs/coach.md has the measurements.
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import legdrive_timer_pose_models as models
import numpy as np
import numpy.typing as npt
from ai_edge_litert.interpreter import Interpreter

from legdrive_timer.coach.joints import Joint, Point, Pose

RGBImage = npt.NDArray[np.uint8]
"""An image as rows x columns x 3 (red, green, blue)."""


BLAZEPOSE_INDEX = {
    Joint.LEFT_SHOULDER: 11,
    Joint.RIGHT_SHOULDER: 12,
    Joint.LEFT_HIP: 23,
    Joint.RIGHT_HIP: 24,
    Joint.LEFT_KNEE: 25,
    Joint.RIGHT_KNEE: 26,
    Joint.LEFT_ANKLE: 27,
    Joint.RIGHT_ANKLE: 28,
}
"""Where our joints are among BlazePose's 33 landmarks."""

_BODY_CENTRE, _BODY_TOP = 33, 34
"""BlazePose's two alignment landmarks after the 33 body ones: the hips' centre and a point
whose distance and direction from it give the body's size and tilt."""

MIN_DETECTION_SCORE = 0.5
MIN_PRESENCE = 0.5
MIN_VISIBILITY = 0.05
"""Kept low on purpose: in a knee drive seen from the side one leg crosses the other, and the
model still places the hidden knee well while calling it barely visible. A joint outside
the frame is dropped whatever its visibility."""
ROI_SCALE = 1.25


@dataclass(frozen=True, slots=True)
class Region:
    """A rotated square in the image, in pixels: where the landmark model looks."""

    cx: float
    cy: float
    size: float
    rotation: float  # radians, clockwise in image coordinates


def _anchors() -> npt.NDArray[np.float32]:
    """The detector's 2254 anchor centres (SSD anchors of MediaPipe's pose detector:
    strides 8, 16, 32, 32, 32 on a 224 input, two anchors per cell and layer)."""
    centres: list[tuple[float, float]] = []
    strides = [8, 16, 32, 32, 32]
    layer = 0
    while layer < len(strides):
        stride = strides[layer]
        repeats = 0
        while layer < len(strides) and strides[layer] == stride:
            repeats += 2
            layer += 1
        cells = math.ceil(224 / stride)
        for y in range(cells):
            for x in range(cells):
                centres += [((x + 0.5) / cells, (y + 0.5) / cells)] * repeats
    return np.array(centres, dtype=np.float32)


def _sample(image: RGBImage, region: Region, out: int) -> npt.NDArray[np.float32]:
    """The region cut from the image into an `out` x `out` square (bilinear, black beyond
    the edges), as floats 0-255."""
    h, w = image.shape[:2]
    offsets = (np.arange(out, dtype=np.float32) + 0.5) / out - 0.5
    dx, dy = np.meshgrid(offsets * region.size, offsets * region.size)
    cos, sin = math.cos(region.rotation), math.sin(region.rotation)
    xs = region.cx + dx * cos - dy * sin - 0.5
    ys = region.cy + dx * sin + dy * cos - 0.5
    x0 = np.floor(xs).astype(np.int32)
    y0 = np.floor(ys).astype(np.int32)
    fx = (xs - x0)[..., None]
    fy = (ys - y0)[..., None]
    padded = np.zeros((h + 2, w + 2, 3), dtype=np.float32)
    padded[1:-1, 1:-1] = image
    x0 = np.clip(x0 + 1, 0, w)
    y0 = np.clip(y0 + 1, 0, h)
    x1 = np.clip(x0 + 1, 0, w + 1)
    y1 = np.clip(y0 + 1, 0, h + 1)
    top = padded[y0, x0] * (1 - fx) + padded[y0, x1] * fx
    bottom = padded[y1, x0] * (1 - fx) + padded[y1, x1] * fx
    return (top * (1 - fy) + bottom * fy).astype(np.float32)


def _sigmoid(x: float) -> float:
    return 1 / (1 + math.exp(-max(-80.0, min(80.0, x))))


def _region(centre: tuple[float, float], top: tuple[float, float]) -> Region:
    """The square around the body from its centre and its size-and-tilt point (pixels)."""
    size = 2 * math.hypot(top[0] - centre[0], top[1] - centre[1]) * ROI_SCALE
    angle = math.pi / 2 - math.atan2(-(top[1] - centre[1]), top[0] - centre[0])
    angle = (angle + math.pi) % (2 * math.pi) - math.pi
    return Region(centre[0], centre[1], size, angle)


@contextlib.contextmanager
def _runtime_log_silenced() -> Iterator[None]:
    """LiteRT's C++ side prints an INFO line on stderr when it loads a model: not for the
    person's eyes. The file descriptor is swapped, so this is for start-up only."""
    try:
        fd = sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):
        yield
        return
    sys.stderr.flush()
    saved = os.dup(fd)
    try:
        with Path(os.devnull).open("w") as devnull:
            os.dup2(devnull.fileno(), fd)
            yield
    finally:
        os.dup2(saved, fd)
        os.close(saved)


class PoseModel:
    """Finds one person's joints in RGB frames. Not thread-safe: one per worker thread."""

    def __init__(self, threads: int = 2) -> None:
        with _runtime_log_silenced():
            self._detector = Interpreter(model_path=str(models.DETECTOR), num_threads=threads)
            self._landmarks = Interpreter(model_path=str(models.LANDMARKS), num_threads=threads)
            self._detector.allocate_tensors()
            self._landmarks.allocate_tensors()
        self._anchors = _anchors()
        self._track: Region | None = None

    def reset(self) -> None:
        """Forget the person followed so far (a new clip, a cut)."""
        self._track = None

    def estimate(self, image: RGBImage) -> Pose | None:
        """The joints seen in this frame, in pixels; None when nobody is in it."""
        region = self._track or self._detect(image)
        if region is None:
            return None
        found = self._find_landmarks(image, region)
        if found is None:
            self._track = None
            return None
        pose, self._track = found
        return pose

    def _detect(self, image: RGBImage) -> Region | None:
        h, w = image.shape[:2]
        side = max(h, w)
        # Letterbox into a square, centred, as the detector was trained.
        square = Region(w / 2, h / 2, side, 0.0)
        tensor = _sample(image, square, 224) / 127.5 - 1.0
        self._run(self._detector, tensor)
        boxes, scores = self._outputs(self._detector)
        best = int(np.argmax(scores))
        if _sigmoid(float(scores.reshape(-1)[best])) < MIN_DETECTION_SCORE:
            return None
        raw = boxes.reshape(-1, 12)[best]
        anchor = self._anchors[best]

        def keypoint(k: int) -> tuple[float, float]:
            nx = raw[4 + 2 * k] / 224 + anchor[0]
            ny = raw[5 + 2 * k] / 224 + anchor[1]
            return (w / 2 + (nx - 0.5) * side, h / 2 + (ny - 0.5) * side)

        return _region(keypoint(0), keypoint(1))

    def _find_landmarks(self, image: RGBImage, region: Region) -> tuple[Pose, Region] | None:
        tensor = _sample(image, region, 256) / 255.0
        self._run(self._landmarks, tensor)
        outputs = {d["name"]: d for d in self._landmarks.get_output_details()}
        landmarks = self._landmarks.get_tensor(outputs["Identity"]["index"]).reshape(39, 5)
        presence = float(self._landmarks.get_tensor(outputs["Identity_1"]["index"]).reshape(-1)[0])
        if presence < MIN_PRESENCE:
            return None
        cos, sin = math.cos(region.rotation), math.sin(region.rotation)

        def to_image(index: int) -> tuple[float, float]:
            u = landmarks[index, 0] / 256 - 0.5
            v = landmarks[index, 1] / 256 - 0.5
            return (
                region.cx + (u * cos - v * sin) * region.size,
                region.cy + (u * sin + v * cos) * region.size,
            )

        h, w = image.shape[:2]
        pose: dict[Joint, Point] = {}
        for joint, index in BLAZEPOSE_INDEX.items():
            x, y = to_image(index)
            inside = 0 <= x < w and 0 <= y < h
            if inside and _sigmoid(float(landmarks[index, 3])) >= MIN_VISIBILITY:
                pose[joint] = Point(float(x), float(y))
        return pose, _region(to_image(_BODY_CENTRE), to_image(_BODY_TOP))

    @staticmethod
    def _run(interpreter: Any, tensor: npt.NDArray[np.float32]) -> None:
        detail = interpreter.get_input_details()[0]
        interpreter.set_tensor(detail["index"], tensor[None].astype(np.float32))
        interpreter.invoke()

    @staticmethod
    def _outputs(interpreter: Any) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        outputs = {d["name"]: d for d in interpreter.get_output_details()}
        boxes = interpreter.get_tensor(outputs["Identity"]["index"])
        scores = interpreter.get_tensor(outputs["Identity_1"]["index"])
        return boxes, scores
