"""The workout file format v1: strict reading, exact writing, sentences that name the field."""

from __future__ import annotations

import json
from typing import Any

import pytest

from legdrive_timer.core import workout_format
from legdrive_timer.core.builtins import BUILTIN_WORKOUTS, builtin_workout
from legdrive_timer.core.timeline import PhaseKind, compile_workout
from legdrive_timer.core.workout import (
    REST,
    SETS,
    TEMPO_DOWN,
    WORK,
    IntervalBlock,
    Limit,
    RepSetBlock,
    Side,
    SideOrder,
    Workout,
    WorkoutError,
    leading_side,
    with_lead,
)


def hiit_dict() -> dict[str, Any]:
    workout = builtin_workout("hiit")
    assert workout is not None
    return workout_format.workout_to_dict(workout)


@pytest.mark.parametrize("workout", BUILTIN_WORKOUTS, ids=lambda w: w.id)
def test_builtins_round_trip(workout: Any) -> None:
    assert workout_format.loads(workout_format.dumps(workout)) == workout


def test_whole_seconds_are_written_as_integers() -> None:
    data = hiit_dict()
    assert data["blocks"][0]["work_s"] == 30
    assert isinstance(data["blocks"][0]["work_s"], int)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.update(version=3), "workout format version 3 is not supported"),
        (lambda d: d.update(version="1"), "workout format version '1' is not supported"),
        (lambda d: d.update(format="something-else"), "not a Legdrive Timer workout file"),
        (lambda d: d.update(colour="red"), "unknown field 'colour'"),
        (lambda d: d.pop("blocks"), "missing the field 'blocks'"),
        (lambda d: d["blocks"][0].update(work_s=0), "blocks[0] work_s must be between 1 and 3600"),
        (
            lambda d: d["blocks"][0].update(rounds=1000),
            "blocks[0] rounds must be between 1 and 100",
        ),
        (lambda d: d["blocks"][0].update(rest_s=-1), "blocks[0] rest_s must be between 0 and 3600"),
        (lambda d: d["blocks"][0].update(type="yoga"), "blocks[0] has type 'yoga'"),
        (lambda d: d["blocks"][0].update(speed=3), "blocks[0] has an unknown field 'speed'"),
        (lambda d: d.update(id="Not An Id"), "id must be 1-64 lowercase letters"),
        (lambda d: d.update(prep_s="ten"), "prep_s must be a number of seconds"),
        (lambda d: d.update(blocks=[]), "blocks must list at least one block"),
    ],
)
def test_bad_workouts_are_refused_with_a_sentence_naming_the_field(
    mutate: Any, message: str
) -> None:
    data = hiit_dict()
    mutate(data)
    with pytest.raises(WorkoutError) as caught:
        workout_format.loads(json.dumps(data))
    assert message in str(caught.value)
    assert str(caught.value).endswith(".")


def test_rest_of_zero_is_allowed_and_has_no_phase() -> None:
    data = hiit_dict()
    data["blocks"][0]["rest_s"] = 0
    timeline = compile_workout(workout_format.loads(json.dumps(data)))
    assert PhaseKind.REST not in {p.kind for p in timeline.phases}


def test_absurdly_long_workouts_are_refused() -> None:
    data = hiit_dict()
    data["blocks"][0].update(work_s=3600, rounds=100)
    with pytest.raises(WorkoutError, match="hours"):
        workout_format.loads(json.dumps(data))


def test_invalid_json_names_the_line() -> None:
    with pytest.raises(WorkoutError, match=r"not valid JSON \(line 1"):
        workout_format.loads("{nope")


def test_rep_blocks_read_sides_tempo_and_self_paced() -> None:
    data = {
        "format": "legdrive-timer/workout",
        "version": 1,
        "id": "mine",
        "name": "Mine",
        "blocks": [
            {
                "type": "reps",
                "exercise_id": "knee",
                "name": "Knee",
                "sets": 1,
                "reps": 5,
                "sides": ["left", "right"],
                "tempo": None,
            }
        ],
    }
    workout = workout_format.loads(json.dumps(data))
    block = workout.blocks[0]
    assert isinstance(block, RepSetBlock)
    assert block.sides == (Side.LEFT, Side.RIGHT)
    assert block.self_paced


def test_the_builtins_follow_the_article() -> None:
    primer = builtin_workout("primer")
    assert primer is not None
    block = primer.blocks[0]
    assert isinstance(block, RepSetBlock)
    assert (block.sets, block.reps, block.sides) == (2, 15, (Side.RIGHT, Side.LEFT))
    assert block.tempo is not None and block.tempo.up_s < block.tempo.down_s  # fast up, slow down
    hiit = builtin_workout("hiit")
    assert hiit is not None
    finisher = hiit.blocks[0]
    assert isinstance(finisher, IntervalBlock)
    assert (finisher.work_s, finisher.rest_s, finisher.rounds) == (30, 30, 8)
    full = builtin_workout("full")
    assert full is not None
    assert [type(b) for b in full.blocks] == [RepSetBlock, IntervalBlock]
    for workout_id in ("banded-primer", "step-up-drive"):
        assert builtin_workout(workout_id) is not None
    timeline = compile_workout(primer)
    switch = [p for p in timeline.phases if p.kind is PhaseKind.SWITCH]
    assert [p.side for p in switch] == [Side.LEFT, Side.LEFT]
    assert all(p.cue for p in timeline.phases)


def test_fields_left_out_take_the_defaults_of_the_workout_classes() -> None:
    minimal = {
        "format": workout_format.FORMAT,
        "version": workout_format.VERSION,
        "id": "mine",
        "name": "Mine",
        "blocks": [
            {"type": "reps", "exercise_id": "knee", "name": "Knee", "sets": 1, "reps": 5},
            {
                "type": "intervals",
                "exercise_id": "run",
                "name": "Run",
                "work_s": 20,
                "rest_s": 10,
                "rounds": 2,
            },
        ],
    }
    workout = workout_format.workout_from_dict(minimal)
    assert workout == Workout(
        id="mine",
        name="Mine",
        blocks=(
            RepSetBlock(exercise_id="knee", name="Knee", sets=1, reps=5),
            IntervalBlock(exercise_id="run", name="Run", work_s=20, rest_s=10, rounds=2),
        ),
    )


def _alternating() -> dict[str, Any]:
    primer = builtin_workout("primer")
    assert primer is not None
    data = workout_format.workout_to_dict(primer)
    data["blocks"][0]["alternate_lead"] = True
    data["version"] = 2
    return data


def test_alternating_lead_is_version_2_and_everything_else_stays_version_1() -> None:
    workout = workout_format.loads(json.dumps(_alternating()))
    block = workout.blocks[0]
    assert isinstance(block, RepSetBlock) and block.alternate_lead
    assert block.side_order is SideOrder.ALTERNATE
    assert workout_format.workout_to_dict(workout)["version"] == 2
    for builtin in BUILTIN_WORKOUTS:
        assert workout_format.workout_to_dict(builtin)["version"] == 1


def test_version_1_files_cannot_use_the_alternating_lead() -> None:
    data = _alternating()
    data["version"] = 1
    with pytest.raises(WorkoutError, match=r"blocks\[0\] has an unknown field 'alternate_lead'"):
        workout_format.loads(json.dumps(data))


def test_an_alternating_block_needs_both_sides() -> None:
    data = _alternating()
    data["blocks"][0]["sides"] = ["left"]
    with pytest.raises(WorkoutError, match=r"alternate_lead needs both sides"):
        workout_format.loads(json.dumps(data))


def test_with_lead_turns_only_the_alternating_blocks_round() -> None:
    data = _alternating()
    full = builtin_workout("full")
    assert full is not None
    data["blocks"].append(workout_format.workout_to_dict(full)["blocks"][1])
    workout = workout_format.loads(json.dumps(data))
    assert leading_side(workout) is Side.RIGHT
    led = with_lead(workout, Side.LEFT)
    assert leading_side(led) is Side.LEFT
    block = led.blocks[0]
    assert isinstance(block, RepSetBlock) and block.sides == (Side.LEFT, Side.RIGHT)
    assert led.blocks[1] == workout.blocks[1]
    assert with_lead(workout, Side.RIGHT) is workout
    primer = builtin_workout("primer")
    assert primer is not None
    assert with_lead(primer, Side.LEFT) is primer  # not alternating: the order is the user's
    assert leading_side(primer) is None


@pytest.mark.parametrize(
    ("limit", "value", "message"),
    [
        (WORK, 0, "Work must be between 1 and 3600 seconds (got 0)."),
        (SETS, 2.5, "Sets must be a whole number (got 2.5)."),
        (TEMPO_DOWN, float("nan"), "Lower must be a number of seconds (got nan)."),
        (REST, 30, None),
    ],
)
def test_each_limit_gives_the_reason_and_the_range(
    limit: Limit, value: float, message: str | None
) -> None:
    assert limit.problem(value, limit.label) == message
