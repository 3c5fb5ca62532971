"""The built-in workouts, following the leg drive training article.

Primer: 2 sets of 15 single-leg knee drives per side, explosive up, controlled down.
Finisher: 30 s all-out alternating knee drives, 30 s rest. Progressions: a resistance
band, and the step-up with knee drive. The exercises and their cues are in `exercises`.
"""

from __future__ import annotations

from legdrive_timer.core.exercises import EXERCISES, HIIT_CUES
from legdrive_timer.core.workout import Block, IntervalBlock, RepSetBlock, Tempo, Workout

_EXERCISES = {item.id: item for item in EXERCISES}


def _two_sets(
    exercise_id: str, reps: int, tempo: Tempo, *, switch_s: float, set_rest_s: float
) -> RepSetBlock:
    """Two sets of `reps` per side, right leg first, named and cued as the exercise."""
    known = _EXERCISES[exercise_id]
    return RepSetBlock(
        exercise_id=exercise_id,
        name=known.name,
        sets=2,
        reps=reps,
        tempo=tempo,
        switch_s=switch_s,
        set_rest_s=set_rest_s,
        cues=known.cues,
    )


_PRIMER = _two_sets("single-leg-knee-drive", 15, Tempo(1.0, 1.5), switch_s=10, set_rest_s=30)
_BANDED = _two_sets("banded-knee-drive", 12, Tempo(1.0, 2.0), switch_s=10, set_rest_s=45)
_STEP_UP = _two_sets("step-up-knee-drive", 10, Tempo(1.5, 2.0), switch_s=15, set_rest_s=60)
_FINISHER = IntervalBlock(
    exercise_id="alternating-knee-drive",
    name="Alternating knee drives",
    work_s=30,
    rest_s=30,
    rounds=8,
    skip_last_rest=True,
    cues=HIIT_CUES,
)


def _workout(
    id: str, name: str, description: str, tags: str, *blocks: Block, prep_s: float = 10
) -> Workout:
    """`tags` are words separated by spaces; a minute of rest between blocks."""
    return Workout(
        id=id,
        name=name,
        description=description,
        prep_s=prep_s,
        block_rest_s=60,
        tags=tuple(tags.split()),
        blocks=blocks,
    )


BUILTIN_WORKOUTS: tuple[Workout, ...] = (
    _workout(
        "primer", "Warm-up primer", "Wake up the hips before you train.", "primer warm-up", _PRIMER
    ),
    _workout(
        "hiit", "HIIT finisher", "Knees high and fast, then recover.", "finisher hiit", _FINISHER
    ),
    _workout("full", "Primer + finisher", "", "primer finisher", _PRIMER, _FINISHER),
    _workout(
        "banded-primer",
        "Banded knee-drive primer",
        "Progression: a resistance band around the feet.",
        "primer progression band",
        _BANDED,
        prep_s=15,
    ),
    _workout(
        "step-up-drive",
        "Step-up with knee drive",
        "Progression: step onto a box and drive the other knee high.",
        "progression box",
        _STEP_UP,
        prep_s=15,
    ),
)
BUILTIN_IDS: tuple[str, ...] = tuple(w.id for w in BUILTIN_WORKOUTS)


def builtin_workout(workout_id: str) -> Workout | None:
    for workout in BUILTIN_WORKOUTS:
        if workout.id == workout_id:
            return workout
    return None
