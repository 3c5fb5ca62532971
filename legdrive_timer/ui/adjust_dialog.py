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

from legdrive_timer.core.overrides import (
    FIELDS,
    OverrideError,
    OverrideField,
    Overrides,
    Unit,
    apply_overrides,
)
from legdrive_timer.core.workout import Workout, WorkoutError


class AdjustDialog(QDialog):
    """Interval lengths for one workout; the result is checked by building the workout."""

    def __init__(self, workout: Workout, current: Overrides, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle(f"Adjust: {workout.name}")
        self.setAccessibleName("Adjust interval lengths")
        self._workout = workout
        self.result_overrides: Overrides | None = None
        self.save_as_new = False
        """True when the person chose to keep the result as a workout of its own."""
        try:
            effective = apply_overrides(workout, current)
        except WorkoutError:
            effective = workout  # the window has said why those lengths were not used
        form = QFormLayout()
        self.fields: dict[str, QSpinBox | QDoubleSpinBox] = {}
        for field in FIELDS:
            value = field.value_in(effective)
            if value is None or not _shown(field, effective):
                continue
            box = _spin_box(field)
            box.setValue(value)  # type: ignore[arg-type]
            label = field.label_for(effective)
            box.setAccessibleName(label)
            self.fields[field.name] = box
            form.addRow(label, box)
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
        self.save_new_button = self.buttons.addButton(
            "Save as new workout…", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.save_new_button.setAccessibleName("Save the adjusted workout as a new workout")
        self.save_new_button.clicked.connect(self.try_save_as_new)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def overrides(self) -> Overrides:
        return Overrides(**{name: box.value() for name, box in self.fields.items()})

    def try_accept(self) -> None:
        overrides = self.overrides()
        if self._problem(overrides):
            return
        self.result_overrides = self._only_changes(overrides)
        self.accept()

    def try_save_as_new(self) -> None:
        """Keep every value shown as a new workout, not as lengths of this one."""
        overrides = self.overrides()
        if self._problem(overrides):
            return
        self.save_as_new = True
        self.result_overrides = overrides
        self.accept()

    def _problem(self, overrides: Overrides) -> bool:
        try:
            apply_overrides(self._workout, overrides)
        except OverrideError as error:
            self.error.setText(f"{error.field.label_for(self._workout)} {error.problem}")
            self.error.show()
            return True
        except WorkoutError as error:
            self.error.setText(str(error))
            self.error.show()
            return True
        return False

    def restore_defaults(self) -> None:
        self.result_overrides = Overrides()
        self.accept()

    def _only_changes(self, overrides: Overrides) -> Overrides:
        """Keep just what differs from the workout, so later changes to it still apply."""
        return Overrides(
            **{
                field.name: value
                for field, value in overrides.items()
                if value != field.value_in(self._workout)
            }
        )


def _shown(field: OverrideField, workout: Workout) -> bool:
    """The dialog shows a field for each kind of rest rather than the shared one, and the
    rest between blocks only where there are blocks to rest between."""
    if not field.adjustable:
        return False
    return field.name != "block_rest_s" or len(workout.blocks) > 1


def _spin_box(field: OverrideField) -> QSpinBox | QDoubleSpinBox:
    """A box that takes any value up to the field's maximum: a value below the minimum is
    refused with a sentence rather than silently raised."""
    high = field.range[1]
    if field.unit is Unit.SECONDS:
        seconds = QDoubleSpinBox()
        seconds.setRange(0, high)
        seconds.setDecimals(1)
        seconds.setSuffix(f" {field.unit.value}")
        return seconds
    count = QSpinBox()
    count.setRange(0, int(high))
    return count
