"""Camera coach settings: on for every workout or for the selected one, and which camera.

Each change applies at once through the callbacks, like the sound settings. When the coach
cannot run here (no camera, or the coach is not installed), one sentence says so where the
switches are and the switches are off.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from legdrive_timer.ui.accessible import LabelledComboBox

DEFAULT_CAMERA = "System default"
FOLLOW_ALL = "As for every workout"
ON = "On"
OFF = "Off"
PRIVACY = (
    "The camera is on only during rep sets (and the moments before them, to stand still for "
    "3 s); a red CAMERA sign shows when it is. Frames stay on this computer and are never "
    "stored. Form cues are spoken when Spoken cues is on in the sound settings."
)


class CoachDialog(QDialog):
    def __init__(
        self,
        *,
        unavailable: str | None,
        coach: bool,
        workout_name: str | None,
        workout_choice: bool | None,
        cameras: Sequence[tuple[str, str]],
        camera: str | None,
        on_coach: Callable[[bool], None],
        on_workout: Callable[[bool | None], None],
        on_camera: Callable[[str | None], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Camera coach")
        self.setAccessibleName("Camera coach settings")
        self.status = QLabel(unavailable or "")
        self.status.setObjectName("coach_dialog_status")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Camera coach status")
        self.status.setVisible(bool(unavailable))
        self.coach = QCheckBox("Count and measure reps with the camera, in every workout")
        self.coach.setAccessibleName("Camera coach in every workout")
        self.coach.setChecked(coach)
        self.coach.toggled.connect(on_coach)
        self.workout = LabelledComboBox("Camera coach for this workout")
        self.workout.addItems([FOLLOW_ALL, ON, OFF])
        self.workout.setCurrentText({None: FOLLOW_ALL, True: ON, False: OFF}[workout_choice])
        self.workout.currentTextChanged.connect(
            lambda text: on_workout({FOLLOW_ALL: None, ON: True, OFF: False}[text])
        )
        self.camera = LabelledComboBox("Camera")
        self.camera.addItem(DEFAULT_CAMERA, None)
        for camera_id, name in cameras:
            self.camera.addItem(name, camera_id)
        known = [camera_id for camera_id, _ in cameras]
        if camera in known:
            self.camera.setCurrentIndex(known.index(camera) + 1)
        self.camera.currentIndexChanged.connect(lambda i: on_camera(self.camera.itemData(i)))
        self.privacy = QLabel(PRIVACY)
        self.privacy.setWordWrap(True)
        self.privacy.setAccessibleName("Privacy")
        for control in (self.coach, self.workout, self.camera):
            control.setEnabled(unavailable is None)
        form = QFormLayout()
        form.addRow("", self.coach)
        if workout_name is not None:
            form.addRow(workout_name, self.workout)
        else:
            self.workout.hide()
        form.addRow("Camera", self.camera)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.status)
        layout.addLayout(form)
        layout.addWidget(self.privacy)
        layout.addWidget(buttons)
