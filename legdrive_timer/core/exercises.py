"""The exercises of the leg drive training article, with form cues in our own words.

The editor offers these; a workout file may name others (its own `exercise_id` and name).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class BlockKind(StrEnum):
    REPS = "reps"
    INTERVALS = "intervals"


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


@dataclass(frozen=True)
class Exercise:
    id: str
    name: str
    kind: BlockKind
    """The block the exercise usually makes: counted reps per side, or timed rounds."""
    cues: tuple[str, ...]


EXERCISES: tuple[Exercise, ...] = (
    Exercise("single-leg-knee-drive", "Single-leg knee drive", BlockKind.REPS, KNEE_DRIVE_CUES),
    Exercise("banded-knee-drive", "Banded single-leg knee drive", BlockKind.REPS, BANDED_CUES),
    Exercise("step-up-knee-drive", "Step-up with knee drive", BlockKind.REPS, STEP_UP_CUES),
    Exercise(
        "alternating-knee-drive",
        "Alternating knee drives (high knees)",
        BlockKind.INTERVALS,
        HIIT_CUES,
    ),
)


def exercise(exercise_id: str) -> Exercise | None:
    for item in EXERCISES:
        if item.id == exercise_id:
            return item
    return None
