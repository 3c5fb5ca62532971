"""The screen is kept on while a session runs, and let go on pause, stop, finish and exit.

The Linux ways are tested against a real bus (dbus-run-session) with a fake ScreenSaver,
portal and logind that check argument types as the real ones do; Windows and macOS by the
calls made through a fake of their ctypes layer.
"""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from legdrive_timer.core.events import PauseReason
from legdrive_timer.core.workout import Workout
from legdrive_timer.storage.paths import DataPaths
from legdrive_timer.ui.app import AppController
from legdrive_timer.ui.control.session import AFTER_START_WITHIN_MS
from legdrive_timer.ui.keep_awake import (
    ES_CONTINUOUS,
    ES_DISPLAY_REQUIRED,
    ES_SYSTEM_REQUIRED,
    UNAVAILABLE,
    KeepAwake,
    MacInhibitor,
    Unavailable,
    WindowsInhibitor,
    platform_inhibitors,
)
from tests.helpers import require, workout
from tests.helpers.fakes import FakeClock, FakeScheduler

REPO = Path(__file__).resolve().parents[2]
FAKE_BUS = Path(__file__).with_name("fake_desktop_bus.py")


class RecordingInhibitor:
    name = "recording"

    def __init__(self, works: bool = True) -> None:
        self.works = works
        self.calls: list[str] = []

    def inhibit(self, app_name: str, reason: str) -> None:
        self.calls.append("inhibit")
        if not self.works:
            raise Unavailable("not here")

    def release(self) -> None:
        self.calls.append("release")


def recorded_app(
    qtbot: QtBot, data_paths: DataPaths, way: RecordingInhibitor | None = None
) -> tuple[AppController, RecordingInhibitor, FakeScheduler]:
    """The window's controller keeping awake through one recording way (a new one that
    works, unless given), on a fake clock."""
    way = RecordingInhibitor() if way is None else way
    clock = FakeClock()
    scheduler = FakeScheduler(clock)
    app = AppController(
        data_paths,
        clock=clock,
        scheduler=scheduler,
        audio="off",
        cue_timer_factory=lambda: FakeScheduler(clock),
        keep_awake=KeepAwake("Legdrive Timer", [way]),
    )
    qtbot.addWidget(app.window)
    return app, way, scheduler


def short_hiit() -> Workout:
    return workout("hiit", rounds=1, prep_s=0)


def test_held_while_running_let_go_on_pause_finish_and_exit(
    qtbot: QtBot, data_paths: DataPaths
) -> None:
    app, way, scheduler = recorded_app(qtbot, data_paths)
    engine = app.start(short_hiit())
    qtbot.waitUntil(lambda: app.session.keep_awake.active, timeout=1000)
    assert way.calls == ["inhibit"]
    engine.pause()
    assert way.calls == ["inhibit", "release"] and not app.session.keep_awake.active
    engine.resume()
    assert way.calls[-1] == "inhibit" and app.session.keep_awake.active
    scheduler.run_until_idle()  # finished
    assert way.calls == ["inhibit", "release", "inhibit", "release"]
    app.start(short_hiit())
    qtbot.waitUntil(lambda: app.session.keep_awake.active, timeout=1000)
    app.shutdown()  # closing the window mid-session
    assert way.calls[-2:] == ["inhibit", "release"] and not app.session.keep_awake.active


def test_a_late_wake_up_pause_lets_go_too(qtbot: QtBot, data_paths: DataPaths) -> None:
    app, way, _ = recorded_app(qtbot, data_paths)
    engine = app.start(short_hiit())
    qtbot.waitUntil(lambda: app.session.keep_awake.active, timeout=1000)
    engine.pause(PauseReason.LATE_WAKEUP)
    assert way.calls == ["inhibit", "release"]
    engine.stop()
    assert way.calls == ["inhibit", "release"]  # nothing held, nothing to let go
    app.shutdown()


def test_asked_once_the_first_phase_is_painted(qtbot: QtBot, data_paths: DataPaths) -> None:
    app, way, _ = recorded_app(qtbot, data_paths)
    app.window.show()
    qtbot.waitExposed(app.window)
    painted: list[tuple[str, list[str]]] = []
    view = app.window.session_view
    view.call_after_paint(lambda: painted.append((view.digits.text(), list(way.calls))))
    app.start(short_hiit())
    assert way.calls == []  # the Start itself only shows the first phase
    qtbot.waitUntil(lambda: app.session.keep_awake.active, timeout=1000)
    assert way.calls == ["inhibit"]
    # The first phase was painted before the desktop was asked.
    assert painted == [("30", [])]
    app.shutdown()
    assert way.calls == ["inhibit", "release"]


def test_a_session_stopped_or_paused_at_once_holds_nothing(
    qtbot: QtBot, data_paths: DataPaths
) -> None:
    app, way, _ = recorded_app(qtbot, data_paths)
    app.window.show()
    engine = app.start(short_hiit())
    engine.stop()  # before the desktop was asked
    qtbot.wait(AFTER_START_WITHIN_MS + 50)
    assert way.calls == [] and not app.session.keep_awake.active

    engine = app.start(short_hiit())
    engine.pause()
    qtbot.wait(AFTER_START_WITHIN_MS + 50)
    assert way.calls == [] and not app.session.keep_awake.active
    engine.resume()  # asked at once: the screen is already showing the session
    assert way.calls == ["inhibit"]
    qtbot.wait(AFTER_START_WITHIN_MS + 50)
    assert way.calls == ["inhibit"]  # asked once
    engine.stop()
    assert way.calls == ["inhibit", "release"] and not app.session.keep_awake.active
    app.shutdown()


def test_an_app_closed_right_after_start_holds_nothing(qtbot: QtBot, data_paths: DataPaths) -> None:
    app, way, _ = recorded_app(qtbot, data_paths)
    app.window.show()
    app.start(short_hiit())
    app.shutdown()
    qtbot.wait(AFTER_START_WITHIN_MS + 50)
    assert way.calls == [] and app.session.sleep_watcher is None


def test_the_first_way_that_works_is_used_and_unavailable_is_said_once() -> None:
    broken, working = RecordingInhibitor(works=False), RecordingInhibitor()
    keep = KeepAwake("x", [broken, working])
    assert keep.inhibit("why") and keep.holder is working
    keep.release()
    assert working.calls == ["inhibit", "release"] and broken.calls == ["inhibit"]

    told: list[str] = []
    nothing = KeepAwake("x", [RecordingInhibitor(works=False)], on_unavailable=told.append)
    assert nothing.inhibit("why") is False
    nothing.release()
    assert nothing.inhibit("why") is False
    assert told == [UNAVAILABLE]


def test_the_window_says_once_after_the_session_that_the_screen_may_dim(
    qtbot: QtBot, data_paths: DataPaths
) -> None:
    app, way, scheduler = recorded_app(qtbot, data_paths, RecordingInhibitor(works=False))
    app.start(short_hiit())
    qtbot.waitUntil(lambda: way.calls == ["inhibit"], timeout=1000)
    assert UNAVAILABLE not in app.window.banner.messages()  # the digits keep their room
    scheduler.run_until_idle()
    assert UNAVAILABLE in app.window.banner.messages()  # on the summary
    app.start(short_hiit())
    qtbot.waitUntil(lambda: way.calls == ["inhibit", "inhibit"], timeout=1000)
    scheduler.run_until_idle()
    assert UNAVAILABLE not in app.window.banner.messages()  # once
    app.shutdown()


# -- Windows and macOS through a fake ctypes layer ---------------------------------------------


class FakeKernel32:
    def __init__(self) -> None:
        self.calls: list[int] = []

    def SetThreadExecutionState(self, flags: int) -> int:
        self.calls.append(flags)
        return ES_CONTINUOUS  # the previous state: anything but 0 means it worked


def test_windows_sets_and_resets_the_thread_execution_state() -> None:
    kernel32 = FakeKernel32()
    keep = KeepAwake("Legdrive Timer", [WindowsInhibitor(load=lambda: kernel32)])
    assert keep.inhibit("A training session is running")
    keep.release()
    keep.release()
    assert kernel32.calls == [
        ES_CONTINUOUS | ES_SYSTEM_REQUIRED | ES_DISPLAY_REQUIRED,
        ES_CONTINUOUS,
    ]


def test_windows_refusing_is_unavailable() -> None:
    kernel32 = FakeKernel32()
    kernel32.SetThreadExecutionState = lambda flags: 0  # type: ignore[method-assign]
    assert KeepAwake("x", [WindowsInhibitor(load=lambda: kernel32)]).inhibit("why") is False


class FakeCoreFoundation:
    def __init__(self) -> None:
        self.strings: dict[int, bytes] = {}
        self.released: list[bytes] = []

    def CFStringCreateWithCString(self, allocator: Any, text: bytes, encoding: int) -> int:
        assert allocator is None and encoding == 0x08000100
        handle = 1000 + len(self.strings)
        self.strings[handle] = text
        return handle

    def CFRelease(self, handle: int) -> None:
        self.released.append(self.strings[handle])


class FakeIOKit:
    def __init__(self, cf: FakeCoreFoundation, result: int = 0) -> None:
        self.cf = cf
        self.result = result
        self.calls: list[tuple[Any, ...]] = []

    def IOPMAssertionCreateWithName(self, kind: int, level: int, name: int, out: Any) -> int:
        self.calls.append(("create", self.cf.strings[kind], level, self.cf.strings[name]))
        ctypes.cast(out, ctypes.POINTER(ctypes.c_uint32))[0] = 4242
        return self.result

    def IOPMAssertionRelease(self, assertion: int) -> int:
        self.calls.append(("release", assertion))
        return 0


def test_macos_creates_and_releases_a_power_assertion() -> None:
    cf = FakeCoreFoundation()
    iokit = FakeIOKit(cf)
    keep = KeepAwake("Legdrive Timer", [MacInhibitor(load=lambda: (iokit, cf))])
    assert keep.inhibit("A training session is running")
    keep.release()
    assert iokit.calls == [
        (
            "create",
            b"PreventUserIdleDisplaySleep",
            255,
            b"Legdrive Timer: A training session is running",
        ),
        ("release", 4242),
    ]
    assert sorted(cf.released) == sorted(cf.strings.values())  # no CFString leaked


def test_macos_refusing_is_unavailable_and_leaks_nothing() -> None:
    cf = FakeCoreFoundation()
    iokit = FakeIOKit(cf, result=-536870201)
    assert KeepAwake("x", [MacInhibitor(load=lambda: (iokit, cf))]).inhibit("why") is False
    assert len(cf.released) == 2 and [c[0] for c in iokit.calls] == ["create"]


def test_each_platform_has_its_way() -> None:
    assert [type(i).__name__ for i in platform_inhibitors("win32")] == ["WindowsInhibitor"]
    assert [type(i).__name__ for i in platform_inhibitors("darwin")] == ["MacInhibitor"]
    assert "ScreenSaverInhibitor" in [type(i).__name__ for i in platform_inhibitors("linux")]


# -- Linux against a real session bus --------------------------------------------------------

CLIENT = """
import json, os, sys, time
from pathlib import Path

ready, fake = Path(sys.argv[1]), int(sys.argv[2])
give_up = time.monotonic() + 30
while "ready" not in (ready.read_text() if ready.exists() else ""):
    try:
        os.kill(fake, 0)
    except ProcessLookupError:
        sys.exit("the fake services ended before they were ready")
    if time.monotonic() > give_up:
        sys.exit("the fake services never got ready")
    time.sleep(0.02)
from legdrive_timer.ui.keep_awake import KeepAwake

told = []
keep = KeepAwake("Legdrive Timer", on_unavailable=told.append)
first = keep.inhibit("A training session is running")
holder = keep.holder.name if keep.holder else None
keep.release()
second = keep.inhibit("A training session is running")
keep.release()
print(json.dumps({"first": first, "second": second, "holder": holder, "told": told}))
"""

SLEEP_CLIENT = """
import json, os, sys, time
from pathlib import Path

ready, fake = Path(sys.argv[1]), int(sys.argv[2])
give_up = time.monotonic() + 30
while "ready" not in (ready.read_text() if ready.exists() else ""):
    try:
        os.kill(fake, 0)
    except ProcessLookupError:
        sys.exit("the fake services ended before they were ready")
    if time.monotonic() > give_up:
        sys.exit("the fake services never got ready")
    time.sleep(0.02)
from jeepney import DBusAddress, new_method_call
from jeepney.io.blocking import open_dbus_connection
from PySide6.QtCore import QCoreApplication, QTimer
from legdrive_timer.ui.sleep_watch import SleepWatcher

app = QCoreApplication([])
heard = []
watcher = SleepWatcher()

def ask_logind_to_sleep():
    with open_dbus_connection(bus="SESSION") as bus:
        manager = DBusAddress(
            "/org/freedesktop/login1", "org.freedesktop.login1", "org.freedesktop.login1.Manager"
        )
        bus.send_and_get_reply(new_method_call(manager, "Sleep"), timeout=5)

def woke():
    heard.append("woke")
    app.quit()

watcher.listening.connect(ask_logind_to_sleep)
watcher.sleeping.connect(lambda: heard.append("sleeping"))
watcher.woke.connect(woke)
QTimer.singleShot(30000, app.quit)
watcher.start()
app.exec()
watcher.stop()
print(json.dumps(heard))
"""


def on_private_bus(
    tmp_path: Path, roles: list[str], client: str, **env: str
) -> tuple[Any, list[list[Any]]]:
    """Run the fake services and `client` on a private bus (also standing in as the system
    bus); the client's last line of output as JSON, and the calls the services got."""
    require(shutil.which("dbus-run-session") is not None, "needs dbus-run-session (apt: dbus)")
    script, calls, ready = tmp_path / "client.py", tmp_path / "calls", tmp_path / "ready"
    script.write_text(client)
    calls.touch()
    shell = (
        'export DBUS_SYSTEM_BUS_ADDRESS="$DBUS_SESSION_BUS_ADDRESS"; '
        f'"{sys.executable}" "{FAKE_BUS}" "{calls}" {" ".join(roles)} > "{ready}" & fake=$!; '
        f'"{sys.executable}" "{script}" "{ready}" $fake; status=$?; '
        "kill $fake; wait $fake 2>/dev/null; exit $status"
    )
    environment = {**os.environ, "QT_QPA_PLATFORM": "offscreen", **env}
    for name in ("FLATPAK_ID", "SNAP"):
        if name not in env:
            environment.pop(name, None)
    # In a session of its own, so that a hang ends with every process it started.
    proc = subprocess.Popen(
        ["dbus-run-session", "--", "sh", "-c", shell],
        cwd=REPO,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        out, err = proc.communicate(timeout=90)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
    assert proc.returncode == 0, err
    result = json.loads(out.strip().splitlines()[-1])
    return result, [json.loads(line) for line in calls.read_text().splitlines()]


INHIBIT_SS = ["org.freedesktop.ScreenSaver", "Inhibit", "ss"]
REASON = "A training session is running"


def test_screensaver_inhibit_and_uninhibit_with_the_cookie(tmp_path: Path) -> None:
    result, calls = on_private_bus(tmp_path, ["screensaver", "portal"], CLIENT)
    assert result["first"] is True and result["second"] is True and result["told"] == []
    assert result["holder"] == "the freedesktop ScreenSaver service"
    session = [
        [*INHIBIT_SS, ["Legdrive Timer", REASON]],
        ["org.freedesktop.ScreenSaver", "UnInhibit", "u", [7]],
    ]
    assert calls == session * 2  # the portal is not asked when the ScreenSaver answers


APP_CLIENT = (
    CLIENT.split("from legdrive_timer.ui.keep_awake")[0]
    + """
import tempfile
from PySide6.QtWidgets import QApplication
from legdrive_timer.core.builtins import builtin_workout
from legdrive_timer.storage.paths import DataPaths
from legdrive_timer.ui.app import AppController

app = QApplication([])
controller = AppController(DataPaths.resolve(tempfile.mkdtemp()), audio="off")
controller.window.show()
app.processEvents()

def settle(seconds):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.005)

result = {}
engine = controller.start(builtin_workout("hiit"))
engine.stop()  # stopped before the desktop was asked
settle(0.4)
result["stopped at once"] = controller.session.keep_awake.active
engine = controller.start(builtin_workout("hiit"))
result["at Start"] = controller.session.keep_awake.active
settle(0.4)
result["after the paint"] = controller.session.keep_awake.active
engine.stop()
result["after stop"] = controller.session.keep_awake.active
controller.shutdown()
print(json.dumps(result))
"""
)


def test_the_app_asks_after_the_first_phase_and_lets_go_in_either_order(
    tmp_path: Path,
) -> None:
    result, calls = on_private_bus(tmp_path, ["screensaver"], APP_CLIENT)
    assert result == {
        "stopped at once": False,
        "at Start": False,
        "after the paint": True,
        "after stop": False,
    }
    # One request for the session that ran, none for the one stopped at once.
    assert calls == [
        [*INHIBIT_SS, ["Legdrive Timer", REASON]],
        ["org.freedesktop.ScreenSaver", "UnInhibit", "u", [7]],
    ]


def test_the_portal_when_it_is_the_only_way(tmp_path: Path) -> None:
    result, calls = on_private_bus(tmp_path, ["portal"], CLIENT)
    assert result["first"] is True and result["holder"] == "the desktop portal"
    inhibit = [
        "org.freedesktop.portal.Inhibit",
        "Inhibit",
        "sua{sv}",
        ["", 12, {"reason": ["s", REASON]}],  # suspend and idle
    ]
    close = ["org.freedesktop.portal.Request", "Close", "", []]
    assert calls == [inhibit, close, inhibit, close]


def test_the_portal_first_inside_a_sandbox(tmp_path: Path) -> None:
    result, calls = on_private_bus(
        tmp_path, ["screensaver", "portal"], CLIENT, FLATPAK_ID="io.github.legdrive_timer"
    )
    assert result["holder"] == "the desktop portal"
    assert {call[0] for call in calls} == {
        "org.freedesktop.portal.Inhibit",
        "org.freedesktop.portal.Request",
    }


def test_no_service_is_said_once_and_the_session_goes_on(tmp_path: Path) -> None:
    result, calls = on_private_bus(tmp_path, [], CLIENT)
    assert result == {"first": False, "second": False, "holder": None, "told": [UNAVAILABLE]}
    assert calls == []


def test_logind_sleep_and_wake_are_heard(tmp_path: Path) -> None:
    heard, calls = on_private_bus(tmp_path, ["logind"], SLEEP_CLIENT)
    assert heard == ["sleeping", "woke"]
    assert calls == [["org.freedesktop.login1.Manager", "Sleep", "", []]]


# -- suspend and resume ----------------------------------------------------------------------


def test_waking_from_sleep_pauses_the_session_and_says_so(
    qtbot: QtBot, data_paths: DataPaths
) -> None:
    from legdrive_timer.core.engine import State
    from legdrive_timer.ui.scheduler import QtScheduler

    clock = FakeClock()
    way = RecordingInhibitor()
    app = AppController(
        data_paths,
        clock=clock,
        scheduler=QtScheduler(clock),
        audio="off",
        cue_timer_factory=lambda: FakeScheduler(clock),
        keep_awake=KeepAwake("Legdrive Timer", [way]),
    )
    qtbot.addWidget(app.window)
    app.window.show()
    engine = app.start(short_hiit())
    qtbot.waitUntil(lambda: app.session.keep_awake.active, timeout=1000)
    before = engine.remaining_ms()
    # The machine slept 90 s: the engine's clock counted it, the Qt timer (awake time) did
    # not fire. The wake-up signal makes the engine look at once.
    clock.now_ms += 90_000
    app.session.woke_from_sleep()
    assert engine.state is State.PAUSED and engine.pause_reason is PauseReason.LATE_WAKEUP
    assert engine.remaining_ms() >= before - 30_000  # frozen where it was last on time
    assert app.window.session_view.paused_overlay.reason.text().startswith(
        "Paused: the computer was asleep"
    )
    assert way.calls == ["inhibit", "release"]  # paused: the screen may sleep again
    engine.stop()
    app.shutdown()


def test_the_engine_clock_counts_sleep_where_the_os_can() -> None:
    import time

    from legdrive_timer.core.clock import monotonic_ms, suspend_aware_ms

    first, awake = suspend_aware_ms(), monotonic_ms()
    assert suspend_aware_ms() - first >= monotonic_ms() - awake - 1  # never slower
    if sys.platform.startswith("linux"):
        boot = time.clock_gettime_ns(time.CLOCK_BOOTTIME) // 1_000_000
        assert abs(suspend_aware_ms() - boot) < 1000
