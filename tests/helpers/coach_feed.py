"""Stand-ins for the camera of the coach: frames a test sends go through Qt Multimedia's
`QVideoFrameInput` into the capture session whose sink the coach reads, the same path a
camera's frames take (offscreen, no webcam needed).

`TrackEstimator` stands in for the pose model where a test is about the window, not the
model: each frame is a small flat colour that numbers a pose of a known track.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from PySide6.QtCore import QObject
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QVideoFrame, QVideoFrameInput

from legdrive_timer.coach.joints import Pose, PoseSample
from legdrive_timer.ui.coach_camera import VideoFeed


def video_frame(rgb: Any, t_s: float) -> QVideoFrame:
    height, width = rgb.shape[:2]
    image = QImage(rgb.data, width, height, width * 3, QImage.Format.Format_RGB888).copy()
    frame = QVideoFrame(image)
    frame.setStartTime(round(t_s * 1e6))
    return frame


class FrameInputFeed(VideoFeed):
    """The camera as a test drives it: `send` delivers a frame while the feed is open."""

    def __init__(self, camera_id: str | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.camera_id = camera_id
        self.input = QVideoFrameInput(self)
        self.session.setVideoFrameInput(self.input)
        self.opened = 0

    def open(self) -> None:
        self.opened += 1
        self._set_active(True)

    def close(self) -> None:
        self._set_active(False)

    def send(self, rgb: Any, t_s: float) -> bool:
        """Deliver a frame as the camera would; False (nothing sent) while it is closed."""
        return self.active and self.input.sendVideoFrame(video_frame(rgb, t_s))


STEP = 4
"""Colour levels between two numbered frames: what survives Qt's frame conversions."""


def numbered_frame(index: int) -> Any:
    """A small flat frame whose colour is `index`."""
    rgb = np.zeros((16, 16, 3), dtype=np.uint8)
    rgb[..., 0] = (index % 64) * STEP
    rgb[..., 1] = (index // 64) * STEP
    return rgb


class TrackEstimator:
    """Reads the pose of `track` that a numbered frame names (no model involved)."""

    def __init__(self, track: Sequence[PoseSample]) -> None:
        self.track = list(track)

    def estimate(self, image: Any) -> Pose | None:
        r, g = (round(float(v) / STEP) for v in image[8, 8, :2])
        return self.track[r + 64 * g].pose
