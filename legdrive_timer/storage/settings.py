"""The user's settings: last workout, sound, window geometry, per-workout lengths and the
camera coach.

Versioned JSON in the config dir, written atomically. A file that cannot be read or has
wrong types is moved aside with a timestamp (nothing lost) and the defaults are used; the
problem comes back as one sentence for the window to show. Saving checks the file on disk
first, so a file someone broke while the app ran is kept the same way, never overwritten.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from legdrive_timer.core.sound_choices import AUDIO_CHOICES, audio_choice
from legdrive_timer.core.text import shown
from legdrive_timer.core.workout import Side, Workout, WorkoutError
from legdrive_timer.storage.atomic import unused_name, write_text_atomic
from legdrive_timer.storage.reader import SETTINGS_LIMIT, UserFileError, describe, read_json

if TYPE_CHECKING:
    from datetime import datetime

    from legdrive_timer.core.overrides import Overrides

FORMAT = "legdrive-timer/settings"
VERSION = 1


def _frozen(value: Mapping[str, Mapping[str, float]]) -> Mapping[str, Mapping[str, float]]:
    return MappingProxyType({k: MappingProxyType(dict(v)) for k, v in value.items()})


@dataclass(frozen=True)
class Settings:
    last_workout_id: str | None = None
    volume: float = 0.8
    muted: bool = False
    voice: bool = True
    audio_backend: str = "auto"
    audio_device: str | None = None
    window_geometry: str | None = None
    """Qt's saveGeometry() as base64 text."""
    overrides: Mapping[str, Mapping[str, float]] = field(default_factory=lambda: _frozen({}))
    """Per workout id: the lengths the user changed (keys are override field names)."""
    leads: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    """Per workout id that alternates its leading leg: the leg that led the last session."""
    coach: bool = False
    """The camera coach in every workout that has no choice of its own (off until asked)."""
    coach_workouts: Mapping[str, bool] = field(default_factory=lambda: MappingProxyType({}))
    """Per workout id: the coach on or off for that workout, whatever `coach` says."""
    camera: str | None = None
    """The camera the coach uses (its device id); None: the system's default camera."""

    def __post_init__(self) -> None:
        # Read-only views so that a frozen Settings really cannot change under a reader.
        object.__setattr__(self, "overrides", _frozen(self.overrides))
        object.__setattr__(self, "leads", MappingProxyType(dict(self.leads)))
        object.__setattr__(self, "coach_workouts", MappingProxyType(dict(self.coach_workouts)))

    def coach_for(self, workout_id: str) -> bool:
        """Whether the camera coach watches this workout."""
        return self.coach_workouts.get(workout_id, self.coach)

    def with_coach_for(self, workout_id: str, on: bool | None) -> Settings:
        """A copy where `workout_id` has the coach `on`/off, or (None) follows `coach`."""
        table = dict(self.coach_workouts)
        if on is None:
            table.pop(workout_id, None)
        else:
            table[workout_id] = on
        return replace(self, coach_workouts=table)

    def next_lead(self, workout_id: str) -> Side:
        """The leg to lead this workout's next session: the other one than last time."""
        last = self.leads.get(workout_id)
        return Side(last).other if last in (Side.LEFT.value, Side.RIGHT.value) else Side.RIGHT

    def overrides_for(self, workout_id: str) -> Overrides:
        from legdrive_timer.core.overrides import Overrides

        return Overrides.from_mapping(self.overrides.get(workout_id, {}))

    def with_overrides(self, workout_id: str, overrides: Overrides) -> Settings:
        """A copy where `workout_id` uses `overrides` (empty ones remove the entry)."""
        table = {k: dict(v) for k, v in self.overrides.items()}
        if overrides.is_empty():
            table.pop(workout_id, None)
        else:
            table[workout_id] = overrides.as_dict()
        return replace(self, overrides=table)


def adjusted_workout(workout: Workout, settings: Settings) -> tuple[Workout, str | None]:
    """`workout` with the lengths the user saved for it (the window's Adjust), as the window
    and the command line both run and list it; or `workout` as it is and one sentence saying
    why the saved lengths were not used."""
    if not settings.overrides.get(workout.id):
        # No lengths saved for it (most workouts): the overrides' code is not needed.
        return workout, None
    from legdrive_timer.core.overrides import apply_overrides

    try:
        return apply_overrides(workout, settings.overrides_for(workout.id)), None
    except WorkoutError as error:
        return workout, f"Your lengths for {workout.name} were not used: {error}"


class SettingsError(ValueError):
    pass


def _number(key: str, value: Any, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise SettingsError(f"{key} must be a number")
    if not low <= value <= high:
        raise SettingsError(f"{key} must be between {low:g} and {high:g}")
    return float(value)


def _bool(key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise SettingsError(f"{key} must be true or false")
    return value


def _optional_text(key: str, value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise SettingsError(f"{key} must be text")
    return value


def _overrides(value: Any) -> dict[str, dict[str, float]]:
    if not isinstance(value, dict):
        raise SettingsError("overrides must be an object of workout ids")
    if not value:
        return {}
    from legdrive_timer.core.overrides import FIELDS_BY_NAME  # only for saved lengths

    table: dict[str, dict[str, float]] = {}
    for workout_id, lengths in value.items():
        if not isinstance(lengths, dict):
            raise SettingsError(f"overrides.{shown(workout_id)} must be an object")
        entry: dict[str, float] = {}
        for name, number in lengths.items():
            length = FIELDS_BY_NAME.get(name)
            if length is None:
                raise SettingsError(
                    f"overrides.{shown(workout_id)}.{shown(name)} is not a known length"
                )
            try:
                entry[name] = length.from_json(number)
            except ValueError as error:
                raise SettingsError(f"overrides.{shown(workout_id)}.{name} {error}") from None
        table[str(workout_id)] = entry
    return table


def _leads(value: Any) -> dict[str, str]:
    sides = (Side.LEFT.value, Side.RIGHT.value)
    if not isinstance(value, dict) or not all(v in sides for v in value.values()):
        raise SettingsError("leads must map workout ids to 'left' or 'right'")
    return {str(k): v for k, v in value.items()}


def _coach_workouts(value: Any) -> dict[str, bool]:
    if not isinstance(value, dict) or not all(isinstance(v, bool) for v in value.values()):
        raise SettingsError("coach_workouts must map workout ids to true or false")
    return {str(k): v for k, v in value.items()}


def settings_from_json(data: Any) -> Settings:
    if not isinstance(data, dict):
        raise SettingsError("the file does not hold a settings object")
    if data.get("format") != FORMAT:
        raise SettingsError(f'"format" must be "{FORMAT}"')
    version = data.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= VERSION:
        raise SettingsError(f"version {shown(version)} is not one this app can read")
    saved = data.get("audio_backend", "auto")
    backend = audio_choice(saved) if isinstance(saved, str) else None
    if backend is None:
        raise SettingsError(f"audio_backend must be one of {', '.join(AUDIO_CHOICES)}")
    return Settings(
        last_workout_id=_optional_text("last_workout_id", data.get("last_workout_id")),
        volume=_number("volume", data.get("volume", 0.8), 0.0, 1.0),
        muted=_bool("muted", data.get("muted", False)),
        voice=_bool("voice", data.get("voice", True)),
        audio_backend=backend,
        audio_device=_optional_text("audio_device", data.get("audio_device")),
        window_geometry=_optional_text("window_geometry", data.get("window_geometry")),
        overrides=_overrides(data.get("overrides", {})),
        leads=_leads(data.get("leads", {})),
        coach=_bool("coach", data.get("coach", False)),
        coach_workouts=_coach_workouts(data.get("coach_workouts", {})),
        camera=_optional_text("camera", data.get("camera")),
    )


def settings_to_json(settings: Settings) -> dict[str, Any]:
    data: dict[str, Any] = {"format": FORMAT, "version": VERSION}
    for item in fields(Settings):
        data[item.name] = getattr(settings, item.name)
    data["overrides"] = {k: dict(v) for k, v in settings.overrides.items()}
    data["leads"] = dict(settings.leads)
    data["coach_workouts"] = dict(settings.coach_workouts)
    return data


def _read(path: Path) -> Settings | None:
    """The settings in `path`, None when there is no file; UserFileError when invalid."""
    if not path.exists() and not path.is_symlink():
        return None
    data = read_json(path, what="settings file", limit=SETTINGS_LIMIT)
    try:
        return settings_from_json(data)
    except SettingsError as error:
        raise UserFileError(f"{describe(path)}: {error}.") from None


def _move_aside(path: Path, now: Callable[[], datetime] | None) -> Path:
    if now is None:
        from datetime import datetime  # only for a file that is not valid settings

        now = datetime.now
    target = unused_name(path.parent, f"{path.name}.invalid-{now():%Y%m%dT%H%M%S}")
    path.rename(target)
    return target


def load_settings(
    path: Path, *, now: Callable[[], datetime] | None = None
) -> tuple[Settings, str | None]:
    """The settings in `path`, or the defaults and one sentence saying why not.

    An invalid file is moved aside with a timestamp (`now`, the local time by default), so
    that saving later cannot lose it."""
    try:
        settings = _read(path)
    except UserFileError as error:
        reason = str(error).rstrip(".")
        try:
            kept = _move_aside(path, now)
        except OSError as move_error:
            return Settings(), (
                f"The settings could not be used ({reason}); the file could not be moved "
                f"aside ({move_error.strerror or move_error}), so it is left as it is and "
                "changed settings will not be saved."
            )
        return Settings(), (
            f"The settings could not be used ({reason}); the file was kept as "
            f"{describe(kept)} and defaults are used."
        )
    return (Settings() if settings is None else settings), None


def save_settings(
    path: Path, settings: Settings, *, now: Callable[[], datetime] | None = None
) -> None:
    """Write `settings` atomically. A file on disk that is not valid settings is moved aside
    first; if it cannot be, nothing is written (OSError)."""
    try:
        _read(path)
    except UserFileError:
        _move_aside(path, now)
    write_text_atomic(path, json.dumps(settings_to_json(settings), indent=2, sort_keys=True) + "\n")
