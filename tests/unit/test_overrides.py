"""The override fields: one declaration that the command line, settings and validation share."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from legdrive_timer.cli import build_parser
from legdrive_timer.core.builtins import builtin_workout
from legdrive_timer.core.overrides import (
    FIELDS,
    OverrideError,
    OverrideField,
    Overrides,
    Unit,
    apply_overrides,
)
from legdrive_timer.core.workout import IntervalBlock, RepSetBlock, Workout
from legdrive_timer.storage.settings import Settings, settings_from_json, settings_to_json


def builtin(workout_id: str) -> Workout:
    workout = builtin_workout(workout_id)
    assert workout is not None
    return workout


def test_every_target_names_an_attribute_of_its_owner() -> None:
    for field in FIELDS:
        assert field.targets, field.name
        for target in field.targets:
            names = {f.name for f in dataclasses.fields(target.owner)}
            assert target.attribute.partition(".")[0] in names, (field.name, target)


def test_every_field_is_an_option_of_run_with_its_help() -> None:
    parser = build_parser(set_up=("run",))
    args = parser.parse_args(["run", "hiit"])
    for field in FIELDS:
        if field.option is not None:
            assert getattr(args, field.name) is None
    argv = ["run", "hiit"]
    for field in FIELDS:
        if field.option is not None:
            argv += [field.option, str(int(field.range[1]))]
    args = parser.parse_args(argv)
    for field in FIELDS:
        if field.option is not None:
            assert getattr(args, field.name) == field.range[1]


@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f.name)
def test_each_field_sets_the_attributes_it_declares(field: OverrideField) -> None:
    workout = builtin("full")
    value = field.range[0] if field.unit is Unit.COUNT else field.range[0] + 0.5
    changed = apply_overrides(workout, Overrides(**{field.name: value}))
    for target in field.targets:
        for owner in (changed, *changed.blocks):
            if isinstance(owner, target.owner) and target.read(owner) is not None:
                assert target.read(owner) == value
    assert field.value_in(changed) == value


@pytest.mark.parametrize("field", FIELDS, ids=lambda f: f.name)
def test_a_value_out_of_range_is_refused_naming_the_field(field: OverrideField) -> None:
    with pytest.raises(OverrideError) as caught:
        apply_overrides(builtin("full"), Overrides(**{field.name: field.range[1] + 1}))
    assert caught.value.field is field
    assert str(caught.value).startswith(f"{field.label} must be between")


def test_a_field_the_workout_lacks_changes_nothing() -> None:
    primer = builtin("primer")
    assert not any(isinstance(b, IntervalBlock) for b in primer.blocks)
    assert apply_overrides(primer, Overrides(work_s=20, rounds=3)) == primer


def test_rest_is_labelled_by_the_block_it_sets() -> None:
    rest = next(f for f in FIELDS if f.name == "rest_s")
    assert rest.label_for(builtin("hiit")) == "Rest"
    assert rest.label_for(builtin("primer")) == "Rest between sets"
    assert rest.value_in(builtin("primer")) == next(
        b.set_rest_s for b in builtin("primer").blocks if isinstance(b, RepSetBlock)
    )


def test_unknown_names_are_a_programming_error() -> None:
    with pytest.raises(TypeError, match="'colour' is not an override field"):
        Overrides(colour=3)


def test_overrides_read_like_values() -> None:
    overrides = Overrides(work_s=20.0, rounds=6, rest_s=None)
    assert overrides == Overrides(rounds=6, work_s=20.0)
    assert overrides.work_s == 20.0
    assert overrides.sets is None
    assert overrides.as_dict() == {"work_s": 20.0, "rounds": 6}
    assert not overrides.is_empty()
    assert Overrides().is_empty()
    with pytest.raises(AttributeError):
        _ = overrides.colour


def _value(field: OverrideField) -> st.SearchStrategy[float | int]:
    low, high = field.range
    if field.unit is Unit.COUNT:
        return st.integers(int(low), int(high))
    return st.floats(low, high, allow_nan=False).map(lambda v: round(v, 1))


@given(
    st.fixed_dictionaries({}, optional={field.name: _value(field) for field in FIELDS}),
)
def test_settings_keep_any_valid_overrides(values: dict[str, float | int]) -> None:
    overrides = Overrides(**values)
    settings = Settings().with_overrides("hiit", overrides)
    loaded = settings_from_json(settings_to_json(settings))
    assert loaded.overrides_for("hiit") == overrides
    for field, value in loaded.overrides_for("hiit").items():
        assert isinstance(value, float if field.unit is Unit.SECONDS else int)
