"""The workout editor and the start screen's workout commands, on a real data folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDoubleSpinBox, QMessageBox
from pytestqt.qtbot import QtBot

from legdrive_timer.core import workout_format
from legdrive_timer.core.builtins import BUILTIN_IDS, builtin_workout
from legdrive_timer.core.exercises import BlockKind
from legdrive_timer.core.timeline import PhaseKind
from legdrive_timer.core.workout import RepSetBlock, Side, SideOrder
from legdrive_timer.storage.paths import DataPaths
from legdrive_timer.storage.settings import load_settings
from legdrive_timer.storage.workouts import Conflict, load_library
from legdrive_timer.ui.adjust_dialog import AdjustDialog
from legdrive_timer.ui.workout_editor import WorkoutEditor
from tests.helpers.window import WindowHarness, layout_problems


class FakeAsker:
    """Answers the window's questions as a test tells it to, and counts them."""

    def __init__(self) -> None:
        self.texts: list[str | None] = []
        self.confirms: list[bool] = []
        self.files: list[Path | None] = []
        self.conflicts: list[Conflict | None] = []
        self.asked: list[str] = []

    def text(self, title: str, label: str, value: str) -> str | None:
        self.asked.append(f"text: {title}")
        return self.texts.pop(0)

    def confirm(self, title: str, text: str, action: str) -> bool:
        self.asked.append(f"confirm: {text}")
        return self.confirms.pop(0)

    def open_file(self, title: str) -> Path | None:
        self.asked.append("open")
        return self.files.pop(0)

    def save_file(self, title: str, suggested: str) -> Path | None:
        self.asked.append(f"save: {suggested}")
        return self.files.pop(0)

    def conflict(self, text: str, can_replace: bool) -> Conflict | None:
        self.asked.append(f"conflict: {text}")
        return self.conflicts.pop(0)


def with_asker(h: WindowHarness) -> FakeAsker:
    asker = FakeAsker()
    h.app.workouts.commands.asker = asker
    return asker


def select(h: WindowHarness, workout_id: str) -> None:
    start = h.window.start_screen
    for row in range(start.list.count()):
        if start.list.item(row).data(0x0100) == workout_id:
            start.list.setCurrentRow(row)
            return
    raise AssertionError(f"{workout_id} is not listed")


def listed_ids(h: WindowHarness) -> list[str]:
    start = h.window.start_screen
    return [str(start.list.item(r).data(0x0100)) for r in range(start.list.count())]


def open_editor(qtbot: QtBot, h: WindowHarness, key: Qt.Key) -> WorkoutEditor:
    qtbot.keyClick(h.window.start_screen.list, key)
    editor = h.app.workouts.commands.editor
    assert isinstance(editor, WorkoutEditor)
    qtbot.waitUntil(editor.isVisible)
    return editor


def set_seconds(box: QDoubleSpinBox, text: str) -> None:
    """Type into a seconds field as a person does."""
    box.selectAll()
    box.lineEdit().setText(text)
    box.interpretText()


APP_LISTING = """
import sys
from PySide6.QtWidgets import QApplication
from legdrive_timer.storage.paths import DataPaths
from legdrive_timer.ui.app import AppController
app = QApplication([])
controller = AppController(DataPaths.resolve(sys.argv[1]), audio="off")
start = controller.window.start_screen
for row in range(start.list.count()):
    print(start.list.item(row).text().splitlines()[0])
controller.shutdown()
"""


def list_in_new_process(data_dir: Path) -> list[str]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", APP_LISTING, str(data_dir)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=True,
    )
    return done.stdout.splitlines()


def test_create_edit_see_the_total_save_and_find_it_after_a_restart(
    qtbot: QtBot, harness: WindowHarness
) -> None:
    h = harness
    editor = open_editor(qtbot, h, Qt.Key.Key_N)
    assert editor.windowTitle() == "New workout"
    editor.name.setText("Beginner finisher")
    editor.name.textEdited.emit("Beginner finisher")
    # Replace the primer block with intervals: 20 s work, 40 s rest.
    editor.remove_block()
    assert editor.errors["blocks"].isVisibleTo(editor)
    assert not editor.save_button.isEnabled()
    qtbot.mouseClick(editor.add_intervals, Qt.MouseButton.LeftButton)
    before = editor.total_ms
    assert before is not None
    set_seconds(editor.boxes["work_s"], "20")
    set_seconds(editor.boxes["rest_s"], "40")
    editor.boxes["rounds"].setValue(6)
    # 10 s prep + 6 x 20 s + 5 x 40 s (no rest after the last round)
    assert editor.total_ms == (10 + 6 * 20 + 5 * 40) * 1000
    assert editor.total.text() == "Total: 5:30"
    assert editor.phases.count() == 1 + 6 + 5
    editor.skip_last_rest.setChecked(False)
    assert editor.total.text() == "Total: 6:10"
    # An invalid value: shown at its field with reason and range; cannot save.
    set_seconds(editor.boxes["work_s"], "0")
    error = editor.errors["work_s"]
    assert error.isVisibleTo(editor)
    assert error.text() == "Work must be between 1 and 3600 seconds (got 0)."
    assert not editor.save_button.isEnabled()
    assert editor.total.text() == "Total: —"
    assert not editor.try_save()
    set_seconds(editor.boxes["work_s"], "20")
    assert not error.isVisibleTo(editor)
    qtbot.keyClick(editor, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not editor.isVisible()
    library = load_library(h.app.paths.workouts_dir)
    assert library.get("beginner-finisher") is not None
    assert h.window.start_screen.selected_id() == "beginner-finisher"
    assert "Saved Beginner finisher." in h.window.start_screen.message.text()
    # A new process on the same data folder finds it, with its total.
    h.app.shutdown()
    lines = list_in_new_process(h.app.paths.data_dir.parent / "data")
    assert "Beginner finisher  —  6:10" in lines


def test_editing_a_builtin_saves_a_copy_and_the_builtin_stays(
    qtbot: QtBot, harness: WindowHarness
) -> None:
    h = harness
    select(h, "primer")
    editor = open_editor(qtbot, h, Qt.Key.Key_E)
    assert "copy" in editor.windowTitle()
    assert editor.name.text() == "Warm-up primer (copy)"
    editor.boxes["sets"].setValue(3)
    editor.side_order.setCurrentIndex(editor.side_order.findData(SideOrder.ALTERNATE.value))
    editor.self_paced.setChecked(True)
    assert not editor.boxes["up_s"].isEnabled()
    assert editor.try_save()
    library = load_library(h.app.paths.workouts_dir)
    assert library.get("primer") == builtin_workout("primer")
    copy = library.get("warm-up-primer-copy")
    assert copy is not None
    block = copy.blocks[0]
    assert isinstance(block, RepSetBlock)
    assert (block.sets, block.alternate_lead, block.tempo) == (3, True, None)
    # Editing the custom one keeps its id and file.
    select(h, "warm-up-primer-copy")
    editor = open_editor(qtbot, h, Qt.Key.Key_E)
    assert editor.windowTitle() == "Edit: Warm-up primer (copy)"
    editor.boxes["reps"].setValue(10)
    assert editor.try_save()
    library = load_library(h.app.paths.workouts_dir)
    assert sorted(library.custom_ids) == ["warm-up-primer-copy"]
    edited = library.get("warm-up-primer-copy")
    assert edited is not None and isinstance(edited.blocks[0], RepSetBlock)
    assert edited.blocks[0].reps == 10


def test_blocks_are_added_removed_and_reordered(qtbot: QtBot, harness: WindowHarness) -> None:
    h = harness
    select(h, "full")
    editor = open_editor(qtbot, h, Qt.Key.Key_E)
    kinds = lambda: [b.kind for b in editor.draft.blocks]  # noqa: E731
    assert kinds() == [BlockKind.REPS, BlockKind.INTERVALS]
    total = editor.total_ms
    editor.blocks.setCurrentRow(1)
    editor.move_block(-1)
    assert kinds() == [BlockKind.INTERVALS, BlockKind.REPS]
    assert editor.blocks.currentRow() == 0
    assert editor.total_ms == total  # same work, other order
    assert editor.current is not None
    assert editor.current.blocks[0].exercise_id == "alternating-knee-drive"
    editor.add_block(BlockKind.REPS)
    assert len(editor.draft.blocks) == 3 and editor.blocks.currentRow() == 1
    editor.exercise.setCurrentIndex(editor.exercise.findData("step-up-knee-drive"))
    assert editor.draft.blocks[1].name == "Step-up with knee drive"
    assert editor.total_ms is not None and total is not None and editor.total_ms > total
    editor.remove_block()
    assert kinds() == [BlockKind.INTERVALS, BlockKind.REPS]
    set_seconds(editor.block_rest, "2000")
    assert (
        editor.errors["block_rest_s"].text()
    ) == "Rest between blocks must be between 0 and 1800 seconds (got 2000)."


def test_closing_with_unsaved_changes_asks(qtbot: QtBot, harness: WindowHarness) -> None:
    h = harness
    editor = open_editor(qtbot, h, Qt.Key.Key_N)
    answers = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Discard]
    asked: list[int] = []

    def ask() -> QMessageBox.StandardButton:
        asked.append(1)
        return answers.pop(0)

    editor.ask_unsaved = ask
    editor.reject()  # nothing typed yet: closes without asking
    assert asked == [] and not editor.isVisible()
    editor = open_editor(qtbot, h, Qt.Key.Key_N)
    editor.ask_unsaved = ask
    editor.boxes["reps"].setValue(12)
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert asked == [1] and editor.isVisible()  # Cancel: still editing, nothing lost
    assert editor.draft.blocks[0].reps == 12
    editor.close()
    assert asked == [1, 1] and not editor.isVisible()  # Discard
    assert load_library(h.app.paths.workouts_dir).custom_ids == frozenset()


def test_rename_duplicate_delete(qtbot: QtBot, harness: WindowHarness) -> None:
    h = harness
    asker = with_asker(h)
    select(h, "hiit")
    qtbot.keyClick(h.window.start_screen.list, Qt.Key.Key_D)
    assert h.window.start_screen.selected_id() == "hiit-finisher-copy"
    asker.texts.append("Short finisher")
    qtbot.keyClick(h.window.start_screen.list, Qt.Key.Key_R)
    library = load_library(h.app.paths.workouts_dir)
    renamed = library.get("hiit-finisher-copy")
    assert renamed is not None and renamed.name == "Short finisher"
    assert renamed.blocks == builtin_workout("hiit").blocks  # type: ignore[union-attr]
    # Built-ins keep their names and cannot be deleted: nothing is asked.
    select(h, "hiit")
    qtbot.keyClick(h.window.start_screen.list, Qt.Key.Key_R)
    qtbot.keyClick(h.window.start_screen.list, Qt.Key.Key_Delete)
    assert asker.asked == ["text: Rename workout"]
    assert "cannot be deleted" in h.window.start_screen.message.text()
    # Delete asks once; No keeps it, Yes removes it.
    select(h, "hiit-finisher-copy")
    asker.confirms += [False, True]
    qtbot.keyClick(h.window.start_screen.list, Qt.Key.Key_Delete)
    assert "hiit-finisher-copy" in listed_ids(h)
    qtbot.keyClick(h.window.start_screen.list, Qt.Key.Key_Delete)
    assert len([a for a in asker.asked if a.startswith("confirm")]) == 2
    assert "hiit-finisher-copy" not in listed_ids(h)
    assert listed_ids(h) == list(BUILTIN_IDS)
    assert list(h.app.paths.workouts_dir.iterdir()) == []


def test_import_and_export_between_two_data_folders(
    qtbot: QtBot, harness: WindowHarness, tmp_path: Path
) -> None:
    h = harness
    asker = with_asker(h)
    select(h, "primer")
    qtbot.keyClick(h.window.start_screen.list, Qt.Key.Key_D)
    exported = tmp_path / "shared" / "primer-copy.json"
    exported.parent.mkdir()
    asker.files.append(exported)
    qtbot.keyClick(h.window.start_screen.list, Qt.Key.Key_X)
    assert asker.asked[-1] == "save: warm-up-primer-copy.json"
    assert workout_format.loads(exported.read_text(encoding="utf-8")).id == "warm-up-primer-copy"
    h.window.close()

    other = WindowHarness(DataPaths.resolve(tmp_path / "other"))
    qtbot.addWidget(other.window)
    other_asker = with_asker(other)
    other_asker.files += [exported, exported, exported]
    other_asker.conflicts += [None, Conflict.KEEP_BOTH]
    qtbot.keyClick(other.window.start_screen.list, Qt.Key.Key_I)
    assert other.window.start_screen.selected_id() == "warm-up-primer-copy"
    original = load_library(h.app.paths.workouts_dir).get("warm-up-primer-copy")
    assert load_library(other.app.paths.workouts_dir).get("warm-up-primer-copy") == original
    # The same id again: the window asks; Cancel changes nothing, Keep both adds a copy.
    qtbot.keyClick(other.window.start_screen.list, Qt.Key.Key_I)
    assert other_asker.asked[-1].startswith("conflict:")
    assert len(load_library(other.app.paths.workouts_dir).custom_ids) == 1
    qtbot.keyClick(other.window.start_screen.list, Qt.Key.Key_I)
    assert len(load_library(other.app.paths.workouts_dir).custom_ids) == 2
    other.window.close()


def test_a_broken_file_is_reported_and_the_others_still_list(
    qtbot: QtBot, data_paths: DataPaths
) -> None:
    data_paths.workouts_dir.mkdir(parents=True)
    broken = data_paths.workouts_dir / "broken.json"
    broken.write_text('{"format": "legdrive-timer/workout", "version": 1, "id": "x"', "utf-8")
    primer = builtin_workout("primer")
    assert primer is not None
    good = data_paths.workouts_dir / "good.json"
    good.write_text(workout_format.dumps(primer).replace('"id": "primer"', '"id": "good"'), "utf-8")
    h = WindowHarness(data_paths)
    qtbot.addWidget(h.window)
    assert "good" in listed_ids(h)
    [message] = [m for m in h.window.banner.messages() if "broken.json" in m]
    assert "is not valid JSON" in message
    assert broken.read_text("utf-8").endswith('"id": "x"')


def test_adjust_has_a_field_per_rest_and_the_tempo_and_saves_as_new(
    qtbot: QtBot, harness: WindowHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = harness
    asker = with_asker(h)
    select(h, "full")
    seen: dict[str, object] = {}

    def fill() -> None:
        dialog = h.app.workouts.adjust_dialog
        assert isinstance(dialog, AdjustDialog)
        seen["fields"] = sorted(dialog.fields)
        dialog.fields["set_rest_s"].setValue(45)
        dialog.fields["round_rest_s"].setValue(20)
        dialog.fields["block_rest_s"].setValue(90)
        dialog.fields["tempo_down_s"].setValue(2.5)
        dialog.try_save_as_new()

    asker.texts.append("Slow primer + finisher")
    # The dialog is filled in where it would wait for the person, without a nested loop.
    monkeypatch.setattr(AdjustDialog, "exec", lambda self: (fill(), self.result())[1])
    qtbot.keyClick(h.window.start_screen.list, Qt.Key.Key_A)
    assert seen["fields"] == sorted(
        [
            "prep_s",
            "work_s",
            "rounds",
            "sets",
            "reps",
            "switch_s",
            "set_rest_s",
            "round_rest_s",
            "block_rest_s",
            "tempo_up_s",
            "tempo_down_s",
        ]
    )
    saved = load_library(h.app.paths.workouts_dir).get("slow-primer-finisher")
    assert saved is not None
    reps, intervals = saved.blocks
    assert isinstance(reps, RepSetBlock) and reps.tempo is not None
    assert (reps.set_rest_s, reps.tempo.down_s) == (45, 2.5)
    assert intervals.rest_s == 20  # type: ignore[union-attr]
    assert saved.block_rest_s == 90
    assert h.app.settings.overrides_for("full").is_empty()  # the original is unchanged
    assert h.window.start_screen.selected_id() == "slow-primer-finisher"


def test_the_alternating_lead_changes_each_session_and_is_remembered(
    qtbot: QtBot, harness: WindowHarness
) -> None:
    h = harness
    select(h, "primer")
    editor = open_editor(qtbot, h, Qt.Key.Key_E)
    editor.side_order.setCurrentIndex(editor.side_order.findData(SideOrder.ALTERNATE.value))
    assert editor.try_save()
    leads = []
    for _ in range(3):
        select(h, "warm-up-primer-copy")
        h.window.start_screen.start_selected()
        assert h.app.engine is not None
        first = next(p for p in h.app.engine.timeline.phases if p.kind is PhaseKind.WORK)
        leads.append(first.side)
        h.advance(11_000)  # past the 10 s prep into the first drive, so the history has it
        h.app.engine.stop()
        h.app.back_to_start()
    assert leads == [Side.RIGHT, Side.LEFT, Side.RIGHT]
    h.app.settings_control.flush()
    saved, _ = load_settings(h.app.paths.settings_file)
    assert saved.leads == {"warm-up-primer-copy": "right"}
    assert saved.next_lead("warm-up-primer-copy") is Side.LEFT
    # The history has each session's sides as done.
    h.app.session.hand_over_history()  # history writes go to disk in the background
    assert h.app.journal.wait_saved(10)  # type: ignore[union-attr]
    records = list(h.app.store.records())  # type: ignore[union-attr]
    firsts = [
        next(s.side for s in r.segments if s.kind is PhaseKind.WORK)
        for r in sorted(records, key=lambda r: r.session_id)
    ]
    assert firsts == [Side.RIGHT, Side.LEFT, Side.RIGHT]


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (1024, 600)])
def test_editor_fits_small_screens(
    qtbot: QtBot, harness: WindowHarness, width: int, height: int
) -> None:
    h = harness
    select(h, "full")
    editor = open_editor(qtbot, h, Qt.Key.Key_E)
    editor.resize(width, height)
    qtbot.wait(10)
    assert editor.width() <= width and editor.height() <= height
    assert layout_problems(editor) == []
    json.dumps(editor.problems())  # plain sentences


def test_closing_the_window_with_unsaved_edits_asks_first(
    qtbot: QtBot, harness: WindowHarness
) -> None:
    h = harness
    editor = open_editor(qtbot, h, Qt.Key.Key_N)
    editor.boxes["reps"].setValue(9)
    answers = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Discard]
    editor.ask_unsaved = lambda: answers.pop(0)
    assert h.window.close_guards
    assert not h.app.workouts.may_close()  # Cancel: the window stays, the edit too
    assert editor.isVisible() and editor.draft.blocks[0].reps == 9
    assert h.app.workouts.may_close()  # Discard
    assert not editor.isVisible()
