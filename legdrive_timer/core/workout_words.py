"""A workout's words before it runs, and the duration rule every length is written with.

Part of `formatting`, which gives these same functions to everything else: they live apart
so that the start screen and `workouts list` can write a workout's length and what it asks
for without loading the session's records and the timeline (the start screen is shown
before those are imported).

The duration rule: a length that was planned or done (a phase, a session, a workout) is
rounded to the nearest whole second, halves up, so that a 60 s phase that ended 20 ms early
reads `1:00`, as planned. It is written `45 s` under a minute, `7:30`, then `1:07:30` from
an hour on.
"""

from __future__ import annotations

from legdrive_timer.core.workout import IntervalBlock, RepSetBlock, Workout

ADJUSTED = "adjusted"
"""The mark of a workout whose lengths the user changed (start screen, `workouts list`)."""


def clock_text(seconds: int) -> str:
    """Whole seconds written as a length: `45 s`, `7:30`, `1:07:30`."""
    if seconds < 60:
        return f"{seconds} s"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def whole_seconds(ms: int) -> int:
    """`ms` rounded to the nearest second, halves up (never banker's rounding)."""
    return (max(0, ms) + 500) // 1000


def format_duration(ms: int) -> str:
    """A length planned or done: `45 s`, `7:30`, `1:07:30` (nearest second)."""
    return clock_text(whole_seconds(ms))


def _seconds(value: float) -> str:
    return f"{value:g} s"


def describe_block(block: RepSetBlock | IntervalBlock) -> str:
    """What a block asks for, from its values: `2 x 15 per side`,
    `8 rounds of 30 s all-out, 30 s rest`."""
    if isinstance(block, RepSetBlock):
        per = " per side" if len(block.sides) > 1 else f", {block.sides[0].value} leg"
        pace = "" if block.tempo is not None else ", at your own pace"
        return f"{block.sets} x {block.reps}{per}{pace}"
    rounds = "1 round" if block.rounds == 1 else f"{block.rounds} rounds"
    return f"{rounds} of {_seconds(block.work_s)} all-out, {_seconds(block.rest_s)} rest"


def describe_workout(workout: Workout) -> str:
    """The workout's blocks as their values make them, then its own words: the figures can
    never disagree with what the session will do, whatever lengths the user set. A workout
    of several blocks names each one's exercise."""
    if len(workout.blocks) == 1:
        shape = describe_block(workout.blocks[0])
    else:
        shape = "; then ".join(f"{b.name}, {describe_block(b)}" for b in workout.blocks)
    return f"{shape}. {workout.description}".strip()


def workout_length(workout: Workout) -> str:
    """The planned length of a session of `workout`, as its timeline adds it up."""
    return format_duration(workout.planned_ms)
