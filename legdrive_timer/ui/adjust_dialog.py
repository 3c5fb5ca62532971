"""Adjust a workout's lengths; the result is checked by building the workout."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from legdrive_timer.core.overrides import Overrides, apply_overrides
from legdrive_timer.core.workout import IntervalBlock, RepSetBlock, Workout, WorkoutError


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
