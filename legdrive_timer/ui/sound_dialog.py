"""Sound settings: volume, mute, spoken cues, output device and a test sound."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from legdrive_timer.ui.accessible import LabelledComboBox

DEFAULT_DEVICE = "System default"


class SoundDialog(QDialog):
    """Applies each change at once through the callbacks, so the test sound is honest."""

    def __init__(
        self,
        *,
        volume: float,
        muted: bool,
        voice: bool,
        devices: Sequence[str],
        device: str | None,
        status: str | None,
        on_volume: Callable[[float], None],
        on_muted: Callable[[bool], None],
        on_voice: Callable[[bool], None],
        on_device: Callable[[str | None], None],
        on_test: Callable[[], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sound")
        self.setAccessibleName("Sound settings")
        self.volume = QSlider(Qt.Orientation.Horizontal)
        self.volume.setRange(0, 100)
        self.volume.setValue(round(volume * 100))
        self.volume.setAccessibleName("Volume")
        self.volume.valueChanged.connect(lambda v: on_volume(v / 100))
        self.muted = QCheckBox("Mute (M)")
        self.muted.setChecked(muted)
        self.muted.setAccessibleName("Mute")
        self.muted.toggled.connect(on_muted)
        self.voice = QCheckBox("Spoken cues")
        self.voice.setChecked(voice)
        self.voice.setAccessibleName("Spoken cues")
        self.voice.toggled.connect(on_voice)
        self.device = LabelledComboBox("Output device")
        self.device.addItem(DEFAULT_DEVICE)
        self.device.addItems(list(devices))
        if device and device in devices:
            self.device.setCurrentText(device)
        self.device.currentTextChanged.connect(
            lambda text: on_device(None if text == DEFAULT_DEVICE else text)
        )
        self.test = QPushButton("Play a test sound")
        self.test.setAccessibleName("Play a test sound")
        self.test.clicked.connect(on_test)
        self.status = QLabel(status or "Sound works.")
        self.status.setObjectName("sound_dialog_status")
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Sound status")
        form = QFormLayout()
        form.addRow("Volume", self.volume)
        form.addRow("", self.muted)
        form.addRow("", self.voice)
        form.addRow("Output", self.device)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.test)
        layout.addWidget(self.status)
        layout.addWidget(buttons)

    def set_status(self, status: str | None) -> None:
        self.status.setText(status or "Sound works.")
