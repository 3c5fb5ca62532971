"""The screen is kept on while a session runs, and released when it ends."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from pytestqt.qtbot import QtBot

from legdrive_timer.core.builtins import builtin_workout
from legdrive_timer.core.clock import FakeClock, FakeScheduler
from legdrive_timer.core.overrides import Overrides, apply_overrides
from legdrive_timer.storage.paths import DataPaths
from legdrive_timer.ui.app import AppController
from legdrive_timer.ui.keep_awake import KeepAwake
from tests.helpers import require


class FakeScreenSaver:
    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def __call__(self, method: str, *args: Any) -> Any:
        self.calls.append((method, *args))
        return 42 if method == "Inhibit" else None


def test_session_inhibits_and_releases(qtbot: QtBot, data_paths: DataPaths) -> None:
    saver = FakeScreenSaver()
    clock = FakeClock()
    scheduler = FakeScheduler(clock)
    app = AppController(
        data_paths,
        clock=clock,
        scheduler=scheduler,
        audio="off",
        cue_timer_factory=lambda: FakeScheduler(clock),
        keep_awake=KeepAwake("Legdrive Timer", call=saver),
    )
    qtbot.addWidget(app.window)
    hiit = builtin_workout("hiit")
    assert hiit is not None
    app.start(apply_overrides(hiit, Overrides(rounds=1, prep_s=0)))
    assert saver.calls == [("Inhibit", "Legdrive Timer", "A training session is running")]
    scheduler.run_until_idle()
    assert saver.calls[-1] == ("UnInhibit", 42)
    app.shutdown()
    assert len(saver.calls) == 2  # released once only


def test_without_a_bus_nothing_happens() -> None:
    keep = KeepAwake("x", call=None)
    keep._resolved = True  # as when no session bus was found
    assert keep.inhibit("why") is False
    keep.release()


def test_a_failing_service_is_ignored() -> None:
    def broken(method: str, *args: Any) -> Any:
        raise RuntimeError("no")

    keep = KeepAwake("x", call=broken)
    assert keep.inhibit("why") is False
    keep.release()


FAKE_SERVICE = """
import sys
from PySide6.QtCore import ClassInfo, QCoreApplication, QObject, Slot
from PySide6.QtDBus import QDBusConnection

app = QCoreApplication([])
log = open(sys.argv[1], "a")

@ClassInfo({"D-Bus Interface": "org.freedesktop.ScreenSaver"})
class Saver(QObject):
    @Slot(str, str, result="uint")
    def Inhibit(self, name, reason):
        log.write(f"Inhibit|{name}|{reason}\\n")
        log.flush()
        return 7

saver = Saver()
bus = QDBusConnection.sessionBus()
bus.registerObject(
    "/org/freedesktop/ScreenSaver", saver, QDBusConnection.RegisterOption.ExportAllSlots
)
assert bus.registerService("org.freedesktop.ScreenSaver")
app.exec()
"""

CLIENT = """
import json, time
from PySide6.QtCore import QCoreApplication
from PySide6.QtDBus import QDBusConnection
from legdrive_timer.ui.keep_awake import CONNECTION_NAME, KeepAwake

app = QCoreApplication([])
names = QDBusConnection.sessionBus().interface()
deadline = time.monotonic() + 20
while not names.isServiceRegistered("org.freedesktop.ScreenSaver").value():
    assert time.monotonic() < deadline, "the fake service did not start"
    time.sleep(0.05)
keep = KeepAwake("Legdrive Timer")
inhibited = keep.inhibit("A training session is running")
cookie = keep.cookie
keep.release()
print(json.dumps({
    "inhibited": inhibited,
    "cookie": cookie,
    "still_connected": QDBusConnection(CONNECTION_NAME).isConnected(),
}))
"""


def test_real_session_bus(tmp_path: Path) -> None:
    require(shutil.which("dbus-run-session") is not None, "needs dbus-run-session (apt: dbus)")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    service, client, log = tmp_path / "service.py", tmp_path / "client.py", tmp_path / "calls"
    service.write_text(FAKE_SERVICE)
    client.write_text(CLIENT)
    script = (
        f'"{sys.executable}" "{service}" "{log}" & service=$!; '
        f'"{sys.executable}" "{client}"; status=$?; kill $service; wait $service; exit $status'
    )
    done = subprocess.run(
        ["dbus-run-session", "--", "sh", "-c", script],
        cwd=Path(__file__).resolve().parents[2],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["inhibited"] is True and result["cookie"] == 7
    assert log.read_text().splitlines() == ["Inhibit|Legdrive Timer|A training session is running"]
    # Leaving the bus is what lifts the inhibition, whatever UnInhibit answered.
    assert result["still_connected"] is False
