"""The workouts on offer: built-in and custom, with the lengths the user set for each."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from legdrive_timer.core.workout import Workout
from legdrive_timer.storage.settings import adjusted_workout
from legdrive_timer.storage.workouts import WorkoutLibrary, load_library

if TYPE_CHECKING:
    from legdrive_timer.storage.paths import DataPaths
    from legdrive_timer.ui.adjust_dialog import AdjustDialog
    from legdrive_timer.ui.control.settings import SettingsControl
    from legdrive_timer.ui.main_window import MainWindow


class WorkoutsControl(QObject):
    def __init__(
        self,
        paths: DataPaths,
        window: MainWindow,
        settings: SettingsControl,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._window = window
        self._settings = settings
        self.library: WorkoutLibrary = load_library(paths.workouts_dir)
        window.banner.set_message(
            "workouts", "\n".join(self.library.problems) if self.library.problems else None
        )
        self.adjust_dialog: AdjustDialog | None = None

    def get(self, workout_id: str) -> Workout | None:
        """The workout with that id as the user set it up, or None."""
        workout = self.library.get(workout_id)
        return None if workout is None else self.effective(workout)

    def effective(self, workout: Workout) -> Workout:
        """The workout with the lengths the user set for it; bad ones are reported."""
        effective, problem = adjusted_workout(workout, self._settings.current)
        if problem is not None:
            self._window.banner.set_message("overrides", problem)
        return effective

    def refresh(self) -> None:
        listed = [(w, self.effective(w)) for w in self.library.workouts]
        self._window.start_screen.set_workouts(
            [effective for _, effective in listed],
            self._settings.current.last_workout_id,
            adjusted_ids={w.id for w, effective in listed if effective != w},
        )

    def adjust(self, workout_id: str) -> None:
        from legdrive_timer.ui.adjust_dialog import AdjustDialog

        workout = self.library.get(workout_id)
        if workout is None:
            return
        settings = self._settings
        dialog = AdjustDialog(workout, settings.current.overrides_for(workout_id), self._window)
        self.adjust_dialog = dialog
        if dialog.exec() and dialog.result_overrides is not None:
            settings.replace(settings.current.with_overrides(workout_id, dialog.result_overrides))
            self.refresh()
