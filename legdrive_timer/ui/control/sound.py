"""Sound: the cue player, its status on screen, mute and the sound settings dialog."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

if TYPE_CHECKING:
    from legdrive_timer.audio import CueSystem
    from legdrive_timer.ui.control.parts import AppParts
    from legdrive_timer.ui.sound_dialog import SoundDialog


class SoundControl(QObject):
    def __init__(self, app: AppParts, choice: str | None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._app = app
        settings = app.settings_control
        self._choice = choice or settings.current.audio_backend
        self.cues: CueSystem | None = None
        self.dialog: SoundDialog | None = None
        app.window.set_muted(settings.current.muted)

    def load(self) -> None:
        """Open the sound device and decode the cues (slow: done after the first frame)."""
        from legdrive_timer.audio import CueSystem

        s = self._app.settings_control.current
        self.cues = CueSystem.create(
            self._choice,
            volume=s.volume,
            muted=s.muted,
            voice=s.voice,
            device=s.audio_device,
        )
        self.cues.add_status_listener(self._on_status)
        self._on_status(self.cues.status)

    def _on_status(self, status: str | None) -> None:
        from legdrive_timer.audio import SOUND_OFF

        # Sound chosen off is the user's choice, not a problem: the screens say it quietly.
        # A problem goes to the banner, above every screen, and only there.
        chosen_off = status == SOUND_OFF
        if chosen_off:
            self._app.window.set_sound_status(status)
        else:
            self._app.window.set_sound_status(None, problem=status)
        if self.dialog is not None:
            self.dialog.set_status(status)

    def set_muted(self, muted: bool) -> None:
        if self.cues is not None:
            self.cues.set_muted(muted)
        self._app.settings_control.update(muted=muted)
        self._app.window.set_muted(muted)

    def toggle_mute(self) -> None:
        muted = not self._app.settings_control.current.muted
        self.set_muted(muted)
        self._app.window.notify("Muted" if muted else "Sound on")

    def open_dialog(self) -> None:
        from legdrive_timer.ui.sound_dialog import SoundDialog

        cues = self.cues
        settings = self._app.settings_control

        def volume(v: float) -> None:
            if cues is not None:
                cues.set_volume(v)
            settings.update(volume=v)

        def voice(v: bool) -> None:
            if cues is not None:
                cues.set_voice(v)
            settings.update(voice=v)

        def device(name: str | None) -> None:
            if cues is not None:
                cues.set_device(name)
            settings.update(audio_device=name)

        s = settings.current
        dialog = SoundDialog(
            volume=s.volume,
            muted=s.muted,
            voice=s.voice,
            devices=cues.devices() if cues is not None else [],
            device=s.audio_device,
            status=cues.status if cues is not None else None,
            on_volume=volume,
            on_muted=self.set_muted,
            on_voice=voice,
            on_device=device,
            on_test=cues.play_test if cues is not None else lambda: None,
            parent=self._app.window,
        )
        self.dialog = dialog
        dialog.exec()
        self.dialog = None

    def close(self) -> None:
        if self.cues is not None:
            self.cues.close()
            self.cues = None
