"""Interval lengths chosen by the user on top of a workout (`run --work 20 --rounds 6`)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from legdrive_timer.core.workout import IntervalBlock, RepSetBlock, Workout


@dataclass(frozen=True)
class Overrides:
    """Each set field replaces the matching length in every block that has it.

    `rest_s` is the rest between rounds of interval blocks and between sets of rep blocks.
    """

    work_s: float | None = None
    rest_s: float | None = None
    rounds: int | None = None
    sets: int | None = None
    reps: int | None = None
    prep_s: float | None = None
    switch_s: float | None = None

    def is_empty(self) -> bool:
        return all(value is None for value in dataclasses.astuple(self))


def _given(**values: object) -> dict[str, object]:
    return {key: value for key, value in values.items() if value is not None}


def apply_overrides(workout: Workout, overrides: Overrides) -> Workout:
    """A new, validated workout; a value out of range raises WorkoutError naming it."""
    if overrides.is_empty():
        return workout
    blocks = []
    for block in workout.blocks:
        if isinstance(block, IntervalBlock):
            changes = _given(
                work_s=overrides.work_s, rest_s=overrides.rest_s, rounds=overrides.rounds
            )
        else:
            assert isinstance(block, RepSetBlock)
            changes = _given(
                sets=overrides.sets,
                reps=overrides.reps,
                set_rest_s=overrides.rest_s,
                switch_s=overrides.switch_s,
            )
        blocks.append(dataclasses.replace(block, **changes))  # type: ignore[arg-type]
    return dataclasses.replace(
        workout,
        blocks=tuple(blocks),
        **_given(prep_s=overrides.prep_s),  # type: ignore[arg-type]
    )
