"""The composition root: builds the app's parts and connects them.

Settings, sound, history, workouts and the running session each live in their own part
(`ui.control`); this module makes them once, wires the window's requests to them and runs
the app. Nothing else constructs these, so tests build the same app with a fake clock and
scheduler.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from legdrive_timer import APP_ID, APP_NAME, __version__
from legdrive_timer.core.workout import Workout
from legdrive_timer.errors import UserError
from legdrive_timer.logs import Diagnostics, Reporter, print_to_stderr
from legdrive_timer.startup import collect_due, forget_module_sources, resume_collection
from legdrive_timer.storage.paths import DataPaths
from legdrive_timer.ui.control.history import HistoryControl
from legdrive_timer.ui.control.session import SessionControl
from legdrive_timer.ui.control.settings import SettingsControl
from legdrive_timer.ui.control.sound import SoundControl
from legdrive_timer.ui.control.workouts import WorkoutsControl
from legdrive_timer.ui.main_window import MainWindow

if TYPE_CHECKING:
    from legdrive_timer.audio import CueSystem
    from legdrive_timer.core.clock import Clock, Scheduler
    from legdrive_timer.core.engine import SessionEngine, WallClock
    from legdrive_timer.storage.history import HistoryStore
    from legdrive_timer.storage.journal import SessionJournal
    from legdrive_timer.storage.settings import Settings
    from legdrive_timer.ui.coach_camera import VideoFeed
    from legdrive_timer.ui.coach_capture import Estimator
    from legdrive_timer.ui.control.coach import CoachControl
    from legdrive_timer.ui.keep_awake import KeepAwake
    from legdrive_timer.ui.single_instance import InstanceServer
    from legdrive_timer.ui.summary_view import SummaryView

if TYPE_CHECKING:
    import signal as _signal
else:
    # `signal` without the enum classes of every signal and handler that it builds as it
    # loads: `_signal` is the C module it wraps, with the same functions and numbers (as
    # plain ints), loaded by every CPython at start (Windows too).
    import _signal

log = logging.getLogger(__name__)


class AppController(QObject):
    """Builds the app's parts and connects them; each part owns its own state and finds
    the others through this root (`ui.control.parts.AppParts`).

    Tests build it on an existing QApplication with a fake clock and scheduler injected.
    The properties below are the parts' state as a test or script asks for it.
    """

    def __init__(
        self,
        paths: DataPaths,
        *,
        clock: Clock | None = None,
        scheduler: Scheduler | None = None,
        audio: str | None = None,
        wall_clock: WallClock | None = None,
        new_session_id: Callable[[], str] | None = None,
        quit_when_done: bool = False,
        cue_timer_factory: Callable[[], Scheduler] | None = None,
        defer_services: bool = False,
        keep_awake: KeepAwake | None = None,
        coach_feed_factory: Callable[[str | None], VideoFeed] | None = None,
        coach_estimator_factory: Callable[[], Estimator] | None = None,
    ) -> None:
        super().__init__()
        self.paths = paths
        self.window = window = MainWindow()
        self.settings_control = SettingsControl(paths, window.banner, self)
        self.sound = SoundControl(self, audio, self)
        self.history = HistoryControl(self, self)
        self.workouts = WorkoutsControl(self, self)
        self._coach: CoachControl | None = None
        self._coach_options = (coach_feed_factory, coach_estimator_factory)
        self.session = SessionControl(
            self,
            keep_awake,
            clock=clock,
            scheduler=scheduler,
            cue_timer_factory=cue_timer_factory,
            wall_clock=wall_clock,
            new_session_id=new_session_id,
            quit_when_done=quit_when_done,
            parent=self,
        )
        self.services_loaded = False
        self.launch_server: InstanceServer | None = None

        start = window.start_screen
        start.start_requested.connect(self.start_by_id)
        start.adjust_requested.connect(self.workouts.adjust)
        start.workout_command_requested.connect(self.workouts.command)
        start.sound_requested.connect(self.sound.open_dialog)
        start.coach_requested.connect(
            lambda workout_id: self.coach.open_dialog(self.workouts.get(workout_id))
        )
        start.history_requested.connect(self.history.show)
        start.help_requested.connect(window.toggle_help)
        start.set_history_available(False)
        window.summary_created.append(self._wire_summary)
        window.mute_requested.connect(self.sound.toggle_mute)
        window.closing.connect(self.shutdown)
        self.settings_control.restore_geometry(window)
        self.workouts.refresh()
        window.show_screen(start)
        if not defer_services:
            self.load_services()

    @property
    def coach(self) -> CoachControl:
        """The camera coach's part, made when first needed (a session or its settings):
        start-up does not load it."""
        if self._coach is None:
            from legdrive_timer.ui.control.coach import CoachControl

            feed_factory, estimator_factory = self._coach_options
            self._coach = CoachControl(
                self,
                feed_factory=feed_factory,
                estimator_factory=estimator_factory,
                parent=self,
            )
            self._coach.measured.connect(self.session.record_coach)
        return self._coach

    @property
    def has_coach(self) -> bool:
        return self._coach is not None

    def _wire_summary(self, summary: SummaryView) -> None:
        summary.back_requested.connect(self.back_to_start)
        summary.effort_rated.connect(self.session.rate_effort)

    def load_services(self) -> None:
        """Load the sounds and offer the history.

        Separate from construction so that `run_app` can paint the window first: the audio
        backends and the cue sounds are the slow part of start-up. The history is opened
        when first needed (`HistoryControl`): the first session, or its screen.
        """
        if self.services_loaded:
            return
        self.services_loaded = True
        self.window.start_screen.set_history_available(self.history.available)
        self.sound.load()
        # The step imports modules whose sources PySide6's import hook reads: forgotten
        # at once, their memory serves what comes next.
        forget_module_sources()

    def start_by_id(self, workout_id: str) -> None:
        workout = self.workouts.get(workout_id)
        if workout is not None:
            self.settings_control.update(last_workout_id=workout_id)
            self.start(workout)

    def start(self, workout: Workout) -> SessionEngine:
        self.load_services()
        return self.session.start(self.workouts.led(workout))

    def back_to_start(self) -> None:
        self.window.dismiss_stability_prompt()
        self.workouts.refresh()
        self.window.show_screen(self.window.start_screen)

    def refresh_workouts(self) -> None:
        self.workouts.refresh()

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

    def shutdown(self) -> None:
        """On close: a running session ends as stopped; geometry and settings are kept."""
        self.session.stop()
        if self._coach is not None:
            self._coach.close()
        if self.launch_server is not None:
            self.launch_server.close()
        self.settings_control.remember_geometry(self.window)
        self.settings_control.flush()
        self.history.close()
        self.sound.close()

    def quit(self) -> None:
        self.session.quit()

    # -- the parts' state, for tests and scripts ---------------------------------------

    @property
    def settings(self) -> Settings:
        return self.settings_control.current

    @settings.setter
    def settings(self, settings: Settings) -> None:
        self.settings_control.replace(settings)

    @property
    def engine(self) -> SessionEngine | None:
        return self.session.engine

    @property
    def cues(self) -> CueSystem | None:
        return self.sound.cues

    @property
    def store(self) -> HistoryStore | None:
        """The history database once something opened it (this never opens it)."""
        return self.history.store

    @property
    def journal(self) -> SessionJournal | None:
        """The history's journal, given every event heard so far."""
        self.session.hand_over_history()
        return self.history.journal


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


def show_start_problem(sentence: str) -> None:
    """A problem that keeps the window from opening, shown where the person who opened it
    from the desktop (with no terminal to read) looks for the window: one message box."""
    from PySide6.QtWidgets import QMessageBox

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setDesktopFileName(APP_ID)
    box = QMessageBox(QMessageBox.Icon.Critical, APP_NAME, sentence)
    box.setObjectName("start_problem_box")
    box.exec()


def _log_start() -> None:
    from PySide6 import __version__ as pyside_version

    if hasattr(os, "uname"):
        # What platform.system(), release() and machine() say, without loading `platform`
        # (and never platform.platform(): it reads the whole Python executable to find the
        # C library's version, about 1 MiB and 20 ms at every start).
        system, _node, release, _version, machine = os.uname()
    else:
        import platform

        system, release, machine = platform.system(), platform.release(), platform.machine()
    log.info(
        "%s %s started (Python %s, PySide6 %s, %s %s %s)",
        APP_NAME,
        __version__,
        sys.version.split()[0],  # platform.python_version()
        pyside_version,
        system,
        release,
        machine,
    )


class _CloseOnSignals(QObject):
    """SIGTERM (logout, shutdown, `kill`) and SIGINT (Ctrl+C in a terminal) close the window
    as the user would: a running session is saved as stopped and the screen let go.

    Python runs a signal's handler only when it next gets control, which a Qt event loop
    waiting for events does not give it: the signal also writes to a socket that Qt
    watches, and reading it lets the handler run. A child of the app, so it lives as long.
    """

    def __init__(self, app: QApplication, close: Callable[[], None]) -> None:
        from PySide6.QtCore import QSocketNotifier

        super().__init__(app)
        self._close = close
        # A pipe rather than a socket pair: POSIX only (see run_app), and `socket` would
        # be one more module to load at start.
        self._receiver, self._sender = os.pipe()
        os.set_blocking(self._receiver, False)
        os.set_blocking(self._sender, False)
        self._previous_fd = _signal.set_wakeup_fd(self._sender)
        self._notifier = QSocketNotifier(self._receiver, QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._drain)
        self._previous = {
            number: _signal.signal(number, self._handle)
            for number in (_signal.SIGTERM, _signal.SIGINT)
        }

    def release(self) -> None:
        """The handlers as they were before, once the window has run: a caller that goes
        on in this process (a test run) gets its Ctrl+C back."""
        for number, previous in self._previous.items():
            if previous is not None:  # None: set outside Python, cannot be put back
                _signal.signal(number, previous)
        _signal.set_wakeup_fd(self._previous_fd)
        self._notifier.setEnabled(False)
        for fd in (self._receiver, self._sender):
            with contextlib.suppress(OSError):
                os.close(fd)
        self.deleteLater()

    def _drain(self) -> None:
        with contextlib.suppress(OSError):
            os.read(self._receiver, 64)

    def _handle(self, number: int, frame: object) -> None:
        log.info("closing on %s", "SIGTERM" if number == _signal.SIGTERM else "SIGINT")
        QTimer.singleShot(0, self._close)


ICON_SIZES = (48, 128, 256)

COLLECT_EVERY_MS = 1000
"""How often the window's thread makes the garbage collector's due passes (the collector's
own are off while the window runs: see legdrive_timer.startup)."""


def _collect_on_this_thread(parent: QObject) -> QTimer:
    """Cyclic garbage collected on the window's thread only, from now until the timer stops."""
    resume_collection(automatic=False)
    timer = QTimer(parent)
    timer.setInterval(COLLECT_EVERY_MS)
    timer.timeout.connect(collect_due)
    timer.start()
    return timer


def _set_window_icon(app: QApplication) -> None:
    """The app's icon on every window (task bar, window switcher), from the installed
    assets; where they are is logged, so a broken install or bundle shows in the log."""
    from contextlib import ExitStack

    from PySide6.QtCore import QSize
    from PySide6.QtGui import QIcon

    from legdrive_timer.asset_files import asset_path, assets_folder

    # Holds temporary copies of the icons where the assets are zipped: QIcon reads a file
    # only when a window system asks for that size, so they live as long as the app.
    stack = ExitStack()
    app.aboutToQuit.connect(stack.close)
    icon = QIcon()
    found = 0
    for size in ICON_SIZES:
        try:
            file = asset_path(stack, "icons", f"legdrive-timer-{size}.png")
        except OSError:
            continue
        if file.is_file():
            # With its size given, an image is read when a window system asks for it;
            # without, QIcon decodes every file at once to learn their sizes.
            icon.addFile(str(file), QSize(size, size))
            found += 1
    if not icon.isNull():
        app.setWindowIcon(icon)

    folder = assets_folder()

    def count(name: str) -> int:
        where = folder / name if folder is not None else None
        if where is None or not where.is_dir():
            return 0
        return sum(1 for f in where.iterdir() if f.name.endswith(".wav"))

    log.info(
        "assets in %s (%d sounds, %d voice lines, %d icons)",
        folder if folder is not None else "the zipped package legdrive_timer.assets",
        count("sounds"),
        count("voice"),
        found,
    )


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


def _forget_pending_quit(app: QApplication) -> None:
    """Drop a quit request left over from the loop that just ended.

    Quitting with the window open closes it first, and the last window closing posts a
    quit of its own that the ending loop never reads. Read later, it would end every
    event loop of this QApplication the moment it starts (a dialog's, a wait in a caller
    that reuses the app) without running it.
    """
    from PySide6.QtCore import QCoreApplication, QEvent

    QCoreApplication.removePostedEvents(app, QEvent.Type.Quit)


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
    # Qt's raster engine hands a fill of more than about a hundred spans (a button's
    # rounded edge, a large digit) to a pool of threads and waits for them: for shapes of
    # a window's size the hand-off costs more than the fill, and the two threads it starts
    # at the first paint stay for the life of the app. The same pixels are drawn in place.
    os.environ.setdefault("QT_NO_GUI_THREADPOOL", "1")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName(APP_NAME)
    app.setApplicationVersion(__version__)
    app.setDesktopFileName(APP_ID)
    if diagnostics is not None:
        diagnostics.reporter = _window_reporter(None)
    forget_module_sources()  # the window reuses their memory
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

    signals: list[_CloseOnSignals] = []
    collecting: list[QTimer] = []

    def after_first_frame() -> None:
        try:
            if diagnostics is not None:
                if not diagnostics.attach_file() and diagnostics.file_problem:
                    print_to_stderr(diagnostics.file_problem)
                _log_start()
            _set_window_icon(app)
            if sys.platform != "win32":
                signals.append(_CloseOnSignals(app, controller.quit))
            if serve_launches:
                controller.serve_launches()
                forget_module_sources()
            controller.load_services()
            # The session screen is built by the first Start (or `run`'s workout), not
            # while the person picks a workout: a start that ends without a session never
            # holds it.
            if workout is not None:
                controller.start(workout)
        finally:
            forget_module_sources()
            collecting.append(_collect_on_this_thread(app))

    # The slow parts wait until the window is on screen, so it appears at once. The window
    # emits first_painted once only.
    window.first_painted.connect(lambda: QTimer.singleShot(0, after_first_frame))
    if fullscreen:
        window.showFullScreen()
    else:
        window.show()
    status = app.exec()
    _forget_pending_quit(app)
    with contextlib.suppress(RuntimeError):
        window.close()
    for handler in signals:  # after the close: a signal during it must not end the process
        handler.release()
    for timer in collecting:
        timer.stop()
        timer.deleteLater()
    history = controller.history
    if status == 0 and quit_when_done and (history.problem or history.unsaved_report):
        return 1  # the session is not (all) in the history: said on stderr above
    return status
