"""Frames of a video file as RGB arrays with their times, decoded by PyAV (FFmpeg in a wheel).

PyAV rather than OpenCV: its wheels carry FFmpeg for CPython 3.11-3.14 on Linux, Windows and
macOS, and nothing of Qt; frames come out already scaled and converted by FFmpeg.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import av
import numpy as np
import numpy.typing as npt

from legdrive_timer.coach.measures import CoachError

MAX_SIDE = 640
"""Frames are scaled down to this many pixels on their long side: the pose models look at
224-256 pixel crops, and decoding less is faster."""


def read_frames(
    path: Path, max_side: int = MAX_SIDE
) -> Iterator[tuple[float, npt.NDArray[np.uint8]]]:
    """(seconds from the start, rows x columns x RGB) for every frame of the first video
    stream. A file that is not a readable video raises CoachError, also mid-way."""
    if not path.is_file():
        raise CoachError(f"{path} is not a video file.")
    try:
        container = av.open(str(path))
    except (av.FFmpegError, OSError, UnicodeDecodeError) as error:
        raise CoachError(f"{path} could not be read as a video ({_reason(error)}).") from None
    with container:
        if not container.streams.video:
            raise CoachError(f"{path} has no video in it.")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        first: float | None = None
        try:
            for index, frame in enumerate(container.decode(stream)):
                t = frame.time
                if t is None:
                    rate = float(stream.average_rate or 30)
                    t = index / rate
                first = t if first is None else first
                scale = min(1.0, max_side / max(frame.width, frame.height))
                width = max(2, round(frame.width * scale / 2) * 2)
                height = max(2, round(frame.height * scale / 2) * 2)
                rgb = frame.reformat(width=width, height=height, format="rgb24").to_ndarray()
                yield t - first, np.asarray(rgb, dtype=np.uint8)
        except av.FFmpegError as error:
            raise CoachError(f"{path} could not be read to the end ({_reason(error)}).") from None


def _reason(error: Exception) -> str:
    text = getattr(error, "strerror", None) or str(error)
    return text.rstrip(".").split(":")[-1].strip() or type(error).__name__
