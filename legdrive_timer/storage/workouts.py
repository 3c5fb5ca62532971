"""Custom workouts: workout JSON files in the config dir, next to the built-ins.

An invalid file is kept where it is and reported; it never hides the other workouts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from legdrive_timer.core import workout_format
from legdrive_timer.core.builtins import BUILTIN_WORKOUTS, builtin_workout
from legdrive_timer.core.workout import Workout, WorkoutError
from legdrive_timer.storage.atomic import write_text_atomic


@dataclass(frozen=True)
class WorkoutLibrary:
    workouts: tuple[Workout, ...]
    custom_ids: frozenset[str] = frozenset()
    problems: tuple[str, ...] = field(default=())
    """One sentence per custom workout file that could not be read."""

    def get(self, workout_id: str) -> Workout | None:
        for workout in self.workouts:
            if workout.id == workout_id:
                return workout
        return None


def read_workout_file(path: Path) -> Workout:
    """Read one workout file; any problem becomes a WorkoutError naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise WorkoutError(f"{path}: no such workout file.") from None
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "it is not UTF-8 text"
        raise WorkoutError(f"{path}: cannot read the workout file ({reason}).") from None
    try:
        return workout_format.loads(text)
    except WorkoutError as error:
        raise WorkoutError(f"{path}: {error}") from None


def load_library(workouts_dir: Path) -> WorkoutLibrary:
    workouts = list(BUILTIN_WORKOUTS)
    custom: set[str] = set()
    problems: list[str] = []
    files = sorted(workouts_dir.glob("*.json")) if workouts_dir.is_dir() else []
    for path in files:
        try:
            workout = read_workout_file(path)
        except WorkoutError as error:
            problems.append(str(error))
            continue
        if builtin_workout(workout.id) is not None or workout.id in custom:
            problems.append(f"{path}: the id {workout.id!r} is already taken; file ignored.")
            continue
        custom.add(workout.id)
        workouts.append(workout)
    return WorkoutLibrary(tuple(workouts), frozenset(custom), tuple(problems))


def save_custom_workout(workouts_dir: Path, workout: Workout) -> Path:
    if builtin_workout(workout.id) is not None:
        raise WorkoutError(f"the id {workout.id!r} belongs to a built-in workout.")
    path = workouts_dir / f"{workout.id}.json"
    write_text_atomic(path, workout_format.dumps(workout))
    return path


def resolve_workout(spec: str, library: WorkoutLibrary) -> Workout:
    """A built-in or custom workout id, or the path of a workout JSON file."""
    workout = library.get(spec)
    if workout is not None:
        return workout
    path = Path(spec)
    if spec.endswith(".json") or path.exists():
        return read_workout_file(path)
    known = ", ".join(w.id for w in library.workouts)
    raise WorkoutError(f"no workout called {spec!r}; choose one of {known}, or a workout file.")
