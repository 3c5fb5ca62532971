"""The composition root: builds the app's parts and connects them.

Settings, history, audio cues, the Qt scheduler and the window are made here, once; a
session engine is made per session and each part subscribes to its events. Nothing else
in the app constructs these, so tests build the same app with a fake clock and scheduler.
"""

from __future__ import annotations

import binascii
import contextlib
import dataclasses
import logging
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from legdrive_timer import APP_ID, APP_NAME, __version__
from legdrive_timer.core.clock import Clock, Scheduler, suspend_aware_ms
from legdrive_timer.core.timeline import PhaseKind, compile_workout
from legdrive_timer.core.workout import Workout
from legdrive_timer.errors import UserError
from legdrive_timer.logs import Diagnostics, Reporter, print_to_stderr
from legdrive_timer.startup import resume_collection
from legdrive_timer.storage.paths import DataPaths
from legdrive_timer.storage.settings import adjusted_workout, load_settings, save_settings
from legdrive_timer.storage.workouts import WorkoutLibrary, load_library
from legdrive_timer.ui.keep_awake import KeepAwake
from legdrive_timer.ui.main_window import MainWindow

if TYPE_CHECKING:
    from legdrive_timer.audio import CueSystem
    from legdrive_timer.core.engine import SessionEngine, WallClock
    from legdrive_timer.core.events import Event
    from legdrive_timer.core.records import SessionRecord
    from legdrive_timer.storage.history import HistoryStore
    from legdrive_timer.storage.journal import SessionJournal
    from legdrive_timer.ui.single_instance import InstanceServer
    from legdrive_timer.ui.sleep_watch import SleepWatcher
    from legdrive_timer.ui.sound_dialog import SoundDialog
    from legdrive_timer.ui.summary_view import SummaryView

log = logging.getLogger(__name__)

SCREENSHOT_DIR_ENV = "LEGDRIVE_TIMER_SCREENSHOT_DIR"
SCREENSHOT_DELAY_MS = 400
"""After a phase starts: past the transition flash, so the shot shows the phase itself."""
KEEP_AWAKE_REASON = "A training session is running"
PROMPT_LIFETIME_PHASES = 2
"""The stability prompt goes away when the phase after the one it follows begins."""


class AppController(QObject):
    """Owns the long-lived parts and one session at a time. Tests build it on an existing
    QApplication with a fake clock and scheduler injected."""

    def __init__(
        self,
        paths: DataPaths,
        *,
        clock: Clock = suspend_aware_ms,
        scheduler: Scheduler | None = None,
        audio: str | None = None,
        wall_clock: WallClock | None = None,
        new_session_id: Callable[[], str] | None = None,
        quit_when_done: bool = False,
        cue_timer_factory: Callable[[], Scheduler] | None = None,
        defer_services: bool = False,
        keep_awake: KeepAwake | None = None,
    ) -> None:
        super().__init__()
        self.keep_awake = keep_awake or KeepAwake(APP_NAME)
        if self.keep_awake.on_unavailable is None:
            self.keep_awake.on_unavailable = self._keep_awake_unavailable
        self.sleep_watcher: SleepWatcher | None = None
        self._keep_awake_notice: str | None = None
        self.paths = paths
        self.clock = clock
        self._scheduler = scheduler
        self.wall_clock = wall_clock
        self.new_session_id = new_session_id
        self.quit_when_done = quit_when_done
        self.cue_timer_factory: Callable[[], Scheduler] = cue_timer_factory or self._qt_scheduler
        self.sound_dialog: SoundDialog | None = None
        self.history_page: QWidget | None = None
        self.engine: SessionEngine | None = None
        self.last_record: SessionRecord | None = None
        self._session_unsubscribers: list[Callable[[], None]] = []
        self._prompt_session: str | None = None
        # What the user said about this session's phases, shown on its summary.
        self._stability: dict[int, int] = {}
        self._reps_done: dict[int, int] = {}
        self._prompt_age = 0
        self._shots = _ScreenshotHook.from_env(self)
        self.launch_server: InstanceServer | None = None

        self.window = MainWindow()
        banner = self.window.banner
        self.settings, problem = load_settings(paths.settings_file)
        banner.set_message("settings", problem)
        self.library = self._load_library()

        self.store: HistoryStore | None = None
        self.journal: SessionJournal | None = None
        self.cues: CueSystem | None = None
        self._audio_choice = audio or self.settings.audio_backend
        self.services_loaded = False

        start = self.window.start_screen
        start.start_requested.connect(self.start_by_id)
        start.adjust_requested.connect(self.adjust)
        start.sound_requested.connect(self.open_sound_settings)
        start.history_requested.connect(self.open_history)
        start.history_button.hide()
        self.window.summary_created.append(self._wire_summary)
        self.window.stability_rated.connect(self.rate_stability)
        self.window.reps_corrected.connect(self.correct_reps)
        self.window.mute_requested.connect(self.toggle_mute)
        self.window.closing.connect(self.shutdown)
        self._restore_geometry()
        self.refresh_workouts()
        self.window.show_screen(start)
        if not defer_services:
            self.load_services()

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

    def _wire_summary(self, summary: SummaryView) -> None:
        summary.back_requested.connect(self.back_to_start)
        summary.effort_rated.connect(self.rate_effort)

    def load_services(self) -> None:
        """Open the history and load the sounds.

        Separate from construction so that `run_app` can paint the window first: these
        are the slow parts of start-up (SQLite, audio backends, decoding the cue sounds).
        """
        if self.services_loaded:
            return
        self.services_loaded = True
        from legdrive_timer.audio import CueSystem

        self._open_history()
        self.window.start_screen.history_button.setVisible(self.store is not None)
        self.cues = CueSystem.create(
            self._audio_choice,
            volume=self.settings.volume,
            muted=self.settings.muted,
            voice=self.settings.voice,
            device=self.settings.audio_device,
        )
        self.cues.add_status_listener(self._on_sound_status)
        self._on_sound_status(self.cues.status)
        if sys.platform.startswith("linux"):
            from legdrive_timer.ui.sleep_watch import SleepWatcher

            self.sleep_watcher = SleepWatcher(self)
            self.sleep_watcher.woke.connect(self.woke_from_sleep)
            self.sleep_watcher.start()

    def _keep_awake_unavailable(self, text: str) -> None:
        # Said when the session is over: during it, the banner would take the digits' room.
        self._keep_awake_notice = text

    def woke_from_sleep(self) -> None:
        """The machine slept: the engine's clock counted the sleep, its timer did not. Let
        the engine look now; a running session then pauses as after any late wake-up."""
        scheduler = self._scheduler
        wake = getattr(scheduler, "wake", None)
        if wake is not None:
            wake()

    # -- set-up ------------------------------------------------------------------------

    def _load_library(self) -> WorkoutLibrary:
        library = load_library(self.paths.workouts_dir)
        self.window.banner.set_message(
            "workouts", "\n".join(library.problems) if library.problems else None
        )
        return library

    def _open_history(self) -> None:
        from legdrive_timer.storage.history import HistoryError, HistoryStore
        from legdrive_timer.storage.journal import SessionJournal

        try:
            self.store = HistoryStore.open(self.paths.history_db)
        except HistoryError as error:
            self.window.banner.set_message("history", f"{error} Sessions are not saved.")
            return
        self.window.banner.set_message("history", self.store.notice)
        self.journal = SessionJournal(self.store)
        self.journal.on_problem.append(lambda p: self.window.banner.set_message("journal", p))

    def _restore_geometry(self) -> None:
        if self.settings.window_geometry:
            try:
                data = binascii.a2b_base64(self.settings.window_geometry)
            except (binascii.Error, ValueError):
                data = b""
            if data and self.window.restoreGeometry(data):
                return
        self.window.resize(1024, 640)

    def save_settings(self, **changes: Any) -> None:
        self.settings = dataclasses.replace(self.settings, **changes)
        try:
            save_settings(self.paths.settings_file, self.settings)
        except OSError as error:
            self.window.banner.set_message(
                "settings", f"The settings could not be saved ({error.strerror or error})."
            )

    # -- workouts ----------------------------------------------------------------------

    def effective_workout(self, workout: Workout) -> Workout:
        """The workout with the lengths the user set for it; bad ones are reported."""
        effective, problem = adjusted_workout(workout, self.settings)
        if problem is not None:
            self.window.banner.set_message("overrides", problem)
        return effective

    def refresh_workouts(self) -> None:
        listed = [(w, self.effective_workout(w)) for w in self.library.workouts]
        self.window.start_screen.set_workouts(
            [effective for _, effective in listed],
            self.settings.last_workout_id,
            adjusted_ids={w.id for w, effective in listed if effective != w},
        )

    def adjust(self, workout_id: str) -> None:
        from legdrive_timer.ui.adjust_dialog import AdjustDialog

        workout = self.library.get(workout_id)
        if workout is None:
            return
        dialog = AdjustDialog(workout, self.settings.overrides_for(workout_id), self.window)
        self.adjust_dialog = dialog
        if dialog.exec() and dialog.result_overrides is not None:
            self.settings = self.settings.with_overrides(workout_id, dialog.result_overrides)
            self.save_settings()
            self.refresh_workouts()

    # -- sessions ----------------------------------------------------------------------

    def start_by_id(self, workout_id: str) -> None:
        workout = self.library.get(workout_id)
        if workout is not None:
            self.save_settings(last_workout_id=workout_id)
            self.start(self.effective_workout(workout))

    def start(self, workout: Workout) -> SessionEngine:
        from legdrive_timer.core.engine import SessionEngine, State, local_now

        self.load_services()
        self.end_session_wiring()
        timeline = compile_workout(workout)
        extra: dict[str, Any] = {}
        if self.new_session_id is not None:
            extra["new_session_id"] = self.new_session_id
        engine = SessionEngine(
            timeline, self.clock, self.scheduler, wall_clock=self.wall_clock or local_now, **extra
        )
        self.engine = engine
        # The journal first: by the time anything else hears of a phase, it is saved.
        if self.journal is not None:
            self._session_unsubscribers.append(self.journal.attach(engine))
        if self.cues is not None:
            # The cues get their own timer: the engine's scheduler holds one deadline only.
            cue_timer = self.cue_timer_factory()
            self._session_unsubscribers.append(
                self.cues.attach(engine, clock=self.clock, timer=cue_timer)
            )
        self._session_unsubscribers.append(engine.subscribe(self._on_event))
        self.window.dismiss_stability_prompt()
        self._stability.clear()
        self._reps_done.clear()
        self.window.session_view.attach(engine)
        self.window.banner.set_message("keep_awake", None)
        self.window.show_screen(self.window.session_view)
        engine.start()
        # After the first phase is on screen: asking the desktop takes a bus round trip.
        if engine.state in (State.PREP, State.RUNNING):
            self.keep_awake.inhibit(KEEP_AWAKE_REASON)
        return engine

    def end_session_wiring(self) -> None:
        for unsubscribe in self._session_unsubscribers:
            unsubscribe()
        self._session_unsubscribers.clear()
        if self.window.has_session_view:  # not built just to detach it (closing at start)
            self.window.session_view.detach()

    def _on_event(self, event: Event) -> None:
        from legdrive_timer.core.events import (
            Paused,
            PhaseEnded,
            PhaseStarted,
            Resumed,
            SessionEnded,
        )

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
                self.window.stability_prompt.ask(phase, event.segment.reps_done)
        elif isinstance(event, PhaseStarted):
            self._prompt_age += 1
            if self._prompt_age >= PROMPT_LIFETIME_PHASES:
                self.window.dismiss_stability_prompt()
            if self._shots is not None:
                self._shots.phase_started(event.phase.index, event.phase.kind.value)
        elif isinstance(event, SessionEnded):
            self.last_record = event.record
            self.keep_awake.release()
            if self._keep_awake_notice is not None:
                self.window.banner.set_message("keep_awake", self._keep_awake_notice)
                self._keep_awake_notice = None
            self._show_summary()
            self.end_session_wiring()
            self.window.show_screen(self.window.summary_view)
            if self._shots is not None:
                self._shots.phase_started(len(event.record.segments), "summary")
            if self.quit_when_done:
                QTimer.singleShot(0, self.quit)

    def back_to_start(self) -> None:
        self.window.dismiss_stability_prompt()
        self.refresh_workouts()
        self.window.show_screen(self.window.start_screen)

    # -- ratings -----------------------------------------------------------------------

    def rate_stability(self, phase_index: int, rating: int) -> None:
        if self.journal is not None and self._prompt_session is not None:
            self.journal.set_stability(self._prompt_session, phase_index, rating)
        self._stability[phase_index] = rating
        self._show_summary()

    def correct_reps(self, phase_index: int, reps: int) -> None:
        if self.journal is not None and self._prompt_session is not None:
            self.journal.set_reps_done(self._prompt_session, phase_index, reps)
        self._reps_done[phase_index] = reps
        self._show_summary()

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
            )
            for s in record.segments
        )
        self.window.summary_view.show_record(dataclasses.replace(record, segments=segments))

    def rate_effort(self, effort: int) -> None:
        record = self.last_record
        if self.journal is not None and record is not None:
            self.journal.set_effort(record.session_id, effort)

    # -- sound -------------------------------------------------------------------------

    def _on_sound_status(self, status: str | None) -> None:
        from legdrive_timer.audio import SOUND_OFF

        # Sound chosen off is the user's choice, not a problem: the start screen says it
        # quietly. A problem goes to the banner, above every screen, and only there.
        chosen_off = status == SOUND_OFF
        self.window.start_screen.set_sound_status(status if chosen_off else None)
        self.window.banner.set_message("sound", None if chosen_off else status)
        dialog = self.sound_dialog
        if dialog is not None:
            dialog.set_status(status)

    def toggle_mute(self) -> None:
        muted = not self.settings.muted
        if self.cues is not None:
            self.cues.set_muted(muted)
        self.save_settings(muted=muted)

    def open_sound_settings(self) -> None:
        from legdrive_timer.ui.sound_dialog import SoundDialog

        cues = self.cues

        def volume(v: float) -> None:
            if cues is not None:
                cues.set_volume(v)
            self.save_settings(volume=v)

        def muted(m: bool) -> None:
            if cues is not None:
                cues.set_muted(m)
            self.save_settings(muted=m)

        def voice(v: bool) -> None:
            if cues is not None:
                cues.set_voice(v)
            self.save_settings(voice=v)

        def device(name: str | None) -> None:
            if cues is not None:
                cues.set_device(name)
            self.save_settings(audio_device=name)

        dialog = SoundDialog(
            volume=self.settings.volume,
            muted=self.settings.muted,
            voice=self.settings.voice,
            devices=cues.devices() if cues is not None else [],
            device=self.settings.audio_device,
            status=cues.status if cues is not None else None,
            on_volume=volume,
            on_muted=muted,
            on_voice=voice,
            on_device=device,
            on_test=cues.play_test if cues is not None else lambda: None,
            parent=self.window,
        )
        self.sound_dialog = dialog
        dialog.exec()
        self.sound_dialog = None

    # -- history -----------------------------------------------------------------------

    def open_history(self) -> None:
        if self.store is None:
            return
        if self.history_page is None:
            # Imported on first use: the history view pulls in the charts, not needed to train.
            from PySide6.QtCore import Qt
            from PySide6.QtGui import QKeySequence, QShortcut
            from PySide6.QtWidgets import QPushButton, QVBoxLayout

            from legdrive_timer.ui.history_view import HistoryView

            page = QWidget()
            page.setObjectName("history_page")
            back = QPushButton("◀ Back to start   Esc")
            back.setAccessibleName("Back to the start screen")
            back.setMinimumHeight(44)
            back.clicked.connect(self.back_to_start)
            self.history_view = HistoryView(self.store, protected=self.paths.own_files())
            layout = QVBoxLayout(page)
            layout.addWidget(back)
            layout.addWidget(self.history_view, 1)
            escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), page)
            escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            escape.activated.connect(self.back_to_start)
            self.history_page = page
            self.window.stack.addWidget(page)
        self.window.show_screen(self.history_page)

    # -- other launches ----------------------------------------------------------------

    def serve_launches(self) -> None:
        """Answer later launches on this data folder (see ui.single_instance)."""
        from legdrive_timer.ui.single_instance import InstanceServer, server_name

        self.launch_server = InstanceServer(
            server_name(self.paths.data_dir), self.handle_launch, self
        )
        self.launch_server.listen()

    def handle_launch(self, request: dict[str, Any]) -> dict[str, Any]:
        """Another launch on this data folder: come to the front, and run its workout
        unless a session is already running here."""
        from legdrive_timer.core import workout_format
        from legdrive_timer.core.workout import WorkoutError

        window = self.window
        if window.isMinimized():
            window.showNormal()
        window.raise_()
        window.activateWindow()
        if request.get("action") != "run":
            return {"status": 0, "message": f"{APP_NAME} is already open: it is in front now."}
        try:
            workout = workout_format.loads(str(request.get("workout")))
        except WorkoutError as error:
            return {"status": 2, "message": str(error)}
        if self.engine is not None and self.engine.is_active:
            return {
                "status": 1,
                "message": (
                    f"A session is already running in the open window; "
                    f"{workout.name} was not started."
                ),
            }
        log.info("started %s at another launch's request", workout.id)
        if request.get("fullscreen") is True:
            window.showFullScreen()
        self.start(workout)
        return {"status": 0, "message": f"{workout.name} started in the open window."}

    # -- shutdown ----------------------------------------------------------------------

    def shutdown(self) -> None:
        """On close: a running session ends as stopped; geometry and settings are kept."""
        if self.engine is not None and self.engine.is_active:
            self.engine.stop()
        self.end_session_wiring()
        self.keep_awake.release()
        if self.sleep_watcher is not None:
            self.sleep_watcher.stop()
        if self.launch_server is not None:
            self.launch_server.close()
        geometry = binascii.b2a_base64(self.window.saveGeometry().data(), newline=False).decode()
        self.save_settings(window_geometry=geometry)
        if self.journal is not None:
            self.journal.flush()
        if self.cues is not None:
            self.cues.close()
            self.cues = None
        if self.store is not None:
            self.store.close()
            self.store = None

    def quit(self) -> None:
        if self._shots is not None:
            self._shots.flush()
        self.window.close()
        app = QApplication.instance()
        if app is not None:
            app.quit()


def _window_reporter(window: QWidget | None) -> Reporter:
    """Unexpected errors in the window: one sentence in a message box, and on stderr for
    whoever started it from a terminal. Over the window the box does not block, so the
    session goes on; before there is a window, it waits to be read."""

    def report(sentence: str) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QMessageBox

        print_to_stderr(sentence)
        box = QMessageBox(QMessageBox.Icon.Critical, APP_NAME, sentence, parent=window)
        box.setObjectName("unexpected_error_box")
        if window is None:
            box.exec()
            return
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    return report


def _log_start() -> None:
    import platform

    from PySide6 import __version__ as pyside_version

    log.info(
        "%s %s started (Python %s, PySide6 %s, %s)",
        APP_NAME,
        __version__,
        platform.python_version(),
        pyside_version,
        platform.platform(),
    )


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


def run_app(
    paths: DataPaths,
    *,
    workout: Workout | None,
    audio: str | None,
    fullscreen: bool,
    quit_when_done: bool,
    diagnostics: Diagnostics | None = None,
) -> int:
    """Open the window, or hand over to the one already open on this data folder."""
    from legdrive_timer.ui.single_instance import InstanceLock

    lock = InstanceLock(paths.instance_lock)
    held = lock.acquire()
    if held is False:
        return _hand_over(paths, workout, fullscreen)
    try:
        return _run_window(
            paths,
            workout=workout,
            audio=audio,
            fullscreen=fullscreen,
            quit_when_done=quit_when_done,
            diagnostics=diagnostics,
            serve_launches=held is True,
        )
    finally:
        lock.release()


def _hand_over(paths: DataPaths, workout: Workout | None, fullscreen: bool) -> int:
    from legdrive_timer.core import workout_format
    from legdrive_timer.ui.single_instance import hand_over, server_name

    request: dict[str, Any] = {"action": "show"}
    if workout is not None:
        request = {
            "action": "run",
            "workout": workout_format.dumps(workout),
            "fullscreen": fullscreen,
        }
    reply = hand_over(server_name(paths.data_dir), request)
    if reply is None:
        print_to_stderr(
            f"{APP_NAME} is already open on {paths.data_dir} but did not answer; "
            "close it and try again."
        )
        return 1
    status = reply.get("status")
    status = status if isinstance(status, int) else 1
    print(f"legdrive-timer: {reply.get('message', '')}", file=sys.stderr if status else sys.stdout)
    return status


def _run_window(
    paths: DataPaths,
    *,
    workout: Workout | None,
    audio: str | None,
    fullscreen: bool,
    quit_when_done: bool,
    diagnostics: Diagnostics | None,
    serve_launches: bool,
) -> int:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    if diagnostics is not None:
        diagnostics.reporter = _window_reporter(None)
    try:
        controller = AppController(
            paths, audio=audio, quit_when_done=quit_when_done, defer_services=True
        )
    except UserError as error:
        print(f"legdrive-timer: {error}", file=sys.stderr)
        return 2
    window = controller.window
    if diagnostics is not None:
        diagnostics.reporter = _window_reporter(window)

    def after_first_frame() -> None:
        try:
            if diagnostics is not None:
                diagnostics.attach_file()
                _log_start()
            if serve_launches:
                controller.serve_launches()
            controller.load_services()
            if workout is not None:
                controller.start(workout)
        finally:
            resume_collection()

    # The slow parts wait until the window is on screen, so it appears at once. The window
    # emits first_painted once only.
    window.first_painted.connect(lambda: QTimer.singleShot(0, after_first_frame))
    if fullscreen:
        window.showFullScreen()
    else:
        window.show()
    status = app.exec()
    with contextlib.suppress(RuntimeError):
        window.close()
    return status
