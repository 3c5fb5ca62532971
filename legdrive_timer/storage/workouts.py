"""Custom workouts: workout files in the config dir's `workouts/` folder, next to the built-ins.

A file that cannot be read is listed as broken with the reason and left untouched; it
never hides the other workouts. Files are named from a safe slug of the workout's id (no
path separators, no names Windows reserves, never a built-in's id) and written atomically.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path

from legdrive_timer.core.builtins import BUILTIN_IDS, BUILTIN_WORKOUTS
from legdrive_timer.core.text import shown
from legdrive_timer.core.workout import Workout, WorkoutError
from legdrive_timer.storage.atomic import resolved, write_bytes_atomic, write_text_atomic
from legdrive_timer.storage.reader import UserFileError, describe, read_text, reason

MAX_WORKOUT_FILE_BYTES = 1024 * 1024
"""A workout of 20 blocks with every cue is a few kB; anything far larger is not one."""

_WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul", "conin$", "conout$"}
    | {f"com{n}" for n in "123456789¹²³"}
    | {f"lpt{n}" for n in "123456789¹²³"}
)
_MAX_ID = 64


@dataclass(frozen=True)
class BrokenWorkoutFile:
    path: Path
    reason: str
    """One sentence naming the file."""


@dataclass(frozen=True)
class WorkoutLibrary:
    workouts: tuple[Workout, ...]
    custom_ids: frozenset[str] = frozenset()
    broken: tuple[BrokenWorkoutFile, ...] = field(default=())
    paths: dict[str, Path] = field(default_factory=dict)
    """The file of each custom workout, by id."""

    @property
    def problems(self) -> tuple[str, ...]:
        """One sentence per custom workout file that could not be read."""
        return tuple(b.reason for b in self.broken)

    def get(self, workout_id: str) -> Workout | None:
        for workout in self.workouts:
            if workout.id == workout_id:
                return workout
        return None

    def is_custom(self, workout_id: str) -> bool:
        return workout_id in self.custom_ids

    def taken_ids(self) -> set[str]:
        return {w.id for w in self.workouts}


def read_workout_file(path: Path) -> Workout:
    """Read one workout file through the one reader; any problem becomes a WorkoutError
    naming the file."""
    try:
        text = read_text(path, what="workout file", limit=MAX_WORKOUT_FILE_BYTES)
    except UserFileError as error:
        raise WorkoutError(str(error)) from None
    from legdrive_timer.core import workout_format  # only with custom workouts

    try:
        return workout_format.loads(text)
    except WorkoutError as error:
        raise WorkoutError(f"{describe(path)}: {error}") from None


def _custom_files(workouts_dir: Path) -> tuple[list[Path], BrokenWorkoutFile | None]:
    """The workout files of the folder, or why the folder itself cannot be read."""
    try:
        entries = list(workouts_dir.iterdir())
    except FileNotFoundError:
        return [], None  # no custom workout made yet
    except NotADirectoryError:
        problem = "is not a folder; custom workouts are kept in a folder of that name"
        return [], BrokenWorkoutFile(workouts_dir, f"{describe(workouts_dir)} {problem}.")
    except OSError as error:
        return [], BrokenWorkoutFile(
            workouts_dir,
            f"{describe(workouts_dir)}: the workouts folder cannot be read "
            f"({reason(error)}); custom workouts are not shown.",
        )
    files = sorted(p for p in entries if p.suffix == ".json" and not p.name.startswith("."))
    return files, None


def load_library(workouts_dir: Path) -> WorkoutLibrary:
    workouts = list(BUILTIN_WORKOUTS)
    custom: set[str] = set()
    paths: dict[str, Path] = {}
    files, folder_problem = _custom_files(workouts_dir)
    broken: list[BrokenWorkoutFile] = [] if folder_problem is None else [folder_problem]
    for path in files:
        try:
            workout = read_workout_file(path)
        except WorkoutError as error:
            broken.append(BrokenWorkoutFile(path, str(error)))
            continue
        if workout.id in BUILTIN_IDS or workout.id in custom:
            broken.append(
                BrokenWorkoutFile(
                    path,
                    f"{describe(path)}: the id {shown(workout.id)} is already taken; file ignored.",
                )
            )
            continue
        custom.add(workout.id)
        paths[workout.id] = path
        workouts.append(workout)
    return WorkoutLibrary(tuple(workouts), frozenset(custom), tuple(broken), paths)


# -- names ------------------------------------------------------------------------------


def slug(text: str) -> str:
    """A workout id made from a name: lowercase letters, digits and dashes, never empty."""
    text = text.lower()
    text = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return text[:_MAX_ID].strip("-") or "workout"


def _safe_stem(workout_id: str) -> str:
    """The file name (without `.json`) for an id: never a name Windows reserves."""
    stem = slug(workout_id)
    return f"{stem}-workout" if stem in _WINDOWS_RESERVED else stem


def unique_id(base: str, taken: set[str]) -> str:
    """`base` made into an id no workout has, nor any built-in: `base`, `base-2`, ..."""
    base = slug(base)
    taken = taken | set(BUILTIN_IDS)
    if base not in taken:
        return base
    for n in range(2, 10_000):
        suffix = f"-{n}"
        candidate = base[: _MAX_ID - len(suffix)].rstrip("-") + suffix
        if candidate not in taken:
            return candidate
    raise WorkoutError(f"there are too many workouts called {base!r}.")


def copy_name(name: str, taken_names: set[str]) -> str:
    """`Name (copy)`, `Name (copy 2)`, ... whichever is free, at most 80 characters."""
    for n in range(1, 10_000):
        suffix = " (copy)" if n == 1 else f" (copy {n})"
        candidate = name[: 80 - len(suffix)] + suffix
        if candidate not in taken_names:
            return candidate
    return name


# -- changes ------------------------------------------------------------------------------


def _free_path(workouts_dir: Path, workout_id: str) -> Path:
    stem = _safe_stem(workout_id)
    path = workouts_dir / f"{stem}.json"
    n = 2
    while path.exists() or path.is_symlink():
        path = workouts_dir / f"{stem}-{n}.json"
        n += 1
    return path


def save_custom_workout(
    workouts_dir: Path, workout: Workout, library: WorkoutLibrary | None = None
) -> Path:
    """Write `workout` atomically: over its own file if it has one, else to a new file.

    A built-in id is refused: built-ins are never overwritten, an edit of one is a copy.
    """
    if workout.id in BUILTIN_IDS:
        raise WorkoutError(f"the id {workout.id!r} belongs to a built-in workout.")
    library = library or load_library(workouts_dir)
    path = library.paths.get(workout.id) or _free_path(workouts_dir, workout.id)
    _check_inside(workouts_dir, path)
    from legdrive_timer.core import workout_format

    try:
        write_text_atomic(path, workout_format.dumps(workout))
    except OSError as error:  # a full disk, a read-only folder: nothing was written
        raise WorkoutError(
            f"the workout could not be saved in {describe(workouts_dir)} ({reason(error)})."
        ) from None
    return path


def delete_custom_workout(workouts_dir: Path, workout_id: str, library: WorkoutLibrary) -> Path:
    """Remove a custom workout's file. Built-ins cannot be deleted."""
    if workout_id in BUILTIN_IDS:
        raise WorkoutError(f"{workout_id!r} is a built-in workout; it cannot be deleted.")
    path = library.paths.get(workout_id)
    if path is None:
        raise WorkoutError(f"there is no custom workout called {workout_id!r}.")
    _check_inside(workouts_dir, path)
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    return path


def _check_inside(workouts_dir: Path, path: Path) -> None:
    try:
        inside = resolved(path.parent) == resolved(workouts_dir) and not path.is_symlink()
    except OSError:
        inside = False  # a loop of links
    if not inside:
        raise WorkoutError(f"{path} is not a file of the workouts folder; it was left alone.")


class Conflict(StrEnum):
    """What an import does with an id that is already taken."""

    REFUSE = "refuse"
    REPLACE = "replace"
    KEEP_BOTH = "keep-both"


class IdTakenError(WorkoutError):
    """An imported workout's id is taken and neither replacing nor keeping both was chosen."""

    def __init__(self, workout: Workout, builtin: bool) -> None:
        self.workout = workout
        self.builtin = builtin
        if builtin:
            text = (
                f"the id {workout.id!r} belongs to a built-in workout; "
                "import with --keep-both to add it under a new id."
            )
        else:
            text = (
                f"a workout with the id {workout.id!r} already exists; "
                "import with --replace to overwrite it or --keep-both to keep both."
            )
        super().__init__(text)


@dataclass(frozen=True)
class Imported:
    workout: Workout
    path: Path
    replaced: bool


def import_workout(
    workouts_dir: Path, source: Path, conflict: Conflict = Conflict.REFUSE
) -> Imported:
    """Add the workout in `source` to the custom workouts. A replaced file is kept as a
    copy next to it (`*.json.replaced`), so nothing the user had is lost."""
    workout = read_workout_file(source)
    library = load_library(workouts_dir)
    builtin = workout.id in BUILTIN_IDS
    taken = builtin or library.is_custom(workout.id)
    if taken and (conflict is Conflict.REFUSE or (builtin and conflict is Conflict.REPLACE)):
        raise IdTakenError(workout, builtin)
    if taken and conflict is Conflict.KEEP_BOTH:
        new_id = unique_id(workout.id, library.taken_ids())
        names = {w.name for w in library.workouts}
        name = workout.name if workout.name not in names else copy_name(workout.name, names)
        workout = replace(workout, id=new_id, name=name)
    replaced = taken and conflict is Conflict.REPLACE
    if replaced:
        old = library.paths[workout.id]
        _keep_copy(old, ".replaced")
    path = save_custom_workout(workouts_dir, workout, library)
    return Imported(workout, path, replaced)


def _keep_copy(path: Path, suffix: str) -> None:
    """A copy of `path` next to it before it is replaced (best effort: a missing file has
    nothing to keep)."""
    with contextlib.suppress(FileNotFoundError, IsADirectoryError):
        write_bytes_atomic(path.with_name(path.name + suffix), path.read_bytes())


def export_workout(workout: Workout, target: Path) -> bool:
    """Write `workout` to `target` atomically, exactly as a workout file. An existing file
    is kept as `<target>.bak` first; returns whether there was one."""
    try:
        mode: int | None = target.stat().st_mode
    except FileNotFoundError:
        mode = None  # a new file, or a link to nothing (the link is replaced)
    except OSError as error:
        raise WorkoutError(f"{describe(target)} cannot be written ({reason(error)}).") from None
    if mode is not None and stat.S_ISDIR(mode):
        raise WorkoutError(f"{target} is a folder; give the name of the file to write.")
    if mode is not None and not stat.S_ISREG(mode):
        # A named pipe or a device: copying it first would wait or read for ever.
        raise WorkoutError(f"{describe(target)} is not a regular file; nothing was written.")
    existed = mode is not None
    if existed:
        _keep_copy(target, ".bak")
    from legdrive_timer.core import workout_format

    write_text_atomic(target, workout_format.dumps(workout))
    return existed


def resolve_workout(spec: str, library: WorkoutLibrary) -> Workout:
    """A built-in or custom workout id, or the path of a workout JSON file."""
    workout = library.get(spec)
    if workout is not None:
        return workout
    path = Path(spec)
    if spec.endswith(".json") or os.sep in spec or _exists(path):
        return read_workout_file(path)
    known = ", ".join(shown(w.id, 30) for w in library.workouts[:20])
    raise WorkoutError(
        f"no workout called {shown(spec)}; choose one of {known}, or a workout file."
    )


def _exists(path: Path) -> bool:
    try:
        return path.exists()
    except (OSError, ValueError):  # a name too long for the system, or holding a NUL
        return False
