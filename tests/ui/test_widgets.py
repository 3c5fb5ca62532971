"""The fitted text: the largest font that fits, found with few sizes tried."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QApplication

from legdrive_timer.ui import widgets
from legdrive_timer.ui.qt_values import ALIGN_CENTER, TEXT_WORD_WRAP
from legdrive_timer.ui.widgets import fitted_pixel_size

TEXTS = ["Legdrive Timer", "27", "0:05", "SWITCH SIDES", "Drive the knee up hard.  Lower slowly."]


def fits_at(font: QFont, text: str, size: QSize, px: int, *, wrap: bool, tight: bool) -> bool:
    probe = QFont(font)
    probe.setPixelSize(px)
    metrics = QFontMetrics(probe)
    if tight:
        rect = metrics.tightBoundingRect(text)
    else:
        flags = ALIGN_CENTER | (TEXT_WORD_WRAP if wrap else 0)
        rect = metrics.boundingRect(QRect(0, 0, size.width(), 100_000), flags, text)
    return rect.width() <= size.width() and rect.height() <= size.height()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    text=st.sampled_from(TEXTS),
    width=st.integers(20, 900),
    height=st.integers(10, 500),
    max_px=st.integers(1, 400),
    wrap=st.booleans(),
    tight=st.booleans(),
)
def test_the_size_is_the_largest_that_fits(
    qapp: QApplication, text: str, width: int, height: int, max_px: int, wrap: bool, tight: bool
) -> None:
    font = QApplication.font()
    size = QSize(width, height)
    px = fitted_pixel_size(font, text, size, wrap=wrap, tight=tight, max_px=max_px)
    assert 1 <= px <= max_px
    if px > 1:
        assert fits_at(font, text, size, px, wrap=wrap, tight=tight)
    if px < max_px:
        assert not fits_at(font, text, size, px + 1, wrap=wrap, tight=tight)


@pytest.mark.parametrize(
    ("text", "size", "max_px", "most_tries"),
    [
        ("Legdrive Timer", QSize(1000, 66), 47, 1),  # the start screen's title fits its cap
        ("27", QSize(600, 300), 2000, 5),  # big digits: far below the cap
        ("Drive the knee up hard.  Lower slowly.", QSize(300, 120), 60, 7),
    ],
)
def test_few_sizes_are_tried(
    qapp: QApplication,
    monkeypatch: pytest.MonkeyPatch,
    text: str,
    size: QSize,
    max_px: int,
    most_tries: int,
) -> None:
    tried: list[QFont] = []

    class CountingMetrics(QFontMetrics):
        def __init__(self, font: QFont) -> None:
            tried.append(QFont(font))
            super().__init__(font)

    monkeypatch.setattr(widgets, "QFontMetrics", CountingMetrics)
    fitted_pixel_size(QApplication.font(), text, size, wrap=" " in text, tight=False, max_px=max_px)
    assert 1 <= len(tried) <= most_tries
