"""A workout compiled to the exact ordered phases of a session.

Durations are integer milliseconds so that sums are exact. The timeline is the single
source of truth for what a session contains; the engine only walks it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import NamedTuple

from legdrive_timer.core.workout import Block, IntervalBlock, RepSetBlock, Side, Workout, to_ms


class PhaseKind(StrEnum):
    PREP = "prep"
    WORK = "work"
    REST = "rest"
    SWITCH = "switch"
    SET_REST = "set_rest"
    BLOCK_REST = "block_rest"


class Motion(StrEnum):
    DRIVE = "drive"
    LOWER = "lower"


class Beat(NamedTuple):
    """A tempo beat inside a rep phase, `offset_ms` after the phase starts.

    A NamedTuple rather than a frozen dataclass: this module loads before the first frame,
    and a dataclass takes several times longer to define (about 0.4 ms against 0.05 ms).
    """

    offset_ms: int
    rep: int
    motion: Motion


@dataclass(frozen=True)
class Phase:
    """One step of the session with everything needed to show and announce it.

    `side` is the working leg for rep work, the leg to switch to for a switch phase and
    the leg that comes next for a set rest. `set_number`/`round_number` are 1-based.
    """

    index: int
    kind: PhaseKind
    planned_ms: int
    block_index: int
    exercise_id: str
    exercise_name: str
    cue: str
    side: Side | None = None
    set_number: int | None = None
    sets_total: int | None = None
    round_number: int | None = None
    rounds_total: int | None = None
    reps_planned: int | None = None
    self_paced: bool = False
    beats: tuple[Beat, ...] = ()
    ends_set: bool = False
    """True for the work phase that completes a set (its last side)."""

    @property
    def is_work(self) -> bool:
        return self.kind is PhaseKind.WORK

    @property
    def is_last_round(self) -> bool:
        return self.round_number is not None and self.round_number == self.rounds_total


@dataclass(frozen=True)
class Timeline:
    workout_id: str
    workout_name: str
    phases: tuple[Phase, ...]

    @property
    def total_ms(self) -> int:
        return sum(p.planned_ms for p in self.phases)

    def remaining_after(self, index: int) -> int:
        """Planned milliseconds of every phase after `index`."""
        return sum(p.planned_ms for p in self.phases[index + 1 :])


REST_CUES = {
    PhaseKind.PREP: "Stand tall, feet hip-width apart, core braced.",
    PhaseKind.REST: "Breathe. Walk it off and shake out the legs.",
    PhaseKind.SET_REST: "Rest. Stay loose; the next set starts on the right side again.",
    PhaseKind.BLOCK_REST: "Rest. Get your breath back for the next block.",
}


def _switch_cue(to_side: Side) -> str:
    return f"Stand on your {to_side.other.value} foot; drive the {to_side.value} knee."


def _beats(block: RepSetBlock) -> tuple[Beat, ...]:
    if block.tempo is None:
        return ()
    up = to_ms(block.tempo.up_s)
    rep_ms = up + to_ms(block.tempo.down_s)
    beats: list[Beat] = []
    for rep in range(1, block.reps + 1):
        start = (rep - 1) * rep_ms
        beats.append(Beat(start, rep, Motion.DRIVE))
        beats.append(Beat(start + up, rep, Motion.LOWER))
    return tuple(beats)


class _Builder:
    def __init__(self) -> None:
        self.phases: list[Phase] = []

    def add(self, kind: PhaseKind, planned_ms: int, **context: object) -> None:
        if planned_ms <= 0:
            return  # A rest of 0 s is allowed and simply has no phase.
        self.phases.append(
            Phase(index=len(self.phases), kind=kind, planned_ms=planned_ms, **context)  # type: ignore[arg-type]
        )


def _block_context(index: int, block: Block, **total: int) -> dict[str, object]:
    """What every phase of a block says about the block: where it is, which exercise, and
    how many sets or rounds it has."""
    return {
        "block_index": index,
        "exercise_id": block.exercise_id,
        "exercise_name": block.name,
        **total,
    }


def _add_rep_block(b: _Builder, block_index: int, block: RepSetBlock) -> None:
    common = _block_context(block_index, block, sets_total=block.sets)
    cues = block.cues or (block.name,)
    beats = _beats(block)
    rep_phase_ms = (
        beats[-1].offset_ms + to_ms(block.tempo.down_s) if block.tempo else to_ms(block.side_s)
    )
    work_count = 0
    for set_number in range(1, block.sets + 1):
        for side_index, side in enumerate(block.sides):
            if side_index > 0:
                b.add(
                    PhaseKind.SWITCH,
                    to_ms(block.switch_s),
                    cue=_switch_cue(side),
                    side=side,
                    set_number=set_number,
                    **common,
                )
            b.add(
                PhaseKind.WORK,
                rep_phase_ms,
                cue=cues[work_count % len(cues)],
                side=side,
                set_number=set_number,
                reps_planned=block.reps,
                self_paced=block.self_paced,
                beats=beats,
                ends_set=side_index == len(block.sides) - 1,
                **common,
            )
            work_count += 1
        if set_number < block.sets:
            b.add(
                PhaseKind.SET_REST,
                to_ms(block.set_rest_s),
                cue=REST_CUES[PhaseKind.SET_REST],
                side=block.sides[0],
                set_number=set_number + 1,
                **common,
            )


def _add_interval_block(b: _Builder, block_index: int, block: IntervalBlock) -> None:
    common = _block_context(block_index, block, rounds_total=block.rounds)
    cues = block.cues or (block.name,)
    for round_number in range(1, block.rounds + 1):
        b.add(
            PhaseKind.WORK,
            to_ms(block.work_s),
            cue=cues[(round_number - 1) % len(cues)],
            round_number=round_number,
            ends_set=True,
            **common,
        )
        if round_number < block.rounds or not block.skip_last_rest:
            b.add(
                PhaseKind.REST,
                to_ms(block.rest_s),
                cue=REST_CUES[PhaseKind.REST],
                round_number=round_number,
                **common,
            )


def compile_workout(workout: Workout) -> Timeline:
    b = _Builder()
    first = workout.blocks[0]
    b.add(
        PhaseKind.PREP,
        to_ms(workout.prep_s),
        block_index=0,
        exercise_id=first.exercise_id,
        exercise_name=first.name,
        cue=REST_CUES[PhaseKind.PREP],
        side=first.sides[0] if isinstance(first, RepSetBlock) else None,
    )
    for block_index, block in enumerate(workout.blocks):
        if block_index > 0:
            b.add(
                PhaseKind.BLOCK_REST,
                to_ms(workout.block_rest_s),
                block_index=block_index,
                exercise_id=block.exercise_id,
                exercise_name=block.name,
                cue=REST_CUES[PhaseKind.BLOCK_REST],
                side=block.sides[0] if isinstance(block, RepSetBlock) else None,
            )
        if isinstance(block, RepSetBlock):
            _add_rep_block(b, block_index, block)
        else:
            _add_interval_block(b, block_index, block)
    return Timeline(workout_id=workout.id, workout_name=workout.name, phases=tuple(b.phases))
