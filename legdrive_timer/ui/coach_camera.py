"""The camera the coach watches through: a Qt Multimedia capture session whose video sink
the coach reads, fed by the chosen camera.

Imported only when the coach is used: Qt Multimedia is not part of start-up. Frames go from
the camera to the sink and on to the pose model in memory; nothing here records or sends
them anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QCameraPermission, QCoreApplication, QObject, QSize, Qt, Signal
from PySide6.QtMultimedia import (
    QCamera,
    QCameraDevice,
    QCameraFormat,
    QMediaCaptureSession,
    QMediaDevices,
    QVideoSink,
)

WANTED_SIZE = QSize(640, 480)
"""The pose model looks at a 256-pixel square: a bigger picture only costs converting it."""


@dataclass(frozen=True)
class CameraChoice:
    id: str
    """What the settings remember (Qt's device id, as text)."""
    name: str
    """What the person reads."""


def device_id(device: QCameraDevice) -> str:
    return bytes(device.id().data()).decode("utf-8", "replace")


def cameras() -> list[CameraChoice]:
    """The cameras this computer has now, the system's default first."""
    devices = QMediaDevices.videoInputs()
    devices.sort(key=lambda d: not d.isDefault())
    return [CameraChoice(device_id(d), d.description() or device_id(d)) for d in devices]


def find_device(camera_id: str | None) -> QCameraDevice | None:
    """The remembered camera if it is still there, else the default one; None: no camera."""
    devices = QMediaDevices.videoInputs()
    for device in devices:
        if camera_id is not None and device_id(device) == camera_id:
            return device
    default = QMediaDevices.defaultVideoInput()
    if not default.isNull():
        return default
    return devices[0] if devices else None


def small_format(device: QCameraDevice) -> QCameraFormat | None:
    """The device's format nearest 640x480 (and not under it, when it can)."""
    formats = device.videoFormats()
    if not formats:
        return None

    def cost(f: QCameraFormat) -> tuple[bool, int, float]:
        size = f.resolution()
        small = size.width() < WANTED_SIZE.width() or size.height() < WANTED_SIZE.height()
        return (small, abs(size.width() * size.height() - 640 * 480), -f.maxFrameRate())

    return min(formats, key=cost)


class VideoFeed(QObject):
    """Frames for the coach: `sink` receives them while the feed is open. `active` says
    whether the source is delivering (for the camera: whether it is on)."""

    activeChanged = Signal(bool)
    failed = Signal(str)
    """One sentence: the source could not be opened or stopped working."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = QMediaCaptureSession(self)
        self.sink = QVideoSink(self)
        self.session.setVideoSink(self.sink)
        self._active = False

    @property
    def active(self) -> bool:
        return self._active

    def _set_active(self, active: bool) -> None:
        if active != self._active:
            self._active = active
            self.activeChanged.emit(active)

    def open(self) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class CameraFeed(VideoFeed):
    """The camera `camera_id` (or the default one) into the capture session."""

    def __init__(self, camera_id: str | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._camera_id = camera_id
        self._camera: QCamera | None = None
        self._wanted = False
        self._asking = False

    def open(self) -> None:
        self._wanted = True
        if self._camera is not None or self._asking:
            return
        # macOS and Windows ask the person first; Linux always answers yes.
        app = QCoreApplication.instance()
        permission = QCameraPermission()
        status = app.checkPermission(permission) if app is not None else None
        if app is not None and status == Qt.PermissionStatus.Undetermined:
            self._asking = True
            app.requestPermission(permission, self, self._answered)
            return
        if status == Qt.PermissionStatus.Denied:
            self.failed.emit(
                "This computer does not let the app use the camera (allow it in the system's "
                "privacy settings): the session goes on without the coach."
            )
            return
        device = find_device(self._camera_id)
        if device is None:
            self.failed.emit("No camera found: the session goes on without the coach.")
            return
        camera = QCamera(device, self)
        fmt = small_format(device)
        if fmt is not None:
            camera.setCameraFormat(fmt)
        camera.activeChanged.connect(self._set_active)
        camera.errorOccurred.connect(self._on_error)
        self.session.setCamera(camera)
        self._camera = camera
        camera.start()

    def _answered(self, _permission: object) -> None:
        self._asking = False
        if self._wanted:  # not closed while the person was asked
            self.open()

    def _on_error(self, error: QCamera.Error, text: str) -> None:
        if error == QCamera.Error.NoError:
            return
        self.close()
        self.failed.emit(
            f"The camera stopped working ({text or 'no reason given'}): "
            "the session goes on without the coach."
        )

    def close(self) -> None:
        self._wanted = False
        camera, self._camera = self._camera, None
        if camera is None:
            return
        camera.activeChanged.disconnect(self._set_active)
        camera.errorOccurred.disconnect(self._on_error)
        camera.stop()
        self.session.setCamera(None)  # type: ignore[arg-type]
        camera.deleteLater()
        self._set_active(False)
