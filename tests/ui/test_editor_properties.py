"""Properties of the editor: whatever it saves round-trips through the workout file format and
compiles to a timeline whose total is the total the editor showed."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from legdrive_timer.core import workout_format
from legdrive_timer.core.exercises import BlockKind
from legdrive_timer.core.formatting import format_duration
from legdrive_timer.core.timeline import compile_workout
from legdrive_timer.core.workout import SideOrder, Workout
from legdrive_timer.ui.workout_editor import WorkoutEditor
from tests.unit.strategies import workouts

EDITOR_SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class Saving:
    """An editor whose save handler keeps what it was given."""

    def __init__(self, workout: Workout) -> None:
        self.saved: list[Workout] = []
        self.editor = WorkoutEditor(workout, title="Edit", save=self._save)

    def _save(self, workout: Workout) -> None:
        self.saved.append(workout)

    def check(self) -> Workout:
        """Save, and check the saved workout against what the editor showed."""
        shown_total = self.editor.total_ms
        assert self.editor.try_save(), self.editor.problems()
        [workout] = self.saved
        again = workout_format.loads(workout_format.dumps(workout))
        assert again == workout
        assert workout_format.dumps(again) == workout_format.dumps(workout)
        total = compile_workout(again).total_ms
        assert total == shown_total
        assert self.editor.total.text() == f"Total: {format_duration(total)}"
        return workout


@EDITOR_SETTINGS
@given(workout=workouts)
def test_any_workout_opened_and_saved_round_trips_with_the_same_total(
    qapp: Any, workout: Workout
) -> None:
    saving = Saving(workout)
    editor = saving.editor
    try:
        saved = saving.check()
        # The editor holds every value of the workout (names are saved trimmed).
        assert saved.blocks == workout.blocks
        assert (saved.prep_s, saved.block_rest_s) == (workout.prep_s, workout.block_rest_s)
        assert editor.total_ms == compile_workout(workout).total_ms
    finally:
        editor.deleteLater()


tenths = st.integers(min_value=0, max_value=40_000).map(lambda t: t / 10)
counts = st.integers(min_value=0, max_value=250)
edits = st.lists(
    st.one_of(
        st.tuples(st.sampled_from(["prep", "block_rest"]), tenths),
        st.tuples(
            st.sampled_from(["up_s", "down_s", "switch_s", "set_rest_s", "work_s", "rest_s"]),
            tenths,
        ),
        st.tuples(st.sampled_from(["sets", "reps", "rounds"]), counts),
        st.tuples(st.just("side_order"), st.sampled_from(list(SideOrder))),
        st.tuples(st.sampled_from(["self_paced", "skip_last_rest"]), st.booleans()),
        st.tuples(st.just("add"), st.sampled_from(list(BlockKind))),
        st.tuples(st.just("move"), st.sampled_from([-1, 1])),
        st.tuples(st.just("select"), st.integers(0, 3)),
    ),
    max_size=12,
)


def apply_edit(editor: WorkoutEditor, what: str, value: Any) -> None:
    if what == "add":
        editor.add_block(value)
    elif what == "move":
        editor.move_block(value)
    elif what == "select":
        editor.blocks.setCurrentRow(min(value, editor.blocks.count() - 1))
    elif what == "side_order":
        editor.side_order.setCurrentIndex(editor.side_order.findData(value.value))
    elif what in ("self_paced", "skip_last_rest"):
        getattr(editor, what).setChecked(value)
    elif what in editor.boxes:
        editor.boxes[what].setValue(value)
    else:
        getattr(editor, what).setValue(value)


@EDITOR_SETTINGS
@given(workout=workouts, changes=edits)
def test_whatever_is_typed_either_saves_exactly_or_is_refused_with_a_sentence(
    qapp: Any, workout: Workout, changes: list[tuple[str, Any]]
) -> None:
    saving = Saving(workout)
    editor = saving.editor
    try:
        for what, value in changes:
            apply_edit(editor, what, value)
        if editor.current is None:
            assert not editor.save_button.isEnabled()
            assert editor.summary.text()
            assert not editor.try_save()
            assert editor.total.text() == "Total: —"
        else:
            assert editor.problems() == []
            saving.check()
    finally:
        editor.deleteLater()
