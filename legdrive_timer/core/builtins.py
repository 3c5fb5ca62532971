"""The built-in workouts, following the leg drive training article.

Primer: 2 sets of 15 single-leg knee drives per side, explosive up, controlled down.
Finisher: 30 s all-out alternating knee drives, 30 s rest. Progressions: a resistance
band, and the step-up with knee drive. The exercises and their cues are in `exercises`.
"""

from __future__ import annotations

from legdrive_timer.core.exercises import (
    BANDED_CUES,
    HIIT_CUES,
    KNEE_DRIVE_CUES,
    STEP_UP_CUES,
)
from legdrive_timer.core.workout import IntervalBlock, RepSetBlock, Side, Tempo, Workout


def _primer_block() -> RepSetBlock:
    return RepSetBlock(
        exercise_id="single-leg-knee-drive",
        name="Single-leg knee drive",
        sets=2,
        reps=15,
        sides=(Side.RIGHT, Side.LEFT),
        tempo=Tempo(up_s=1.0, down_s=1.5),
        switch_s=10,
        set_rest_s=30,
        cues=KNEE_DRIVE_CUES,
    )


def _finisher_block(rounds: int = 8) -> IntervalBlock:
    return IntervalBlock(
        exercise_id="alternating-knee-drive",
        name="Alternating knee drives",
        work_s=30,
        rest_s=30,
        rounds=rounds,
        skip_last_rest=True,
        cues=HIIT_CUES,
    )


def _build() -> tuple[Workout, ...]:
    primer = Workout(
        id="primer",
        name="Warm-up primer",
        description="Wake up the hips before you train.",
        prep_s=10,
        block_rest_s=60,
        tags=("primer", "warm-up"),
        blocks=(_primer_block(),),
    )
    hiit = Workout(
        id="hiit",
        name="HIIT finisher",
        description="Knees high and fast, then recover.",
        prep_s=10,
        block_rest_s=60,
        tags=("finisher", "hiit"),
        blocks=(_finisher_block(),),
    )
    full = Workout(
        id="full",
        name="Primer + finisher",
        description="",
        prep_s=10,
        block_rest_s=60,
        tags=("primer", "finisher"),
        blocks=(_primer_block(), _finisher_block()),
    )
    banded = Workout(
        id="banded-primer",
        name="Banded knee-drive primer",
        description="Progression: a resistance band around the feet.",
        prep_s=15,
        block_rest_s=60,
        tags=("primer", "progression", "band"),
        blocks=(
            RepSetBlock(
                exercise_id="banded-knee-drive",
                name="Banded single-leg knee drive",
                sets=2,
                reps=12,
                sides=(Side.RIGHT, Side.LEFT),
                tempo=Tempo(up_s=1.0, down_s=2.0),
                switch_s=10,
                set_rest_s=45,
                cues=BANDED_CUES,
            ),
        ),
    )
    step_up = Workout(
        id="step-up-drive",
        name="Step-up with knee drive",
        description="Progression: step onto a box and drive the other knee high.",
        prep_s=15,
        block_rest_s=60,
        tags=("progression", "box"),
        blocks=(
            RepSetBlock(
                exercise_id="step-up-knee-drive",
                name="Step-up with knee drive",
                sets=2,
                reps=10,
                sides=(Side.RIGHT, Side.LEFT),
                tempo=Tempo(up_s=1.5, down_s=2.0),
                switch_s=15,
                set_rest_s=60,
                cues=STEP_UP_CUES,
            ),
        ),
    )
    return (primer, hiit, full, banded, step_up)


BUILTIN_WORKOUTS: tuple[Workout, ...] = _build()
BUILTIN_IDS: tuple[str, ...] = tuple(w.id for w in BUILTIN_WORKOUTS)


def builtin_workout(workout_id: str) -> Workout | None:
    for workout in BUILTIN_WORKOUTS:
        if workout.id == workout_id:
            return workout
    return None
