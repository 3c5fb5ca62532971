"""Render assets/icons/legdrive-timer.svg to the PNG sizes that desktops and packagers use.

    python assets/render_icons.py    # writes assets/icons/legdrive-timer-{48,128,256}.png

Needs only PySide6 (QtSvg ships in PySide6-Essentials); runs without a display.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

ICONS = Path(__file__).resolve().parent / "icons"
SOURCE = ICONS / "legdrive-timer.svg"
# 48: the hicolor size launchers and panels look up first; 128 and 256: app grids, software
# centres and the AppStream catalog.
SIZES = (48, 128, 256)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render the SVG app icon to PNG.")
    parser.add_argument("--out", type=Path, default=ICONS, help="output directory")
    args = parser.parse_args(argv)
    # No display is needed to paint into a QImage.
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        sys.exit(f"{SOURCE} is not a valid SVG.")
    args.out.mkdir(parents=True, exist_ok=True)
    for size in SIZES:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter)
        painter.end()
        path = args.out / f"legdrive-timer-{size}.png"
        if not image.save(str(path), "PNG"):
            sys.exit(f"Could not write {path}.")
        print(path)
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
