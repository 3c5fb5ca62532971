"""The start screen: pick a workout and go with one key."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from legdrive_timer.core.formatting import ADJUSTED, describe_workout, workout_length
from legdrive_timer.core.workout import Workout
from legdrive_timer.ui.widgets import FitLabel, set_no_focus

if TYPE_CHECKING:
    from PySide6.QtGui import QKeyEvent, QResizeEvent

# Qt.ItemDataRole values as the ints QListWidgetItem.setData/data take: the list is filled
# before the first frame, which must not wait for PySide6 to build `Qt` (see ui.widgets).
ID_ROLE = 0x0100
"""Qt.ItemDataRole.UserRole: the workout id."""
ACCESSIBLE_TEXT_ROLE = 11
"""Qt.ItemDataRole.AccessibleTextRole."""


def _button(text: str, accessible: str, slot: Callable[[], object]) -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(accessible)
    set_no_focus(button)
    button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
    button.setMinimumHeight(44)
    button.clicked.connect(slot)
    return button


class WorkoutList(QListWidget):
    """The list of workouts. It has the focus, so Space and the letter keys go to the start
    screen's handler first, not to the list's type-ahead search; the arrows still move."""

    def __init__(self, on_key: Callable[[QKeyEvent], bool]) -> None:
        super().__init__()
        self._on_key = on_key

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # An override rather than an event filter: a filter would carry every event the list
        # gets into Python, dozens of them before the first frame.
        if not self._on_key(event):
            super().keyPressEvent(event)


class StartScreen(QWidget):
    start_requested = Signal(str)
    adjust_requested = Signal(str)
    history_requested = Signal()
    sound_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("start_screen")
        self._workouts: list[Workout] = []
        self.title = FitLabel("Legdrive Timer", bold=True, max_fraction=0.7)
        self.title.setAccessibleName("Legdrive Timer")
        self.hint = FitLabel(
            "Pick a workout with ↑ ↓ and press Enter or Space to start.", max_fraction=0.6
        )
        self.list = WorkoutList(self._handle_key)
        self.list.setAccessibleName("Workouts")
        self.list.setWordWrap(True)
        self.list.setSpacing(6)
        self.list.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        self.list.itemActivated.connect(lambda _item: self.start_selected())
        self.start_button = _button("Start\nEnter", "Start the workout", self.start_selected)
        self.adjust_button = _button("Adjust…\nA", "Adjust interval lengths", self._adjust)
        self.sound_button = _button("Sound…\nS", "Sound settings", self.sound_requested.emit)
        self.history_button = _button("History\nH", "History", self.history_requested.emit)
        self.status = QLabel()
        self.status.setObjectName("sound_status")
        self.status.setAccessibleName("Sound status")
        self.status.setWordWrap(True)
        self.status.hide()

        buttons = QHBoxLayout()
        for button in (self.start_button, self.adjust_button, self.sound_button):
            buttons.addWidget(button, 2 if button is self.start_button else 1)
        buttons.addWidget(self.history_button, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title, 10)
        layout.addWidget(self.hint, 5)
        layout.addWidget(self.list, 60)
        layout.addWidget(self.status, 0)
        layout.addLayout(buttons, 14)

    def set_workouts(
        self,
        workouts: Sequence[Workout],
        selected_id: str | None,
        *,
        adjusted_ids: Collection[str] = (),
    ) -> None:
        """List `workouts` as they will run; those in `adjusted_ids` are marked as adjusted."""
        current = self.selected_id() or selected_id
        self._workouts = list(workouts)
        self.list.clear()
        for workout in workouts:
            length = workout_length(workout)
            mark = f"  ·  {ADJUSTED}" if workout.id in adjusted_ids else ""
            description = describe_workout(workout)
            item = QListWidgetItem(f"{workout.name}  —  {length}{mark}\n{description}")
            item.setData(ID_ROLE, workout.id)
            spoken = f", {ADJUSTED}" if mark else ""
            item.setData(ACCESSIBLE_TEXT_ROLE, f"{workout.name}, {length}{spoken}. {description}")
            self.list.addItem(item)
        ids = [w.id for w in workouts]
        self.list.setCurrentRow(ids.index(current) if current in ids else 0)

    def set_sound_status(self, status: str | None) -> None:
        self.status.setText(status or "")
        self.status.setVisible(bool(status))

    def selected_id(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None else str(item.data(ID_ROLE))

    def start_selected(self) -> None:
        workout_id = self.selected_id()
        if workout_id is not None:
            self.start_requested.emit(workout_id)

    def _adjust(self) -> None:
        workout_id = self.selected_id()
        if workout_id is not None:
            self.adjust_requested.emit(workout_id)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self._handle_key(event):
            super().keyPressEvent(event)

    def _handle_key(self, event: QKeyEvent) -> bool:
        from PySide6.QtCore import Qt  # not at import: see ID_ROLE

        if event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return False
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.start_selected()
        elif key == Qt.Key.Key_A:
            self._adjust()
        elif key == Qt.Key.Key_S:
            self.sound_requested.emit()
        elif key == Qt.Key.Key_H and self.history_button.isVisible():
            self.history_requested.emit()
        else:
            return False
        return True

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_fonts()

    def _fit_fonts(self) -> None:
        base = max(12, min(self.height() // 28, self.width() // 45))
        font = self.list.font()
        font.setPixelSize(base)
        self.list.setFont(font)
        self.list.setIconSize(QSize(base, base))
        for button in (self.start_button, self.adjust_button, self.sound_button):
            bf = button.font()
            bf.setPixelSize(max(11, int(base * 0.9)))
            bf.setBold(button is self.start_button)
            button.setFont(bf)
        hf = self.history_button.font()
        hf.setPixelSize(max(11, int(base * 0.9)))
        self.history_button.setFont(hf)
