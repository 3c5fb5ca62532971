"""Quick ratings asked in passing: leg stability after each side, effort after a session.

They never pause or block the timer: a strip below the session that can be answered with
one key or ignored, and that goes away on its own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QPushButton, QSizePolicy

from legdrive_timer.core.records import reps_done_limit
from legdrive_timer.core.timeline import Phase
from legdrive_timer.ui.widgets import FitLabel, set_no_focus

if TYPE_CHECKING:
    from PySide6.QtGui import QResizeEvent


def _small_button(text: str, accessible: str) -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(accessible)
    set_no_focus(button)
    button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
    button.setMinimumSize(44, 40)
    return button


class StabilityPrompt(QFrame):
    """'How stable was the right leg? 1-5', with an optional reps-done correction."""

    rated = Signal(int, int)
    """phase index, rating 1-5"""
    reps_corrected = Signal(int, int)
    """phase index, reps done"""
    shown_changed = Signal(bool)

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("stability_prompt")
        self.setAccessibleName("Stability rating")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.phase: Phase | None = None
        """The set's phase it asks about, while it asks."""
        self.reps_done = 0
        self.question = FitLabel(wrap=True, max_fraction=0.45)
        self.question.setAccessibleName("Stability question")
        self.rating_buttons: list[QPushButton] = []
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.question, 5)
        for value in range(1, 6):
            button = _small_button(str(value), f"Stability {value} of 5")
            button.setCheckable(True)
            button.clicked.connect(lambda _=False, v=value: self.rate(v))
            self.rating_buttons.append(button)
            layout.addWidget(button, 1)
        self.reps_label = FitLabel(wrap=True, max_fraction=0.4)
        self.reps_label.setAccessibleName("Reps done")
        self.fewer_button = _small_button("−", "One rep fewer")
        self.fewer_button.clicked.connect(lambda: self.correct_reps(self.reps_done - 1))
        self.more_button = _small_button("+", "One rep more")
        self.more_button.clicked.connect(lambda: self.correct_reps(self.reps_done + 1))
        self.dismiss_button = _small_button("✕", "Skip the rating")
        self.dismiss_button.clicked.connect(self.dismiss)
        layout.addSpacing(16)
        layout.addWidget(self.reps_label, 2)
        layout.addWidget(self.fewer_button, 1)
        layout.addWidget(self.more_button, 1)
        layout.addSpacing(16)
        layout.addWidget(self.dismiss_button, 1)
        self.hide()

    def ask(self, phase: Phase, reps_done: int | None) -> None:
        side = phase.side.value if phase.side is not None else "working"
        self.phase = phase
        self.reps_done = reps_done if reps_done is not None else phase.reps_planned or 0
        self.question.setText(f"How stable was the {side} leg?  1-5")
        self.setAccessibleDescription(self.question.text())
        for button in self.rating_buttons:
            button.setChecked(False)
        self._show_reps()
        self.show()
        self.shown_changed.emit(True)

    @property
    def phase_index(self) -> int | None:
        return None if self.phase is None else self.phase.index

    @property
    def rating(self) -> int | None:
        """The rating given to this set, if any: the one checked button."""
        for value, button in enumerate(self.rating_buttons, start=1):
            if button.isChecked():
                return value
        return None

    def rate(self, value: int) -> None:
        if self.phase is None or not 1 <= value <= 5:
            return
        for i, button in enumerate(self.rating_buttons, start=1):
            button.setChecked(i == value)
        self.rated.emit(self.phase.index, value)

    def correct_reps(self, reps: int) -> None:
        phase = self.phase
        if phase is None:
            return
        reps = max(0, min(reps, reps_done_limit(phase.reps_planned or 0) or 1))
        if reps != self.reps_done:
            self.reps_done = reps
            self._show_reps()
            self.reps_corrected.emit(phase.index, reps)

    def dismiss(self) -> None:
        self.phase = None
        self.hide()
        self.shown_changed.emit(False)

    def _show_reps(self) -> None:
        self.reps_label.setText(f"Reps done: {self.reps_done}")

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        px = max(12, int(self.height() * 0.32))
        for button in [
            *self.rating_buttons,
            self.fewer_button,
            self.more_button,
            self.dismiss_button,
        ]:
            font = button.font()
            font.setPixelSize(px)
            font.setBold(True)
            button.setFont(font)
