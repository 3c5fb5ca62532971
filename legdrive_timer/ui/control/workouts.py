"""The workouts on offer: built-in and custom, with the lengths the user set for each."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from legdrive_timer.core.workout import Workout, WorkoutError, alternates_lead, with_lead
from legdrive_timer.storage.settings import adjusted_workout
from legdrive_timer.storage.workouts import WorkoutLibrary, load_library

if TYPE_CHECKING:
    from legdrive_timer.core.overrides import Overrides
    from legdrive_timer.ui.adjust_dialog import AdjustDialog
    from legdrive_timer.ui.control.parts import AppParts
    from legdrive_timer.ui.workout_commands import WorkoutCommands


class WorkoutsControl(QObject):
    def __init__(self, app: AppParts, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._app = app
        self.library: WorkoutLibrary = self._load()
        self.adjust_dialog: AdjustDialog | None = None
        self._commands: WorkoutCommands | None = None
        app.window.close_guards.append(self.may_close)

    def _load(self) -> WorkoutLibrary:
        library = load_library(self._app.paths.workouts_dir)
        self._app.window.banner.set_message(
            "workouts", "\n".join(library.problems) if library.problems else None
        )
        return library

    def get(self, workout_id: str) -> Workout | None:
        """The workout with that id as the user set it up, or None."""
        workout = self.library.get(workout_id)
        return None if workout is None else self.effective(workout)

    def effective(self, workout: Workout) -> Workout:
        """The workout with the lengths the user set for it; bad ones are reported."""
        effective, problem = adjusted_workout(workout, self._app.settings_control.current)
        if problem is not None:
            self._app.window.banner.set_message("overrides", problem)
        return effective

    def refresh(self) -> None:
        listed = [(w, self.effective(w)) for w in self.library.workouts]
        self._app.window.start_screen.set_workouts(
            [effective for _, effective in listed],
            self._app.settings_control.current.last_workout_id,
            adjusted_ids={w.id for w, effective in listed if effective != w},
        )

    def adjust(self, workout_id: str) -> None:
        from legdrive_timer.ui.adjust_dialog import AdjustDialog

        workout = self.library.get(workout_id)
        if workout is None:
            return
        settings = self._app.settings_control
        dialog = AdjustDialog(workout, settings.current.overrides_for(workout_id), self._app.window)
        self.adjust_dialog = dialog
        if not dialog.exec() or dialog.result_overrides is None:
            return
        if dialog.save_as_new:
            self._save_adjusted_as_new(workout, dialog.result_overrides)
            return
        settings.replace(settings.current.with_overrides(workout_id, dialog.result_overrides))
        self.refresh()

    def _save_adjusted_as_new(self, workout: Workout, overrides: Overrides) -> None:
        """The adjusted lengths as a workout of its own; the original keeps its lengths."""
        from legdrive_timer.core.overrides import apply_overrides
        from legdrive_timer.storage.workouts import copy_name, save_custom_workout, unique_id

        start = self._app.window.start_screen
        names = {w.name for w in self.library.workouts}
        asked = self.commands.asker.text(
            "Save as a new workout", "Name:", copy_name(workout.name, names)
        )
        if asked is None or not asked.strip():
            return
        try:
            adjusted = apply_overrides(workout, overrides)
            new = dataclasses.replace(
                adjusted, id=unique_id(asked, self.library.taken_ids()), name=asked.strip()
            )
            save_custom_workout(self._app.paths.workouts_dir, new, self.library)
        except WorkoutError as error:
            start.show_message(str(error))
            return
        except OSError as error:
            start.show_message(f"The workout could not be saved ({error.strerror or error}).")
            return
        self.reload(new.id)
        start.show_message(f"Saved {new.name}.")

    # -- custom workouts ---------------------------------------------------------------

    @property
    def commands(self) -> WorkoutCommands:
        """New, edit, duplicate, rename, delete, import and export (made at first use)."""
        if self._commands is None:
            from legdrive_timer.ui.workout_commands import WorkoutCommands

            self._commands = WorkoutCommands(
                self._app.paths.workouts_dir,
                parent=self._app.window,
                library=lambda: self.library,
                reload=self.reload,
                tell=self._app.window.start_screen.show_message,
                forget=self._forget,
            )
        return self._commands

    def may_close(self) -> bool:
        """False while an open editor holds changes the person chose to keep editing."""
        editor = None if self._commands is None else self._commands.editor
        if editor is None or not editor.isVisible():
            return True
        editor.reject()  # asks when there are unsaved changes
        return not editor.isVisible()

    def command(self, command: str, workout_id: str) -> None:
        commands = self.commands
        self._app.window.start_screen.show_message(None)
        if command == "new":
            commands.new()
        elif command == "edit":
            commands.edit(workout_id)
        elif command == "duplicate":
            commands.duplicate(workout_id)
        elif command == "rename":
            commands.rename(workout_id)
        elif command == "delete":
            commands.delete(workout_id)
        elif command == "import":
            commands.import_file()
        elif command == "export":
            commands.export(workout_id)

    def reload(self, select_id: str | None = None) -> None:
        """Read the workouts again (after a change on disk) and select `select_id`."""
        self.library = self._load()
        if select_id is not None:
            self._app.settings_control.update(last_workout_id=select_id)
            self._app.window.start_screen.list.setCurrentRow(-1)
        self.refresh()

    def _forget(self, workout_id: str) -> None:
        """A deleted workout's saved lengths and leading leg go with it."""
        from legdrive_timer.core.overrides import Overrides

        current = self._app.settings_control.current.with_overrides(workout_id, Overrides())
        leads = {k: v for k, v in current.leads.items() if k != workout_id}
        self._app.settings_control.replace(dataclasses.replace(current, leads=leads))

    def led(self, workout: Workout) -> Workout:
        """`workout` as its next session runs it: an alternating leading leg changes each
        session (the other leg than last time), and the one used now is remembered. The
        history records the sides as they were done."""
        if not alternates_lead(workout):
            return workout
        current = self._app.settings_control.current
        lead = current.next_lead(workout.id)
        self._app.settings_control.update(leads={**current.leads, workout.id: lead.value})
        return with_lead(workout, lead)
