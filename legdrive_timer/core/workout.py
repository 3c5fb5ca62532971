"""What to do: workouts made of rep-set blocks and timed-interval blocks.

All durations are in seconds (floats, so a tempo can be 1.5 s). Every value object is
validated on construction, so a `Workout` that exists is one the timeline can compile.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from enum import StrEnum


class WorkoutError(ValueError):
    """A workout that cannot be run; the message is one sentence naming the field."""


class Side(StrEnum):
    LEFT = "left"
    RIGHT = "right"

    @property
    def other(self) -> Side:
        return Side.RIGHT if self is Side.LEFT else Side.LEFT


# Limits: generous for real training, refusing values that can only be typos.
PREP_RANGE = (0.0, 600.0)
WORK_RANGE = (1.0, 3600.0)
REST_RANGE = (0.0, 3600.0)
SWITCH_RANGE = (0.0, 300.0)
BLOCK_REST_RANGE = (0.0, 1800.0)
TEMPO_RANGE = (0.2, 10.0)
ROUNDS_RANGE = (1, 100)
SETS_RANGE = (1, 20)
REPS_RANGE = (1, 200)
MAX_BLOCKS = 20
MAX_CUES = 12
MAX_TEXT = 200
MAX_TOTAL_SECONDS = 4 * 3600.0
SELF_PACED_SECONDS_PER_REP = 2.0
"""Estimate used for the planned length of a self-paced set (the user ends it with Done)."""

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def _check_seconds(name: str, value: float, bounds: tuple[float, float]) -> None:
    low, high = bounds
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise WorkoutError(f"{name} must be a number of seconds (got {value!r}).")
    if not low <= value <= high:
        raise WorkoutError(
            f"{name} must be between {_fmt(low)} and {_fmt(high)} seconds (got {_fmt(value)})."
        )


def _check_count(name: str, value: int, bounds: tuple[int, int]) -> None:
    low, high = bounds
    if isinstance(value, bool) or not isinstance(value, int):
        raise WorkoutError(f"{name} must be a whole number (got {value!r}).")
    if not low <= value <= high:
        raise WorkoutError(f"{name} must be between {low} and {high} (got {value}).")


def _check_text(
    name: str, value: str, *, max_len: int = MAX_TEXT, allow_empty: bool = False
) -> None:
    if not isinstance(value, str):
        raise WorkoutError(f"{name} must be text (got {value!r}).")
    if not allow_empty and not value.strip():
        raise WorkoutError(f"{name} must not be empty.")
    if len(value) > max_len:
        raise WorkoutError(f"{name} must be at most {max_len} characters (got {len(value)}).")


def _check_id(name: str, value: str) -> None:
    if not isinstance(value, str) or not ID_PATTERN.match(value):
        raise WorkoutError(
            f"{name} must be 1-64 lowercase letters, digits or dashes, "
            f"starting with a letter or digit (got {value!r})."
        )


def _check_cues(name: str, cues: tuple[str, ...]) -> None:
    if not isinstance(cues, tuple):
        raise WorkoutError(f"{name} must be a list of form cues.")
    if len(cues) > MAX_CUES:
        raise WorkoutError(f"{name} must have at most {MAX_CUES} cues (got {len(cues)}).")
    for i, cue in enumerate(cues):
        _check_text(f"{name}[{i}]", cue)


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


@dataclass(frozen=True)
class Tempo:
    """Seconds for the explosive drive up and for the controlled descent of one rep."""

    up_s: float
    down_s: float

    def __post_init__(self) -> None:
        _check_seconds("tempo.up_s", self.up_s, TEMPO_RANGE)
        _check_seconds("tempo.down_s", self.down_s, TEMPO_RANGE)

    @property
    def rep_s(self) -> float:
        return self.up_s + self.down_s


@dataclass(frozen=True)
class RepSetBlock:
    """Sets of reps on each side in turn, e.g. 2 x 15 single-leg knee drives per side.

    `tempo` paces each rep with a beat; `None` makes the set self-paced (the user presses
    Done). `switch_s` is the window to change legs between sides; `set_rest_s` the rest
    between sets.
    """

    exercise_id: str
    name: str
    sets: int
    reps: int
    sides: tuple[Side, ...] = (Side.RIGHT, Side.LEFT)
    tempo: Tempo | None = Tempo(1.0, 1.5)
    switch_s: float = 10.0
    set_rest_s: float = 30.0
    cues: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_id("exercise_id", self.exercise_id)
        _check_text("name", self.name, max_len=80)
        _check_count("sets", self.sets, SETS_RANGE)
        _check_count("reps", self.reps, REPS_RANGE)
        if not isinstance(self.sides, tuple) or not 1 <= len(self.sides) <= 2:
            raise WorkoutError("sides must list one or two sides, e.g. ['right', 'left'].")
        if not all(isinstance(s, Side) for s in self.sides):
            raise WorkoutError("sides may only contain 'left' and 'right'.")
        if len(set(self.sides)) != len(self.sides):
            raise WorkoutError("sides must not repeat a side.")
        if self.tempo is not None and not isinstance(self.tempo, Tempo):
            raise WorkoutError("tempo must be {'up_s': ..., 'down_s': ...} or null.")
        _check_seconds("switch_s", self.switch_s, SWITCH_RANGE)
        _check_seconds("set_rest_s", self.set_rest_s, REST_RANGE)
        _check_cues("cues", self.cues)

    @property
    def self_paced(self) -> bool:
        return self.tempo is None

    @property
    def side_s(self) -> float:
        """Planned length of one side of one set."""
        per_rep = self.tempo.rep_s if self.tempo else SELF_PACED_SECONDS_PER_REP
        return self.reps * per_rep


@dataclass(frozen=True)
class IntervalBlock:
    """Timed rounds of all-out work and rest, e.g. 8 x (30 s work, 30 s rest)."""

    exercise_id: str
    name: str
    work_s: float
    rest_s: float
    rounds: int
    skip_last_rest: bool = True
    cues: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _check_id("exercise_id", self.exercise_id)
        _check_text("name", self.name, max_len=80)
        _check_seconds("work_s", self.work_s, WORK_RANGE)
        _check_seconds("rest_s", self.rest_s, REST_RANGE)
        _check_count("rounds", self.rounds, ROUNDS_RANGE)
        if not isinstance(self.skip_last_rest, bool):
            raise WorkoutError("skip_last_rest must be true or false.")
        _check_cues("cues", self.cues)


Block = RepSetBlock | IntervalBlock


@dataclass(frozen=True)
class Workout:
    """A whole session: a prep countdown, then blocks separated by `block_rest_s`."""

    id: str
    name: str
    blocks: tuple[Block, ...]
    description: str = ""
    prep_s: float = 10.0
    block_rest_s: float = 60.0
    tags: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        _check_id("id", self.id)
        _check_text("name", self.name, max_len=80)
        _check_text("description", self.description, allow_empty=True)
        _check_seconds("prep_s", self.prep_s, PREP_RANGE)
        _check_seconds("block_rest_s", self.block_rest_s, BLOCK_REST_RANGE)
        if not isinstance(self.blocks, tuple) or not self.blocks:
            raise WorkoutError("blocks must list at least one block.")
        if len(self.blocks) > MAX_BLOCKS:
            raise WorkoutError(f"blocks must have at most {MAX_BLOCKS} blocks.")
        if not all(isinstance(b, RepSetBlock | IntervalBlock) for b in self.blocks):
            raise WorkoutError("blocks may only contain rep-set and interval blocks.")
        if not isinstance(self.tags, tuple):
            raise WorkoutError("tags must be a list of words.")
        for i, tag in enumerate(self.tags):
            _check_text(f"tags[{i}]", tag, max_len=40)
        total = self.planned_seconds
        if total > MAX_TOTAL_SECONDS:
            raise WorkoutError(
                f"the workout would last {total / 3600:.1f} hours; "
                f"at most {MAX_TOTAL_SECONDS / 3600:.0f} hours are allowed."
            )

    @property
    def planned_seconds(self) -> float:
        """Total planned length; equals the timeline's total (tested)."""
        total = self.prep_s + self.block_rest_s * (len(self.blocks) - 1)
        for block in self.blocks:
            if isinstance(block, RepSetBlock):
                sides = len(block.sides)
                total += block.sets * (sides * block.side_s + (sides - 1) * block.switch_s)
                total += (block.sets - 1) * block.set_rest_s
            else:
                rests = block.rounds - (1 if block.skip_last_rest else 0)
                total += block.rounds * block.work_s + rests * block.rest_s
        return total
