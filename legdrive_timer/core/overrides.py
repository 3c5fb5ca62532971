"""Lengths chosen by the user on top of a workout (`run --work 20 --rounds 6`).

Every override field is declared once, in `FIELDS`: its name (the key in the settings file),
command-line option, label, unit, range, help text and the workout attributes it sets. The
command line, the settings, the adjust dialog and validation are all built from it, so a new
field is one more entry there.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

from legdrive_timer.core.workout import (
    PREP_RANGE,
    REPS_RANGE,
    REST_RANGE,
    ROUNDS_RANGE,
    SETS_RANGE,
    SWITCH_RANGE,
    WORK_RANGE,
    IntervalBlock,
    RepSetBlock,
    Workout,
    WorkoutError,
)

Value = float | int
Owner = type[Workout] | type[IntervalBlock] | type[RepSetBlock]


class Unit(Enum):
    """What a field counts: its type, how it is written and how it is checked."""

    SECONDS = "s"
    COUNT = ""

    @property
    def metavar(self) -> str:
        return "S" if self is Unit.SECONDS else "N"


@dataclass(frozen=True)
class Target:
    """One workout attribute a field sets: `attribute` of every `owner` in the workout.

    `label` names the field where this is the first target the workout has (the rest
    between sets of a rep-only workout), instead of the field's own label.
    """

    owner: Owner
    attribute: str
    label: str | None = None


@dataclass(frozen=True)
class OverrideField:
    name: str
    """Key in the settings file and keyword of `Overrides`."""
    option: str
    """Command-line option of `run`."""
    label: str
    """How the window names the field."""
    unit: Unit
    range: tuple[float, float]
    help: str
    targets: tuple[Target, ...]

    def problem(self, value: object) -> str | None:
        """What is wrong with `value` for this field, as the end of a sentence naming it."""
        low, high = self.range
        if self.unit is Unit.SECONDS:
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
            ):
                return f"must be a number of seconds (got {value!r})."
            if not low <= value <= high:
                return f"must be between {_fmt(low)} and {_fmt(high)} seconds (got {_fmt(value)})."
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            return f"must be a whole number (got {value!r})."
        if not low <= value <= high:
            return f"must be between {_fmt(low)} and {_fmt(high)} (got {value})."
        return None

    def from_text(self, text: str) -> Value:
        """The value typed on the command line; ValueError with a sentence end if not one."""
        try:
            value: Value = float(text) if self.unit is Unit.SECONDS else int(text)
        except ValueError:
            kind = "a number of seconds" if self.unit is Unit.SECONDS else "a whole number"
            raise ValueError(f"{text!r} is not {kind}") from None
        problem = self.problem(value)
        if problem is not None:
            raise ValueError(problem.removesuffix("."))
        return value

    def from_json(self, value: object) -> Value:
        """A stored value in this field's type; ValueError if it has the wrong type.

        Only the type is checked here: a value out of range is reported when the lengths
        are used, so one stale length does not cost the rest of the settings.
        """
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError("must be a number")
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        if self.unit is Unit.SECONDS:
            return float(value)
        if not float(value).is_integer():
            raise ValueError("must be a whole number")
        return int(value)

    def applies_to(self, workout: Workout) -> bool:
        return any(True for _ in self._owners(workout))

    def label_for(self, workout: Workout) -> str:
        for target, _ in self._owners(workout):
            return target.label or self.label
        return self.label

    def value_in(self, workout: Workout) -> Value | None:
        """What the workout has now, read from the first target it has."""
        for target, owner in self._owners(workout):
            value: Value = getattr(owner, target.attribute)
            return value
        return None

    def _owners(self, workout: Workout) -> Iterator[tuple[Target, object]]:
        for target in self.targets:
            for owner in (workout, *workout.blocks):
                if isinstance(owner, target.owner):
                    yield target, owner


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


FIELDS: tuple[OverrideField, ...] = (
    OverrideField(
        name="prep_s",
        option="--prep",
        label="Get ready",
        unit=Unit.SECONDS,
        range=PREP_RANGE,
        help="seconds to get ready",
        targets=(Target(Workout, "prep_s"),),
    ),
    OverrideField(
        name="work_s",
        option="--work",
        label="Work",
        unit=Unit.SECONDS,
        range=WORK_RANGE,
        help="seconds of work per round",
        targets=(Target(IntervalBlock, "work_s"),),
    ),
    OverrideField(
        name="rest_s",
        option="--rest",
        label="Rest",
        unit=Unit.SECONDS,
        range=REST_RANGE,
        help="seconds of rest",
        targets=(
            Target(IntervalBlock, "rest_s"),
            Target(RepSetBlock, "set_rest_s", label="Rest between sets"),
        ),
    ),
    OverrideField(
        name="rounds",
        option="--rounds",
        label="Rounds",
        unit=Unit.COUNT,
        range=ROUNDS_RANGE,
        help="rounds of intervals",
        targets=(Target(IntervalBlock, "rounds"),),
    ),
    OverrideField(
        name="sets",
        option="--sets",
        label="Sets",
        unit=Unit.COUNT,
        range=SETS_RANGE,
        help="sets of reps",
        targets=(Target(RepSetBlock, "sets"),),
    ),
    OverrideField(
        name="reps",
        option="--reps",
        label="Reps per side",
        unit=Unit.COUNT,
        range=REPS_RANGE,
        help="reps per side",
        targets=(Target(RepSetBlock, "reps"),),
    ),
    OverrideField(
        name="switch_s",
        option="--switch",
        label="Switch sides",
        unit=Unit.SECONDS,
        range=SWITCH_RANGE,
        help="seconds to switch sides",
        targets=(Target(RepSetBlock, "switch_s"),),
    ),
)

FIELDS_BY_NAME: Mapping[str, OverrideField] = {f.name: f for f in FIELDS}


class OverrideError(WorkoutError):
    """A length out of its field's range; `field` says which, the message names it."""

    def __init__(self, field: OverrideField, problem: str) -> None:
        super().__init__(f"{field.label} {problem}")
        self.field = field
        self.problem = problem


class Overrides:
    """The lengths the user set, by field name; a field left out keeps the workout's value.

    `Overrides(work_s=20, rounds=6)`; `overrides.work_s` is None when not set.
    """

    __slots__ = ("_values",)

    def __init__(self, **values: Value | None) -> None:
        unknown = sorted(set(values) - set(FIELDS_BY_NAME))
        if unknown:
            raise TypeError(f"{unknown[0]!r} is not an override field")
        self._values: dict[str, Value] = {k: v for k, v in values.items() if v is not None}

    @classmethod
    def from_mapping(cls, values: Mapping[str, Value | None]) -> Overrides:
        return cls(**values)

    def __getattr__(self, name: str) -> Value | None:
        if name in FIELDS_BY_NAME:
            return self._values.get(name)
        raise AttributeError(name)

    def items(self) -> Iterator[tuple[OverrideField, Value]]:
        """The fields that are set, in declaration order."""
        for field in FIELDS:
            if field.name in self._values:
                yield field, self._values[field.name]

    def as_dict(self) -> dict[str, Value]:
        return {field.name: value for field, value in self.items()}

    def is_empty(self) -> bool:
        return not self._values

    def check(self) -> None:
        """Raise OverrideError for the first value out of its field's range."""
        for field, value in self.items():
            problem = field.problem(value)
            if problem is not None:
                raise OverrideError(field, problem)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Overrides):
            return NotImplemented
        return self._values == other._values

    def __hash__(self) -> int:
        return hash(frozenset(self._values.items()))

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self.as_dict().items())
        return f"Overrides({inner})"


def _changes(owner: object, overrides: Overrides) -> dict[str, Any]:
    return {
        target.attribute: value
        for field, value in overrides.items()
        for target in field.targets
        if isinstance(owner, target.owner)
    }


def apply_overrides(workout: Workout, overrides: Overrides) -> Workout:
    """A new, validated workout; a value out of range raises OverrideError naming its field."""
    if overrides.is_empty():
        return workout
    overrides.check()
    blocks = tuple(dataclasses.replace(b, **_changes(b, overrides)) for b in workout.blocks)
    return dataclasses.replace(workout, blocks=blocks, **_changes(workout, overrides))
