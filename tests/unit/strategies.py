"""Hypothesis strategies for valid workouts and the camera coach's measures."""

from __future__ import annotations

from hypothesis import strategies as st

from legdrive_timer.core.records import (
    COACH_ANGLE_MAX_DEG,
    COACH_RATIO_MAX,
    COACH_REPS_MAX,
    COACH_SWAY_MAX_DEG,
    CoachMeasures,
)
from legdrive_timer.core.workout import (
    IntervalBlock,
    RepSetBlock,
    Side,
    SideOrder,
    Tempo,
    Workout,
)

ids = st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True)
names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=30
).filter(lambda s: s.strip() != "")
cues = st.lists(names, max_size=4).map(tuple)
# Durations in tenths of a second, as a user would type them.
seconds = st.integers(min_value=0, max_value=600).map(lambda tenths: tenths / 10)
positive_seconds = st.integers(min_value=10, max_value=600).map(lambda tenths: tenths / 10)
tempo_seconds = st.integers(min_value=2, max_value=40).map(lambda tenths: tenths / 10)

tempos = st.one_of(st.none(), st.builds(Tempo, up_s=tempo_seconds, down_s=tempo_seconds))
sides = st.sampled_from(
    [(Side.RIGHT, Side.LEFT), (Side.LEFT, Side.RIGHT), (Side.LEFT,), (Side.RIGHT,)]
)

_plain_rep_blocks = st.builds(
    RepSetBlock,
    exercise_id=ids,
    name=names,
    sets=st.integers(1, 3),
    reps=st.integers(1, 12),
    sides=sides,
    tempo=tempos,
    switch_s=seconds,
    set_rest_s=seconds,
    cues=cues,
)
_alternating_rep_blocks = st.builds(
    RepSetBlock,
    exercise_id=ids,
    name=names,
    sets=st.integers(1, 3),
    reps=st.integers(1, 12),
    sides=st.sampled_from([(Side.RIGHT, Side.LEFT), (Side.LEFT, Side.RIGHT)]),
    tempo=tempos,
    switch_s=seconds,
    set_rest_s=seconds,
    cues=cues,
    alternate_lead=st.just(True),
)
rep_blocks = st.one_of(_plain_rep_blocks, _alternating_rep_blocks)
side_orders = st.sampled_from(list(SideOrder))
interval_blocks = st.builds(
    IntervalBlock,
    exercise_id=ids,
    name=names,
    work_s=positive_seconds,
    rest_s=seconds,
    rounds=st.integers(1, 6),
    skip_last_rest=st.booleans(),
    cues=cues,
)
workouts = st.builds(
    Workout,
    id=ids,
    name=names,
    blocks=st.lists(st.one_of(rep_blocks, interval_blocks), min_size=1, max_size=3).map(tuple),
    description=st.text(max_size=40),
    prep_s=seconds,
    block_rest_s=seconds,
    tags=st.lists(st.sampled_from(["primer", "hiit", "band"]), max_size=2).map(tuple),
)
timed_workouts = workouts.filter(
    lambda w: all(not isinstance(b, RepSetBlock) or b.tempo is not None for b in w.blocks)
)


@st.composite
def coach_measures(draw: st.DrawFn) -> CoachMeasures:
    """Any measures the camera coach can give for a set (figures unmeasured included)."""
    counted = draw(st.integers(min_value=0, max_value=COACH_REPS_MAX))
    return CoachMeasures(
        reps_counted=counted,
        parallel_reps=draw(st.integers(min_value=0, max_value=counted)),
        median_peak_thigh_deg=draw(
            st.none() | st.floats(min_value=0, max_value=COACH_ANGLE_MAX_DEG)
        ),
        drive_lower_ratio=draw(st.none() | st.floats(min_value=0, max_value=COACH_RATIO_MAX)),
        sway_deg=draw(st.none() | st.floats(min_value=0, max_value=COACH_SWAY_MAX_DEG)),
    )
