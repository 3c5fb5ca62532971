"""What the start loads: nothing heavy that the app never uses.

Each check runs in a fresh interpreter, since this one has imported everything already.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

import pytest

from tests.helpers import run_python


def test_the_sound_engine_loads_without_the_web_client() -> None:
    out = run_python(
        """
        import sys
        import PySide6.QtCore  # its import hook looks into every module imported after it
        from legdrive_timer.audio.miniaudio_backend import import_miniaudio

        miniaudio = import_miniaudio()
        print(hasattr(miniaudio, "PlaybackDevice"))
        print(sorted(m for m in ("ssl", "http.client", "email.parser", "html") if m in sys.modules))
        print(miniaudio.html.unescape("&amp;"))
        import urllib
        # The web client still works: the first lookup imports the real module.
        print(urllib.request.Request.__module__)
        import urllib.request
        print(urllib.request.urlopen.__module__, "ssl" in sys.modules)
        """
    )
    assert out.split("\n")[:5] == ["True", "[]", "&", "urllib.request", "urllib.request True"]


def test_a_module_that_uses_a_stand_in_while_loading_is_imported_plainly(tmp_path: Path) -> None:
    # A future miniaudio might use `html` at its top: it must still load, with the real one.
    (tmp_path / "uses_html.py").write_text(
        "import urllib.request\nfrom html import escape\nESCAPED = escape('<')\n"
    )
    out = run_python(
        f"""
        import sys
        sys.path.insert(0, {str(tmp_path)!r})
        from legdrive_timer.audio.miniaudio_backend import import_without

        module = import_without("uses_html", ("urllib.request", "html"))
        print(module.ESCAPED, type(sys.modules["html"]).__name__, module.urllib.request.__name__)
        """
    )
    assert out.strip() == "&lt; module urllib.request"


def test_a_module_loads_as_if_what_it_imports_if_it_can_were_missing(tmp_path: Path) -> None:
    (tmp_path / "optional_dep.py").write_text("LOADED = True\n")
    (tmp_path / "uses_it.py").write_text(
        "try:\n    import optional_dep\nexcept ImportError:\n    optional_dep = None\n"
    )
    out = run_python(
        f"""
        import sys
        sys.path.insert(0, {str(tmp_path)!r})
        from legdrive_timer.audio.miniaudio_backend import import_without

        module = import_without("uses_it", (), optional=("optional_dep",))
        print(module.optional_dep, "optional_dep" in sys.modules)
        import optional_dep  # and whoever needs it later imports it as usual

        print(optional_dep.LOADED)
        """
    )
    assert out.split() == ["None", "False", "True"]


def test_the_sound_engine_loads_without_numpy_where_numpy_is_installed() -> None:
    if importlib.util.find_spec("numpy") is None:
        pytest.skip("numpy is not installed (the coach extra brings it)")
    out = run_python(
        """
        import sys
        from legdrive_timer.audio.miniaudio_backend import import_miniaudio

        miniaudio = import_miniaudio()
        print(miniaudio.numpy, "numpy" in sys.modules)
        import numpy

        print(numpy.zeros(2).sum())
        """
    )
    assert out.split() == ["None", "False", "0.0"]


def test_the_sound_engine_is_imported_once() -> None:
    out = run_python(
        """
        import urllib.request
        from legdrive_timer.audio.miniaudio_backend import import_miniaudio

        first = import_miniaudio()
        print(first is import_miniaudio(), urllib.request.urlopen is not None)
        """
    )
    assert out.strip() == "True True"


def test_loading_the_sounds_loads_only_what_the_open_device_needs() -> None:
    """The cue system at start: the device opened (or looked for) and the cues mapped,
    without the planner (made per session), the wave module (the cue headers are read
    directly) or the queue module (the simpleaudio backend's)."""
    out = run_python(
        """
        import sys
        from legdrive_timer.audio import CueSystem

        cues = CueSystem.create("miniaudio")
        unused = ("legdrive_timer.audio.planner", "wave", "queue", "heapq")
        print(cues.backend_name, sorted(m for m in unused if m in sys.modules))
        cues.close()
        from legdrive_timer.audio import CuePlanner

        print(CuePlanner.__module__)
        """
    )
    assert out.split("\n")[:2] == ["miniaudio []", "legdrive_timer.audio.planner"]


def test_names_are_sha256_without_openssl() -> None:
    out = run_python(
        """
        import sys
        from legdrive_timer.core.digest import sha256_hex

        name = sha256_hex(b"session-1")
        print("_hashlib" in sys.modules)
        import hashlib
        print(name == hashlib.sha256(b"session-1").hexdigest())
        """
    )
    assert out.split() == ["False", "True"]


def test_the_log_file_opens_without_the_network_handlers(tmp_path: Path) -> None:
    out = run_python(
        f"""
        import sys
        from pathlib import Path
        from legdrive_timer.logs import Diagnostics

        diagnostics = Diagnostics(Path({str(tmp_path / "logs" / "app.log")!r}))
        print(diagnostics.attach_file())
        print(sorted(m for m in ("logging.handlers", "socket", "pickle") if m in sys.modules))
        """
    )
    assert out.split("\n")[:2] == ["True", "[]"]


def test_the_window_and_its_services_load_without_helpers_they_do_not_use() -> None:
    out = run_python(
        """
        import sys
        import legdrive_timer.ui.app
        import legdrive_timer.storage.history
        from legdrive_timer.audio import system
        from legdrive_timer.audio.backends import _quiet_alsa

        print("ctypes" in sys.modules)  # only where libasound is used
        _quiet_alsa()
        unused = ("subprocess", "statistics", "decimal", "logging.handlers", "urllib.request")
        print(sorted(m for m in unused if m in sys.modules))
        """
    )
    assert out.split() == ["False", "[]"]


def test_modules_loaded_before_qt_are_not_read_again_by_its_import_hook() -> None:
    out = run_python(
        """
        import linecache
        import typing
        import legdrive_timer.ui
        from PySide6.QtCore import QObject
        import typing

        print(typing.__file__ in linecache.cache, QObject.__name__)
        """
    )
    assert out.split() == ["False", "QObject"]


@pytest.mark.skipif(os.name != "posix", reason="Windows listens with QLocalServer")
def test_the_first_instance_listens_without_qtnetwork_or_the_socket_module(
    tmp_path: Path,
) -> None:
    out = run_python(
        f"""
        import os, sys
        os.environ["TMPDIR"] = {str(tmp_path)!r}
        from PySide6.QtCore import QCoreApplication
        from legdrive_timer.ui.single_instance import InstanceServer

        app = QCoreApplication([])
        server = InstanceServer("ldt-test", lambda request: {{"status": 0}})
        print(server.listen(), "PySide6.QtNetwork" in sys.modules, "socket" in sys.modules)
        server.close()
        import PySide6.QtCore

        print("QDir" in vars(PySide6.QtCore))  # its class made, with its enum classes
        """
    )
    expected = ["True", "False", "False", str(sys.platform == "darwin")]
    assert out.split() == expected


def test_the_apps_own_modules_are_not_read_by_qts_import_hook() -> None:
    out = run_python(
        """
        import linecache
        import legdrive_timer.ui.app

        print(sorted(name for name in linecache.cache if "legdrive_timer" in name))
        """
    )
    assert out.strip() == "[]"


def test_no_module_of_the_app_switches_a_pyside_feature_on() -> None:
    """What lets ui/__init__.py mark the app's modules for PySide6's hook unread."""
    import re

    import legdrive_timer

    root = Path(legdrive_timer.__file__).parent
    switch = re.compile(r"^\s*(from|import)\s+__feature__", re.MULTILINE)
    assert [f.name for f in root.rglob("*.py") if switch.search(f.read_text())] == []


def test_opening_the_history_and_its_journal_loads_no_export_format(tmp_path: Path) -> None:
    """The export format (and csv) is for exports, imports and sessions kept aside: none
    of them happens at a start with nothing to recover."""
    out = run_python(
        f"""
        import sys
        from pathlib import Path
        from legdrive_timer.storage.history import HistoryStore
        from legdrive_timer.storage.journal import SessionJournal

        store = HistoryStore.open(Path({str(tmp_path / "history.sqlite3")!r}))
        journal = SessionJournal(store, background=True)
        print(sorted(m for m in ("csv", "legdrive_timer.core.history_format") if m in sys.modules))
        journal.close()
        store.close()
        """
    )
    assert out.strip() == "[]"


def test_the_session_engine_makes_its_ids_without_the_uuid_module() -> None:
    out = run_python(
        """
        import sys
        from legdrive_timer.core.engine import random_session_id

        print(len(random_session_id()), "uuid" in sys.modules, "platform" in sys.modules)
        """
    )
    assert out.split() == ["32", "False", "False"]


def test_the_journal_and_the_history_access_load_no_sqlite_until_opened(tmp_path: Path) -> None:
    """The first session makes its journal on the window's thread, at Start: that costs no
    SQLite and no store; the writer thread loads them when it opens the history."""
    out = run_python(
        f"""
        import sys
        from pathlib import Path
        from legdrive_timer.storage.history_access import HistoryAccess
        from legdrive_timer.storage.journal import SessionJournal

        heavy = ("sqlite3", "_sqlite3", "legdrive_timer.storage.history")
        access = HistoryAccess(Path({str(tmp_path / "history.sqlite3")!r}))
        journal = SessionJournal(access, background=True)
        print(sorted(m for m in heavy if m in sys.modules))
        access.get()
        print(sorted(m for m in heavy if m in sys.modules))
        journal.close()
        access.close()
        """
    )
    assert out.splitlines() == [
        "[]",
        "['_sqlite3', 'legdrive_timer.storage.history', 'sqlite3']",
    ]


def test_the_start_line_of_the_log_loads_no_platform_module() -> None:
    out = run_python(
        """
        import sys
        from legdrive_timer.ui.app import _log_start

        _log_start()
        print("platform" in sys.modules)
        """
    )
    assert out.split() == ["False"]


def test_datetime_is_loaded_when_a_session_asks_the_time() -> None:
    """On Python 3.11 `datetime` compiles its pure-Python classes as well (0.35 MiB): the
    session's modules use it for values only, made when a session starts. (PySide6 6.12
    loads it itself: then there is nothing to save.)"""
    out = run_python(
        """
        import sys
        import PySide6.QtWidgets
        by_qt = "datetime" in sys.modules
        import legdrive_timer.ui.session_view, legdrive_timer.ui.control.session
        import legdrive_timer.core.formatting, legdrive_timer.core.records
        from legdrive_timer.core.engine import local_now

        print(("datetime" in sys.modules) == by_qt)
        now = local_now()
        print("datetime" in sys.modules, now.tzinfo is not None)
        """
    )
    assert out.split() == ["True", "True", "True"]


def test_the_icon_and_the_cues_are_found_without_importlib_resources() -> None:
    out = run_python(
        """
        import os, sys
        from contextlib import ExitStack

        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from PySide6.QtWidgets import QApplication

        from legdrive_timer.audio.cues import open_assets
        from legdrive_timer.ui.app import _set_window_icon

        app = QApplication([])
        _set_window_icon(app)
        with ExitStack() as stack:
            assets = open_assets(stack)
        print(app.windowIcon().isNull(), len(assets), "importlib.resources" in sys.modules)
        """
    )
    assert out.split()[0] == "False"
    assert out.split()[2] == "False"


@pytest.mark.skipif(sys.platform == "win32", reason="the window closes on signals on POSIX only")
def test_closing_on_signals_builds_no_enum_classes_of_the_signal_module() -> None:
    out = run_python(
        """
        import os, sys

        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        from PySide6.QtWidgets import QApplication

        from legdrive_timer.ui.app import _CloseOnSignals

        app = QApplication([])
        handler = _CloseOnSignals(app, app.quit)
        handler.release()
        print("signal" in sys.modules)
        """
    )
    assert out.split() == ["False"]
