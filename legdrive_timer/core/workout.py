"""What to do: workouts made of rep-set blocks and timed-interval blocks.

All durations are in seconds (floats, so a tempo can be 1.5 s). Every value object is
validated on construction, so a `Workout` that exists is one the timeline can compile.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from enum import StrEnum


class WorkoutError(ValueError):
    """A workout that cannot be run; the message is one sentence naming the field."""


class Side(StrEnum):
    LEFT = "left"
    RIGHT = "right"

    @property
    def other(self) -> Side:
        return Side.RIGHT if self is Side.LEFT else Side.LEFT


class SideOrder(StrEnum):
    """How a rep-set block uses the legs, as the editor offers it."""

    RIGHT_FIRST = "right-first"
    LEFT_FIRST = "left-first"
    ALTERNATE = "alternate"
    """Both legs; the leading leg changes every session."""
    RIGHT_ONLY = "right-only"
    LEFT_ONLY = "left-only"

    @property
    def sides(self) -> tuple[Side, ...]:
        """The legs in order (for ALTERNATE: the order of a session led by the right)."""
        return {
            SideOrder.RIGHT_FIRST: (Side.RIGHT, Side.LEFT),
            SideOrder.LEFT_FIRST: (Side.LEFT, Side.RIGHT),
            SideOrder.ALTERNATE: (Side.RIGHT, Side.LEFT),
            SideOrder.RIGHT_ONLY: (Side.RIGHT,),
            SideOrder.LEFT_ONLY: (Side.LEFT,),
        }[self]


# Limits: generous for real training, refusing values that can only be typos.
MAX_BLOCKS = 20
MAX_CUES = 12
MAX_TEXT = 200
MAX_NAME = 80
MAX_TOTAL_SECONDS = 4 * 3600.0
SELF_PACED_SECONDS_PER_REP = 2.0
"""Estimate used for the planned length of a self-paced set (the user ends it with Done)."""

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")


def to_ms(seconds: float) -> int:
    """Seconds as the whole milliseconds a timeline's phases last."""
    return round(seconds * 1000)


def _fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


@dataclass(frozen=True)
class Limit:
    """The allowed range of one number in a workout, and the sentence when it is out of it.

    Every check of a workout's numbers goes through these: the model, the file format, the
    editor's fields, the Adjust dialog and the command line's overrides.
    """

    name: str
    """The field as the workout file names it, e.g. `work_s`."""
    label: str
    """The field as the window names it, e.g. `Work`."""
    low: float
    high: float
    whole: bool = False
    """A count (sets, reps, rounds) rather than seconds."""

    @property
    def unit(self) -> str:
        return "" if self.whole else " seconds"

    @property
    def range_text(self) -> str:
        """The allowed range for a person: `1-3600 s`, `1-20`."""
        suffix = "" if self.whole else " s"
        return f"{_fmt(self.low)}-{_fmt(self.high)}{suffix}"

    def reason(self, value: object) -> str | None:
        """None when `value` is allowed, else the end of a sentence: what is wrong and the
        allowed range, e.g. `must be between 1 and 3600 seconds (got 0).`"""
        if self.whole:
            if isinstance(value, bool) or not isinstance(value, int):
                return f"must be a whole number (got {value!r})."
        elif (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            return f"must be a number of seconds (got {value!r})."
        assert isinstance(value, int | float)
        if not self.low <= value <= self.high:
            return (
                f"must be between {_fmt(self.low)} and {_fmt(self.high)}{self.unit} "
                f"(got {_fmt(value)})."
            )
        return None

    def problem(self, value: object, subject: str | None = None) -> str | None:
        """None when `value` is allowed, else one sentence naming `subject` (the field's
        file name unless given) with the reason and the allowed range."""
        reason = self.reason(value)
        if reason is None:
            return None
        return f"{self.name if subject is None else subject} {reason}"

    def check(self, value: object, subject: str | None = None) -> None:
        problem = self.problem(value, subject)
        if problem is not None:
            raise WorkoutError(problem)


PREP = Limit("prep_s", "Get ready", 0.0, 600.0)
BLOCK_REST = Limit("block_rest_s", "Rest between blocks", 0.0, 1800.0)
WORK = Limit("work_s", "Work", 1.0, 3600.0)
REST = Limit("rest_s", "Rest between rounds", 0.0, 3600.0)
ROUNDS = Limit("rounds", "Rounds", 1, 100, whole=True)
SETS = Limit("sets", "Sets", 1, 20, whole=True)
REPS = Limit("reps", "Reps per side", 1, 200, whole=True)
SWITCH = Limit("switch_s", "Switch sides", 0.0, 300.0)
SET_REST = Limit("set_rest_s", "Rest between sets", 0.0, 3600.0)
TEMPO_UP = Limit("up_s", "Drive up", 0.2, 10.0)
TEMPO_DOWN = Limit("down_s", "Lower", 0.2, 10.0)

INTERVAL_LIMITS = (WORK, REST, ROUNDS)
"""The numbers of an interval block."""

LIMITS: dict[str, Limit] = {
    limit.name: limit
    for limit in (PREP, BLOCK_REST, *INTERVAL_LIMITS, SETS, REPS, SWITCH, SET_REST)
}
"""Every number of a workout or of one of its blocks, by its file name (the tempo's two
numbers are `TEMPO_UP` and `TEMPO_DOWN`: they live inside `tempo`)."""

# The same ranges as (low, high), for code that needs only the bounds.
PREP_RANGE = (PREP.low, PREP.high)
WORK_RANGE = (WORK.low, WORK.high)
REST_RANGE = (REST.low, REST.high)
SWITCH_RANGE = (SWITCH.low, SWITCH.high)
BLOCK_REST_RANGE = (BLOCK_REST.low, BLOCK_REST.high)
TEMPO_RANGE = (TEMPO_UP.low, TEMPO_UP.high)
ROUNDS_RANGE = (int(ROUNDS.low), int(ROUNDS.high))
SETS_RANGE = (int(SETS.low), int(SETS.high))
REPS_RANGE = (int(REPS.low), int(REPS.high))


def _check_text(
    name: str, value: str, *, max_len: int = MAX_TEXT, allow_empty: bool = False
) -> None:
    if not isinstance(value, str):
        raise WorkoutError(f"{name} must be text (got {value!r}).")
    if not allow_empty and not value.strip():
        raise WorkoutError(f"{name} must not be empty.")
    if len(value) > max_len:
        raise WorkoutError(f"{name} must be at most {max_len} characters (got {len(value)}).")


def text_problem(
    subject: str, value: str, *, max_len: int = MAX_TEXT, allow_empty: bool = False
) -> str | None:
    """None when `value` is an allowed name or description, else one sentence."""
    try:
        _check_text(subject, value, max_len=max_len, allow_empty=allow_empty)
    except WorkoutError as error:
        return str(error)
    return None


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


@dataclass(frozen=True)
class Tempo:
    """Seconds for the explosive drive up and for the controlled descent of one rep."""

    up_s: float
    down_s: float

    def __post_init__(self) -> None:
        TEMPO_UP.check(self.up_s, "tempo.up_s")
        TEMPO_DOWN.check(self.down_s, "tempo.down_s")

    @property
    def rep_s(self) -> float:
        return self.up_s + self.down_s


# The beat a rep set gets unless it says otherwise: an explosive drive, a controlled descent.
DEFAULT_TEMPO = Tempo(up_s=1.0, down_s=1.5)


@dataclass(frozen=True)
class RepSetBlock:
    """Sets of reps on each side in turn, e.g. 2 x 15 single-leg knee drives per side.

    `tempo` paces each rep with a beat; `None` makes the set self-paced (the user presses
    Done). `switch_s` is the window to change legs between sides; `set_rest_s` the rest
    between sets. With `alternate_lead` the leading leg changes every session: `sides` is
    the order of the next session, and `with_lead` turns it round (the app remembers which
    leg led last).
    """

    exercise_id: str
    name: str
    sets: int
    reps: int
    sides: tuple[Side, ...] = (Side.RIGHT, Side.LEFT)
    tempo: Tempo | None = DEFAULT_TEMPO
    switch_s: float = 10.0
    set_rest_s: float = 30.0
    cues: tuple[str, ...] = ()
    alternate_lead: bool = False

    def __post_init__(self) -> None:
        _check_id("exercise_id", self.exercise_id)
        _check_text("name", self.name, max_len=80)
        SETS.check(self.sets)
        REPS.check(self.reps)
        if not isinstance(self.sides, tuple) or not 1 <= len(self.sides) <= 2:
            raise WorkoutError("sides must list one or two sides, e.g. ['right', 'left'].")
        if not all(isinstance(s, Side) for s in self.sides):
            raise WorkoutError("sides may only contain 'left' and 'right'.")
        if len(set(self.sides)) != len(self.sides):
            raise WorkoutError("sides must not repeat a side.")
        if self.tempo is not None and not isinstance(self.tempo, Tempo):
            raise WorkoutError("tempo must be {'up_s': ..., 'down_s': ...} or null.")
        SWITCH.check(self.switch_s)
        SET_REST.check(self.set_rest_s)
        _check_cues("cues", self.cues)
        if not isinstance(self.alternate_lead, bool):
            raise WorkoutError("alternate_lead must be true or false.")
        if self.alternate_lead and len(self.sides) != 2:
            raise WorkoutError("alternate_lead needs both sides, e.g. ['right', 'left'].")

    @property
    def self_paced(self) -> bool:
        return self.tempo is None

    @property
    def side_order(self) -> SideOrder:
        if self.alternate_lead:
            return SideOrder.ALTERNATE
        if len(self.sides) == 1:
            return SideOrder.RIGHT_ONLY if self.sides[0] is Side.RIGHT else SideOrder.LEFT_ONLY
        return SideOrder.RIGHT_FIRST if self.sides[0] is Side.RIGHT else SideOrder.LEFT_FIRST

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
        WORK.check(self.work_s)
        REST.check(self.rest_s)
        ROUNDS.check(self.rounds)
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
        _check_text("name", self.name, max_len=MAX_NAME)
        _check_text("description", self.description, allow_empty=True)
        PREP.check(self.prep_s)
        BLOCK_REST.check(self.block_rest_s)
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

    @property
    def planned_ms(self) -> int:
        """Total planned length in the timeline's own whole milliseconds: each phase rounded
        as `compile_workout` rounds it, so this is exactly its timeline's `total_ms` (tested
        for every valid workout), without building the phases (the start screen lists the
        lengths before the timeline's code is loaded)."""
        total = to_ms(self.prep_s) + to_ms(self.block_rest_s) * (len(self.blocks) - 1)
        for block in self.blocks:
            if isinstance(block, RepSetBlock):
                sides = len(block.sides)
                if block.tempo is None:
                    side_ms = to_ms(block.side_s)
                else:
                    side_ms = block.reps * (to_ms(block.tempo.up_s) + to_ms(block.tempo.down_s))
                total += block.sets * (sides * side_ms + (sides - 1) * to_ms(block.switch_s))
                total += (block.sets - 1) * to_ms(block.set_rest_s)
            else:
                rests = block.rounds - (1 if block.skip_last_rest else 0)
                total += block.rounds * to_ms(block.work_s) + rests * to_ms(block.rest_s)
        return total


def alternates_lead(workout: Workout) -> bool:
    """True when some block of `workout` changes its leading leg every session."""
    return any(isinstance(b, RepSetBlock) and b.alternate_lead for b in workout.blocks)


def with_lead(workout: Workout, lead: Side) -> Workout:
    """`workout` with every alternating block led by `lead` (the others as they are)."""
    blocks = tuple(
        replace(block, sides=(lead, lead.other))
        if isinstance(block, RepSetBlock) and block.alternate_lead
        else block
        for block in workout.blocks
    )
    return workout if blocks == workout.blocks else replace(workout, blocks=blocks)


def leading_side(workout: Workout) -> Side | None:
    """The leg that leads the first alternating block, or None when none alternates."""
    for block in workout.blocks:
        if isinstance(block, RepSetBlock) and block.alternate_lead:
            return block.sides[0]
    return None
