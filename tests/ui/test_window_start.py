"""The start screen: workouts, adjusting lengths, sound settings, banners, history."""

from __future__ import annotations

import gc
import json
import signal
import subprocess
import sys
import threading

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QDoubleSpinBox, QSpinBox, QWidget
from pytestqt.qtbot import QtBot

from legdrive_timer.cli import main
from legdrive_timer.core.builtins import builtin_workout
from legdrive_timer.core.overrides import Overrides
from legdrive_timer.core.workout import IntervalBlock, Workout
from legdrive_timer.startup import collection_resumed, hold_collection
from legdrive_timer.storage.paths import DataPaths
from legdrive_timer.storage.settings import Settings, load_settings, save_settings
from legdrive_timer.ui.adjust_dialog import AdjustDialog
from legdrive_timer.ui.app import COLLECT_EVERY_MS, AppController, run_app
from legdrive_timer.ui.start_screen import ID_ROLE
from tests.helpers import run_app_as_launched
from tests.helpers.window import WindowHarness


def test_lists_every_workout_with_duration_and_description(harness: WindowHarness) -> None:
    start = harness.window.start_screen
    texts = [start.list.item(i).text() for i in range(start.list.count())]
    assert texts[0].startswith("Warm-up primer  —  3:30\n2 x 15 per side. Wake up the hips")
    assert any(t.startswith("HIIT finisher  —  7:40\n") for t in texts)
    assert len(texts) == 5


def test_custom_workout_and_bad_file_are_shown(qtbot: QtBot, data_paths: DataPaths) -> None:
    folder = data_paths.workouts_dir
    folder.mkdir(parents=True)
    hiit = builtin_workout("hiit")
    assert hiit is not None
    from legdrive_timer.core import workout_format

    custom = json.loads(workout_format.dumps(hiit))
    custom["id"], custom["name"] = "my-tabata", "My tabata"
    (folder / "mine.json").write_text(json.dumps(custom))
    (folder / "broken.json").write_text("{")
    h = WindowHarness(data_paths)
    qtbot.addWidget(h.window)
    start = h.window.start_screen
    assert start.list.item(start.list.count() - 1).text().startswith("My tabata")
    assert any("broken.json" in m for m in h.window.banner.messages())


def test_last_used_workout_is_preselected_and_one_key_starts(
    qtbot: QtBot, data_paths: DataPaths
) -> None:
    save_settings(data_paths.settings_file, Settings(last_workout_id="hiit"))
    h = WindowHarness(data_paths)
    qtbot.addWidget(h.window)
    h.window.show()
    start = h.window.start_screen
    assert start.selected_id() == "hiit"
    qtbot.keyClick(start.list, Qt.Key.Key_Space)
    assert h.app.engine is not None
    assert h.app.engine.timeline.workout_id == "hiit"
    assert h.view.title.text() == "GET READY"


def test_invalid_settings_file_is_reported_and_kept(qtbot: QtBot, data_paths: DataPaths) -> None:
    data_paths.settings_file.parent.mkdir(parents=True)
    data_paths.settings_file.write_text("{oops")
    h = WindowHarness(data_paths)
    qtbot.addWidget(h.window)
    assert h.window.banner.isVisibleTo(h.window)
    assert any("settings file" in m and "not valid JSON" in m for m in h.window.banner.messages())
    (kept,) = data_paths.settings_file.parent.glob("settings.json.invalid-*")
    assert kept.read_text() == "{oops"
    h.app.shutdown()  # saves the settings: the user's file is still there, whole
    assert kept.read_text() == "{oops"


def test_adjust_dialog_rejects_bad_values_inline_and_saves_good_ones(
    qtbot: QtBot, harness: WindowHarness
) -> None:
    h = harness
    start = h.window.start_screen
    start.list.setCurrentRow(1)
    assert start.selected_id() == "hiit"
    seen: dict[str, str] = {}

    def fill() -> None:
        dialog = h.app.workouts.adjust_dialog
        assert isinstance(dialog, AdjustDialog)
        work = dialog.fields["work_s"]
        assert isinstance(work, QDoubleSpinBox)
        work.setValue(0)  # work must be at least 1 s
        dialog.try_accept()
        seen["error"] = dialog.error.text() if dialog.error.isVisibleTo(dialog) else ""
        assert dialog.isVisible()  # still open, nothing saved
        work.setValue(20)
        rounds = dialog.fields["rounds"]
        assert isinstance(rounds, QSpinBox)
        rounds.setValue(6)
        dialog.try_accept()

    QTimer.singleShot(0, fill)
    qtbot.keyClick(start.list, Qt.Key.Key_A)
    assert seen["error"] == "Work must be between 1 and 3600 seconds (got 0)."
    assert h.app.settings.overrides_for("hiit") == Overrides(work_s=20.0, rounds=6)
    h.app.settings_control.flush()  # written a moment later (test_settings_control)
    saved, _ = load_settings(h.app.paths.settings_file)
    assert saved.overrides_for("hiit") == Overrides(work_s=20.0, rounds=6)
    # 10 s prep + 6 x 20 s work + 5 x 30 s rest
    assert start.list.item(1).text() == (
        "HIIT finisher  —  4:40  ·  adjusted\n"
        "6 rounds of 20 s all-out, 30 s rest. Knees high and fast, then recover."
    )
    assert "adjusted" not in start.list.item(0).text()
    start.list.setCurrentRow(1)
    qtbot.keyClick(start.list, Qt.Key.Key_Return)
    assert h.app.engine is not None
    rounds = [p for p in h.app.engine.timeline.phases if p.is_work]
    assert len(rounds) == 6 and rounds[0].planned_ms == 20_000


def test_adjust_restore_defaults(qtbot: QtBot, harness: WindowHarness) -> None:
    h = harness
    h.app.settings = h.app.settings.with_overrides("primer", Overrides(reps=3))
    h.window.start_screen.list.setCurrentRow(0)

    def restore() -> None:
        dialog = h.app.workouts.adjust_dialog
        reps = dialog.fields["reps"]
        assert reps.value() == 3  # shows the current lengths
        dialog.restore_defaults()

    QTimer.singleShot(0, restore)
    h.window.start_screen.adjust_button.click()
    assert h.app.settings.overrides_for("primer") == Overrides()


def test_sound_dialog_applies_and_remembers(qtbot: QtBot, harness: WindowHarness) -> None:
    h = harness

    def change() -> None:
        dialog = h.app.sound.dialog
        assert dialog is not None
        assert dialog.status.text() == "Sound is off."
        dialog.volume.setValue(40)
        dialog.muted.setChecked(True)
        dialog.voice.setChecked(False)
        dialog.test.click()  # never raises, even with sound off
        dialog.reject()

    QTimer.singleShot(0, change)
    qtbot.keyClick(h.window.start_screen.list, Qt.Key.Key_S)
    assert h.app.cues is not None
    assert h.app.cues.volume == 0.4 and h.app.cues.muted and not h.app.cues.voice
    assert h.app.settings_control.writes == 0  # not once per change: a moment later
    h.app.settings_control.flush()
    saved, _ = load_settings(h.app.paths.settings_file)
    assert (saved.volume, saved.muted, saved.voice) == (0.4, True, False)
    assert h.window.start_screen.status.text() == "Sound is off."


def test_history_opens_and_escape_comes_back(qtbot: QtBot, harness: WindowHarness) -> None:
    h = harness
    start = h.window.start_screen
    assert start.history_button.isVisibleTo(h.window)
    qtbot.keyClick(start.list, Qt.Key.Key_H)
    page = h.app.history.page
    assert page is not None and h.window.current_screen is page
    assert h.app.history.view is not None
    qtbot.keyClick(h.app.history.view, Qt.Key.Key_Escape)
    assert h.window.current_screen is start


def test_window_geometry_is_remembered(qtbot: QtBot, data_paths: DataPaths) -> None:
    h = WindowHarness(data_paths)
    qtbot.addWidget(h.window)
    h.window.show()
    h.window.resize(700, 450)
    qtbot.waitUntil(lambda: h.window.width() == 700)
    h.window.close()
    saved, _ = load_settings(data_paths.settings_file)
    assert saved.window_geometry
    again = WindowHarness(data_paths)
    qtbot.addWidget(again.window)
    assert (again.window.width(), again.window.height()) == (700, 450)


def test_buttons_never_take_the_keyboard_focus(harness: WindowHarness) -> None:
    """Space and the arrows must reach the window, not a focused button or the list's rows."""
    from PySide6.QtWidgets import QAbstractButton

    buttons = harness.window.findChildren(QAbstractButton)
    assert buttons
    taking_focus = [b.text() for b in buttons if b.focusPolicy() != Qt.FocusPolicy.NoFocus]
    assert taking_focus == []


@pytest.mark.parametrize("geometry", ["not base64 at all!", "AAAA", "é"])
def test_a_damaged_window_geometry_gives_the_default_size(
    qtbot: QtBot, data_paths: DataPaths, geometry: str
) -> None:
    save_settings(data_paths.settings_file, Settings(window_geometry=geometry))
    h = WindowHarness(data_paths)
    qtbot.addWidget(h.window)
    assert (h.window.width(), h.window.height()) == (1024, 640)


def test_the_start_builds_only_the_start_screen(qtbot: QtBot, data_paths: DataPaths) -> None:
    """What the first frame waits for: no session, summary or rating strip yet."""
    app = AppController(data_paths, audio="off")
    qtbot.addWidget(app.window)
    window = app.window
    assert not window.has_session_view
    assert window.findChild(QWidget, "stability_prompt") is None
    window.dismiss_stability_prompt()  # nothing to dismiss; builds nothing
    assert window.findChild(QWidget, "stability_prompt") is None
    # Built at its first use, below the screens, sized with the window.
    window.resize(900, 630)
    prompt = window.stability_prompt
    assert window.findChild(QWidget, "stability_prompt") is prompt
    assert prompt.height() == 70 and not prompt.isVisible()


def test_the_window_collects_garbage_again_once_it_is_up(
    qapp: QApplication, qtbot: QtBot, data_paths: DataPaths
) -> None:
    """The command holds collection for the start; the window resumes it after its first
    frame and the work that follows it (history, sounds), on its own thread: the
    collector's automatic passes stay off and the window makes them on a timer. The
    application is left able to run event loops again: quitting with the window open
    leaves a quit request behind in Qt, which would end a later caller's waits (a test run
    reuses the application) at once and so never deliver a worker's queued signal."""
    seen: list[tuple[bool, bool]] = []
    collected: list[str] = []
    kept: list[list[int]] = []

    class Cycle:
        """Garbage that only the cyclic collector frees."""

        def __init__(self) -> None:
            self.me = self

        def __del__(self) -> None:
            collected.append(threading.current_thread().name)

    def check() -> None:
        if collection_resumed() and not seen:
            seen.append((collection_resumed(), gc.isenabled()))
            Cycle()  # garbage on purpose, made on the window's thread
            # A worker's busy moment (the history's writer, the sound watcher) makes more
            # new objects than the collector's threshold: no pass on that thread.
            worker = threading.Thread(
                target=lambda: kept.extend([n] for n in range(gc.get_threshold()[0] * 3)),
                name="worker",
            )
            worker.start()
            worker.join()
            seen.append((bool(collected), False))
            QTimer.singleShot(COLLECT_EVERY_MS * 2 + 500, qapp.quit)

    poll = QTimer()
    poll.timeout.connect(check)
    poll.start(5)
    give_up = QTimer()  # a broken resume must not hang the test run
    give_up.setSingleShot(True)
    give_up.timeout.connect(qapp.quit)
    give_up.start(8000)
    handlers = {n: signal.getsignal(n) for n in (signal.SIGINT, signal.SIGTERM)}
    hold_collection()
    try:
        assert (
            run_app(data_paths, workout=None, audio="off", fullscreen=False, quit_when_done=False)
            == 0
        )
    finally:
        poll.stop()
        give_up.stop()
        gc.enable()
        gc.unfreeze()
    # Resumed with the automatic passes off; nothing collected on the worker's thread, and
    # the garbage collected on the window's, by its timer.
    assert seen == [(True, False), (False, False)]
    assert collected == [threading.main_thread().name]
    _assert_event_loops_run(qtbot)
    # Ctrl+C is the test run's again, and no signal writes to the window's closed pipe.
    assert {n: signal.getsignal(n) for n in handlers} == handlers
    previous_fd = signal.set_wakeup_fd(-1)
    signal.set_wakeup_fd(previous_fd)
    assert previous_fd == -1


def _assert_event_loops_run(qtbot: QtBot) -> None:
    import threading

    from PySide6.QtCore import QEventLoop, QObject, Signal

    QApplication.processEvents()  # as the test run does between tests
    loop = QEventLoop()
    QTimer.singleShot(0, lambda: loop.exit(7))
    assert loop.exec() == 7  # -1 at once when a stale quit ends it before it runs

    class Sender(QObject):
        said = Signal(object)

    sender = Sender()
    heard: list[object] = []
    sender.said.connect(heard.append)
    worker = threading.Thread(target=sender.said.emit, args=("from a worker",))
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: heard == ["from a worker"], timeout=5000)


def test_a_sound_problem_is_told_once_in_the_banner(
    qtbot: QtBot, data_paths: DataPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    from legdrive_timer.audio import system
    from legdrive_timer.audio.cues import CueAssetError

    def unreadable(stack: object) -> None:
        raise CueAssetError("drive.wav is not a readable WAV file")

    monkeypatch.setattr(system, "open_assets", unreadable)
    h = WindowHarness(data_paths)
    qtbot.addWidget(h.window)
    h.window.show()
    problem = "Sound unavailable: drive.wav is not a readable WAV file."
    assert h.window.banner.messages() == [problem]
    assert h.window.banner.isVisible()
    assert not h.window.start_screen.status.isVisible()


def test_the_command_line_lists_workouts_as_the_window_does(
    qtbot: QtBot, data_paths: DataPaths, capsys: pytest.CaptureFixture[str]
) -> None:
    """Lengths saved in the window's Adjust count on the command line too."""
    settings = Settings().with_overrides("primer", Overrides(sets=3, reps=8, switch_s=5))
    settings = settings.with_overrides("hiit", Overrides(rounds=8))  # the same as built in
    save_settings(data_paths.settings_file, settings)
    assert main(["workouts", "list", "--data-dir", str(data_paths.data_dir)]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()}
    h = WindowHarness(data_paths)
    qtbot.addWidget(h.window)
    start = h.window.start_screen
    items = {
        start.list.item(i).data(ID_ROLE): start.list.item(i).text()
        for i in range(start.list.count())
    }
    assert items.keys() == lines.keys()
    for workout_id, text in items.items():
        heading, description = text.split("\n")
        name, _, rest = heading.partition("  —  ")
        length, _, mark = rest.partition("  ·  ")
        line = lines[workout_id]
        assert line.split()[1] == length, workout_id
        assert f"{name} (" in line and line.endswith(f"  {description}")
        assert (", adjusted)" in line) == (mark == "adjusted"), workout_id
    assert "3 x 8 per side" in items["primer"] and "adjusted" in items["primer"]
    assert "adjusted" not in lines["hiit"]


def test_run_starts_with_the_saved_lengths_and_the_given_ones_on_top(
    data_paths: DataPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_settings(
        data_paths.settings_file,
        Settings().with_overrides("hiit", Overrides(rounds=4, rest_s=20)),
    )
    started: list[object] = []
    monkeypatch.setattr(
        "legdrive_timer.ui.app.run_app", lambda paths, workout, **_: started.append(workout) or 0
    )
    assert main(["run", "hiit", "--work", "15", "--data-dir", str(data_paths.data_dir)]) == 0
    (workout,) = started
    assert isinstance(workout, Workout)
    (block,) = workout.blocks
    assert isinstance(block, IntervalBlock)
    assert (block.work_s, block.rest_s, block.rounds) == (15, 20, 4)


AT_FIRST_FRAME = """
import os, sys

MODE = sys.argv.pop(1)


def at_first_frame():
    print(" ".join(sorted(sys.modules)), flush=True)
    if MODE == "modules":
        os._exit(0)
    if MODE == "threads":  # once the whole first frame is painted
        from PySide6.QtCore import QTimer

        def threads():
            tasks = os.listdir("/proc/self/task")
            names = [open(f"/proc/self/task/{t}/comm").read().strip() for t in tasks]
            print("|".join(names), flush=True)
            os._exit(0)

        QTimer.singleShot(0, threads)
        return
    if MODE == "classes":  # the Qt classes whose bindings PySide6 has built so far
        for name in ("PySide6.QtGui", "PySide6.QtWidgets"):
            built = [k for k, v in vars(sys.modules[name]).items() if isinstance(v, type)]
            print(" ".join(sorted(built)), flush=True)
        os._exit(0)
    if MODE == "services":
        return after_start_work(services_up)
    if MODE == "session":
        return after_start_work(first_session)
    # A person presses Space the moment the list appears: the last workout starts.
    from PySide6.QtCore import QEvent, Qt, QTimer
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    focus = QApplication.focusWidget()
    print(type(focus).__name__, flush=True)
    key = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Space, Qt.KeyboardModifier.NoModifier, " ")
    QApplication.postEvent(focus, key)

    def session_shown():
        window = QApplication.activeWindow() or QApplication.topLevelWidgets()[0]
        if window.has_session_view and window.session_view.isVisible():
            print(window.session_view.title.text(), flush=True)
            os._exit(0)

    poll = QTimer(QApplication.instance())
    poll.timeout.connect(session_shown)
    poll.start(10)
    QTimer.singleShot(20000, lambda: os._exit(3))


def after_start_work(then):
    # The command holds garbage collection until the work after the first frame is done
    # (services, history offered); `then` runs half a second later, where the startup
    # benchmark reads the peak memory: whatever the start put off has had its turn.
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from legdrive_timer.startup import collection_resumed

    def check():
        if collection_resumed():
            poll.stop()
            QTimer.singleShot(500, lambda: then(QApplication.topLevelWidgets()[0]))

    poll = QTimer(QApplication.instance())
    poll.timeout.connect(check)
    poll.start(10)
    QTimer.singleShot(20000, lambda: os._exit(3))


def services_up(window):
    # As a person sees the start screen with its services loaded: what is loaded and
    # running; then the window is closed as a person closes it.
    import atexit, threading

    print(" ".join(sorted(sys.modules)), flush=True)
    print(" ".join(sorted(t.name for t in threading.enumerate())), flush=True)
    print(window.start_screen.history_button.isVisible(), flush=True)
    atexit.register(lambda: print("sqlite3" in sys.modules, flush=True))
    window.close()


def first_session(window):
    # The start screen with its services up, then a real Start key: the session screen is
    # built by it and shows the first phase with all it shows at any Start.
    import json
    from PySide6.QtCore import QEvent, Qt, QTimer
    from PySide6.QtGui import QKeyEvent
    from PySide6.QtWidgets import QApplication

    screen_modules = (
        "legdrive_timer.ui.session_view",
        "legdrive_timer.ui.coach_strip",
        "legdrive_timer.ui.overlays",
        "legdrive_timer.ui.progress",
    )

    def views():
        return [w for w in QApplication.allWidgets() if type(w).__name__ == "SessionView"]

    before = {
        "loaded": [name for name in screen_modules if name in sys.modules],
        "views": len(views()),
        "built": window.has_session_view,
    }
    key = QKeyEvent(QEvent.Type.KeyPress, Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier)
    QApplication.postEvent(QApplication.focusWidget(), key)

    def shown():
        if not (window.has_session_view and window.session_view.isVisible()):
            return
        poll.stop()
        view = window.session_view
        window.toggle_help()  # ? on the session screen: its keys, then the window's
        help_lines = [key for key, _ in window.help_overlay.lines]
        window.toggle_help()
        print(json.dumps({
            "before": before,
            "views": len(views()),
            "current": window.current_screen is view,
            "focus": QApplication.focusWidget() is view,
            "size": [view.width(), view.height()] == [window.stack.width(), window.stack.height()],
            "title": view.title.text(),
            "digits": view.digits.text(),
            "next": view.next.text(),
            "where": view.where.text(),
            "buttons": [b.text() for b in view.buttons if b.isVisible()],
            "sound": [view.sound_state.text(), view.sound_state.isVisible(), window.sound_state],
            "coach_strip": "legdrive_timer.ui.coach_strip" in sys.modules,
            "told": view.announcement,
            "help": help_lines,
        }), flush=True)
        window.close()

    poll = QTimer(QApplication.instance())
    poll.timeout.connect(shown)
    poll.start(5)
"""


def _start_as_the_launcher(data_paths: DataPaths, what: str) -> list[str]:
    """`legdrive-timer` with no arguments in a fresh interpreter, for a returning user
    (settings saved), as the desktop entry starts it; AT_FIRST_FRAME runs at its first paint."""
    save_settings(data_paths.settings_file, Settings(last_workout_id="hiit"))
    return run_app_as_launched(data_paths.data_dir, AT_FIRST_FRAME, what).splitlines()


def test_the_first_frame_waits_only_for_what_the_start_screen_shows(
    data_paths: DataPaths,
) -> None:
    """The session's code (timeline, engine, events, records), the history, the sounds and
    the session screen load after the start screen is painted, not before."""
    loaded = set(_start_as_the_launcher(data_paths, "modules")[0].split())
    assert "legdrive_timer.ui.start_screen" in loaded
    later = (
        "legdrive_timer.core.timeline",
        "legdrive_timer.core.engine",
        "legdrive_timer.core.events",
        "legdrive_timer.core.records",
        "legdrive_timer.core.formatting",
        "legdrive_timer.core.workout_format",
        "legdrive_timer.core.overrides",
        "legdrive_timer.core.clock",
        "datetime",
        "legdrive_timer.storage.history",
        "legdrive_timer.audio",
        "legdrive_timer.ui.session_view",
        "legdrive_timer.ui.keep_awake",
        "sqlite3",
    )
    # What Qt itself brings is no choice of the app's (PySide6 6.12 loads its signature
    # parser, and with it datetime, when it is imported).
    by_qt = set(
        subprocess.run(
            [sys.executable, "-c", "import sys, PySide6.QtWidgets; print(*sys.modules)"],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout.split()
    )
    assert [name for name in later if name in loaded and name not in by_qt] == []


def test_the_first_frame_builds_no_event_class_the_start_screen_does_not_handle(
    data_paths: DataPaths,
) -> None:
    """PySide6 builds a class's bindings when it is first used. A Python override that Qt
    hands a plain QEvent (changeEvent, event, eventFilter) makes it look for the most
    derived class of every event it is given, and so build some fifty event classes
    (about 1 MiB) before the first frame: the start screen overrides only handlers of
    one kind of event."""
    gui, widgets = (set(line.split()) for line in _start_as_the_launcher(data_paths, "classes")[1:])
    assert "QResizeEvent" in gui  # handled by the start screen: built
    unhandled = ("QWheelEvent", "QTabletEvent", "QDropEvent", "QWindowStateChangeEvent")
    assert [name for name in unhandled if name in gui] == []
    assert [name for name in widgets if name.startswith("QGraphicsScene")] == []


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="threads listed from /proc")
def test_the_first_frame_is_painted_without_a_pool_of_threads(data_paths: DataPaths) -> None:
    """The start screen's buttons are big enough that Qt's raster engine would hand their
    edges to its pool of threads, which then stay for the life of the app; the app has
    it draw them in place."""
    threads = _start_as_the_launcher(data_paths, "threads")[1].split("|")
    assert "Thread (pooled)" not in threads
    assert len(threads) == 1


def test_the_history_waits_until_it_is_needed(data_paths: DataPaths) -> None:
    """With the start screen up and its services loaded (the sounds), the history is offered
    but not opened: no SQLite, no storage modules, no writer thread; closing the window then
    leaves it so, and the database is not even made."""
    modules, threads, history_offered, sqlite_at_exit = _start_as_the_launcher(
        data_paths, "services"
    )[1:]
    loaded = set(modules.split())
    assert "legdrive_timer.audio.system" in loaded  # the services are up
    history = ("sqlite3", "_sqlite3", "legdrive_timer.storage.history")
    assert [name for name in history if name in loaded] == []
    assert "legdrive_timer.storage.journal" not in loaded
    assert "history-writer" not in threads.split()
    assert history_offered == "True"
    assert sqlite_at_exit == "False"
    assert not data_paths.history_db.exists()


def test_the_session_screen_waits_for_the_first_start(data_paths: DataPaths) -> None:
    """The start's work done and half a second gone (where `bench/startup.py` reads the peak
    memory): the session screen is not built and its modules are not loaded. A real Start
    key then builds it, at the window's size, and it shows the first phase with all that
    any Start shows: the figures, the buttons, the sound state, the announcement, its keys
    in the help."""
    (line,) = [line for line in _start_as_the_launcher(data_paths, "session") if line[:1] == "{"]
    report = json.loads(line)
    assert report["before"] == {"loaded": [], "views": 0, "built": False}
    assert report["views"] == 1
    assert report["current"] and report["focus"] and report["size"]
    assert report["title"] == "GET READY"
    assert report["digits"] == "10"
    assert report["next"] == "Next: DRIVE 30 s"
    assert report["where"] == "Alternating knee drives"
    assert len(report["buttons"]) == 7
    text, shown, window_says = report["sound"]
    assert text == window_says and shown == bool(window_says)
    assert not report["coach_strip"]  # the coach is off: its row is not built
    assert report["told"].startswith("GET READY")
    assert "Space" in report["help"] and "?" in report["help"]


def test_a_key_pressed_as_the_start_screen_appears_is_not_lost(data_paths: DataPaths) -> None:
    """Space at the first frame, before the session's code is loaded: the session starts."""
    _, focus, title = _start_as_the_launcher(data_paths, "key")
    assert focus == "WorkoutList"
    assert title == "GET READY"


def test_each_service_forgets_the_module_sources_read_while_it_loaded(
    qtbot: QtBot, data_paths: DataPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PySide6's import hook reads the source of every module imported after it; what a
    service's imports left in `linecache` is dropped once it is loaded (the sounds at start,
    the history when it opens), so its memory serves what comes next."""
    import linecache

    from legdrive_timer.storage.history_access import HistoryAccess
    from legdrive_timer.ui.control.sound import SoundControl

    open_history, load_sound = HistoryAccess._open, SoundControl.load

    def history_reading_sources(self: HistoryAccess) -> object:
        linecache.getlines(__file__)  # as the hook does for each module imported
        return open_history(self)

    def sound_reading_sources(self: SoundControl) -> None:
        load_sound(self)
        linecache.getlines(__file__)

    monkeypatch.setattr(HistoryAccess, "_open", history_reading_sources)
    monkeypatch.setattr(SoundControl, "load", sound_reading_sources)
    app = AppController(data_paths, audio="off", defer_services=True)
    qtbot.addWidget(app.window)
    app.load_services()
    assert __file__ not in linecache.cache
    assert app.history.open_store() is not None
    assert __file__ not in linecache.cache
    app.shutdown()
