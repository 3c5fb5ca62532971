"""The start screen is built without style sheets, and its notice banner and sound badge
look as they always have.

The first style sheet set on any widget makes Qt build its style sheet engine (a CSS
parser, rule caches, a style object per styled widget), hidden widgets included: about
0.6 MiB of the start's peak memory (docs/perf-window.md). The banner and the badge are
painted instead.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from legdrive_timer.storage.paths import DataPaths
from legdrive_timer.storage.settings import Settings, save_settings
from legdrive_timer.ui.app import AppController
from legdrive_timer.ui.main_window import MainWindow
from legdrive_timer.ui.widgets import Badge
from tests.helpers import last_json_line, run_app_as_launched

AT_FIRST_FRAME = """
import json, os, sys



def report():
    from PySide6 import QtCore, QtGui
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    window = next(w for w in app.topLevelWidgets() if w.objectName() == "main_window")
    widgets = app.allWidgets()
    banner, badge = window.banner, window.start_screen.sound_state
    print(json.dumps({
        "application sheet": app.styleSheet(),
        "widget sheets": sorted(w.objectName() or type(w).__name__ for w in widgets
                                if w.styleSheet()),
        "styles": sorted({w.style().metaObject().className() for w in widgets}),
        "banner": banner.isVisible() and banner.label.text(),
        "badge": badge.isVisible() and badge.text(),
        "Qt namespace built": "Qt" in vars(QtCore),
        "painter and palette built": [n for n in ("QPainter", "QPalette") if n in vars(QtGui)],
    }), flush=True)
    os._exit(0)


def at_first_frame():
    from PySide6.QtCore import QTimer

    QTimer.singleShot(0, report)  # once the whole frame, banner and badge, is painted
"""


def _first_frame(data_paths: DataPaths, *, muted: bool, broken_workout: bool) -> Any:
    """`legdrive-timer` as the desktop entry starts it, for a returning user: what its
    first frame is made of."""
    save_settings(data_paths.settings_file, Settings(last_workout_id="hiit", muted=muted))
    if broken_workout:
        data_paths.workouts_dir.mkdir(parents=True, exist_ok=True)
        (data_paths.workouts_dir / "broken.json").write_text("{")
    return last_json_line(run_app_as_launched(data_paths.data_dir, AT_FIRST_FRAME))


def _no_style_sheet(report: Any) -> None:
    assert report["application sheet"] == ""
    assert report["widget sheets"] == []
    assert "QStyleSheetStyle" not in report["styles"]
    assert not report["Qt namespace built"]  # the painting needs none of its enums


def test_the_first_frame_uses_no_style_sheet_even_with_a_notice_and_the_badge_shown(
    data_paths: DataPaths,
) -> None:
    """A muted user with a damaged workout file: the banner and the badge are on the
    first frame, styled by the platform's style alone."""
    report = _first_frame(data_paths, muted=True, broken_workout=True)
    assert "broken.json" in report["banner"]
    assert report["badge"] == "MUTED · M"
    _no_style_sheet(report)


def test_a_hidden_banner_and_badge_cost_the_first_frame_nothing_of_their_painting(
    data_paths: DataPaths,
) -> None:
    """With nothing to say, the banner and the badge are hidden: PySide6 has not built the
    painter's or the palette's bindings for them (about 0.4 MiB), nor the style sheet
    engine."""
    report = _first_frame(data_paths, muted=False, broken_workout=False)
    assert report["banner"] is False and report["badge"] is False
    _no_style_sheet(report)
    assert report["painter and palette built"] == []


def test_nothing_built_before_the_first_start_has_a_style_sheet(
    qtbot: QtBot, data_paths: DataPaths
) -> None:
    """Once the services are up after the first frame (sounds, whatever is prepared for
    the first Start), still no widget of the window carries a style sheet."""
    app = AppController(data_paths, audio="off", defer_services=True)
    qtbot.addWidget(app.window)
    app.window.show()
    qtbot.waitExposed(app.window)
    app.load_services()
    app.window.set_muted(True)
    app.window.banner.set_message("test", "A notice.")
    app.window.grab()  # the shown badge and banner painted
    widgets = [app.window, *app.window.findChildren(QWidget)]
    assert [w.objectName() or type(w).__name__ for w in widgets if w.styleSheet()] == []
    assert all(_unstyled(w) for w in widgets)
    app.shutdown()


# -- the look, as before ------------------------------------------------------------------


def _shown_window(qtbot: QtBot, *, notice: str = "", badge: str = "") -> MainWindow:
    window = MainWindow()
    qtbot.addWidget(window)
    window.resize(1000, 700)
    if notice:
        window.banner.set_message("test", notice)
    window.start_screen.set_sound_state(badge)
    window.show()
    qtbot.waitExposed(window)
    _wait_for_layout(qtbot, window)
    return window


def _wait_for_layout(qtbot: QtBot, window: MainWindow) -> None:
    # The start screen sizes its fonts to the window; its layout follows a moment later.
    badge = window.start_screen.sound_state
    qtbot.waitUntil(lambda: badge.isHidden() or badge.width() == badge.sizeHint().width())


def _unstyled(widget: QWidget) -> bool:
    """Drawn by the application's style alone, with no style sheet in the way."""
    return widget.styleSheet() == "" and widget.style() is QApplication.style()


def _ink_columns(image: QImage, rows: range, columns: range, *, light: bool) -> list[int]:
    """The columns holding a light (or a dark) pixel of text in `rows`."""

    def ink(x: int, y: int) -> bool:
        return (image.pixelColor(x, y).lightness() > 128) == light

    return [x for x in columns if any(ink(x, y) for y in rows)]


def test_the_banner_is_pale_yellow_with_a_dark_yellow_line_below_and_dark_text(
    qtbot: QtBot,
) -> None:
    window = _shown_window(qtbot, notice="Your history file was damaged; a copy was kept.")
    banner = window.banner
    assert banner.objectName() == "banner"
    assert banner.label.objectName() == "banner_text"
    assert banner.label.accessibleName() == "Notice"
    assert banner.label.accessibleDescription() == banner.label.text()
    image = banner.grab().toImage()
    width, height = image.width(), image.height()
    assert height == 48  # 4 above and below the 40 px dismiss button
    assert image.pixelColor(2, 2).name() == "#fff3c4"
    assert image.pixelColor(width // 2, height - 3).name() == "#fff3c4"
    assert image.pixelColor(width // 2, height - 2).name() == "#8a6d00"
    assert image.pixelColor(width - 1, height - 1).name() == "#8a6d00"
    # The text: its darkest pixels are the dark grey it is written in, from 10 px in.
    label = banner.label.geometry()
    assert label.left() == 10
    text = range(label.top(), label.bottom())
    inked = _ink_columns(image, text, range(label.right()), light=False)
    assert inked and 10 <= inked[0] <= 14
    darkest = min(
        (image.pixelColor(x, y) for x in inked for y in text), key=lambda c: c.lightness()
    )
    assert darkest.name() == "#1a1a1a"
    # The dismiss button keeps the plain window's look (its outline is not yellowed).
    button = banner.close_button.geometry()
    outline = image.pixelColor(button.center().x(), button.top())
    assert outline.red() == outline.green() == outline.blue()
    assert _unstyled(banner) and _unstyled(banner.label) and _unstyled(banner.close_button)


def _check_badge_look(window: MainWindow) -> None:
    """White bold text on a dark plate with rounded corners, inset by 4 px above and below
    and by 10 px and half an "x" on each side."""
    screen = window.start_screen
    badge = screen.sound_state
    assert badge.font().bold()
    # Inside the start screen, as it is seen: the corners show the screen behind.
    image = screen.grab().toImage()
    behind = screen.palette().window().color().name()
    box = badge.geometry()
    for x in (box.left(), box.right()):
        for y in (box.top(), box.bottom()):
            assert image.pixelColor(x, y).name() == behind, (x, y)
    # 6 px from a corner along the edges, the plate is full.
    for x, y in ((box.left() + 6, box.top()), (box.left(), box.top() + 6)):
        assert image.pixelColor(x, y).name() == "#1a1a1a"
    for x, y in ((box.right() - 6, box.bottom()), (box.right(), box.bottom() - 6)):
        assert image.pixelColor(x, y).name() == "#1a1a1a"
    rows = range(box.top() + 6, box.bottom() - 6)  # clear of the rounded corners
    inked = _ink_columns(image, rows, range(box.left(), box.right() + 1), light=True)
    assert inked
    brightest = max(
        (image.pixelColor(x, y) for x in inked for y in rows), key=lambda c: c.lightness()
    )
    assert brightest.name() == "#ffffff"
    x = badge.fontMetrics().horizontalAdvance("x")
    left, right = inked[0] - box.left(), box.right() - inked[-1]
    assert 10 + x // 2 <= left <= 10 + x // 2 + 3
    assert 10 + x // 2 <= right <= 10 + x // 2 + 4
    line = badge.fontMetrics().height()
    assert line + 8 <= badge.sizeHint().height() <= line + 10  # 4 px above and below


def test_the_sound_badge_is_white_bold_on_a_rounded_dark_plate(qtbot: QtBot) -> None:
    window = _shown_window(qtbot, badge="MUTED · M")
    badge = window.start_screen.sound_state
    assert badge.objectName() == "sound_state"
    assert badge.accessibleName() == "Sound"
    assert badge.accessibleDescription() == "MUTED · M"
    _check_badge_look(window)
    assert _unstyled(badge)


def test_the_badge_keeps_its_look_when_the_screen_sizes_its_font(qtbot: QtBot) -> None:
    window = _shown_window(qtbot, badge="NO SOUND")
    badge = window.start_screen.sound_state
    small = badge.font().pixelSize()
    window.resize(1600, 1000)
    qtbot.waitUntil(lambda: badge.font().pixelSize() > small)
    _wait_for_layout(qtbot, window)
    _check_badge_look(window)
    assert _unstyled(badge)


def test_a_badge_paints_the_colours_it_is_given(qtbot: QtBot) -> None:
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.resize(300, 100)
    badge = Badge("SOUND OFF", parent, background="#0a4f8a", foreground="#f0e442")
    badge.resize(badge.sizeHint())
    parent.show()
    qtbot.waitExposed(parent)
    image = parent.grab().toImage()
    assert image.pixelColor(0, 0).name() == parent.palette().window().color().name()
    assert image.pixelColor(badge.width() // 2, 1).name() == "#0a4f8a"
    rows = range(badge.height())
    columns = range(badge.width())
    yellow = [image.pixelColor(x, y).name() for x in columns for y in rows]
    assert "#f0e442" in yellow
    assert badge.font().bold() and _unstyled(badge)
