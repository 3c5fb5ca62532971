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

from legdrive_timer.core.text import shown
from legdrive_timer.core.workout import (
    BLOCK_REST,
    PREP,
    REPS,
    REST,
    ROUNDS,
    SET_REST,
    SETS,
    SWITCH,
    TEMPO_DOWN,
    TEMPO_UP,
    WORK,
    IntervalBlock,
    Limit,
    RepSetBlock,
    SideOrder,
    Tempo,
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
    """An attribute of the owner; `tempo.up_s` is a part of the rep tempo."""
    label: str | None = None

    def read(self, owner: object) -> Value | None:
        if self.attribute.startswith("tempo."):
            tempo = getattr(owner, "tempo", None)
            return None if tempo is None else getattr(tempo, self.attribute.partition(".")[2])
        value: Value = getattr(owner, self.attribute)
        return value


@dataclass(frozen=True)
class OverrideField:
    name: str
    """Key in the settings file and keyword of `Overrides`."""
    option: str | None
    """Command-line option of `run` (None: the field is set through a shared option, as
    the two parts of `--tempo UP/DOWN`)."""
    label: str
    """How the window names the field."""
    limit: Limit
    """The allowed range: the same as the workout's own check of the attribute."""
    help: str
    targets: tuple[Target, ...]
    adjustable: bool = True
    """Shown in the window's Adjust dialog (the shared rest is not: it has a field for each
    kind of rest)."""

    @property
    def unit(self) -> Unit:
        return Unit.COUNT if self.limit.whole else Unit.SECONDS

    @property
    def range(self) -> tuple[float, float]:
        return (self.limit.low, self.limit.high)

    def problem(self, value: object) -> str | None:
        """What is wrong with `value` for this field, as the end of a sentence naming it."""
        return self.limit.reason(value)

    def from_text(self, text: str) -> Value:
        """The value typed on the command line; ValueError with a sentence end if not one."""
        try:
            value: Value = float(text) if self.unit is Unit.SECONDS else int(text)
        except ValueError:
            kind = "a number of seconds" if self.unit is Unit.SECONDS else "a whole number"
            raise ValueError(f"{shown(text)} is not {kind}") from None
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
            value = target.read(owner)
            if value is not None:
                return value
        return None

    def _owners(self, workout: Workout) -> Iterator[tuple[Target, object]]:
        for target in self.targets:
            for owner in (workout, *workout.blocks):
                if isinstance(owner, target.owner) and target.read(owner) is not None:
                    yield target, owner


def _field(
    limit: Limit,
    sets: Owner | tuple[Target, ...],
    help: str,
    *,
    name: str | None = None,
    label: str | None = None,
    within: str | None = None,
    adjustable: bool = True,
) -> OverrideField:
    """A field for `limit`, named and labelled as the limit unless `name`/`label` say
    otherwise. `sets` is the owner class whose attribute of the limit's name it sets (in its
    part `within`, e.g. `tempo`), or the exact targets. Its `run` option is the name without
    `_s` (`set_rest_s` is `--set-rest`); a part has none of its own (`--tempo UP/DOWN`)."""
    attribute = limit.name if within is None else f"{within}.{limit.name}"
    name = name or attribute.replace(".", "_")
    targets = sets if isinstance(sets, tuple) else (Target(sets, attribute),)
    option = None if within else "--" + name.removesuffix("_s").replace("_", "-")
    return OverrideField(name, option, label or limit.label, limit, help, targets, adjustable)


_SHARED_REST = (
    Target(IntervalBlock, "rest_s"),
    Target(RepSetBlock, "set_rest_s", label="Rest between sets"),
)

FIELDS: tuple[OverrideField, ...] = (
    _field(PREP, Workout, "seconds to get ready"),
    _field(WORK, IntervalBlock, "seconds of work per round"),
    _field(REST, _SHARED_REST, "seconds of rest", label="Rest", adjustable=False),
    _field(ROUNDS, IntervalBlock, "rounds of intervals"),
    _field(SETS, RepSetBlock, "sets of reps"),
    _field(REPS, RepSetBlock, "reps per side"),
    _field(SWITCH, RepSetBlock, "seconds to switch sides"),
    _field(SET_REST, RepSetBlock, "seconds of rest between sets (wins over --rest)"),
    _field(
        REST,
        IntervalBlock,
        "seconds of rest between interval rounds (wins over --rest)",
        name="round_rest_s",
    ),
    _field(BLOCK_REST, Workout, "seconds of rest between blocks"),
    _field(TEMPO_UP, RepSetBlock, "seconds for the drive up of one rep", within="tempo"),
    _field(TEMPO_DOWN, RepSetBlock, "seconds for the lowering of one rep", within="tempo"),
)
"""Declaration order matters: a later field wins over an earlier one that sets the same
attribute, and the command line and the Adjust dialog list them in this order."""

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
    """The attributes `overrides` set on `owner`. Fields later in FIELDS win, so the rest
    between sets wins over the shared rest; a tempo part applies to paced sets only."""
    changes: dict[str, Any] = {}
    tempo: dict[str, Any] = {}
    for field, value in overrides.items():
        for target in field.targets:
            if not isinstance(owner, target.owner):
                continue
            if target.attribute.startswith("tempo."):
                if getattr(owner, "tempo", None) is not None:
                    tempo[target.attribute.partition(".")[2]] = value
            else:
                changes[target.attribute] = value
    if tempo:
        changes["tempo"] = dataclasses.replace(owner.tempo, **tempo)  # type: ignore[attr-defined]
    return changes


def apply_overrides(workout: Workout, overrides: Overrides) -> Workout:
    """A new, validated workout; a value out of range raises OverrideError naming its field."""
    if overrides.is_empty():
        return workout
    overrides.check()
    blocks = tuple(dataclasses.replace(b, **_changes(b, overrides)) for b in workout.blocks)
    return dataclasses.replace(workout, blocks=blocks, **_changes(workout, overrides))


LEADS = ("left", "right", "alternate")
"""`run --lead`: which leg leads every rep-set block that uses both legs."""

_LEAD_ORDERS = {
    "left": SideOrder.LEFT_FIRST,
    "right": SideOrder.RIGHT_FIRST,
    "alternate": SideOrder.ALTERNATE,
}


def apply_lead(workout: Workout, lead: str | None) -> Workout:
    """`workout` with every two-legged rep-set block led by `lead` (left, right, or alternate
    each session); one-legged blocks stay as they are. None changes nothing."""
    if lead is None:
        return workout
    if lead not in _LEAD_ORDERS:
        raise WorkoutError(f"the leading leg must be one of {', '.join(LEADS)} (got {lead!r}).")
    order = _LEAD_ORDERS[lead]
    blocks = tuple(
        dataclasses.replace(b, sides=order.sides, alternate_lead=order is SideOrder.ALTERNATE)
        if isinstance(b, RepSetBlock) and len(b.sides) == 2
        else b
        for b in workout.blocks
    )
    return dataclasses.replace(workout, blocks=blocks)


def parse_tempo(text: str) -> Tempo:
    """`1/1.5` (drive up / lower seconds), checked by the two tempo fields."""
    up_text, slash, down_text = text.partition("/")
    if not slash:
        raise ValueError(f"{text!r} is not a tempo; give UP/DOWN seconds, e.g. 1/1.5")
    parts = []
    for name, part in (("tempo_up_s", up_text), ("tempo_down_s", down_text)):
        field = FIELDS_BY_NAME[name]
        try:
            parts.append(float(field.from_text(part.strip())))
        except ValueError as error:
            raise ValueError(f"{field.label.lower()} {error}") from None
    return Tempo(up_s=parts[0], down_s=parts[1])
