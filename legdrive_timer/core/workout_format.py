"""The workout file format, versions 1 and 2 (`docs/workout-format.md`).

Reading is strict: an unknown format, version or field is refused with a sentence that
names it, so a typo never silently falls back to a default. Version 2 adds only
`alternate_lead` to rep-set blocks; a workout that does not use it is written as version 1,
so that it still opens in the versions of the app that read only version 1.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from legdrive_timer.core import strict_json
from legdrive_timer.core.text import shown
from legdrive_timer.core.workout import (
    Block,
    IntervalBlock,
    RepSetBlock,
    Side,
    Tempo,
    Workout,
    WorkoutError,
)

FORMAT = "legdrive-timer/workout"
VERSION = 2
"""The newest version this app reads and writes."""
VERSIONS = (1, 2)

_TOP_REQUIRED = {"format", "version", "id", "name", "blocks"}
_TOP_FIELDS = _TOP_REQUIRED | {"description", "prep_s", "block_rest_s", "tags"}
# Every block has these; each kind adds its own numbers.
_BLOCK_REQUIRED = {"type", "exercise_id", "name"}
_BLOCK_FIELDS = _BLOCK_REQUIRED | {"cues"}
_REPS_REQUIRED = _BLOCK_REQUIRED | {"sets", "reps"}
_REPS_FIELDS = _BLOCK_FIELDS | _REPS_REQUIRED | {"sides", "tempo", "switch_s", "set_rest_s"}
_REPS_FIELDS_V2 = _REPS_FIELDS | {"alternate_lead"}
_INTERVAL_REQUIRED = _BLOCK_REQUIRED | {"work_s", "rest_s", "rounds"}
_INTERVAL_FIELDS = _BLOCK_FIELDS | _INTERVAL_REQUIRED | {"skip_last_rest"}
_TEMPO_FIELDS = {"up_s", "down_s"}


def _seconds(value: float) -> int | float:
    """Whole seconds are written as integers: `30`, not `30.0`."""
    return int(value) if float(value).is_integer() else value


def _block_to_dict(block: Block) -> dict[str, Any]:
    if isinstance(block, RepSetBlock):
        return {
            "type": "reps",
            "exercise_id": block.exercise_id,
            "name": block.name,
            "sets": block.sets,
            "reps": block.reps,
            "sides": [side.value for side in block.sides],
            "tempo": None
            if block.tempo is None
            else {"up_s": _seconds(block.tempo.up_s), "down_s": _seconds(block.tempo.down_s)},
            "switch_s": _seconds(block.switch_s),
            "set_rest_s": _seconds(block.set_rest_s),
            "cues": list(block.cues),
        } | ({"alternate_lead": True} if block.alternate_lead else {})
    return {
        "type": "intervals",
        "exercise_id": block.exercise_id,
        "name": block.name,
        "work_s": _seconds(block.work_s),
        "rest_s": _seconds(block.rest_s),
        "rounds": block.rounds,
        "skip_last_rest": block.skip_last_rest,
        "cues": list(block.cues),
    }


def version_for(workout: Workout) -> int:
    """The oldest version that holds `workout`: readers of version 1 open it too."""
    uses_v2 = any(isinstance(b, RepSetBlock) and b.alternate_lead for b in workout.blocks)
    return 2 if uses_v2 else 1


def workout_to_dict(workout: Workout) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": version_for(workout),
        "id": workout.id,
        "name": workout.name,
        "description": workout.description,
        "prep_s": _seconds(workout.prep_s),
        "block_rest_s": _seconds(workout.block_rest_s),
        "tags": list(workout.tags),
        "blocks": [_block_to_dict(b) for b in workout.blocks],
    }


def dumps(workout: Workout) -> str:
    return json.dumps(workout_to_dict(workout), indent=2, ensure_ascii=False) + "\n"


def _check_fields(
    where: str, data: Mapping[str, Any], allowed: set[str], required: set[str]
) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise WorkoutError(f"{where}has an unknown field {unknown[0]!r}.")
    missing = sorted(required - set(data))
    if missing:
        raise WorkoutError(f"{where}is missing the field {missing[0]!r}.")


def _object(where: str, value: Any) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise WorkoutError(f"{where}must be a JSON object.")
    return value


def _text_list(where: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise WorkoutError(f"{where}must be a list of texts.")
    return tuple(value)


def _prefixed(prefix: str, error: WorkoutError) -> WorkoutError:
    return WorkoutError(f"{prefix}{error}")


def _present(data: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    """The optional fields the file gives; the others keep the defaults of `workout.py`."""
    return {key: data[key] for key in keys if key in data}


def _tempo(where: str, raw: Any) -> Tempo | None:
    if raw is None:
        return None
    data = _object(f"{where}tempo ", raw)
    _check_fields(f"{where}tempo ", data, _TEMPO_FIELDS, _TEMPO_FIELDS)
    return Tempo(up_s=data["up_s"], down_s=data["down_s"])


def _sides(raw: Any) -> tuple[Side, ...]:
    if not isinstance(raw, list) or not all(s in (Side.LEFT.value, Side.RIGHT.value) for s in raw):
        raise WorkoutError("sides may only contain 'left' and 'right'.")
    return tuple(Side(s) for s in raw)


def _block_from_dict(index: int, raw: Any, version: int) -> Block:
    where = f"blocks[{index}] "
    data = _object(where, raw)
    kind = data.get("type")
    # Every sentence raised inside is about this block: it is located once, below.
    try:
        if kind == "reps":
            allowed = _REPS_FIELDS_V2 if version >= 2 else _REPS_FIELDS
            _check_fields("", data, allowed, _REPS_REQUIRED)
            given = _present(data, ("switch_s", "set_rest_s", "alternate_lead"))
            if "tempo" in data:
                given["tempo"] = _tempo("", data["tempo"])
            if "sides" in data:
                given["sides"] = _sides(data["sides"])
            return RepSetBlock(
                exercise_id=data["exercise_id"],
                name=data["name"],
                sets=data["sets"],
                reps=data["reps"],
                cues=_text_list("cues ", data.get("cues", [])),
                **given,
            )
        if kind == "intervals":
            _check_fields("", data, _INTERVAL_FIELDS, _INTERVAL_REQUIRED)
            return IntervalBlock(
                exercise_id=data["exercise_id"],
                name=data["name"],
                work_s=data["work_s"],
                rest_s=data["rest_s"],
                rounds=data["rounds"],
                cues=_text_list("cues ", data.get("cues", [])),
                **_present(data, ("skip_last_rest",)),
            )
    except WorkoutError as error:
        raise _prefixed(where, error) from None
    raise WorkoutError(f"{where}has type {kind!r}; it must be 'reps' or 'intervals'.")


def workout_from_dict(raw: Any) -> Workout:
    data = _object("the workout ", raw)
    if data.get("format") != FORMAT:
        raise WorkoutError(
            f"this is not a Legdrive Timer workout file (format is {shown(data.get('format'))}, "
            f"expected {FORMAT!r})."
        )
    version = data.get("version")
    if type(version) is not int or version not in VERSIONS:
        raise WorkoutError(
            f"workout format version {shown(version)} is not supported; "
            f"this version of Legdrive Timer reads versions 1 and 2."
        )
    _check_fields("the workout ", data, _TOP_FIELDS, _TOP_REQUIRED)
    blocks_raw = data["blocks"]
    if not isinstance(blocks_raw, list):
        raise WorkoutError("blocks must be a list.")
    blocks = tuple(_block_from_dict(i, b, version) for i, b in enumerate(blocks_raw))
    return Workout(
        id=data["id"],
        name=data["name"],
        tags=_text_list("tags ", data.get("tags", [])),
        blocks=blocks,
        **_present(data, ("description", "prep_s", "block_rest_s")),
    )


def loads(text: str) -> Workout:
    try:
        raw = strict_json.loads(text)
    except strict_json.JsonError as error:
        raise WorkoutError(f"the workout cannot be read: {error}.") from None
    return workout_from_dict(raw)
