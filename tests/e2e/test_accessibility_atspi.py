"""The history's drop-down lists as a screen reader finds them over AT-SPI: the real app in
a real X server, on a private session bus with the accessibility bus, read by pyatspi."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from legdrive_timer.storage.history import HistoryStore
from tests.e2e.test_window_e2e import x_display
from tests.helpers import require
from tests.ui.test_history_view import primer

__all__ = ["x_display"]

pytestmark = [pytest.mark.e2e]

CLIENT = Path(__file__).with_name("atspi_client.py")
SYSTEM_PYTHON = "/usr/bin/python3"
SCRIPT = """
set -u
dbus-send --session --dest=org.a11y.Bus --print-reply /org/a11y/bus \\
    org.a11y.Bus.GetAddress > /dev/null
QT_LINUX_ACCESSIBILITY_ALWAYS_ON=1 "$APP_PYTHON" -m legdrive_timer --data-dir "$DATA" &
app=$!
"$SYSTEM_PYTHON" "$CLIENT"
status=$?
kill "$app"
wait "$app"
exit $status
"""


def _has_pyatspi() -> bool:
    if not os.access(SYSTEM_PYTHON, os.X_OK):
        return False
    done = subprocess.run([SYSTEM_PYTHON, "-c", "import pyatspi"], capture_output=True)
    return done.returncode == 0


def test_drop_downs_are_named_by_their_label_over_at_spi(x_display: str, tmp_path: Path) -> None:
    for program in ("dbus-run-session", "dbus-send"):
        require(shutil.which(program) is not None, f"needs {program} (apt: dbus)")
    require(
        _has_pyatspi(), "needs pyatspi for /usr/bin/python3 (apt: at-spi2-core python3-pyatspi)"
    )
    data = tmp_path / "data"
    with HistoryStore.open(data / "history.sqlite3") as store:
        store.merge([primer("p1", date(2026, 11, 25))])
    env = {
        **os.environ,
        "DISPLAY": x_display,
        "QT_QPA_PLATFORM": "xcb",
        "APP_PYTHON": sys.executable,
        "SYSTEM_PYTHON": SYSTEM_PYTHON,
        "CLIENT": str(CLIENT),
        "DATA": str(data),
        "XDG_RUNTIME_DIR": str(tmp_path / "runtime"),
    }
    (tmp_path / "runtime").mkdir(mode=0o700)
    env.pop("LEGDRIVE_TIMER_HOME", None)
    done = subprocess.run(
        ["dbus-run-session", "--", "bash", "-c", SCRIPT],
        env=env,
        capture_output=True,
        text=True,
        timeout=90,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    drop_downs = {found["name"]: found for found in json.loads(done.stdout.splitlines()[-1])}
    assert drop_downs.keys() == {"Filter by workout", "Filter by date range"}
    assert drop_downs["Filter by workout"]["chosen"] == ["All workouts"]
    assert drop_downs["Filter by date range"]["chosen"] == ["All time"]
    assert "ShowMenu" in drop_downs["Filter by workout"]["actions"]
