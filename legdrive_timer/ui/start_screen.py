"""The start screen: pick a workout and go with one key; adjust its lengths."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeyEvent, QResizeEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from legdrive_timer.core.overrides import Overrides, apply_overrides
from legdrive_timer.core.timeline import compile_workout
from legdrive_timer.core.workout import IntervalBlock, RepSetBlock, Workout, WorkoutError
from legdrive_timer.ui.formatting import format_duration
from legdrive_timer.ui.widgets import FitLabel


def _button(text: str, accessible: str, slot: Callable[[], object]) -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(accessible)
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
    button.setMinimumHeight(44)
    button.clicked.connect(slot)
    return button


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
        self.list = QListWidget()
        self.list.setAccessibleName("Workouts")
        self.list.setWordWrap(True)
        self.list.setSpacing(6)
        self.list.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        self.list.itemActivated.connect(lambda _item: self.start_selected())
        self.list.installEventFilter(self)
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

    def set_workouts(self, workouts: Sequence[Workout], selected_id: str | None) -> None:
        current = self.selected_id() or selected_id
        self._workouts = list(workouts)
        self.list.clear()
        for workout in workouts:
            minutes = format_duration(compile_workout(workout).total_ms)
            item = QListWidgetItem(f"{workout.name}  —  {minutes}\n{workout.description}")
            item.setData(Qt.ItemDataRole.UserRole, workout.id)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{workout.name}, {minutes}")
            self.list.addItem(item)
        ids = [w.id for w in workouts]
        self.list.setCurrentRow(ids.index(current) if current in ids else 0)
        self._fit_fonts()

    def set_sound_status(self, status: str | None) -> None:
        self.status.setText(status or "")
        self.status.setVisible(bool(status))

    def selected_id(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None else str(item.data(Qt.ItemDataRole.UserRole))

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

    def eventFilter(self, watched: object, event: object) -> bool:
        # The list has the focus; Space and the letter keys are ours, not its search.
        return (
            watched is self.list
            and isinstance(event, QKeyEvent)
            and event.type() == QKeyEvent.Type.KeyPress
            and self._handle_key(event)
        )

    def _handle_key(self, event: QKeyEvent) -> bool:
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


class AdjustDialog(QDialog):
    """Interval lengths for one workout; the result is checked by building the workout."""

    def __init__(self, workout: Workout, current: Overrides, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Adjust: {workout.name}")
        self.setAccessibleName("Adjust interval lengths")
        self._workout = workout
        self.result_overrides: Overrides | None = None
        effective = apply_overrides(workout, current)
        intervals = [b for b in effective.blocks if isinstance(b, IntervalBlock)]
        reps = [b for b in effective.blocks if isinstance(b, RepSetBlock)]
        form = QFormLayout()
        self.fields: dict[str, QSpinBox | QDoubleSpinBox] = {}

        def seconds(name: str, label: str, value: float) -> None:
            box = QDoubleSpinBox()
            box.setRange(0, 3600)
            box.setDecimals(1)
            box.setSuffix(" s")
            box.setValue(value)
            box.setAccessibleName(label)
            self.fields[name] = box
            form.addRow(label, box)

        def count(name: str, label: str, value: int) -> None:
            box = QSpinBox()
            box.setRange(0, 500)
            box.setValue(value)
            box.setAccessibleName(label)
            self.fields[name] = box
            form.addRow(label, box)

        seconds("prep_s", "Get ready", effective.prep_s)
        if intervals:
            seconds("work_s", "Work", intervals[0].work_s)
            seconds("rest_s", "Rest", intervals[0].rest_s)
            count("rounds", "Rounds", intervals[0].rounds)
        if reps:
            count("sets", "Sets", reps[0].sets)
            count("reps", "Reps per side", reps[0].reps)
            seconds("switch_s", "Switch sides", reps[0].switch_s)
            if not intervals:
                seconds("rest_s", "Rest between sets", reps[0].set_rest_s)
        self.error = QLabel()
        self.error.setObjectName("adjust_error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020; font-weight: bold;")
        self.error.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok
            | QDialogButtonBox.StandardButton.Cancel
            | QDialogButtonBox.StandardButton.RestoreDefaults
        )
        self.buttons.accepted.connect(self.try_accept)
        self.buttons.rejected.connect(self.reject)
        restore = self.buttons.button(QDialogButtonBox.StandardButton.RestoreDefaults)
        restore.clicked.connect(self.restore_defaults)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def overrides(self) -> Overrides:
        values: dict[str, float | int] = {n: box.value() for n, box in self.fields.items()}
        return Overrides(**values)  # type: ignore[arg-type]

    def try_accept(self) -> None:
        overrides = self.overrides()
        try:
            apply_overrides(self._workout, overrides)
        except WorkoutError as error:
            self.error.setText(_readable(str(error)))
            self.error.show()
            return
        self.result_overrides = self._only_changes(overrides)
        self.accept()

    def restore_defaults(self) -> None:
        self.result_overrides = Overrides()
        self.accept()

    def _only_changes(self, overrides: Overrides) -> Overrides:
        """Keep just what differs from the workout, so later changes to it still apply."""
        base = _lengths(self._workout)
        given = {
            name: getattr(overrides, name)
            for name in base
            if getattr(overrides, name) is not None and getattr(overrides, name) != base[name]
        }
        return Overrides(**given)


def _lengths(workout: Workout) -> dict[str, float]:
    values: dict[str, float] = {"prep_s": workout.prep_s}
    for block in workout.blocks:
        if isinstance(block, IntervalBlock):
            values.setdefault("work_s", block.work_s)
            values.setdefault("rest_s", block.rest_s)
            values.setdefault("rounds", block.rounds)
        else:
            values.setdefault("sets", block.sets)
            values.setdefault("reps", block.reps)
            values.setdefault("switch_s", block.switch_s)
            values.setdefault("rest_s", block.set_rest_s)
    return values


_FIELD_NAMES = {
    "work_s": "Work",
    "rest_s": "Rest",
    "set_rest_s": "Rest between sets",
    "switch_s": "Switch sides",
    "prep_s": "Get ready",
    "rounds": "Rounds",
    "sets": "Sets",
    "reps": "Reps per side",
}


def _readable(message: str) -> str:
    """The workout's sentence with the field named as the dialog labels it."""
    name, _, rest = message.partition(" ")
    return f"{_FIELD_NAMES[name]} {rest}" if name in _FIELD_NAMES else message
