"""What the start screen does with workouts: new, edit, duplicate, rename, delete, import
and export. Built-in workouts are never changed: editing one saves a copy.

Questions to the person (a name, a yes or no, a file) go through an `Asker`, so tests can
answer them without a modal dialog.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from PySide6.QtWidgets import QFileDialog, QInputDialog, QLineEdit, QMessageBox, QWidget

from legdrive_timer.core.builtins import BUILTIN_IDS, builtin_workout
from legdrive_timer.core.workout import MAX_NAME, Workout, WorkoutError, text_problem
from legdrive_timer.storage.workouts import (
    Conflict,
    IdTakenError,
    WorkoutLibrary,
    copy_name,
    delete_custom_workout,
    export_workout,
    import_workout,
    load_library,
    save_custom_workout,
    unique_id,
)
from legdrive_timer.ui.workout_editor import WorkoutEditor

WORKOUT_FILTER = "Workout files (*.json);;All files (*)"


class Asker(Protocol):
    def text(self, title: str, label: str, value: str) -> str | None: ...

    def confirm(self, title: str, text: str, action: str) -> bool: ...

    def open_file(self, title: str) -> Path | None: ...

    def save_file(self, title: str, suggested: str) -> Path | None: ...

    def conflict(self, text: str, can_replace: bool) -> Conflict | None: ...


class QtAsker:
    """The questions as Qt's standard dialogs, over `parent`."""

    def __init__(self, parent: QWidget) -> None:
        self.parent = parent

    def text(self, title: str, label: str, value: str) -> str | None:
        text, ok = QInputDialog.getText(self.parent, title, label, QLineEdit.EchoMode.Normal, value)
        return text if ok else None

    def confirm(self, title: str, text: str, action: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, title, text, parent=self.parent)
        yes = box.addButton(action, QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is yes

    def open_file(self, title: str) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(self.parent, title, "", WORKOUT_FILTER)
        return Path(name) if name else None

    def save_file(self, title: str, suggested: str) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(self.parent, title, suggested, WORKOUT_FILTER)
        return Path(name) if name else None

    def conflict(self, text: str, can_replace: bool) -> Conflict | None:
        box = QMessageBox(QMessageBox.Icon.Question, "Workout exists", text, parent=self.parent)
        replace = (
            box.addButton("Replace it", QMessageBox.ButtonRole.DestructiveRole)
            if can_replace
            else None
        )
        both = box.addButton("Keep both", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        clicked = box.clickedButton()
        if replace is not None and clicked is replace:
            return Conflict.REPLACE
        return Conflict.KEEP_BOTH if clicked is both else None


class WorkoutCommands:
    """The workout commands of the start screen, on the custom workouts in `workouts_dir`.

    `reload(select_id)` re-reads the workouts and shows them, selecting `select_id`;
    `tell(sentence)` shows the outcome (or a problem) to the person.
    """

    def __init__(
        self,
        workouts_dir: Path,
        *,
        parent: QWidget,
        library: Callable[[], WorkoutLibrary],
        reload: Callable[[str | None], None],
        tell: Callable[[str], None],
        forget: Callable[[str], None],
        asker: Asker | None = None,
    ) -> None:
        self.workouts_dir = workouts_dir
        self.parent = parent
        self._library = library
        self._reload = reload
        self._tell = tell
        self._forget = forget
        self.asker: Asker = asker or QtAsker(parent)
        self.editor: WorkoutEditor | None = None

    # -- the editor -----------------------------------------------------------------------

    def new(self) -> WorkoutEditor:
        primer = builtin_workout("primer")
        assert primer is not None
        draft = dataclasses.replace(
            primer,
            id="new-workout",
            name="My workout",
            description="",
            tags=(),
        )
        return self._open_editor(draft, "New workout", keep_id=False)

    def edit(self, workout_id: str) -> WorkoutEditor | None:
        library = self._library()
        workout = library.get(workout_id)
        if workout is None:
            return None
        if library.is_custom(workout_id):
            return self._open_editor(workout, f"Edit: {workout.name}", keep_id=True)
        names = {w.name for w in library.workouts}
        copy = dataclasses.replace(workout, name=copy_name(workout.name, names))
        return self._open_editor(
            copy, f"Edit a copy of {workout.name} (built-ins stay as they are)", keep_id=False
        )

    def _open_editor(self, workout: Workout, title: str, *, keep_id: bool) -> WorkoutEditor:
        def save(finished: Workout) -> str | None:
            library = self._library()
            if not keep_id:
                finished = dataclasses.replace(
                    finished, id=unique_id(finished.name, library.taken_ids())
                )
            try:
                save_custom_workout(self.workouts_dir, finished, load_library(self.workouts_dir))
            except WorkoutError as error:
                return str(error)
            except OSError as error:
                return f"The workout could not be saved ({error.strerror or error})."
            saved_ids.append(finished.id)
            return None

        saved_ids: list[str] = []
        editor = WorkoutEditor(workout, title=title, save=save, parent=self.parent)
        editor.saved.connect(lambda _w: self._after_save(saved_ids[-1]))
        editor.resize(self.parent.size())
        self.editor = editor
        editor.open()
        return editor

    def _after_save(self, workout_id: str) -> None:
        self._reload(workout_id)
        workout = self._library().get(workout_id)
        self._tell(f"Saved {workout.name if workout else workout_id}.")

    # -- quick commands -------------------------------------------------------------------

    def duplicate(self, workout_id: str) -> str | None:
        library = self._library()
        workout = library.get(workout_id)
        if workout is None:
            return None
        names = {w.name for w in library.workouts}
        name = copy_name(workout.name, names)
        copy = dataclasses.replace(workout, id=unique_id(name, library.taken_ids()), name=name)
        if not self._write(copy, library):
            return None
        self._reload(copy.id)
        self._tell(f"Made {copy.name}.")
        return copy.id

    def rename(self, workout_id: str) -> bool:
        library = self._library()
        workout = library.get(workout_id)
        if workout is None:
            return False
        if not library.is_custom(workout_id):
            self._tell(f"{workout.name} is built in and keeps its name; duplicate it first.")
            return False
        name = self.asker.text("Rename workout", "New name:", workout.name)
        if name is None or name.strip() == workout.name:
            return False
        problem = text_problem("The name", name, max_len=MAX_NAME)
        if problem is not None:
            self._tell(problem)
            return False
        if not self._write(dataclasses.replace(workout, name=name.strip()), library):
            return False
        self._reload(workout_id)
        self._tell(f"Renamed to {name.strip()}.")
        return True

    def delete(self, workout_id: str) -> bool:
        library = self._library()
        workout = library.get(workout_id)
        if workout is None:
            return False
        if workout_id in BUILTIN_IDS:
            self._tell(f"{workout.name} is built in and cannot be deleted.")
            return False
        if not self.asker.confirm(
            "Delete workout", f"Delete {workout.name}? Its file is removed.", "Delete"
        ):
            return False
        try:
            delete_custom_workout(self.workouts_dir, workout_id, library)
        except (WorkoutError, OSError) as error:
            self._tell(_problem(error, "deleted"))
            return False
        self._forget(workout_id)
        self._reload(None)
        self._tell(f"Deleted {workout.name}.")
        return True

    def _write(self, workout: Workout, library: WorkoutLibrary) -> bool:
        try:
            save_custom_workout(self.workouts_dir, workout, library)
        except (WorkoutError, OSError) as error:
            self._tell(_problem(error, "saved"))
            return False
        return True

    # -- files ----------------------------------------------------------------------------

    def import_file(self, source: Path | None = None) -> str | None:
        source = source or self.asker.open_file("Import a workout")
        if source is None:
            return None
        try:
            imported = import_workout(self.workouts_dir, source)
        except IdTakenError as taken:
            choice = self.asker.conflict(
                f"{taken.workout.name} has the id {taken.workout.id!r}, which "
                + ("a built-in workout has." if taken.builtin else "one of your workouts has."),
                can_replace=not taken.builtin,
            )
            if choice is None:
                return None
            try:
                imported = import_workout(self.workouts_dir, source, choice)
            except (WorkoutError, OSError) as error:
                self._tell(_problem(error, "imported"))
                return None
        except (WorkoutError, OSError) as error:
            self._tell(_problem(error, "imported"))
            return None
        self._reload(imported.workout.id)
        verb = "Replaced" if imported.replaced else "Imported"
        self._tell(f"{verb} {imported.workout.name}.")
        return imported.workout.id

    def export(self, workout_id: str, target: Path | None = None) -> Path | None:
        workout = self._library().get(workout_id)
        if workout is None:
            return None
        target = target or self.asker.save_file("Export the workout", f"{workout.id}.json")
        if target is None:
            return None
        try:
            kept = export_workout(workout, target)
        except (WorkoutError, OSError) as error:
            self._tell(_problem(error, "exported"))
            return None
        note = f" (the file that was there is kept as {target.name}.bak)" if kept else ""
        self._tell(f"Exported {workout.name} to {target}{note}.")
        return target


def _problem(error: Exception, done: str) -> str:
    if isinstance(error, OSError):
        where = f" ({error.filename})" if error.filename else ""
        return f"The workout could not be {done}: {error.strerror or error}{where}."
    text = str(error)
    return text[:1].upper() + text[1:]
