"""The camera coach in a running session: when the camera is on, which side's set it
counts, what the session screen shows of it, and what goes to the history.

The camera opens at the phase before a rep set (get ready, switch sides, set rest), so the
person can stand still for the 3-second calibration, and closes when no rep set comes next
or the session ends. Each side's set gets its own live coach. Pose work runs on the
capture's worker thread on the newest frame only; this part only hears its results on the
window's thread, so the session's timing never waits for the camera.

Nothing here is imported at start-up or in a session without the coach: Qt Multimedia, the
pose runtime and numpy load at the first phase of a session that uses it.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer, Signal

from legdrive_timer.coach import missing_runtime
from legdrive_timer.core.timeline import Phase, PhaseKind
from legdrive_timer.core.workout import Side

if TYPE_CHECKING:
    from legdrive_timer.coach.measures import Rep, RepFigures
    from legdrive_timer.core.engine import SessionEngine
    from legdrive_timer.core.events import Event
    from legdrive_timer.core.workout import Workout
    from legdrive_timer.ui.coach_camera import VideoFeed
    from legdrive_timer.ui.coach_capture import CoachCapture, Estimator
    from legdrive_timer.ui.coach_dialog import CoachDialog
    from legdrive_timer.ui.control.parts import AppParts

log = logging.getLogger(__name__)

NO_CAMERA = "No camera was found on this computer, so the camera coach cannot be turned on."
BANNER_KEY = "coach"
STAND_STILL = "Camera: stand still for 3 s, whole body in view"
CLOSE_WAIT_S = 2.0
"""At exit, how long a worker may take to finish the frame in hand."""
NOT_COUNTED = "not counted (the camera never saw you stand still for 3 s)"


def counted_set(phase: Phase) -> bool:
    """A set the coach counts: reps of one side."""
    return phase.kind is PhaseKind.WORK and phase.reps_planned is not None and bool(phase.side)


def coached_set(phases: tuple[Phase, ...], phase: Phase) -> Phase | None:
    """The set the camera is on for during `phase`: the set itself, or the set that comes
    next (the time before it is for standing still); None: the camera is off."""
    if counted_set(phase):
        return phase
    following = phases[phase.index + 1] if phase.index + 1 < len(phases) else None
    if following is not None and counted_set(following):
        return following
    return None


def ratio_text(ratio: float) -> str:
    """Drive against lowering time as '1 : 2.5' (lowering takes 2.5 times the drive)."""
    return f"1:{1 / ratio:.1f}" if ratio > 0 else "–"


def side_summary(side: Side, figures: RepFigures) -> str:
    """One line of what the camera measured in a side's set."""
    reps = len(figures.reps)
    parts = [f"{side.value.upper()}: {reps} rep{'' if reps == 1 else 's'}"]
    share = figures.parallel_share
    if share is not None:
        parallel = sum(rep.parallel for rep in figures.reps)
        parts.append(f"{parallel} at parallel ({share:.0%})")
    if figures.median_peak_thigh_deg is not None:
        parts.append(f"peak {figures.median_peak_thigh_deg:.0f}°")
    if figures.drive_lower_ratio is not None:
        parts.append(f"drive:lower {ratio_text(figures.drive_lower_ratio)}")
    if figures.sway_deg is not None:
        parts.append(f"sway {figures.sway_deg:.0f}°")
    return "  ·  ".join(parts)


@dataclass
class _Set:
    """One side's set as the window follows it (the worker's coach has the same number)."""

    number: int
    phase: Phase
    reps: list[Rep] = field(default_factory=list)
    calibrated: bool = False
    started: bool = False
    """Its work phase has begun (reps before that do not count)."""


class CoachControl(QObject):
    measured = Signal(str, int, object)
    """A side's set is over: (the session's id, its phase index, its
    core.records.CoachMeasures)."""

    def __init__(
        self,
        app: AppParts,
        *,
        feed_factory: Callable[[str | None], VideoFeed] | None = None,
        estimator_factory: Callable[[], Estimator] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._app = app
        self._feed_factory = feed_factory
        self._estimator_factory = estimator_factory
        self._numbers = itertools.count(1)
        self.engine: SessionEngine | None = None
        self.feed: VideoFeed | None = None
        self.capture: CoachCapture | None = None
        self.current: _Set | None = None
        self._finishing: dict[int, _Set] = {}
        self._winding_down: list[tuple[CoachCapture, VideoFeed]] = []
        """A past session's capture, stopped once the reps still in its worker came in."""
        self._stopped: list[CoachCapture] = []
        """Workers told to stop that may still be finishing a frame."""
        self._session_id: str | None = None
        self._camera_failed_once = False
        """Said once per session; the camera is not tried again until the next one."""
        self.after_side = ""
        """What the camera measured in the last side's set, shown until the next set."""
        self.dialog: CoachDialog | None = None
        self._open_timer = QTimer(self)
        self._open_timer.setSingleShot(True)
        self._open_timer.setInterval(0)
        self._open_timer.timeout.connect(self._open_camera)

    # -- can it run here ----------------------------------------------------------------

    def unavailable(self) -> str | None:
        """One sentence when the coach cannot run on this computer; None when it can."""
        problem = missing_runtime()
        if problem is not None:
            return f"{problem}."
        if self._feed_factory is None and not self._cameras():
            return NO_CAMERA
        return None

    def _cameras(self) -> list[tuple[str, str]]:
        """(id, name) of each camera; none when Qt Multimedia cannot load here."""
        try:
            from legdrive_timer.ui.coach_camera import cameras
        except ImportError as error:  # e.g. Linux without libpulse
            log.warning("Qt Multimedia did not load: %s", error)
            return []
        return [(camera.id, camera.name) for camera in cameras()]

    def open_dialog(self, workout: Workout | None) -> None:
        """The coach's settings, for every workout and for `workout` (the selected one)."""
        from legdrive_timer.ui.coach_dialog import CoachDialog

        settings = self._app.settings_control
        current = settings.current
        unavailable = self.unavailable()

        def workout_choice(on: bool | None) -> None:
            if workout is not None:
                settings.replace(settings.current.with_coach_for(workout.id, on))

        dialog = CoachDialog(
            unavailable=unavailable,
            coach=current.coach,
            workout_name=workout.name if workout is not None else None,
            workout_choice=None if workout is None else current.coach_workouts.get(workout.id),
            cameras=[] if unavailable else self._cameras(),
            camera=current.camera,
            on_coach=lambda on: settings.update(coach=on),
            on_workout=workout_choice,
            on_camera=lambda camera: settings.update(camera=camera),
            parent=self._app.window,
        )
        self.dialog = dialog
        dialog.exec()
        self.dialog = None

    # -- a session ------------------------------------------------------------------------

    def attach(self, engine: SessionEngine) -> Callable[[], None]:
        """Follow `engine`'s session if the coach is on for its workout."""
        self.detach()
        self._app.window.banner.set_message(BANNER_KEY, None)
        if not self._app.settings_control.current.coach_for(engine.timeline.workout_id):
            return lambda: None
        if not any(counted_set(p) for p in engine.timeline.phases):
            return lambda: None
        problem = missing_runtime()
        if problem is not None:
            self._app.window.banner.set_message(
                BANNER_KEY, f"{problem}. This session runs without it."
            )
            return lambda: None
        self.engine = engine
        self.after_side = ""
        self._session_id = None
        self._camera_failed_once = False
        unsubscribe = engine.subscribe(self._on_event)

        def detach() -> None:
            unsubscribe()
            self.detach()

        return detach

    def detach(self) -> None:
        """The session is over (or a new one starts): the camera goes off now; the last
        side's reps still in the worker come in before it stops."""
        self.engine = None
        self._open_timer.stop()
        if self.current is not None:
            self._finish(self.current)
        self._close_camera()
        capture, self.capture = self.capture, None
        feed, self.feed = self.feed, None
        if capture is not None and feed is not None:
            self._winding_down.append((capture, feed))
        if not self._finishing:
            self._wind_down()
        self._show()

    def close(self) -> None:
        """The app is closing: the camera off, the sets still being finished read from
        their workers now (their signals would come too late for the history), and the
        workers ended before the app is (a worker left running could outlive Qt)."""
        self.detach()
        deadline = time.monotonic() + CLOSE_WAIT_S
        captures = [capture for capture, _feed in self._winding_down]
        for number in list(self._finishing):
            result = None
            while result is None and time.monotonic() < deadline:
                result = next((c.results[number] for c in captures if number in c.results), None)
                if result is None:
                    time.sleep(0.01)
            if result is not None:
                self._finished(number, *result)
        self._finishing.clear()
        self._wind_down()
        for capture in self._stopped:
            if not capture.join(max(0.0, deadline - time.monotonic())):
                log.warning("the coach's worker did not end within %s s", CLOSE_WAIT_S)
        self._stopped.clear()

    def _wind_down(self) -> None:
        for capture, feed in self._winding_down:
            # Nothing it says from now on counts.
            for signal in (capture.counted, capture.calibrated, capture.finished, capture.failed):
                signal.disconnect()
            capture.stop(wait=False)
            feed.deleteLater()
            self._stopped.append(capture)
        self._winding_down.clear()
        self._stopped = [c for c in self._stopped if not c.join(0)]

    def _on_event(self, event: Event) -> None:
        # Here, not at the top: the window's first frame does not wait for the events.
        from legdrive_timer.core.events import PhaseEnded, PhaseStarted, SessionEnded

        if isinstance(event, PhaseStarted):
            self._enter(event.phase)
        elif isinstance(event, PhaseEnded):
            current = self.current
            if current is not None and event.phase.index == current.phase.index:
                self._finish(current)
                self._show()
        elif isinstance(event, SessionEnded):
            self.detach()

    def _enter(self, phase: Phase) -> None:
        assert self.engine is not None
        if self._session_id is None:
            self._session_id = self.engine.session_id
        if phase.is_work:
            self.after_side = ""  # shown between sets, until the next one begins
        target = coached_set(self.engine.timeline.phases, phase)
        if target is None:
            self._open_timer.stop()
            self._close_camera()
            self.current = None
            self._show()
            return
        same = self.current is not None and self.current.phase.index == target.index
        calibrated = same and self.current is not None and self.current.calibrated
        self.current = _Set(next(self._numbers), target, calibrated=calibrated)
        self.current.started = phase.index == target.index
        if self.capture is not None:
            self.capture.begin(
                self.current.number, target.side or Side.RIGHT, keep_calibration=same
            )
        if (self.feed is None or not self.feed.active) and not self._camera_failed_once:
            # After this phase is painted: opening a camera can take a moment.
            self._open_timer.start()
        self._show()

    # -- the camera -----------------------------------------------------------------------

    def _open_camera(self) -> None:
        if self.engine is None or self.current is None:
            return
        if self.feed is None:
            from legdrive_timer.ui.coach_capture import CoachCapture

            feed = self._make_feed(self._app.settings_control.current.camera)
            feed.activeChanged.connect(self._show)
            feed.failed.connect(self._camera_failed)
            capture = CoachCapture(feed.sink, Side.RIGHT, self._make_estimator())
            capture.counted.connect(self._counted)
            capture.calibrated.connect(self._calibrated)
            capture.finished.connect(self._finished)
            capture.failed.connect(self._camera_failed)
            self.feed, self.capture = feed, capture
            side = self.current.phase.side or Side.RIGHT
            capture.begin(self.current.number, side)
            capture.start()
        self.feed.open()
        self._show()

    def _make_feed(self, camera_id: str | None) -> VideoFeed:
        if self._feed_factory is not None:
            return self._feed_factory(camera_id)
        from legdrive_timer.ui.coach_camera import CameraFeed

        return CameraFeed(camera_id, self)

    def _make_estimator(self) -> Callable[[], Estimator]:
        if self._estimator_factory is not None:
            return self._estimator_factory

        def pose_model() -> Estimator:
            # On the worker thread: numpy and the pose runtime load there, not on the
            # window's thread.
            from legdrive_timer.coach.pose import PoseModel

            return PoseModel()

        return pose_model

    def _close_camera(self) -> None:
        if self.feed is not None:
            self.feed.close()

    def _camera_failed(self, sentence: str) -> None:
        self._camera_failed_once = True
        log.warning("camera: %s", sentence)
        self._app.window.banner.set_message(BANNER_KEY, sentence)
        self._show()

    @property
    def camera_on(self) -> bool:
        return self.feed is not None and self.feed.active

    # -- what the worker found --------------------------------------------------------------

    def _calibrated(self, number: int) -> None:
        if self.current is not None and self.current.number == number:
            self.current.calibrated = True
            self._show()

    def _counted(self, number: int, rep: Rep) -> None:
        current = self.current
        if current is None or current.number != number or not current.started:
            return
        if number in self._finishing:
            return  # counted as the set ended: `finished` brings it
        current.reps.append(rep)
        self._form_cue(rep, current.reps[:-1])
        self._show()
        phase = current.phase
        engine = self.engine
        planned = phase.reps_planned or 0
        if (
            phase.self_paced
            and engine is not None
            and engine.phase is not None
            and engine.phase.index == phase.index
            and len(current.reps) >= planned
        ):
            engine.done()

    def _form_cue(self, rep: Rep, previous: list[Rep]) -> None:
        from legdrive_timer.audio.cues import COACH_VOICE
        from legdrive_timer.coach.form import form_cue

        cue = form_cue(rep, previous)
        if cue is None:
            return
        self._app.window.session_view.show_form_cue(cue.text)
        cues = self._app.sound.cues
        if cues is not None and self._app.settings_control.current.voice:
            cues.say_coach(COACH_VOICE[cue.key])

    def _finish(self, done: _Set) -> None:
        if self.current is done:
            self.current = None
        if done.started and self.capture is not None:
            self._finishing[done.number] = done
            self.capture.finish(done.number)

    def _finished(self, number: int, reps: Any, calibrated: bool) -> None:
        done = self._finishing.pop(number, None)
        if done is None:
            return
        from legdrive_timer.coach.measures import RepSet
        from legdrive_timer.coach.record import coach_measures

        if not self._finishing:
            self._wind_down()
        side = done.phase.side or Side.RIGHT
        if not calibrated:
            # Never saw the person stand still: it could not count, which is not zero reps.
            self.after_side = f"{side.value.upper()}: {NOT_COUNTED}"
            self._show()
            return
        figures = RepSet(side, tuple(reps))
        self.after_side = side_summary(figures.side, figures)
        try:
            measures = coach_measures(figures)
        except ValueError as error:  # a figure no body can give: shown, not kept
            log.warning(
                "the coach's measures of phase %d were not kept: %s", done.phase.index, error
            )
            measures = None
        if self._session_id is not None and measures is not None:
            self.measured.emit(self._session_id, done.phase.index, measures)
        self._show()

    # -- the screen -------------------------------------------------------------------------

    def _show(self) -> None:
        if not self._app.window.has_session_view:
            return
        view = self._app.window.session_view
        strip = view.coach
        camera = self.camera_on
        if camera != strip.camera_on:
            view.announce("Camera on" if camera else "Camera off")
        strip.set_camera_on(camera)
        current = self.current
        if self.engine is None:
            self._app.window.session_view.show_coach(False)
            return
        if current is not None and current.started:
            strip.show_reps([rep.parallel for rep in current.reps], current.phase.reps_planned)
        elif self.after_side:
            strip.show_text(self.after_side)
        elif current is not None and camera and not current.calibrated:
            strip.show_text(STAND_STILL)
        elif current is not None and camera:
            side = current.phase.side or Side.RIGHT
            strip.show_text(f"Camera ready: {side.value.upper()} knee")
        else:
            strip.show_text("")
        self._app.window.session_view.show_coach(camera or bool(self.after_side))
