"""The user's settings: loaded once, changed in memory at once, written a moment later.

A volume slider sends a change per step; writing (and syncing) the file for each would
stall the window. Changes are gathered and written once they stop for `WRITE_DELAY_MS`,
and at once on `flush()` (the app closing).
"""

from __future__ import annotations

import binascii
import dataclasses
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer

from legdrive_timer.storage.settings import Settings, load_settings, save_settings

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from legdrive_timer.storage.paths import DataPaths
    from legdrive_timer.ui.main_window import Banner

WRITE_DELAY_MS = 500
"""Quiet time after the last change before the settings file is written."""
DEFAULT_WINDOW_SIZE = (1024, 640)


class SettingsControl(QObject):
    def __init__(self, paths: DataPaths, banner: Banner, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._path = paths.settings_file
        self._banner = banner
        self.current, problem = load_settings(self._path)
        banner.set_message("settings", problem)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(WRITE_DELAY_MS)
        self._timer.timeout.connect(self.flush)
        self._dirty = False
        self.writes = 0
        """How many times the file was written (for tests and benchmarks)."""

    def update(self, **changes: Any) -> None:
        """Change fields of the settings; the file follows shortly."""
        self.replace(dataclasses.replace(self.current, **changes))

    def replace(self, settings: Settings) -> None:
        if settings == self.current and not self._dirty:
            return
        self.current = settings
        self._dirty = True
        self._timer.start()

    @property
    def pending(self) -> bool:
        """Whether a change waits to be written."""
        return self._dirty

    def flush(self) -> None:
        """Write pending changes now."""
        self._timer.stop()
        if not self._dirty:
            return
        self._dirty = False
        self.writes += 1
        try:
            save_settings(self._path, self.current)
        except OSError as error:
            self._banner.set_message(
                "settings", f"The settings could not be saved ({error.strerror or error})."
            )

    # -- window geometry ---------------------------------------------------------------

    def restore_geometry(self, window: QWidget) -> None:
        if self.current.window_geometry:
            try:
                data = binascii.a2b_base64(self.current.window_geometry)
            except (binascii.Error, ValueError):
                data = b""
            if data and window.restoreGeometry(data):
                return
        window.resize(*DEFAULT_WINDOW_SIZE)

    def remember_geometry(self, window: QWidget) -> None:
        geometry = binascii.b2a_base64(window.saveGeometry().data(), newline=False).decode()
        self.update(window_geometry=geometry)
