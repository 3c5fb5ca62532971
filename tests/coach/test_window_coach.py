"""The camera coach in the whole window, on the fake clock: frames of the drawn figure go
through Qt Multimedia's frame input into the capture session in place of a camera.

The first test runs the real pose model on few, small-rate frames; the others are about
the window and number their frames for a stand-in estimator, so they cost no model time.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import pytest

pytest.importorskip("numpy")
pytest.importorskip("ai_edge_litert")
pytest.importorskip("PySide6.QtMultimedia")

from pytestqt.qtbot import QtBot

from legdrive_timer.coach.joints import PoseSample
from legdrive_timer.core.builtins import builtin_workout
from legdrive_timer.core.engine import State
from legdrive_timer.core.overrides import Overrides, apply_overrides
from legdrive_timer.core.records import CoachMeasures, SegmentRecord
from legdrive_timer.core.timeline import PhaseKind
from legdrive_timer.core.workout import Side, Workout
from legdrive_timer.storage.paths import DataPaths
from tests.coach_figure import Figure, RepPlan, samples
from tests.helpers.coach_feed import FrameInputFeed, TrackEstimator, numbered_frame
from tests.helpers.window import WindowHarness

if TYPE_CHECKING:
    from legdrive_timer.ui.prompts import StabilityPrompt

# Without a GPU, Qt converts frames on the CPU and says so once.
pytestmark = pytest.mark.qt_log_ignore("No RHI backend")

FPS = 10.0
"""Few frames: the pose model costs about 30 ms each."""
STAND_S = 4.2
"""Long enough for a calibration attempt (every 10 frames) to see 3 still seconds."""


def primer(*, self_paced: bool, **overrides: float) -> Workout:
    base = builtin_workout("primer")
    assert base is not None
    workout = apply_overrides(base, Overrides(**overrides))  # type: ignore[arg-type]
    if self_paced:
        block = dataclasses.replace(workout.blocks[0], tempo=None)  # type: ignore[call-arg]
        workout = dataclasses.replace(workout, blocks=(block,))
    return workout


class CoachHarness(WindowHarness):
    def __init__(self, paths: DataPaths, estimator: object) -> None:
        self.feeds: list[FrameInputFeed] = []

        def feed(camera_id: str | None) -> FrameInputFeed:
            self.feeds.append(FrameInputFeed(camera_id))
            return self.feeds[-1]

        super().__init__(paths, coach_feed_factory=feed, coach_estimator_factory=estimator)
        self.app.settings = dataclasses.replace(self.app.settings, coach=True, camera="cam-2")

    @property
    def feed(self) -> FrameInputFeed:
        return self.feeds[-1]


@pytest.fixture
def make_harness(qtbot: QtBot, data_paths: DataPaths) -> Iterator[type[CoachHarness]]:
    made: list[CoachHarness] = []

    def make(estimator: object) -> CoachHarness:
        h = CoachHarness(data_paths, estimator)
        qtbot.addWidget(h.window)
        h.window.resize(800, 480)
        h.window.show()
        qtbot.waitExposed(h.window)
        made.append(h)
        return h

    yield make  # type: ignore[misc]
    for h in made:
        h.app.session.stop()
        h.window.close()


def send(qtbot: QtBot, h: CoachHarness, frames: Sequence[tuple[float, object]]) -> None:
    """Each frame as a camera delivers it, one at a time so that every one is measured."""
    capture = h.app.coach.capture
    assert capture is not None
    for t_s, rgb in frames:
        assert h.feed.send(rgb, t_s)
        qtbot.waitUntil(lambda: capture.idle, timeout=10_000)
    qtbot.wait(1)  # the worker's signals cross to the window's thread


def test_a_self_paced_set_counted_by_the_camera_ends_at_the_plan(
    qtbot: QtBot, make_harness: type[CoachHarness]
) -> None:
    from legdrive_timer.coach.pose import PoseModel
    from tests.coach_render import frames

    h = make_harness(PoseModel)
    h.app.start(primer(self_paced=True, reps=2, sets=1, prep_s=5, switch_s=10))
    view, coach = h.view, h.app.coach
    # Get ready: the camera opens for the 3-second stand; the sign shows it is on.
    qtbot.waitUntil(lambda: coach.camera_on)
    assert view.announcement == "Camera on"  # screen readers hear it too
    assert h.feed.camera_id == "cam-2"
    assert view.coach.isVisible() and view.coach.camera.isVisible()
    assert view.coach.text.text().startswith("Camera: stand still")
    plans = [RepPlan(peak_deg=98, drive_s=0.35, lower_s=1.0), RepPlan(peak_deg=60)]
    clip = list(frames(plans, Side.RIGHT, FPS, Figure(oblique=1.0), stand_s=STAND_S))
    standing = [f for f in clip if f[0] < STAND_S]
    send(qtbot, h, standing)
    qtbot.waitUntil(lambda: view.coach.text.text() == "Camera ready: RIGHT knee")

    h.advance(5000)
    assert view.title.text() == "DRIVE" and h.app.engine is not None
    assert view.coach.count.text() == "Camera: 0 of 2"
    send(qtbot, h, [f for f in clip if f[0] >= STAND_S])
    # Two reps counted: the set ends by itself ("done"), without Space.
    qtbot.waitUntil(lambda: view.title.text() == "SWITCH SIDES", timeout=10_000)
    assert view.coach.ticks.parallel == (True, False)
    # The right side's measures, between the sides.
    qtbot.waitUntil(lambda: view.coach.text.text().startswith("RIGHT: 2 reps"))
    assert "1 at parallel (50%)" in view.coach.text.text()
    assert coach.camera_on  # on for the left side's stand

    h.app.session.stop()
    assert not coach.camera_on and not view.coach.isVisible()
    record = h.app.session.last_record
    assert record is not None
    qtbot.waitUntil(lambda: _coach_of(h, record.session_id, 1) is not None, timeout=10_000)
    measures = _coach_of(h, record.session_id, 1)
    assert measures is not None
    assert (measures.reps_counted, measures.parallel_reps) == (2, 1)
    assert measures.median_peak_thigh_deg == pytest.approx((98 + 60) / 2, abs=15)


def _segment_of(h: WindowHarness, session_id: str, phase_index: int) -> SegmentRecord | None:
    """The phase as the history holds it; None while it is still being written."""
    journal = h.app.journal
    assert journal is not None
    journal.flush()
    store = h.app.store
    if store is None:  # the writer thread is still opening the history
        return None
    record = store.session(session_id)
    if record is None:
        return None
    return next((s for s in record.segments if s.phase_index == phase_index), None)


def _coach_of(h: WindowHarness, session_id: str, phase_index: int) -> CoachMeasures | None:
    segment = _segment_of(h, session_id, phase_index)
    return None if segment is None else segment.coach


def numbered(track: Sequence[PoseSample], start: int = 0) -> list[tuple[float, object]]:
    return [(s.t_s, numbered_frame(start + i)) for i, s in enumerate(track)]


def test_tempo_sets_per_side_ticks_form_cue_measures_and_the_camera_going_off(
    qtbot: QtBot, make_harness: type[CoachHarness]
) -> None:
    plans = [RepPlan(peak_deg=95), RepPlan(peak_deg=60), RepPlan(peak_deg=62)]
    track = samples(plans, Side.RIGHT, FPS, stand_s=STAND_S)
    h = make_harness(lambda: TrackEstimator(track))
    h.app.start(primer(self_paced=False, reps=3, sets=1, prep_s=5, switch_s=10))
    view, coach = h.view, h.app.coach
    assert h.app.cues is not None
    spoken: list[object] = []
    h.app.cues.say_coach = spoken.append  # type: ignore[method-assign]
    qtbot.waitUntil(lambda: coach.camera_on)
    clip = numbered(track)
    send(qtbot, h, [f for f in clip if f[0] < STAND_S])
    qtbot.waitUntil(lambda: view.coach.text.text() == "Camera ready: RIGHT knee")

    h.advance(5000)  # DRIVE, right knee: the reps the camera counts, beside the plan
    assert view.coach.count.text() == "Camera: 0 of 3"
    assert view.coach.ticks.parallel == () and view.coach.ticks.planned == 3
    send(qtbot, h, [f for f in clip if f[0] >= STAND_S])
    qtbot.waitUntil(lambda: view.coach.count.text() == "Camera: 3 of 3")
    assert view.coach.ticks.parallel == (True, False, False)
    assert view.coach.camera.isVisible()
    # Two short reps in a row: "Higher", shown in place of the phase's cue, and spoken.
    assert view.cue.text() == "Higher"
    assert [getattr(cue, "name", cue) for cue in spoken] == ["VOICE_HIGHER"]
    assert view.title.text() == "DRIVE"  # a tempo set runs its time; the count does not end it

    h.advance(3 * 2500)  # the set's time: switch sides, and the right side's measures
    assert view.title.text() == "SWITCH SIDES"
    assert view.cue.text() != "Higher"  # a form cue speaks of its own set
    qtbot.waitUntil(lambda: view.coach.text.text().startswith("RIGHT: 3 reps"))
    assert "1 at parallel (33%)" in view.coach.text.text()
    assert coach.camera_on and view.coach.camera.isVisible()

    # The left side: nobody stands still in front of the camera, so nothing is counted.
    h.advance(10_000)
    assert view.title.text() == "DRIVE" and view.coach.count.text() == "Camera: 0 of 3"
    h.advance(3 * 2500)
    engine = h.app.engine
    assert engine is not None and engine.state is State.FINISHED
    # The session is over: the camera is off and its sign gone.
    assert not coach.camera_on and not view.coach.isVisible()
    assert view.coach.camera.isHidden()
    assert not h.feed.active
    record = h.app.session.last_record
    assert record is not None
    qtbot.waitUntil(lambda: _coach_of(h, record.session_id, 1) is not None, timeout=10_000)
    right = _coach_of(h, record.session_id, 1)
    assert right is not None and (right.reps_counted, right.parallel_reps) == (3, 1)
    assert right.median_peak_thigh_deg == pytest.approx(62, abs=3)
    assert right.drive_lower_ratio is not None and right.drive_lower_ratio < 1
    qtbot.wait(200)
    assert _coach_of(h, record.session_id, 3) is None  # the left side: not counted
    # The summary's record carries them too.
    shown = h.window.summary_view.record
    assert shown is not None
    assert [s.coach for s in shown.segments if s.phase_index in (1, 3)] == [right, None]
    table = h.window.summary_view.table
    headings = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert headings[-5:] == ["Counted", "Parallel", "Peak thigh", "Drive : lower", "Sway"]
    assert [table.item(1, c).text() for c in range(len(headings) - 5, len(headings) - 3)] == [
        "3",
        "1 (33%)",
    ]


def test_the_camera_is_off_between_the_rep_sets_and_the_intervals(
    qtbot: QtBot, make_harness: type[CoachHarness]
) -> None:
    track = samples([RepPlan()], Side.RIGHT, FPS, stand_s=STAND_S)
    h = make_harness(lambda: TrackEstimator(track))
    base = builtin_workout("full")
    assert base is not None
    workout = apply_overrides(
        base,
        Overrides(reps=1, sets=1, prep_s=5, switch_s=5, block_rest_s=20, work_s=5, rounds=1),
    )
    h.app.start(workout)
    coach = h.app.coach
    qtbot.waitUntil(lambda: coach.camera_on)
    assert h.feed.opened == 1
    phases = {p.kind for p in h.app.engine.timeline.phases}  # type: ignore[union-attr]
    assert PhaseKind.BLOCK_REST in phases
    while h.view.title.text() != "BLOCK REST":
        h.advance(500)
    assert not coach.camera_on and not h.view.coach.camera.isVisible()
    h.advance(20_000)
    assert h.view.title.text() == "DRIVE" and not coach.camera_on
    assert len(h.feeds) == 1 and h.feed.opened == 1


def two_reps_of_fifteen(
    qtbot: QtBot,
    make_harness: type[CoachHarness],
    second_peak_deg: float,
    size: tuple[int, int] = (800, 480),
) -> CoachHarness:
    """A tempo set of 15 on the right, the stand and two reps counted by the camera."""
    plans = [RepPlan(peak_deg=95), RepPlan(peak_deg=second_peak_deg)]
    track = samples(plans, Side.RIGHT, FPS, stand_s=STAND_S)
    h = make_harness(lambda: TrackEstimator(track))
    h.window.resize(*size)
    h.app.start(primer(self_paced=False, reps=15, sets=1, prep_s=5, switch_s=10))
    qtbot.waitUntil(lambda: h.app.coach.camera_on)
    send(qtbot, h, numbered(track)[:42])
    h.advance(5000)
    send(qtbot, h, numbered(track)[42:])
    qtbot.waitUntil(lambda: h.view.coach.count.text() == "Camera: 2 of 15")
    return h


@pytest.mark.parametrize("size", [(640, 400), (800, 480), (1600, 1000)])
def test_the_coach_row_fits_and_leaves_the_big_figure_its_size(
    qtbot: QtBot, make_harness: type[CoachHarness], size: tuple[int, int]
) -> None:
    from PySide6.QtWidgets import QApplication

    from tests.helpers.window import digit_height_share, layout_problems

    h = two_reps_of_fifteen(qtbot, make_harness, 60, size)
    for moment in ("drive", "switch"):
        QApplication.processEvents()
        assert h.view.coach.isVisible()
        assert layout_problems(h.window) == [], moment
        least = 0.25 if h.window.stability_prompt.isVisible() else 0.30
        assert digit_height_share(h) >= least, (moment, digit_height_share(h))
        h.advance(15 * 2500)


def test_closing_the_window_mid_set_keeps_the_sets_measures(
    qtbot: QtBot, make_harness: type[CoachHarness]
) -> None:
    from legdrive_timer.storage.history import HistoryStore

    h = two_reps_of_fifteen(qtbot, make_harness, 92)
    h.advance(6000)
    engine = h.app.engine
    assert engine is not None and engine.session_id is not None
    h.window.close()  # mid-set: the session ends as stopped
    assert not h.feed.active
    store = HistoryStore.open(h.app.paths.history_db)
    try:
        record = store.session(engine.session_id)
        assert record is not None
        drive = next(s for s in record.segments if s.phase_index == 1)
        assert drive.coach is not None and (
            drive.coach.reps_counted,
            drive.coach.parallel_reps,
        ) == (
            2,
            2,
        )
    finally:
        store.close()


def test_back_restarts_the_count_and_keeps_the_stand(
    qtbot: QtBot, make_harness: type[CoachHarness]
) -> None:
    plans = [RepPlan(peak_deg=95), RepPlan(peak_deg=60)]
    track = samples(plans, Side.RIGHT, FPS, stand_s=STAND_S)
    clip = numbered(track)
    second = next(i for i, s in enumerate(track) if s.t_s >= STAND_S + plans[0].duration_s)
    h = make_harness(lambda: TrackEstimator(track))
    h.app.start(primer(self_paced=False, reps=3, sets=1, prep_s=5, switch_s=10))
    view = h.view
    qtbot.waitUntil(lambda: h.app.coach.camera_on)
    send(qtbot, h, clip[:42])
    h.advance(5000)
    send(qtbot, h, clip[42:second])
    qtbot.waitUntil(lambda: view.coach.count.text() == "Camera: 1 of 3")
    h.advance(3000)
    view.back()  # the set again, from its start
    assert view.title.text() == "DRIVE"
    assert view.coach.count.text() == "Camera: 0 of 3" and view.coach.ticks.parallel == ()
    send(qtbot, h, clip[second:])  # no new stand needed
    qtbot.waitUntil(lambda: view.coach.count.text() == "Camera: 1 of 3")
    assert view.coach.ticks.parallel == (False,)


def _reps_done_of(h: WindowHarness, session_id: str, phase_index: int) -> int | None:
    segment = _segment_of(h, session_id, phase_index)
    return None if segment is None else segment.reps_done


def right_set_ended(
    qtbot: QtBot, make_harness: type[CoachHarness]
) -> tuple[CoachHarness, str, StabilityPrompt]:
    """Two reps of fifteen counted, the set's time over: the strip asks about the right leg."""
    h = two_reps_of_fifteen(qtbot, make_harness, 92)
    engine = h.app.engine
    assert engine is not None and engine.session_id is not None
    h.advance(15 * 2500)
    prompt = h.window.stability_prompt
    assert prompt.isVisible() and prompt.phase_index == 1
    return h, engine.session_id, prompt


def test_reps_done_start_from_the_camera_count(
    qtbot: QtBot, make_harness: type[CoachHarness]
) -> None:
    h, session_id, prompt = right_set_ended(qtbot, make_harness)
    # The camera counted 2 of the 15 planned: the strip says so, and the record follows it.
    qtbot.waitUntil(lambda: prompt.reps_label.text() == "Reps done: 2", timeout=10_000)
    qtbot.waitUntil(lambda: _reps_done_of(h, session_id, 1) == 2, timeout=10_000)
    prompt.correct_reps(prompt.reps_done + 1)  # the person still corrects it
    qtbot.waitUntil(lambda: _reps_done_of(h, session_id, 1) == 3, timeout=10_000)


def test_reps_the_person_set_are_kept_when_the_camera_reports(
    qtbot: QtBot, make_harness: type[CoachHarness]
) -> None:
    h, session_id, prompt = right_set_ended(qtbot, make_harness)
    prompt.correct_reps(14)  # as a rule before the worker's measures of the set cross over
    qtbot.waitUntil(lambda: _coach_of(h, session_id, 1) is not None, timeout=10_000)
    assert prompt.reps_label.text() == "Reps done: 14"
    assert _reps_done_of(h, session_id, 1) == 14
