"""Camera frames to the live coach: Qt Multimedia's video sink on one side, the pose model
on a worker thread on the other.

The sink delivers frames on the GUI thread; this keeps only the newest one in a one-slot
mailbox and returns at once, so the timer and the cues never wait for the model. The
worker takes the newest frame whenever it is free, and frames that arrived meanwhile are
dropped (counted). Reps are reported back on the GUI thread through a queued signal.

One capture serves a whole session: each side's set gets its own LiveCoach (`begin`), named
by a number the window chooses, so a rep that arrives late is never put on the wrong side.
Only the worker touches the coaches; the window's requests wait in a queue it reads
between frames.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QVideoFrame, QVideoSink

from legdrive_timer.coach.joints import Pose, PoseSample
from legdrive_timer.coach.live import LiveCoach
from legdrive_timer.coach.measures import Rep
from legdrive_timer.core.workout import Side

log = logging.getLogger(__name__)

MAX_FPS = 15.0
"""Frames measured a second at most, by the frames' own times; a camera's others are left
out. A worker measuring every frame of a 30 fps camera is never idle, holding the
interpreter in the pose model's Python work beside the window's thread, and takes most of a
core (84-99% against 48-60% at 15); see `bench/coach_window.py` and docs/performance.md.
The measures are tested at 10 frames a second and up."""


class Estimator(Protocol):
    def estimate(self, image: Any) -> Pose | None: ...


Frame = tuple[int, float, QVideoFrame]
"""A frame as the worker gets it: its number in order of arrival, its time, the frame."""


class FrameMailbox:
    """One slot: a new frame replaces the one not yet taken. The taker says `done()` when it
    has finished with what it took."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._item: Frame | None = None
        self._working = False
        self.dropped = 0

    def put(self, item: Frame) -> None:
        with self._condition:
            if self._item is not None:
                self.dropped += 1
            self._item = item
            self._condition.notify()

    def take(self, timeout_s: float) -> Frame | None:
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
    counted = Signal(int, object)  # (the coach's number, a Rep)
    calibrated = Signal(int)  # the coach's number
    finished = Signal(int, object, bool)  # (the coach's number, every Rep, calibrated)
    failed = Signal(str)  # one sentence: the pose model could not run

    def __init__(
        self,
        sink: QVideoSink,
        side: Side,
        estimator_factory: Callable[[], Estimator],
        clock: Callable[[], float] = time.monotonic,
        max_fps: float | None = MAX_FPS,
    ) -> None:
        super().__init__()
        self._min_gap_s = 0.0 if max_fps is None else 1 / max_fps * 0.95  # a camera's jitter
        self._last_t: float | None = None
        self.skipped = 0
        """Frames left out to keep to `max_fps`."""
        self.coach = LiveCoach(side)
        self.number = 0
        """Which coach `coach` is (`begin` names them)."""
        self.mailbox = FrameMailbox()
        self._received = 0
        self.results: dict[int, tuple[tuple[Rep, ...], bool]] = {}
        """What `finished` said, by coach number, for a reader that cannot wait for it."""
        self._requests: list[tuple[int, Callable[[], None]]] = []
        self._requests_lock = threading.Lock()
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
        with self._requests_lock:
            if self._requests:
                return False
        return self.mailbox.idle

    def begin(self, number: int, side: Side, *, keep_calibration: bool = False) -> None:
        """From the next frame on, a new coach `number` counts `side`; with
        `keep_calibration`, it takes over the current coach's standing calibration."""

        def run() -> None:
            calibration = self.coach.calibration if keep_calibration else None
            self.coach = LiveCoach(side, calibration=calibration)
            self.number = number
            if calibration is not None:
                self.calibrated.emit(number)

        self._request(run)

    def finish(self, number: int) -> None:
        """Coach `number`'s set is over: `finished` brings every rep it counted and whether
        it ever saw the person stand still (without that it could count nothing)."""

        def run() -> None:
            if self.number != number:
                return
            done = self.coach.finish()
            self._report(done)
            calibrated = self.coach.calibration is not None
            self.results[number] = (tuple(self.coach.reps), calibrated)
            self.finished.emit(number, tuple(self.coach.reps), calibrated)
            self.number = -1  # frames until the next `begin` count nowhere

        self._request(run)

    def _request(self, fn: Callable[[], None]) -> None:
        # Numbered after the frames received so far: those are measured before it runs.
        with self._requests_lock:
            self._requests.append((self._received, fn))

    def _run_requests(self, before: int | None = None) -> None:
        """Run the requests made before frame number `before` arrived (None: all)."""
        with self._requests_lock:
            due = [r for r in self._requests if before is None or r[0] < before]
            self._requests = [r for r in self._requests if r not in due]
        for _, fn in due:
            fn()

    def _report(self, reps: list[Rep]) -> None:
        for rep in reps:
            self.repCounted.emit(rep)
            self.counted.emit(self.number, rep)

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="coach-pose", daemon=True)
        self._thread.start()

    def stop(self, *, wait: bool = True) -> None:
        """Stop measuring. Without `wait`, the worker ends on its own after the frame in
        hand (the window does not wait for the model); nothing it says afterwards counts."""
        if not self._stop.is_set():
            self._sink.videoFrameChanged.disconnect(self._on_frame)
        self._stop.set()
        if wait:
            self.join()

    def join(self, timeout_s: float | None = None) -> bool:
        """Wait for a stopped worker to end; whether it has."""
        if self._thread is not None:
            self._thread.join(timeout_s)
            if self._thread.is_alive():
                return False
            self._thread = None
        return True

    def _on_frame(self, frame: QVideoFrame) -> None:
        if not frame.isValid():
            return
        start_us = frame.startTime()
        t_s = start_us / 1e6 if start_us >= 0 else self._clock()
        self._received += 1
        self.mailbox.put((self._received, t_s, QVideoFrame(frame)))

    def _run(self) -> None:
        try:
            estimator = self._factory()
        except Exception as error:  # a broken install must not take the session down
            log.exception("the pose model could not be loaded")
            self.failed.emit(f"The camera coach could not start its pose model ({error}).")
            return
        while not self._stop.is_set():
            self._run_requests()
            item = self.mailbox.take(timeout_s=0.1)
            if item is None:
                continue
            try:
                received, t_s, frame = item
                self._run_requests(before=received)
                last = self._last_t
                if last is not None and 0 <= t_s - last < self._min_gap_s:
                    self.skipped += 1
                    continue
                self._last_t = t_s
                pose = estimator.estimate(frame_to_rgb(frame))
                self.processed += 1
                self.frameMeasured.emit(pose is not None)
                if self.number < 0:
                    continue
                was_calibrated = self.coach.calibration is not None
                self._report(self.coach.push(PoseSample(t_s, pose)))
                if not was_calibrated and self.coach.calibration is not None:
                    self.calibrated.emit(self.number)
            except Exception:  # one bad frame is skipped, not the rest of the set
                log.exception("a camera frame could not be measured")
            finally:
                self.mailbox.done()
