"""What a start holds once the window is up and the sound device open on a PulseAudio
server, as `bench/startup.py` measures it: the app started as its desktop entry starts it,
looked at half a second after its services are loaded (the bench reads the peak memory half
a second after the first frame). The cue files are mapped and none of their pages read yet,
libasound and ctypes are not loaded (nor the cue planner, made per session, nor the wave
module), the history (SQLite, its writer thread) and the session screen wait until they are
needed, and no module source is kept.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from legdrive_timer.audio.cues import Cue
from tests.e2e.test_audio_capture import _pulse

pytestmark = [pytest.mark.audio, pytest.mark.slow]

PROBE = textwrap.dedent(
    """
    import json, linecache, sys, threading
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from legdrive_timer import cli
    from legdrive_timer.ui import app as ui_app

    made = []
    build = ui_app.AppController.__init__
    load_services = ui_app.AppController.load_services

    def keep(self, *args, **kwargs):
        build(self, *args, **kwargs)
        made.append(self)

    def loaded(self):
        load_services(self)
        QTimer.singleShot(500, report)

    def mapped_cues():
        files, rss, path = 0, 0, None
        with open("/proc/self/smaps") as smaps:
            for line in smaps:
                fields = line.split()
                if "-" in fields[0] and ":" not in fields[0]:
                    path = fields[5] if len(fields) > 5 else None
                    files += bool(path and path.endswith(".wav"))
                elif fields[0] == "Rss:" and path and path.endswith(".wav"):
                    rss += int(fields[1])
        return files, rss

    def report():
        cues = made[0].cues
        files, rss = mapped_cues()
        print(json.dumps({
            "backend": cues.backend_name,
            "device": cues._backend.backend,
            "session_view": made[0].window.has_session_view,
            "cue_files": files,
            "cue_kib_read": rss,
            "sources_kept": len(linecache.cache),
            "loaded": sorted(
                m
                for m in (
                    "ctypes", "_ctypes", "sqlite3", "_sqlite3",
                    "wave", "queue", "legdrive_timer.audio.planner",
                    "legdrive_timer.ui.session_view", "legdrive_timer.ui.coach_strip",
                    "legdrive_timer.ui.overlays", "legdrive_timer.ui.progress",
                )
                if m in sys.modules
            ),
            "threads": sorted(t.name for t in threading.enumerate()),
        }), flush=True)
        QApplication.instance().quit()

    ui_app.AppController.__init__ = keep
    ui_app.AppController.load_services = loaded
    sys.argv = ["legdrive-timer", "--data-dir", sys.argv[1]]
    sys.exit(cli.main())
    """
)


def test_a_start_maps_the_cues_and_leaves_libasound_and_the_sources_alone(
    tmp_path: Path,
) -> None:
    capture = _pulse(tmp_path)
    try:
        env = {**os.environ, **capture.env(), "QT_QPA_PLATFORM": "offscreen"}
        result = subprocess.run(
            [sys.executable, "-c", PROBE, str(tmp_path / "data")],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    finally:
        capture.close()
    lines = [line for line in result.stdout.splitlines() if line.startswith("{")]
    assert result.returncode == 0 and lines, result.stderr[-3000:]
    state = json.loads(lines[-1])
    assert state["backend"] == "miniaudio" and state["device"] == "PulseAudio"
    assert not state["session_view"]  # built by the first Start
    assert state["cue_files"] == len(Cue)  # every cue and voice line, mapped
    assert state["cue_kib_read"] == 0  # and none of them in memory before it plays
    assert state["sources_kept"] == 0
    # No libasound quieting, no history or session screen before they are needed, nothing
    # of the sounds but what the open device plays with (no planner before a session, no
    # wave module).
    assert state["loaded"] == []
    assert "history-writer" not in state["threads"]
