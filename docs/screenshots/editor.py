"""Screenshots of the workout editor on a real X server, as a person sees the screen.

    xvfb-run -a -s "-screen 0 1366x768x24" python docs/screenshots/editor.py
    xvfb-run -a -s "-screen 0 1024x600x24" python docs/screenshots/editor.py

Opens the app on a throw-away data dir, edits a copy of "Primer + finisher" in the editor
filling the screen, and grabs the whole screen: `editor-<W>x<H>.png`, and at the smaller
screen also `editor-invalid-<W>x<H>.png` with a value out of range.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from legdrive_timer.storage.paths import DataPaths
from legdrive_timer.ui.app import AppController

HERE = Path(__file__).resolve().parent


def main() -> int:
    app = QApplication(sys.argv[:1])
    screen = QGuiApplication.primaryScreen()
    assert screen is not None
    size = screen.size()
    name = f"{size.width()}x{size.height()}"
    with tempfile.TemporaryDirectory() as data:
        controller = AppController(DataPaths.resolve(Path(data)), audio="off")
        window = controller.window
        window.showMaximized()
        start = window.start_screen
        for row in range(start.list.count()):
            if start.list.item(row).data(0x0100) == "full":
                start.list.setCurrentRow(row)
        editor = controller.workouts.commands.edit("full")
        assert editor is not None
        editor.setWindowState(Qt.WindowState.WindowMaximized)
        editor.setGeometry(screen.availableGeometry())

        def shot(file: str) -> None:
            for _ in range(20):
                app.processEvents()
            screen.grabWindow(0).save(str(HERE / file), "PNG", 9)
            print(HERE / file)

        shot(f"editor-{name}.png")
        if size.width() <= 1024:
            editor.blocks.setCurrentRow(1)
            editor.boxes["work_s"].setValue(0)
            shot(f"editor-invalid-{name}.png")
        editor.done(0)
        controller.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
