"""The built-in workouts, following the leg drive training article.

Primer: 2 sets of 15 single-leg knee drives per side, explosive up, controlled down.
Finisher: 30 s all-out alternating knee drives, 30 s rest. Progressions: a resistance
band, and the step-up with knee drive. Form cues are written in our own words.
"""

from __future__ import annotations

from legdrive_timer.core.workout import IntervalBlock, RepSetBlock, Side, Tempo, Workout

KNEE_DRIVE_CUES = (
    "Brace your core and stand tall, standing knee softly bent.",
    "Drive the knee up fast: thigh at least parallel to the floor.",
    "Swing the opposite arm forward like a sprinter.",
    "Lower the foot with control. Don't let it drop.",
    "Think snap, not fatigue: fast up, slow down.",
)

BANDED_CUES = (
    "Keep the band taut around both feet before you start.",
    "Drive against the band; stay tall, don't lean back.",
    "Core tight: the band is trying to pull you out of position.",
    "Lower slowly against the pull of the band.",
)

STEP_UP_CUES = (
    "Whole foot on the box, knee tracking over the toes.",
    "Push through the heel on the box and stand all the way up.",
    "Keep the momentum: drive the other knee high at the top.",
    "Hold the top for a moment, hips level, then step down with control.",
)

HIIT_CUES = (
    "All out: fast, high knees, running in place.",
    "Pump the arms; they set the pace for the legs.",
    "Stay on the balls of your feet and keep the knees high.",
    "Last seconds: keep the speed, don't let the knees sink.",
)


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
        description="The warm-up primer, then the HIIT finisher.",
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
