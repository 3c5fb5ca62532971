"""The one set of words and figures that every screen, the command line and the CSV use."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st

from legdrive_timer.core.builtins import builtin_workout
from legdrive_timer.core.formatting import (
    PHASE_NAMES,
    describe_block,
    describe_workout,
    format_countdown,
    format_duration,
    format_remaining,
    format_reps,
    format_started,
    segment_cells,
    whole_seconds,
)
from legdrive_timer.core.history_format import records_to_csv
from legdrive_timer.core.overrides import Overrides, apply_overrides
from legdrive_timer.core.records import EndReason, SegmentRecord, SessionRecord, SessionStatus
from legdrive_timer.core.timeline import PhaseKind
from legdrive_timer.core.workout import RepSetBlock, Side, Workout
from tests.unit.strategies import workouts


def test_a_length_rounds_to_the_nearest_second_halves_up() -> None:
    assert format_duration(59_980) == "1:00"  # a 60 s phase that ended 20 ms early
    assert format_duration(59_499) == "59 s"
    assert format_duration(59_500) == "1:00"
    assert format_duration(2_500) == "3 s"  # no banker's rounding
    assert format_duration(450_400) == "7:30"
    assert format_duration(3_600_000 + 7 * 60_000 + 30_000) == "1:07:30"
    assert format_duration(0) == "0 s"
    assert format_duration(-5) == "0 s"


def test_a_countdown_rounds_up_and_reaches_zero_only_at_the_end() -> None:
    assert format_remaining(59_001) == "1:00"
    assert format_remaining(1) == "1 s"
    assert format_remaining(0) == "0 s"
    assert format_countdown(45) == "45"
    assert format_countdown(90) == "1:30"


@given(st.integers(min_value=0, max_value=10**9))
def test_a_length_is_never_more_than_half_a_second_off(ms: int) -> None:
    assert abs(whole_seconds(ms) * 1000 - ms) <= 500
    text = format_duration(ms)
    parts = [int(p) for p in text.removesuffix(" s").split(":")]
    seconds = 0
    for part in parts:
        seconds = seconds * 60 + part
    assert seconds == whole_seconds(ms)


def test_the_start_is_the_clock_time_where_the_session_was_trained() -> None:
    moment = datetime(2026, 3, 29, 7, 30, tzinfo=timezone(timedelta(hours=2)))
    assert format_started(moment) == "Sun 29 Mar 2026, 07:30"
    assert format_started(moment.astimezone(UTC)) == "Sun 29 Mar 2026, 05:30"


def _segment(**changes: object) -> SegmentRecord:
    values: dict[str, object] = {
        "phase_index": 1,
        "kind": PhaseKind.WORK,
        "block_index": 0,
        "exercise_id": "single-leg-knee-drive",
        "side": Side.LEFT,
        "set_number": 2,
        "round_number": None,
        "planned_ms": 6_000,
        "actual_ms": 1_200,
        "reps_planned": 3,
        "reps_done": None,
        "end_reason": EndReason.SKIPPED,
        "stability": None,
    }
    values.update(changes)
    return SegmentRecord(**values)  # type: ignore[arg-type]


def test_a_skipped_self_paced_set_reads_as_not_counted() -> None:
    assert format_reps(None, 3) == "– of 3"
    assert format_reps(2, 3) == "2 of 3"
    assert format_reps(None, None) == ""
    assert segment_cells(_segment()) == ("Drive", "Left", "Set 2", "6 s", "1 s", "– of 3", "")
    assert segment_cells(_segment(stability=4, reps_done=3))[5:] == ("3 of 3", "4 of 5")


def test_the_csv_names_each_phase_as_the_window_does() -> None:
    record = SessionRecord(
        session_id="s1",
        workout_id="primer",
        workout_name="Warm-up primer",
        started_at=datetime(2026, 3, 3, 18, 0, tzinfo=UTC),
        ended_at=None,
        status=SessionStatus.STOPPED,
        planned_ms=60_000,
        segments=tuple(
            _segment(phase_index=i, kind=kind, reps_planned=None)
            for i, kind in enumerate(PhaseKind)
        ),
    )
    rows = list(csv.DictReader(io.StringIO(records_to_csv([record]), newline="")))
    assert [(row["kind"], row["phase"]) for row in rows] == [
        (kind.value, PHASE_NAMES[kind]) for kind in PhaseKind
    ]
    assert [row["phase"] for row in rows] == [segment_cells(s)[0] for s in record.segments]


def test_a_workout_is_described_by_its_values_not_by_its_text() -> None:
    primer = builtin_workout("primer")
    hiit = builtin_workout("hiit")
    assert primer is not None and hiit is not None
    assert describe_workout(primer) == "2 x 15 per side. Wake up the hips before you train."
    assert describe_workout(apply_overrides(primer, Overrides(sets=3, reps=10))).startswith(
        "3 x 10 per side."
    )
    short = apply_overrides(hiit, Overrides(work_s=20, rest_s=40.5, rounds=1))
    assert describe_block(short.blocks[0]) == "1 round of 20 s all-out, 40.5 s rest"
    full = builtin_workout("full")
    assert full is not None
    assert describe_workout(apply_overrides(full, Overrides(rounds=6))) == (
        "Single-leg knee drive, 2 x 15 per side; "
        "then Alternating knee drives, 6 rounds of 30 s all-out, 30 s rest."
    )
    one_side = RepSetBlock("drive", "Knee drive", sets=1, reps=5, sides=(Side.LEFT,), tempo=None)
    assert describe_block(one_side) == "1 x 5, left leg, at your own pace"


@given(workouts)
def test_every_figure_in_a_description_comes_from_the_workout(workout: Workout) -> None:
    workout = replace(workout, description="")
    text = describe_workout(workout)
    for block in workout.blocks:
        if isinstance(block, RepSetBlock):
            assert f"{block.sets} x {block.reps}" in text
        else:
            assert f"{block.work_s:g} s all-out, {block.rest_s:g} s rest" in text
