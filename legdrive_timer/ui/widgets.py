"""Small widgets for a screen read from across a room.

`FitLabel` picks the largest font at which its text fits its current size, so text scales
with the window and never clips or overlaps, whatever the window size or scale factor.

These widgets never touch PySide6's `Qt` namespace, whose first use builds all of its ~90
enums at once (see ui.qt_values): the start screen's first frame and the session screen
do without them.

Nor do they use style sheets: the first style sheet set on any widget, even a hidden one,
makes Qt build its style sheet engine (a CSS parser, rule caches and a style object per
styled widget), about 0.6 MiB at start. Colours go through the palette, shapes are painted
(`Badge`), and padding is the contents margins.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, QRectF, QSize
from PySide6.QtGui import QColor, QFont, QFontMetrics
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from legdrive_timer.ui.qt_values import (
    ALIGN_CENTER,
    TEXT_WORD_WRAP,
    fill_path,
    rounded_rect,
    set_enum_property,
)

if TYPE_CHECKING:
    from PySide6.QtGui import QPaintEvent, QResizeEvent


def set_no_focus(widget: QWidget) -> None:
    """`widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)`, without building `Qt` (see above)."""
    set_enum_property(widget, "focusPolicy", "NoFocus")


def text_colour(widget: QWidget, colour: QColor) -> None:
    """Give `widget` this text colour: a painter opened on it starts with it as its pen."""
    palette = widget.palette()
    palette.setColor(widget.foregroundRole(), colour)
    widget.setPalette(palette)


def fitted_pixel_size(
    font: QFont, text: str, size: QSize, *, wrap: bool, tight: bool, max_px: int
) -> int:
    """The largest pixel size at which `text` fits into `size`, at most `max_px`.

    Each size tried is a font Qt has to load, so few are tried: `max_px` first (a short
    title fits at its cap), then, for a line, sizes next to the one its measure at the cap
    scales to (about 2 tries, against 8 for a plain halving).
    """
    if not text or size.width() <= 0 or size.height() <= 0:
        return max(1, min(max_px, 12))
    probe = QFont(font)
    flags = ALIGN_CENTER | (TEXT_WORD_WRAP if wrap else 0)
    bounds = QRect(0, 0, size.width(), 100_000)

    def measure(px: int) -> QRect:
        probe.setPixelSize(px)
        metrics = QFontMetrics(probe)
        if tight:
            return metrics.tightBoundingRect(text)
        return metrics.boundingRect(bounds, flags, text)

    def fits(rect: QRect) -> bool:
        return rect.width() <= size.width() and rect.height() <= size.height()

    high = max(1, max_px)
    at_cap = measure(high)
    if fits(at_cap):
        return high
    low, high = 1, high - 1
    if not wrap:
        # A line of text grows in proportion to its font: the size it should just fit at,
        # scaled from the measure at the cap, is within a pixel or two of the answer.
        # Bracket the answer from there in steps that double. (Wrapped text changes its
        # lines as it grows, so it is searched by halves from the start.)
        scale = min(size.width() / max(1, at_cap.width()), size.height() / max(1, at_cap.height()))
        guess = min(high, max(low, int((high + 1) * scale)))
        step = 1
        if fits(measure(guess)):
            low = guess
            while low < high:
                up = min(high, low + step)
                if not fits(measure(up)):
                    high = up - 1
                    break
                low, step = up, step * 2
        else:
            high = guess - 1
            while low < high:
                down = max(low, high - step + 1)
                if fits(measure(down)):
                    low = down
                    break
                high, step = down - 1, step * 2
    while low < high:
        mid = (low + high + 1) // 2
        if fits(measure(mid)):
            low = mid
        else:
            high = mid - 1
    return low


class FitLabel(QLabel):
    """A label whose font grows and shrinks with the label.

    `max_fraction` caps the font at that fraction of the label height, so a short word does
    not become enormous; `tight` fits the ink of the glyphs (for the big digits) instead of
    the line height.
    """

    def __init__(
        self,
        text: str = "",
        parent: QWidget | None = None,
        *,
        wrap: bool = False,
        tight: bool = False,
        bold: bool = False,
        max_fraction: float = 0.8,
        max_px: int = 2000,
        min_px: int = 10,
    ) -> None:
        super().__init__(text, parent)
        self._wrap = wrap
        self._tight = tight
        self._max_fraction = max_fraction
        self._max_px = max_px
        self._min_px = min_px
        self._sized = False
        self.setWordWrap(wrap)
        set_enum_property(self, "alignment", "AlignCenter")  # not setAlignment: see the module doc
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.setMinimumSize(1, 1)
        font = self.font()
        font.setBold(bold)
        self.setFont(font)

    # The font follows the box, never the other way round: a wrapped label must not ask
    # the layout for the height its current (large) font would need.
    def hasHeightForWidth(self) -> bool:
        return False

    def sizeHint(self) -> QSize:
        return QSize(1, 1)

    def minimumSizeHint(self) -> QSize:
        return QSize(1, 1)

    def setText(self, text: str) -> None:
        if text != self.text():
            super().setText(text)
            # Until its first resize (Qt sends one before any widget is first shown or
            # grabbed) a label has only a placeholder size: that resize fits it.
            if self._sized:
                self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._sized = True
        self._fit()

    def _fit(self) -> None:
        margins = self.contentsMargins()
        height = self.height() - margins.top() - margins.bottom() - 2
        if self._tight:
            # Ink fitted to the box would touch its neighbours: keep a little air.
            height = int(height * 0.94)
        inner = QSize(self.width() - margins.left() - margins.right() - 4, height)
        cap = min(self._max_px, int(self.height() * self._max_fraction))
        px = fitted_pixel_size(
            self.font(), self.text(), inner, wrap=self._wrap, tight=self._tight, max_px=cap
        )
        px = max(px, min(self._min_px, cap)) if cap > 0 else px
        if self.font().pixelSize() != px:
            font = self.font()
            font.setPixelSize(px)
            self.setFont(font)

    def set_colour(self, colour: str) -> None:
        text_colour(self, QColor(colour))


class Badge(QLabel):
    """A short bold word on a rounded plate (what `background`, `border-radius`, `padding`
    and `font-weight: bold` in a style sheet would give, without the style sheet engine).

    Its sides are `padding` plus half an "x" of its font each: the inset a label with a
    frame gets, which the badge has always had. A badge is mostly hidden: its text colour
    (a palette) is set with its first text and its painter made at its first paint, since
    PySide6 builds each class's bindings at its first use (about 0.4 MiB for the two).
    """

    def __init__(
        self,
        text: str = "",
        parent: QWidget | None = None,
        *,
        background: str,
        foreground: str,
        radius: float = 6,
        padding: tuple[int, int] = (10, 4),
    ) -> None:
        super().__init__(parent)
        self._background = QColor(background)
        self._foreground: QColor | None = QColor(foreground)
        self._radius = radius
        self._padding = padding
        self.setFont(self.font())
        self.setText(text)

    def setText(self, text: str) -> None:
        if text and self._foreground is not None:
            text_colour(self, self._foreground)
            self._foreground = None
        super().setText(text)

    def setFont(self, font: QFont | str | Sequence[str]) -> None:
        """`font` made bold; the sides follow its size."""
        bold = QFont(font)
        bold.setBold(True)
        super().setFont(bold)
        x = self.fontMetrics().horizontalAdvance("x")
        horizontal, vertical = self._padding
        self.setContentsMargins(horizontal + x // 2, vertical, horizontal + x - x // 2, vertical)

    def paintEvent(self, event: QPaintEvent) -> None:
        from PySide6.QtGui import QPainter

        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fill_path(painter, rounded_rect(QRectF(self.rect()), self._radius), self._background)
        painter.end()
        super().paintEvent(event)  # the text, inside the margins
