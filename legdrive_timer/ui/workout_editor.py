"""The workout editor: every field of a workout, its total and phases as you type.

Each number is checked by its `Limit` (core.workout), the same check the workout file and
the command line use; a value out of range is shown next to its field with the reason and
the allowed range, and the workout cannot be saved until every field is right. Closing with
unsaved changes asks first.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from legdrive_timer.core.exercises import EXERCISES, BlockKind, exercise
from legdrive_timer.core.formatting import describe_block, format_duration, phase_name, side_name
from legdrive_timer.core.timeline import Phase, compile_workout
from legdrive_timer.core.workout import (
    BLOCK_REST,
    DEFAULT_TEMPO,
    INTERVAL_LIMITS,
    MAX_BLOCKS,
    MAX_NAME,
    PREP,
    REPS,
    SET_REST,
    SETS,
    SWITCH,
    TEMPO_DOWN,
    TEMPO_UP,
    Block,
    IntervalBlock,
    Limit,
    RepSetBlock,
    Side,
    SideOrder,
    Tempo,
    Workout,
    WorkoutError,
    text_problem,
)

ERROR_COLOUR = "#b00020"
SIDE_ORDER_NAMES = {
    SideOrder.RIGHT_FIRST: "Right leg first",
    SideOrder.LEFT_FIRST: "Left leg first",
    SideOrder.ALTERNATE: "Alternate the leading leg each session",
    SideOrder.RIGHT_ONLY: "Right leg only",
    SideOrder.LEFT_ONLY: "Left leg only",
}
SaveHandler = Callable[[Workout], str | None]
"""Saves the workout; returns None, or one sentence saying why it could not."""

# The numbers of each kind of block, in the order of the form. Each limit's name is the
# attribute of the draft (and of the block, or of its tempo) that it checks.
REP_NUMBERS = (SETS, REPS, TEMPO_UP, TEMPO_DOWN, SWITCH, SET_REST)
_SHARED = ("exercise_id", "name", "cues")
"""What every block has, as the draft holds it."""
_REP_KEPT = (*_SHARED, "sets", "reps", "switch_s", "set_rest_s")
_INTERVAL_KEPT = (*_SHARED, "work_s", "rest_s", "rounds", "skip_last_rest")
_WORKOUT_KEPT = ("id", "prep_s", "block_rest_s", "tags")
"""The attributes a draft and its block share, copied as they are both ways."""


def _copied(source: object, names: tuple[str, ...]) -> dict[str, Any]:
    return {name: getattr(source, name) for name in names}


@dataclass
class BlockDraft:
    """One block as the editor holds it: any values, valid or not, as typed."""

    kind: BlockKind
    exercise_id: str
    name: str
    cues: tuple[str, ...] = ()
    sets: int = 2
    reps: int = 15
    side_order: SideOrder = SideOrder.RIGHT_FIRST
    alternate_sides: tuple[Side, ...] = (Side.RIGHT, Side.LEFT)
    """An alternating block's order for its next session, kept as the file has it."""
    self_paced: bool = False
    up_s: float = 1.0
    down_s: float = 1.5
    switch_s: float = 10.0
    set_rest_s: float = 30.0
    work_s: float = 30.0
    rest_s: float = 30.0
    rounds: int = 8
    skip_last_rest: bool = True

    @classmethod
    def new(cls, kind: BlockKind) -> BlockDraft:
        choice = next(e for e in EXERCISES if e.kind is kind)
        return cls(kind=kind, exercise_id=choice.id, name=choice.name, cues=choice.cues)

    @classmethod
    def of(cls, block: Block) -> BlockDraft:
        if isinstance(block, RepSetBlock):
            tempo = block.tempo or DEFAULT_TEMPO
            return cls(
                kind=BlockKind.REPS,
                side_order=block.side_order,
                alternate_sides=block.sides if block.alternate_lead else (Side.RIGHT, Side.LEFT),
                self_paced=block.tempo is None,
                up_s=tempo.up_s,
                down_s=tempo.down_s,
                **_copied(block, _REP_KEPT),
            )
        return cls(kind=BlockKind.INTERVALS, **_copied(block, _INTERVAL_KEPT))

    def limits(self) -> tuple[Limit, ...]:
        """The numbers this block uses, each with its allowed range."""
        if self.kind is BlockKind.INTERVALS:
            return INTERVAL_LIMITS
        unused = set()
        if len(self.side_order.sides) != 2:
            unused.add(SWITCH)
        if self.self_paced:
            unused.update((TEMPO_UP, TEMPO_DOWN))
        return tuple(limit for limit in REP_NUMBERS if limit not in unused)

    def problems(self) -> dict[str, str]:
        """Attribute -> the sentence for each value out of its range."""
        return _problems(self, self.limits())

    def build(self) -> Block:
        """The block; WorkoutError if a value is out of range."""
        if self.kind is BlockKind.INTERVALS:
            return IntervalBlock(**_copied(self, _INTERVAL_KEPT))
        return RepSetBlock(
            sides=(
                self.alternate_sides
                if self.side_order is SideOrder.ALTERNATE
                else self.side_order.sides
            ),
            alternate_lead=self.side_order is SideOrder.ALTERNATE,
            tempo=None if self.self_paced else Tempo(self.up_s, self.down_s),
            **_copied(self, _REP_KEPT),
        )


@dataclass
class WorkoutDraft:
    id: str
    name: str
    description: str
    prep_s: float
    block_rest_s: float
    tags: tuple[str, ...]
    blocks: list[BlockDraft] = field(default_factory=list)

    @classmethod
    def of(cls, workout: Workout) -> WorkoutDraft:
        return cls(
            name=workout.name,
            description=workout.description,
            blocks=[BlockDraft.of(b) for b in workout.blocks],
            **_copied(workout, _WORKOUT_KEPT),
        )

    def snapshot(self) -> tuple[object, ...]:
        return (
            self.name,
            self.description,
            self.prep_s,
            self.block_rest_s,
            tuple(dataclasses.astuple(b) for b in self.blocks),
        )

    def problems(self) -> dict[str, str]:
        found = {}
        name = text_problem("Name", self.name, max_len=MAX_NAME)
        if name is not None:
            found["name"] = name
        description = text_problem("Description", self.description, allow_empty=True)
        if description is not None:
            found["description"] = description
        found.update(_problems(self, (PREP, BLOCK_REST)))
        if not self.blocks:
            found["blocks"] = "Add at least one block."
        return found

    def build(self) -> Workout:
        return Workout(
            name=self.name.strip(),
            description=self.description.strip(),
            blocks=tuple(b.build() for b in self.blocks),
            **_copied(self, _WORKOUT_KEPT),
        )


def _problems(draft: object, limits: tuple[Limit, ...]) -> dict[str, str]:
    """Attribute -> the sentence for each of `limits` that the draft's value is out of."""
    found = {}
    for limit in limits:
        problem = limit.problem(getattr(draft, limit.name), limit.label)
        if problem is not None:
            found[limit.name] = problem
    return found


# -- fields -------------------------------------------------------------------------------


class FieldError(QLabel):
    """The sentence under a field when its value is out of range; empty and hidden else."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.setObjectName(f"error_{name}")
        self.setWordWrap(True)
        self.setStyleSheet(f"color: {ERROR_COLOUR}; font-weight: bold;")
        self.setAccessibleName(f"Problem with {name}")
        self.hide()

    def show_problem(self, problem: str | None) -> None:
        self.setText(problem or "")
        self.setVisible(bool(problem))


def _seconds_box(limit: Limit) -> QDoubleSpinBox:
    """Takes any value a person might type, so that one out of range can be shown as such
    rather than silently clamped."""
    box = QDoubleSpinBox()
    box.setDecimals(1)
    box.setRange(0.0, 99_999.0)
    box.setSingleStep(0.5 if limit.high <= 10 else 5.0)
    box.setSuffix(" s")
    box.setAccessibleName(limit.label)
    box.setAccessibleDescription(f"Allowed: {limit.range_text}")
    box.setToolTip(f"Allowed: {limit.range_text}")
    box.setKeyboardTracking(True)
    box.setCorrectionMode(QAbstractSpinBox.CorrectionMode.CorrectToNearestValue)
    return box


def _count_box(limit: Limit) -> QSpinBox:
    box = QSpinBox()
    box.setRange(0, 99_999)
    box.setAccessibleName(limit.label)
    box.setAccessibleDescription(f"Allowed: {limit.range_text}")
    box.setToolTip(f"Allowed: {limit.range_text}")
    return box


def _label(limit: Limit) -> str:
    return f"{limit.label} ({limit.range_text})"


class WorkoutEditor(QDialog):
    """Edits a copy of a workout; `save` is called with the finished workout."""

    saved = Signal(object)
    """The workout, after `save` accepted it."""

    def __init__(
        self,
        workout: Workout,
        *,
        title: str,
        save: SaveHandler,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("workout_editor")
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self._save = save
        self.draft = WorkoutDraft.of(workout)
        self._saved_snapshot = self.draft.snapshot()
        self._loading = False
        self.current: Workout | None = workout
        self.errors: dict[str, FieldError] = {}
        self.boxes: dict[str, QSpinBox | QDoubleSpinBox] = {}
        """The selected block's number boxes, by the attribute each sets."""
        self.ask_unsaved: Callable[[], QMessageBox.StandardButton] = self._ask_unsaved

        # The workout's own fields.
        self.name = QLineEdit()
        self.name.setAccessibleName("Name")
        self.name.setMaxLength(120)
        self.description = QLineEdit()
        self.description.setAccessibleName("Description")
        self.description.setMaxLength(400)
        self.prep = _seconds_box(PREP)
        self.block_rest = _seconds_box(BLOCK_REST)
        top = QGridLayout()
        # Two columns of label, field and its problem under it.
        for row, column, label, box, attribute in (
            (0, 0, "Name", self.name, "name"),
            (0, 2, _label(PREP), self.prep, "prep_s"),
            (2, 0, "Description", self.description, "description"),
            (2, 2, _label(BLOCK_REST), self.block_rest, "block_rest_s"),
        ):
            top.addWidget(QLabel(label), row, column)
            top.addWidget(box, row, column + 1)
            top.addWidget(self._error(attribute), row + 1, column + 1)
        top.setColumnStretch(1, 3)
        top.setColumnStretch(3, 1)

        # The blocks, in order.
        self.blocks = QListWidget()
        self.blocks.setObjectName("blocks")
        self.blocks.setAccessibleName("Blocks")
        self.blocks.setWordWrap(True)
        self.add_reps = QPushButton("+ Reps")
        self.add_reps.setAccessibleName("Add a block of reps per side")
        self.add_intervals = QPushButton("+ Intervals")
        self.add_intervals.setAccessibleName("Add a block of timed rounds")
        self.remove = QPushButton("Remove")
        self.remove.setAccessibleName("Remove the block")
        self.up = QPushButton("▲ Up")
        self.up.setAccessibleName("Move the block up")
        self.down = QPushButton("▼ Down")
        self.down.setAccessibleName("Move the block down")
        self.add_reps.clicked.connect(lambda: self.add_block(BlockKind.REPS))
        self.add_intervals.clicked.connect(lambda: self.add_block(BlockKind.INTERVALS))
        self.remove.clicked.connect(self.remove_block)
        self.up.clicked.connect(lambda: self.move_block(-1))
        self.down.clicked.connect(lambda: self.move_block(1))
        block_buttons = QGridLayout()
        block_buttons.addWidget(self.add_reps, 0, 0)
        block_buttons.addWidget(self.add_intervals, 0, 1)
        block_buttons.addWidget(self.up, 1, 0)
        block_buttons.addWidget(self.down, 1, 1)
        block_buttons.addWidget(self.remove, 2, 0, 1, 2)
        blocks_column = QVBoxLayout()
        blocks_title = QLabel("Blocks")
        blocks_title.setStyleSheet("font-weight: bold;")
        blocks_column.addWidget(blocks_title)
        blocks_column.addWidget(self.blocks, 1)
        blocks_column.addWidget(self._error("blocks"))
        blocks_column.addLayout(block_buttons)

        # The selected block.
        self.exercise = QComboBox()
        self.exercise.setAccessibleName("Exercise")
        self.reps_form = self._reps_form()
        self.intervals_form = self._intervals_form()
        self.block_stack = QStackedWidget()
        self.block_stack.addWidget(self.reps_form)
        self.block_stack.addWidget(self.intervals_form)
        block_column = QVBoxLayout()
        self.block_title = QLabel("Block")
        self.block_title.setStyleSheet("font-weight: bold;")
        block_column.addWidget(self.block_title)
        exercise_row = QFormLayout()
        exercise_row.addRow("Exercise", self.exercise)
        block_column.addLayout(exercise_row)
        block_column.addWidget(self.block_stack)
        block_column.addStretch(1)

        # What the workout makes: total and phases.
        self.total = QLabel()
        self.total.setObjectName("editor_total")
        self.total.setAccessibleName("Total duration")
        font = self.total.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.total.setFont(font)
        self.phases = QListWidget()
        self.phases.setObjectName("editor_phases")
        self.phases.setAccessibleName("Phases")
        self.phases.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.summary = QLabel()
        self.summary.setObjectName("editor_summary")
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet(f"color: {ERROR_COLOUR}; font-weight: bold;")
        self.summary.hide()
        preview = QVBoxLayout()
        preview.addWidget(self.total)
        preview.addWidget(self.phases, 1)

        columns = QHBoxLayout()
        columns.addLayout(blocks_column, 3)
        divider = QFrame()
        divider.setFrameShape(QFrame.Shape.VLine)
        columns.addWidget(divider)
        columns.addLayout(block_column, 4)
        columns.addLayout(preview, 3)

        self.save_button = QPushButton("Save  Ctrl+S")
        self.save_button.setAccessibleName("Save the workout")
        self.save_button.setDefault(True)
        self.cancel_button = QPushButton("Close  Esc")
        self.cancel_button.setAccessibleName("Close the editor")
        self.save_button.clicked.connect(self.try_save)
        self.cancel_button.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 100)
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.save_button)
        for button in (self.save_button, self.cancel_button):
            button.setMinimumHeight(36)
            button.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(columns, 1)
        layout.addLayout(buttons)

        self._connect()
        self._load()

    # -- building -------------------------------------------------------------------------

    def _error(self, name: str) -> FieldError:
        label = FieldError(name)
        self.errors[name] = label
        return label

    def _reps_form(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        form.setContentsMargins(0, 0, 0, 0)
        self.side_order = QComboBox()
        self.side_order.setAccessibleName("Side order")
        for order, text in SIDE_ORDER_NAMES.items():
            self.side_order.addItem(text, order.value)
        self.self_paced = QCheckBox("Self-paced: press Done to end each side")
        self.self_paced.setAccessibleName("Self-paced")
        self._number_rows(form, (SETS, REPS))
        form.addRow("Side order", self.side_order)
        form.addRow("", self.self_paced)
        self._number_rows(form, (TEMPO_UP, TEMPO_DOWN, SWITCH, SET_REST))
        return page

    def _intervals_form(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        form.setContentsMargins(0, 0, 0, 0)
        self.skip_last_rest = QCheckBox("No rest after the last round")
        self.skip_last_rest.setAccessibleName("Skip the last rest")
        self._number_rows(form, INTERVAL_LIMITS)
        form.addRow("", self.skip_last_rest)
        return page

    def _number_rows(self, form: QFormLayout, limits: tuple[Limit, ...]) -> None:
        """A box for each number, labelled with its allowed range, its problem under it."""
        for limit in limits:
            box = _count_box(limit) if limit.whole else _seconds_box(limit)
            self.boxes[limit.name] = box
            form.addRow(_label(limit), box)
            form.addRow("", self._error(limit.name))

    def _connect(self) -> None:
        self.name.textEdited.connect(lambda text: self._set_workout("name", text))
        self.description.textEdited.connect(lambda text: self._set_workout("description", text))
        self.prep.valueChanged.connect(lambda v: self._set_workout("prep_s", v))
        self.block_rest.valueChanged.connect(lambda v: self._set_workout("block_rest_s", v))
        self.blocks.currentRowChanged.connect(lambda _row: self._show_block())
        self.exercise.currentIndexChanged.connect(self._exercise_chosen)
        for attribute, box in self.boxes.items():
            box.valueChanged.connect(lambda v, a=attribute: self._set_block(a, v))
        self.side_order.currentIndexChanged.connect(
            lambda _i: self._set_block("side_order", SideOrder(self.side_order.currentData()))
        )
        self.self_paced.toggled.connect(lambda on: self._set_block("self_paced", on))
        self.skip_last_rest.toggled.connect(lambda on: self._set_block("skip_last_rest", on))

    # -- state -> widgets -----------------------------------------------------------------

    def _load(self) -> None:
        self._loading = True
        try:
            self.name.setText(self.draft.name)
            self.description.setText(self.draft.description)
            self.prep.setValue(self.draft.prep_s)
            self.block_rest.setValue(self.draft.block_rest_s)
        finally:
            self._loading = False
        self._fill_blocks(0)

    def _fill_blocks(self, select: int) -> None:
        self._loading = True
        try:
            self.blocks.clear()
            for index, block in enumerate(self.draft.blocks):
                self.blocks.addItem(self._block_text(index, block))
        finally:
            self._loading = False
        if self.draft.blocks:
            self.blocks.setCurrentRow(max(0, min(select, len(self.draft.blocks) - 1)))
        self._show_block()

    def _block_text(self, index: int, block: BlockDraft) -> str:
        mark = "⚠ " if block.problems() else ""
        try:
            what = describe_block(block.build())
        except WorkoutError:
            what = block.name
        return f"{mark}{index + 1}. {what}"

    def selected_index(self) -> int | None:
        row = self.blocks.currentRow()
        return row if 0 <= row < len(self.draft.blocks) else None

    def selected(self) -> BlockDraft | None:
        index = self.selected_index()
        return None if index is None else self.draft.blocks[index]

    def _show_block(self) -> None:
        if self._loading:
            return
        block = self.selected()
        index = self.selected_index()
        for widget in (self.exercise, self.block_stack, self.remove):
            widget.setEnabled(block is not None)
        self.up.setEnabled(index is not None and index > 0)
        self.down.setEnabled(index is not None and index < len(self.draft.blocks) - 1)
        full = len(self.draft.blocks) >= MAX_BLOCKS
        self.add_reps.setEnabled(not full)
        self.add_intervals.setEnabled(not full)
        if block is None or index is None:
            self.block_title.setText("No block: add one")
            self._refresh()
            return
        self._loading = True
        try:
            kind = "reps per side" if block.kind is BlockKind.REPS else "timed rounds"
            self.block_title.setText(f"Block {index + 1}: {kind}")
            self.exercise.clear()
            for item in EXERCISES:
                self.exercise.addItem(item.name, item.id)
            if exercise(block.exercise_id) is None:
                self.exercise.addItem(block.name, block.exercise_id)
            self.exercise.setCurrentIndex(self.exercise.findData(block.exercise_id))
            if block.kind is BlockKind.REPS:
                self.block_stack.setCurrentWidget(self.reps_form)
                self.side_order.setCurrentIndex(self.side_order.findData(block.side_order.value))
                self.self_paced.setChecked(block.self_paced)
            else:
                self.block_stack.setCurrentWidget(self.intervals_form)
                self.skip_last_rest.setChecked(block.skip_last_rest)
            for limit in REP_NUMBERS if block.kind is BlockKind.REPS else INTERVAL_LIMITS:
                self.boxes[limit.name].setValue(getattr(block, limit.name))
        finally:
            self._loading = False
        self._refresh()

    # -- widgets -> state -----------------------------------------------------------------

    def _set_workout(self, attribute: str, value: object) -> None:
        if self._loading:
            return
        setattr(self.draft, attribute, value)
        self._refresh()

    def _set_block(self, attribute: str, value: object) -> None:
        block = self.selected()
        if self._loading or block is None:
            return
        setattr(block, attribute, value)
        self._refresh()

    def _exercise_chosen(self, _index: int) -> None:
        block = self.selected()
        if self._loading or block is None:
            return
        chosen = exercise(str(self.exercise.currentData()))
        if chosen is None:
            return
        block.exercise_id, block.name, block.cues = chosen.id, chosen.name, chosen.cues
        self._refresh()

    def add_block(self, kind: BlockKind) -> None:
        if len(self.draft.blocks) >= MAX_BLOCKS:
            return
        index = self.selected_index()
        at = len(self.draft.blocks) if index is None else index + 1
        self.draft.blocks.insert(at, BlockDraft.new(kind))
        self._fill_blocks(at)

    def remove_block(self) -> None:
        index = self.selected_index()
        if index is None:
            return
        del self.draft.blocks[index]
        self._fill_blocks(index)

    def move_block(self, step: int) -> None:
        index = self.selected_index()
        if index is None:
            return
        target = index + step
        if not 0 <= target < len(self.draft.blocks):
            return
        blocks = self.draft.blocks
        blocks[index], blocks[target] = blocks[target], blocks[index]
        self._fill_blocks(target)

    # -- checking -------------------------------------------------------------------------

    def problems(self) -> list[str]:
        """Every sentence now shown, the workout's first, then each block's."""
        found = list(self.draft.problems().values())
        for index, block in enumerate(self.draft.blocks):
            found += [f"Block {index + 1}: {p}" for p in block.problems().values()]
        return found

    def _refresh(self) -> None:
        """Check every field, show each problem next to its field, and rebuild the total
        and the phase list from the workout the fields make."""
        workout_problems = self.draft.problems()
        for name in ("name", "description", "prep_s", "block_rest_s", "blocks"):
            self.errors[name].show_problem(workout_problems.get(name))
        block = self.selected()
        block_problems = block.problems() if block is not None else {}
        for name in self.boxes:
            self.errors[name].show_problem(block_problems.get(name))
        if block is not None:
            self.boxes[TEMPO_UP.name].setEnabled(not block.self_paced)
            self.boxes[TEMPO_DOWN.name].setEnabled(not block.self_paced)
            self.boxes[SWITCH.name].setEnabled(len(block.side_order.sides) == 2)
        for index, item_block in enumerate(self.draft.blocks):
            item = self.blocks.item(index)
            if item is not None:
                item.setText(self._block_text(index, item_block))
        self.current = None
        problem = None
        if not self.problems():
            try:
                self.current = self.draft.build()
            except WorkoutError as error:
                problem = _sentence(str(error))
        else:
            count = len(self.problems())
            problem = (
                "Fix the value marked in red to save."
                if count == 1
                else f"Fix the {count} values marked in red to save."
            )
        self.summary.setText(problem or "")
        self.summary.setVisible(problem is not None)
        self.save_button.setEnabled(self.current is not None)
        self._show_timeline()

    def _show_timeline(self) -> None:
        self.phases.clear()
        if self.current is None:
            self.total.setText("Total: —")
            self.total.setAccessibleDescription("not known until every value is right")
            self.phases.addItem("The phases show here when every value is right.")
            return
        timeline = compile_workout(self.current)
        self.total.setText(f"Total: {format_duration(timeline.total_ms)}")
        self.total.setAccessibleDescription(f"{len(timeline.phases)} phases")
        for phase in timeline.phases:
            self.phases.addItem(_phase_line(phase))

    @property
    def total_ms(self) -> int | None:
        return None if self.current is None else compile_workout(self.current).total_ms

    def is_dirty(self) -> bool:
        return self.draft.snapshot() != self._saved_snapshot

    # -- saving and closing ---------------------------------------------------------------

    def try_save(self) -> bool:
        self._refresh()
        if self.current is None:
            return False
        problem = self._save(self.current)
        if problem is not None:
            self.summary.setText(problem)
            self.summary.show()
            return False
        self._saved_snapshot = self.draft.snapshot()
        self.saved.emit(self.current)
        self.accept()
        return True

    def _ask_unsaved(self) -> QMessageBox.StandardButton:
        buttons = (
            QMessageBox.StandardButton.Save
            | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel
        )
        if self.current is None:
            buttons &= ~QMessageBox.StandardButton.Save
        return QMessageBox.question(
            self,
            "Unsaved changes",
            "This workout has changes that are not saved. Save them?",
            buttons,
            QMessageBox.StandardButton.Cancel,
        )

    def reject(self) -> None:
        """Close, but never lose what was typed without asking."""
        if self.is_dirty():
            answer = self.ask_unsaved()
            if answer == QMessageBox.StandardButton.Save:
                self.try_save()
                return
            if answer != QMessageBox.StandardButton.Discard:
                return
        super().reject()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # Ctrl+S from any field: the key reaches the dialog when the field does not use it.
        if event.matches(QKeySequence.StandardKey.Save):
            self.try_save()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.result() == QDialog.DialogCode.Accepted or not self.is_dirty():
            super().closeEvent(event)
            return
        event.ignore()
        self.reject()


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _phase_line(phase: Phase) -> str:
    where = []
    if phase.side is not None:
        where.append(side_name(phase.side))
    if phase.set_number is not None and phase.sets_total is not None:
        where.append(f"set {phase.set_number}/{phase.sets_total}")
    if phase.round_number is not None and phase.rounds_total is not None:
        where.append(f"round {phase.round_number}/{phase.rounds_total}")
    detail = f" · {', '.join(where)}" if where else ""
    return f"{format_duration(phase.planned_ms):>6}  {phase_name(phase.kind)}{detail}"
