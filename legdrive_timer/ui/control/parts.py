"""How one part of the app finds the others.

The composition root (`ui.app.AppController`) makes each part once and hands itself to
the parts it makes, so a part asks for a sibling when it needs it rather than being given
each one at construction, in an order the root has to get right. Imported for type
checking only: nothing here runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from legdrive_timer.storage.paths import DataPaths
    from legdrive_timer.ui.control.coach import CoachControl
    from legdrive_timer.ui.control.history import HistoryControl
    from legdrive_timer.ui.control.settings import SettingsControl
    from legdrive_timer.ui.control.sound import SoundControl
    from legdrive_timer.ui.main_window import MainWindow


class AppParts(Protocol):
    paths: DataPaths
    window: MainWindow
    settings_control: SettingsControl
    sound: SoundControl
    history: HistoryControl

    @property
    def coach(self) -> CoachControl:
        """The camera coach's part, made when first asked for."""
        ...

    @property
    def has_coach(self) -> bool:
        """Whether the camera coach's part has been made yet."""
        ...

    def back_to_start(self) -> None:
        """Show the start screen again (from the history or a summary)."""
        ...
