"""Camera frames to the live coach: Qt Multimedia's video sink on one side, the pose model
on a worker thread on the other.

The sink delivers frames on the GUI thread; this keeps only the newest one in a one-slot
mailbox and returns at once, so the timer and the cues never wait for the model. The
worker takes the newest frame whenever it is free, and frames that arrived meanwhile are
dropped (counted). Reps are reported back on the GUI thread through a queued signal.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QVideoFrame, QVideoSink

from legdrive_timer.coach.joints import Pose, PoseSample
from legdrive_timer.coach.live import LiveCoach
from legdrive_timer.core.workout import Side


class Estimator(Protocol):
    def estimate(self, image: Any) -> Pose | None: ...


class FrameMailbox:
    """One slot: a new frame replaces the one not yet taken. The taker says `done()` when it
    has finished with what it took."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._item: tuple[float, QVideoFrame] | None = None
        self._working = False
        self.dropped = 0

    def put(self, item: tuple[float, QVideoFrame]) -> None:
        with self._condition:
            if self._item is not None:
                self.dropped += 1
            self._item = item
            self._condition.notify()

    def take(self, timeout_s: float) -> tuple[float, QVideoFrame] | None:
        with self._condition:
            if self._item is None:
                self._condition.wait(timeout_s)
            item, self._item = self._item, None
            self._working = item is not None
            return item

    def done(self) -> None:
        with self._condition:
            self._working = False

    @property
    def idle(self) -> bool:
        """Nothing waiting and nothing being worked on."""
        with self._condition:
            return self._item is None and not self._working


def frame_to_rgb(frame: QVideoFrame) -> Any:
    """The frame as a rows x columns x 3 numpy array (a copy)."""
    import numpy as np

    image = frame.toImage().convertToFormat(QImage.Format.Format_RGB888)
    width, height, stride = image.width(), image.height(), image.bytesPerLine()
    data = np.frombuffer(image.constBits(), dtype=np.uint8, count=stride * height)
    return data.reshape(height, stride)[:, : width * 3].reshape(height, width, 3).copy()


class CoachCapture(QObject):
    """Feeds the frames of `sink` to a LiveCoach for `side` on a worker thread."""

    repCounted = Signal(object)  # a coach.measures.Rep
    frameMeasured = Signal(bool)  # whether a person was found

    def __init__(
        self,
        sink: QVideoSink,
        side: Side,
        estimator_factory: Callable[[], Estimator],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.coach = LiveCoach(side)
        self.mailbox = FrameMailbox()
        self.processed = 0
        self._sink = sink
        self._factory = estimator_factory
        self._clock = clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        sink.videoFrameChanged.connect(self._on_frame)

    @property
    def idle(self) -> bool:
        """Nothing waiting and nothing being measured."""
        return self.mailbox.idle

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="coach-pose", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._sink.videoFrameChanged.disconnect(self._on_frame)
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _on_frame(self, frame: QVideoFrame) -> None:
        if not frame.isValid():
            return
        start_us = frame.startTime()
        t_s = start_us / 1e6 if start_us >= 0 else self._clock()
        self.mailbox.put((t_s, QVideoFrame(frame)))

    def _run(self) -> None:
        estimator = self._factory()
        while not self._stop.is_set():
            item = self.mailbox.take(timeout_s=0.1)
            if item is None:
                continue
            try:
                t_s, frame = item
                pose = estimator.estimate(frame_to_rgb(frame))
                reps = self.coach.push(PoseSample(t_s, pose))
                self.processed += 1
                self.frameMeasured.emit(pose is not None)
                for rep in reps:
                    self.repCounted.emit(rep)
            finally:
                self.mailbox.done()
