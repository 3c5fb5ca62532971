"""One training session at a time: the engine, who listens to it, the ratings asked in
passing and the summary at the end."""

from __future__ import annotations

import dataclasses
import os
import sys
from collections import deque
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication

from legdrive_timer.startup import forget_module_sources

if TYPE_CHECKING:
    from legdrive_timer.core.clock import Clock, Scheduler
    from legdrive_timer.core.engine import SessionEngine, WallClock
    from legdrive_timer.core.events import Event
    from legdrive_timer.core.records import CoachMeasures, SessionRecord
    from legdrive_timer.core.workout import Workout
    from legdrive_timer.storage.journal import SessionJournal
    from legdrive_timer.ui.control.parts import AppParts
    from legdrive_timer.ui.keep_awake import KeepAwake
    from legdrive_timer.ui.sleep_watch import SleepWatcher

SCREENSHOT_DIR_ENV = "LEGDRIVE_TIMER_SCREENSHOT_DIR"
SCREENSHOT_DELAY_MS = 400
"""After a phase starts: past the transition flash, so the shot shows the phase itself."""
KEEP_AWAKE_REASON = "A training session is running"
AFTER_START_WITHIN_MS = 200
"""The latest the keep-awake request and the sleep watch wait for the first phase's paint
(a minimised window may not paint at all)."""
PROMPT_LIFETIME_PHASES = 2
"""The stability prompt goes away when the phase after the one it follows begins."""


class SessionControl(QObject):
    def __init__(
        self,
        app: AppParts,
        keep_awake: KeepAwake | None,
        *,
        clock: Clock | None,
        scheduler: Scheduler | None,
        cue_timer_factory: Callable[[], Scheduler] | None,
        wall_clock: WallClock | None,
        new_session_id: Callable[[], str] | None,
        quit_when_done: bool,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._app = app
        self._keep_awake = keep_awake
        self._keep_awake_notice: str | None = None
        self.sleep_watcher: SleepWatcher | None = None
        self._clock = clock
        self._scheduler = scheduler
        self._cue_timer_factory = cue_timer_factory or self._qt_scheduler
        self._wall_clock = wall_clock
        self._new_session_id = new_session_id
        self.quit_when_done = quit_when_done
        self.engine: SessionEngine | None = None
        self.last_record: SessionRecord | None = None
        self._unsubscribers: list[Callable[[], None]] = []
        self._prompt_session: str | None = None
        self._prompt_age = 0
        # What the user said about this session's phases, shown on its summary.
        self._stability: dict[int, int] = {}
        self._reps_done: dict[int, int] = {}
        self._coach_measures: dict[int, CoachMeasures | None] = {}
        self._shots = _ScreenshotHook.from_env(self)
        # The history hears each event on the event loop's next turn, after the window has
        # painted what the event changed.
        self._for_history: deque[tuple[Callable[[Event], None], Event]] = deque()
        self._history_timer = QTimer(self)
        self._history_timer.setSingleShot(True)
        self._history_timer.setInterval(0)
        self._history_timer.timeout.connect(self.hand_over_history)
        self._after_start_timer = QTimer(self)
        self._after_start_timer.setSingleShot(True)
        self._after_start_timer.timeout.connect(self.after_start)
        app.window.stability_rated.connect(self.rate_stability)
        app.window.reps_corrected.connect(self.correct_reps)

    @property
    def clock(self) -> Clock:
        """The engine's clock: the one given, or the system's suspend-aware clock (loaded
        at the first session, not before the first frame)."""
        if self._clock is None:
            from legdrive_timer.core.clock import suspend_aware_ms

            self._clock = suspend_aware_ms
        return self._clock

    @property
    def scheduler(self) -> Scheduler:
        """The engine's timer: the one given, or a Qt timer made at the first session."""
        if self._scheduler is None:
            self._scheduler = self._qt_scheduler()
        return self._scheduler

    def _qt_scheduler(self) -> Scheduler:
        # Imported on first use: the scheduler module uses PySide6's `Qt` namespace, which
        # the first frame must not wait for (see ui.widgets).
        from legdrive_timer.ui.scheduler import QtScheduler

        return QtScheduler(self.clock, self)

    def watch_sleep(self) -> None:
        """Hear when the machine wakes from sleep (Linux: logind over D-Bus)."""
        if sys.platform.startswith("linux") and self.sleep_watcher is None:
            from legdrive_timer.ui.sleep_watch import SleepWatcher

            self.sleep_watcher = SleepWatcher(self)
            self.sleep_watcher.woke.connect(self.woke_from_sleep)
            self.sleep_watcher.start()

    def woke_from_sleep(self) -> None:
        """The machine slept: the engine's clock counted the sleep, its timer did not. Let
        the engine look now; a running session then pauses as after any late wake-up."""
        wake = getattr(self._scheduler, "wake", None)
        if wake is not None:
            wake()

    @property
    def keep_awake(self) -> KeepAwake:
        """What keeps the screen on during a session: made for the first one (the start
        screen has no use for it)."""
        keep_awake = self._keep_awake
        if keep_awake is None:
            from legdrive_timer import APP_NAME
            from legdrive_timer.ui.keep_awake import KeepAwake

            keep_awake = self._keep_awake = KeepAwake(APP_NAME)
        if keep_awake.on_unavailable is None:
            keep_awake.on_unavailable = self._keep_awake_unavailable
        return keep_awake

    def _keep_awake_unavailable(self, text: str) -> None:
        # Said when the session is over: during it, the banner would take the digits' room.
        self._keep_awake_notice = text

    def start(self, workout: Workout) -> SessionEngine:
        from legdrive_timer.core.engine import SessionEngine, local_now
        from legdrive_timer.core.timeline import compile_workout

        self.end_wiring()
        timeline = compile_workout(workout)
        extra: dict[str, Any] = {}
        if self._new_session_id is not None:
            extra["new_session_id"] = self._new_session_id
        engine = SessionEngine(
            timeline, self.clock, self.scheduler, wall_clock=self._wall_clock or local_now, **extra
        )
        self.engine = engine
        window = self._app.window
        window.dismiss_stability_prompt()
        self._stability.clear()
        self._reps_done.clear()
        self._coach_measures.clear()
        # Who hears a phase change first: what the person hears, then what they see, then
        # the history (its writes run on their own thread; queued here, after the screen).
        cues = self._app.sound.cues
        if cues is not None:
            # The cues get their own timer: the engine's scheduler holds one deadline only.
            cue_timer = self._cue_timer_factory()
            self._unsubscribers.append(cues.attach(engine, clock=self.clock, timer=cue_timer))
        window.session_view.attach(engine)
        # The camera coach's part is made for a session it watches, not for every first one.
        settings = self._app.settings_control.current
        if self._app.has_coach or settings.coach_for(timeline.workout_id):
            self._unsubscribers.append(self._app.coach.attach(engine))
        journal = self._app.history.journal_for_session()
        if journal is not None:
            self._unsubscribers.append(self._attach_after_paint(journal, engine))
        self._unsubscribers.append(engine.subscribe(self._on_event))
        window.banner.set_message("keep_awake", None)
        window.show_screen(window.session_view)
        engine.start()
        # What the first phase does not need waits until it is on screen: asking the desktop
        # to keep the screen on (a bus round trip; at the first session, its library's
        # import) and listening for sleep.
        view = window.session_view
        self._after_start_timer.start(AFTER_START_WITHIN_MS if view.isVisible() else 0)
        view.call_after_paint(self._after_start_soon)
        return engine

    def _after_start_soon(self) -> None:
        if self._after_start_timer.isActive():
            self.after_start()

    def after_start(self) -> None:
        """Keep the screen on while the session runs, and hear when the machine sleeps."""
        from legdrive_timer.core.engine import State

        self._after_start_timer.stop()
        engine = self.engine
        if engine is not None and engine.state in (State.PREP, State.RUNNING):
            # A session paused or over by now asks nothing: resuming asks again.
            self.keep_awake.inhibit(KEEP_AWAKE_REASON)
        # Sleep matters only to a running session: listened for from the first one on.
        self.watch_sleep()
        # The first session loaded the session screen's modules and its own, whose sources
        # PySide6's import hook read (see legdrive_timer.startup).
        forget_module_sources()

    def _attach_after_paint(
        self, journal: SessionJournal, engine: SessionEngine
    ) -> Callable[[], None]:
        """Journal `engine`'s session, each event handed over after the paint it causes."""
        relay = _Relay(engine)
        stop_journal = journal.attach(relay)  # type: ignore[arg-type]
        listener = relay.listener
        assert listener is not None

        def later(event: Event) -> None:
            self._for_history.append((listener, event))
            self._history_timer.start()

        stop_listening = engine.subscribe(later)

        def detach() -> None:
            stop_listening()
            self.hand_over_history()
            stop_journal()

        return detach

    def hand_over_history(self) -> None:
        """Give the history every event heard so far (before a rating, at the end)."""
        self._history_timer.stop()
        while self._for_history:
            listener, event = self._for_history.popleft()
            listener(event)

    def end_wiring(self) -> None:
        for unsubscribe in self._unsubscribers:
            unsubscribe()
        self._unsubscribers.clear()
        if self._app.window.has_session_view:  # not built just to detach it (closing at start)
            self._app.window.session_view.detach()

    def _on_event(self, event: Event) -> None:
        from legdrive_timer.core.events import (
            Paused,
            PhaseEnded,
            PhaseStarted,
            Resumed,
            SessionEnded,
        )
        from legdrive_timer.core.timeline import PhaseKind

        window = self._app.window
        if isinstance(event, Paused):
            self.keep_awake.release()  # a paused session may let the screen sleep
        elif isinstance(event, Resumed):
            self.keep_awake.inhibit(KEEP_AWAKE_REASON)
        elif isinstance(event, PhaseEnded):
            phase = event.phase
            if phase.kind is PhaseKind.WORK and phase.reps_planned is not None and phase.side:
                assert self.engine is not None
                self._prompt_session = self.engine.session_id
                self._prompt_age = 0
                window.stability_prompt.ask(phase, event.segment.reps_done)
        elif isinstance(event, PhaseStarted):
            self._prompt_age += 1
            if self._prompt_age >= PROMPT_LIFETIME_PHASES:
                window.dismiss_stability_prompt()
            if self._shots is not None:
                self._shots.phase_started(event.phase.index, event.phase.kind.value)
        elif isinstance(event, SessionEnded):
            self.last_record = event.record
            self.keep_awake.release()
            if self._keep_awake_notice is not None:
                window.banner.set_message("keep_awake", self._keep_awake_notice)
                self._keep_awake_notice = None
            self._show_summary()
            self.end_wiring()
            self._app.history.session_over()
            window.show_screen(window.summary_view)
            if self._shots is not None:
                self._shots.phase_started(len(event.record.segments), "summary")
            if self.quit_when_done:
                QTimer.singleShot(0, self.quit)

    def stop(self) -> None:
        """A running session ends as stopped (the app is closing)."""
        if self.engine is not None and self.engine.is_active:
            self.engine.stop()
        self.end_wiring()
        self._after_start_timer.stop()
        if self._keep_awake is not None:
            self._keep_awake.release()
        if self.sleep_watcher is not None:
            self.sleep_watcher.stop()

    # -- ratings -----------------------------------------------------------------------

    def rate_stability(self, phase_index: int, rating: int) -> None:
        self.hand_over_history()  # the phase rated is recorded first
        journal = self._app.history.journal
        if journal is not None and self._prompt_session is not None:
            journal.set_stability(self._prompt_session, phase_index, rating)
        self._stability[phase_index] = rating
        self._show_summary()

    def correct_reps(self, phase_index: int, reps: int) -> None:
        self.hand_over_history()
        journal = self._app.history.journal
        if journal is not None and self._prompt_session is not None:
            journal.set_reps_done(self._prompt_session, phase_index, reps)
        self._reps_done[phase_index] = reps
        self._show_summary()

    def record_coach(
        self, session_id: str, phase_index: int, measures: CoachMeasures | None
    ) -> None:
        """What the camera coach measured in a side's set, for the history and the summary."""
        self.hand_over_history()  # the phase is recorded first
        journal = self._app.history.journal
        if journal is not None:
            journal.set_coach(session_id, phase_index, measures)
        if self.engine is not None and self.engine.session_id == session_id:
            self._coach_measures[phase_index] = measures
            self._show_summary()
        if measures is not None and session_id == self._prompt_session:
            # The strip's "Reps done" starts from what the camera counted rather than the
            # plan, unless the person has already set it; the record follows the strip.
            prompt = self._app.window.prompt_asking(phase_index)
            if prompt is not None and phase_index not in self._reps_done:
                prompt.correct_reps(measures.reps_counted)

    def rate_effort(self, effort: int) -> None:
        self.hand_over_history()
        if self.last_record is not None:
            self._app.history.rate_effort(self.last_record.session_id, effort)

    def _show_summary(self) -> None:
        """The summary of the last session, with the user's ratings and corrections."""
        record = self.last_record
        if record is None or self.engine is None or record.session_id != self.engine.session_id:
            return  # a rating given during a session shows on that session's summary
        segments = tuple(
            dataclasses.replace(
                s,
                stability=self._stability.get(s.phase_index, s.stability),
                reps_done=self._reps_done.get(s.phase_index, s.reps_done),
                coach=self._coach_measures.get(s.phase_index, s.coach),
            )
            for s in record.segments
        )
        self._app.window.summary_view.show_record(dataclasses.replace(record, segments=segments))

    def quit(self) -> None:
        if self._shots is not None:
            self._shots.flush()
        self._app.window.close()
        app = QApplication.instance()
        if app is not None:
            app.quit()


class _Relay:
    """Stands in for the engine towards the journal: keeps the listener the journal
    subscribes, so that events reach it later; everything else is the engine's."""

    def __init__(self, engine: SessionEngine) -> None:
        self._engine = engine
        self.listener: Callable[[Event], None] | None = None

    def subscribe(self, listener: Callable[[Event], None]) -> Callable[[], None]:
        self.listener = listener
        return lambda: None

    def __getattr__(self, name: str) -> Any:
        return getattr(self._engine, name)


class _ScreenshotHook:
    """Saves a screenshot shortly after each phase starts (LEGDRIVE_TIMER_SCREENSHOT_DIR).

    The shot is of the whole screen as the display server has it, so an end-to-end test
    sees the real window, not a re-render of it.
    """

    def __init__(self, folder: Path, parent: QObject) -> None:
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self._timer = QTimer(parent)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SCREENSHOT_DELAY_MS)
        self._timer.timeout.connect(self._take)
        self._name = ""

    @classmethod
    def from_env(cls, parent: QObject) -> _ScreenshotHook | None:
        folder = os.environ.get(SCREENSHOT_DIR_ENV)
        return cls(Path(folder), parent) if folder else None

    def phase_started(self, index: int, kind: str) -> None:
        if self._timer.isActive():
            self._take()
        self._name = f"{index:03d}-{kind}.png"
        self._timer.start()

    def flush(self) -> None:
        """Take the pending shot now (the app is about to close)."""
        if self._timer.isActive():
            QApplication.processEvents()
            self._take()

    def _take(self) -> None:
        from PySide6.QtGui import QGuiApplication

        self._timer.stop()
        screen = QGuiApplication.primaryScreen()
        if screen is None:
            return
        screen.grabWindow(0).save(str(self.folder / self._name))
