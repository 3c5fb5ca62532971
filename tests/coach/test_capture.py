"""Frames pushed into a Qt capture session, as a camera would deliver them, through the
video sink to the live coach on its worker thread (QVideoFrameInput, offscreen)."""

from __future__ import annotations

import pytest

pytest.importorskip("numpy")
pytest.importorskip("ai_edge_litert")
pytest.importorskip("PySide6.QtMultimedia")

from PySide6.QtGui import QImage
from PySide6.QtMultimedia import QMediaCaptureSession, QVideoFrame, QVideoFrameInput, QVideoSink
from pytestqt.qtbot import QtBot

from legdrive_timer.coach.measures import Rep
from legdrive_timer.coach.pose import PoseModel
from legdrive_timer.core.workout import Side
from legdrive_timer.ui.coach_capture import CoachCapture
from tests.coach_figure import Figure, RepPlan
from tests.coach_render import frames

# Without a GPU, Qt converts frames on the CPU and says so once.
pytestmark = pytest.mark.qt_log_ignore("No RHI backend")

PLANS = [
    RepPlan(peak_deg=98, drive_s=0.35, lower_s=1.0),
    RepPlan(peak_deg=35, drive_s=0.4, lower_s=0.6),  # partial
    RepPlan(peak_deg=95, drive_s=0.3, top_s=0.5, lower_s=1.1),
]


def _video_frame(rgb: object, t_s: float) -> QVideoFrame:
    import numpy as np

    assert isinstance(rgb, np.ndarray)
    height, width = rgb.shape[:2]
    image = QImage(rgb.data, width, height, width * 3, QImage.Format.Format_RGB888).copy()
    frame = QVideoFrame(image)
    frame.setStartTime(round(t_s * 1e6))
    return frame


@pytest.fixture
def capture_session(qtbot: QtBot) -> tuple[QVideoFrameInput, QVideoSink, QMediaCaptureSession]:
    session = QMediaCaptureSession()
    source = QVideoFrameInput()
    sink = QVideoSink()
    session.setVideoFrameInput(source)
    session.setVideoSink(sink)
    return source, sink, session


def test_frames_through_the_capture_session_count_the_reps(
    qtbot: QtBot, capture_session: tuple[QVideoFrameInput, QVideoSink, QMediaCaptureSession]
) -> None:
    source, sink, _ = capture_session
    capture = CoachCapture(sink, Side.RIGHT, PoseModel)
    counted: list[Rep] = []
    capture.repCounted.connect(counted.append)
    capture.start()
    try:
        for t_s, rgb in frames(PLANS, Side.RIGHT, 30.0, Figure(oblique=1.0)):
            assert source.sendVideoFrame(_video_frame(rgb, t_s))
            # One frame at a time, so that this test sees every frame measured; the
            # flooding test below shows the dropping.
            qtbot.waitUntil(lambda: capture.idle, timeout=10_000)
    finally:
        capture.stop()
    # Reps cross to this thread as queued signals: let the event loop deliver them.
    qtbot.waitUntil(lambda: len(counted) == len(capture.coach.reps), timeout=10_000)
    assert capture.coach.calibration is not None, capture.processed
    assert len(counted) == 2, (capture.processed, capture.coach.reps)
    assert capture.mailbox.dropped == 0
    # 30 frames a second from the camera, 15 measured: every other one left out.
    assert abs(capture.skipped - capture.processed) <= 1
    assert [rep.parallel for rep in counted] == [True, True]
    # The same tolerance as the file pipeline (tests/coach/test_pipeline.py).
    assert counted[0].peak_thigh_deg == pytest.approx(PLANS[0].peak_deg, abs=15)
    assert counted[1].peak_thigh_deg == pytest.approx(PLANS[2].peak_deg, abs=15)


def test_a_busy_model_drops_old_frames_and_never_queues_them(
    qtbot: QtBot, capture_session: tuple[QVideoFrameInput, QVideoSink, QMediaCaptureSession]
) -> None:
    import threading

    source, sink, _ = capture_session
    release = threading.Event()

    class SlowModel:
        def estimate(self, image: object) -> None:
            release.wait(5)
            return

    capture = CoachCapture(sink, Side.RIGHT, SlowModel)
    capture.start()
    try:
        sent = 0
        for t_s, rgb in frames([RepPlan()], Side.RIGHT, 30.0):
            source.sendVideoFrame(_video_frame(rgb, t_s))
            sent += 1
            if sent == 40:
                break
        release.set()
        qtbot.waitUntil(lambda: capture.idle, timeout=10_000)
    finally:
        capture.stop()
    # The worker held the first frame while 39 more arrived: all but the newest dropped.
    assert capture.processed + capture.mailbox.dropped + capture.skipped == sent
    assert capture.processed <= 3


def test_one_capture_counts_each_side_with_its_own_numbered_coach(
    qtbot: QtBot, capture_session: tuple[QVideoFrameInput, QVideoSink, QMediaCaptureSession]
) -> None:
    from tests.coach_figure import samples
    from tests.helpers.coach_feed import TrackEstimator, numbered_frame

    source, sink, _ = capture_session
    track = samples([RepPlan(peak_deg=95), RepPlan(peak_deg=60)], Side.RIGHT, 10.0, stand_s=4.2)
    capture = CoachCapture(sink, Side.RIGHT, lambda: TrackEstimator(track))
    counted: list[tuple[int, bool]] = []
    finished: list[tuple[int, int, bool]] = []
    capture.counted.connect(lambda number, rep: counted.append((number, rep.parallel)))
    capture.finished.connect(lambda n, reps, seen: finished.append((n, len(reps), seen)))
    capture.begin(1, Side.RIGHT)
    capture.start()
    second_rep = next(i for i, s in enumerate(track) if s.t_s >= 4.2 + RepPlan().duration_s)

    def send(indexes: range) -> None:
        for i in indexes:
            assert source.sendVideoFrame(_video_frame(numbered_frame(i), track[i].t_s))
            qtbot.waitUntil(lambda: capture.idle, timeout=10_000)

    try:
        send(range(second_rep))
        capture.finish(1)
        # The next set keeps the stand it saw: counting starts at its first frame.
        capture.begin(2, Side.RIGHT, keep_calibration=True)
        send(range(second_rep, len(track)))
        capture.finish(2)
        capture.begin(3, Side.LEFT)  # a new side stands still again: nothing counted
        send(range(second_rep, len(track)))
        capture.finish(3)
        qtbot.waitUntil(lambda: len(finished) == 3, timeout=10_000)
    finally:
        capture.stop()
    assert counted == [(1, True), (2, False)]
    assert finished == [(1, 1, True), (2, 1, True), (3, 0, False)]
