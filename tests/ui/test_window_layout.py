"""Readable from across the room at any size: colours, digit size, no clipped text."""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from legdrive_timer.core.builtins import builtin_workout
from legdrive_timer.core.overrides import Overrides, apply_overrides
from legdrive_timer.ui import theme
from tests.helpers import last_json_line, run_python
from tests.helpers.window import (
    WindowHarness,
    digit_height_share,
    dominant_colour,
    layout_problems,
)

MAIN_PHASES = {"prep": theme.PREP, "work": theme.WORK, "rest": theme.REST, "switch": theme.SWITCH}


def test_text_contrast_on_every_phase_colour() -> None:
    for style in [*theme.PHASE_STYLES.values(), theme.DONE]:
        ratio = theme.contrast_ratio(
            theme.parse_hex(style.background), theme.parse_hex(style.foreground)
        )
        assert ratio >= 4.5, style


def test_work_and_rest_differ_in_lightness_not_only_hue() -> None:
    work = theme.lightness(theme.parse_hex(theme.WORK.background))
    rest = theme.lightness(theme.parse_hex(theme.REST.background))
    assert rest - work >= 25


@pytest.mark.parametrize("vision", ["normal", *theme.CVD_KINDS])
def test_phase_colours_stay_apart_with_colour_vision_deficiencies(vision: str) -> None:
    for (name_a, a), (name_b, b) in itertools.combinations(MAIN_PHASES.items(), 2):
        rgb_a, rgb_b = theme.parse_hex(a.background), theme.parse_hex(b.background)
        if vision != "normal":
            rgb_a, rgb_b = theme.simulate_cvd(rgb_a, vision), theme.simulate_cvd(rgb_b, vision)
        assert theme.delta_e(rgb_a, rgb_b) >= 15, (vision, name_a, name_b)


def test_simulation_sanity() -> None:
    # Red and green collapse for deuteranopia: the simulation is not a no-op.
    red, green = (200, 60, 40), (60, 170, 40)
    assert theme.delta_e(red, green) > 60
    simulated = theme.delta_e(
        theme.simulate_cvd(red, "deuteranopia"), theme.simulate_cvd(green, "deuteranopia")
    )
    assert simulated < 35


def _primer(h: WindowHarness) -> None:
    base = builtin_workout("primer")
    assert base is not None
    h.app.start(apply_overrides(base, Overrides(reps=3, prep_s=5)))


# Offsets into the shortened primer: prep 5 s, right 7.5 s, switch 10 s, left, set rest.
MOMENTS = {"prep": 1000, "work": 6500, "switch": 13_000, "set_rest": 30_000}


@pytest.mark.parametrize("size", [(640, 400), (800, 480), (1600, 1000), (1920, 1080)])
def test_session_screen_fits_every_size(
    qtbot: QtBot, harness: WindowHarness, size: tuple[int, int]
) -> None:
    h = harness
    h.window.resize(*size)
    _primer(h)
    elapsed = 0
    for moment, at in MOMENTS.items():
        h.advance(at - elapsed)
        elapsed = at
        QApplication.processEvents()
        assert layout_problems(h.window) == [], moment
        # While the rating strip shows, its height comes out of the buttons and the digits,
        # never out of the text rows (the cue and the position line keep their size).
        least = 0.25 if h.window.stability_prompt.isVisible() else 0.30
        assert digit_height_share(h) >= least, (moment, digit_height_share(h))
    h.view.primary()  # pause overlay
    QApplication.processEvents()
    assert layout_problems(h.window) == []


@pytest.mark.parametrize("size", [(640, 400), (1600, 1000)])
def test_start_and_summary_fit(qtbot: QtBot, harness: WindowHarness, size: tuple[int, int]) -> None:
    h = harness
    h.window.resize(*size)
    QApplication.processEvents()
    assert layout_problems(h.window) == []
    _primer(h)
    h.scheduler.run_until_idle()
    QApplication.processEvents()
    summary = h.window.summary_view
    assert h.window.current_screen is summary
    assert layout_problems(h.window) == []
    # The layout gives each part its share: the table is not squeezed by the totals.
    assert summary.table.height() >= summary.height() * 0.35
    assert summary.title.font().pixelSize() >= summary.totals.font().pixelSize()


def test_dark_system_palette_keeps_phase_colours_and_readable_lists(
    qtbot: QtBot, harness: WindowHarness
) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    original = app.palette()
    dark = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Window, "#202124"),
        (QPalette.ColorRole.WindowText, "#e8eaed"),
        (QPalette.ColorRole.Base, "#121212"),
        (QPalette.ColorRole.Text, "#e8eaed"),
        (QPalette.ColorRole.Button, "#303134"),
        (QPalette.ColorRole.ButtonText, "#e8eaed"),
    ):
        dark.setColor(role, QColor(colour))
    app.setPalette(dark)
    try:
        h = harness
        list_palette = h.window.start_screen.list.palette()
        text = list_palette.color(QPalette.ColorRole.Text).getRgb()[:3]
        base = list_palette.color(QPalette.ColorRole.Base).getRgb()[:3]
        assert theme.contrast_ratio(text, base) >= 4.5
        _primer(h)
        assert h.background() == theme.PREP.background
        assert layout_problems(h.window) == []
    finally:
        app.setPalette(original)


SCALED_CHECK = """
import json, sys
from PySide6.QtWidgets import QApplication
app = QApplication([])
from legdrive_timer.storage.paths import DataPaths
from tests.helpers.window import WindowHarness, layout_problems, digit_height_share
from legdrive_timer.core.builtins import builtin_workout
h = WindowHarness(DataPaths.resolve(sys.argv[1]))
h.window.resize(800, 480)
h.window.show()
app.processEvents()
result = {"ratio": h.window.devicePixelRatio(), "problems": layout_problems(h.window)}
h.app.start(builtin_workout("hiit"))
h.advance(11_000)
app.processEvents()
result["problems"] += layout_problems(h.window)
result["share"] = digit_height_share(h)
h.view.flash.hide()
image = h.view.grab().toImage()
result["grab"] = [image.width(), image.height()]
from tests.helpers.window import dominant_colour
result["colour"] = dominant_colour(image)
h.app.shutdown()
print(json.dumps(result))
"""


def test_window_at_200_percent_scale(tmp_path: Path) -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "QT_SCALE_FACTOR": "2"}
    repo = Path(__file__).resolve().parents[2]
    result = last_json_line(
        run_python(SCALED_CHECK, str(tmp_path / "data"), cwd=repo, env=env, timeout=120)
    )
    assert result["ratio"] == 2
    assert result["problems"] == []
    assert result["share"] >= 0.30
    assert result["grab"][0] >= 1500  # rendered at device pixels
    assert result["colour"] == theme.WORK.background


def test_dominant_colour_reads_the_background(harness: WindowHarness) -> None:
    h = harness
    _primer(h)
    assert dominant_colour(h.view.grab().toImage()) != theme.PREP.background  # flash on
    assert h.background() == theme.PREP.background
