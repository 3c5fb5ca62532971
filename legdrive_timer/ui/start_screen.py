"""The start screen: pick a workout and go with one key."""

from __future__ import annotations

import functools
from collections.abc import Callable, Collection, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from legdrive_timer.core.workout import Workout
from legdrive_timer.core.workout_words import ADJUSTED, describe_workout, workout_length
from legdrive_timer.ui.actions import Actions, key_code
from legdrive_timer.ui.widgets import Badge, FitLabel

if TYPE_CHECKING:
    from PySide6.QtGui import QKeyEvent, QResizeEvent

# Qt.ItemDataRole values as the ints QListWidgetItem.setData/data take: the list is filled
# before the first frame, which must not wait for PySide6 to build `Qt` (see ui.widgets).
ID_ROLE = 0x0100
"""Qt.ItemDataRole.UserRole: the workout id."""
ACCESSIBLE_TEXT_ROLE = 11
"""Qt.ItemDataRole.AccessibleTextRole."""


NAVIGATION_KEYS = ("Up", "Down", "PageUp", "PageDown", "Home", "End")
"""The keys the workout list itself answers; every other key is a command."""


class WorkoutList(QListWidget):
    """The list of workouts. It has the focus, so Space and the letter keys go to the start
    screen's commands first, then to the window's (F, M, ?), never to the list's type-ahead
    search; the arrows still move."""

    def __init__(self, on_key: Callable[[QKeyEvent], bool]) -> None:
        super().__init__()
        self._on_key = on_key

    def keyPressEvent(self, event: QKeyEvent) -> None:
        # An override rather than an event filter: a filter would carry every event the list
        # gets into Python, dozens of them before the first frame.
        if self._on_key(event):
            return
        if any(event.key() == key_code(name) for name in NAVIGATION_KEYS):
            super().keyPressEvent(event)
        else:
            event.ignore()  # on to the window


WORKOUT_COMMANDS = ("new", "edit", "duplicate", "rename", "delete", "import", "export")
"""The commands on the start screen's workouts, in the order of their buttons."""
_NEED_SELECTION = frozenset({"edit", "duplicate", "rename", "delete", "export"})


class StartScreen(QWidget):
    start_requested = Signal(str)
    workout_command_requested = Signal(str, str)
    """(command, the selected workout's id or '') for a command of WORKOUT_COMMANDS."""
    adjust_requested = Signal(str)
    history_requested = Signal()
    sound_requested = Signal()
    coach_requested = Signal(str)
    """The camera coach's settings, with the selected workout's id ('' when none)."""
    help_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("start_screen")
        self._workouts: list[Workout] = []
        self.title = FitLabel("Legdrive Timer", bold=True, max_fraction=0.7)
        self.title.setAccessibleName("Legdrive Timer")
        self.hint = FitLabel(
            "Pick a workout with ↑ ↓ and press Enter or Space to start.", max_fraction=0.6
        )
        self.list = WorkoutList(self._handle_key)
        self.list.setAccessibleName("Workouts")
        self.list.setWordWrap(True)
        self.list.setSpacing(6)
        self.list.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        self.list.itemActivated.connect(lambda _item: self.start_selected())
        self.commands = commands = Actions(self)
        commands.add("start", self.start_selected)
        commands.add("adjust", self._adjust)
        commands.add("sound", self.sound_requested.emit)
        commands.add("history", self.history_requested.emit)
        commands.add("coach", lambda: self.coach_requested.emit(self.selected_id() or ""))
        commands.add("help", self.help_requested.emit)
        for command in WORKOUT_COMMANDS:
            commands.add(command, functools.partial(self.request, command))
        self.start_button = commands.button("start")
        self.adjust_button = commands.button("adjust")
        self.sound_button = commands.button("sound")
        self.history_button = commands.button("history")
        self.coach_button = commands.button("coach")
        self.help_button = commands.button("help")
        for button in self.buttons:
            button.setMinimumHeight(44)
        self.sound_state = Badge(background="#1a1a1a", foreground="#ffffff")
        self.sound_state.setObjectName("sound_state")
        self.sound_state.setAccessibleName("Sound")
        self.sound_state.hide()
        self.status = QLabel()
        self.status.setObjectName("sound_status")
        self.status.setAccessibleName("Sound status")
        self.status.setWordWrap(True)
        self.status.hide()
        self.message = QLabel()
        self.message.setObjectName("workouts_message")
        self.message.setAccessibleName("Workouts message")
        self.message.setWordWrap(True)
        self.message.hide()
        self.command_buttons = {c: commands.button(c) for c in WORKOUT_COMMANDS}
        workout_row = QHBoxLayout()
        for button in self.command_buttons.values():
            button.setMinimumHeight(40)
            workout_row.addWidget(button)

        buttons = QHBoxLayout()
        for button in self.buttons:
            buttons.addWidget(button, 2 if button is self.start_button else 1)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.sound_state, 0)
        layout = QVBoxLayout(self)
        layout.addLayout(top, 10)
        layout.addWidget(self.hint, 5)
        layout.addWidget(self.list, 60)
        layout.addWidget(self.status, 0)
        layout.addWidget(self.message, 0)
        layout.addLayout(workout_row, 8)
        layout.addLayout(buttons, 14)

    def set_workouts(
        self,
        workouts: Sequence[Workout],
        selected_id: str | None,
        *,
        adjusted_ids: Collection[str] = (),
    ) -> None:
        """List `workouts` as they will run; those in `adjusted_ids` are marked as adjusted."""
        current = self.selected_id() or selected_id
        self._workouts = list(workouts)
        self.list.clear()
        for workout in workouts:
            length = workout_length(workout)
            mark = f"  ·  {ADJUSTED}" if workout.id in adjusted_ids else ""
            description = describe_workout(workout)
            item = QListWidgetItem(f"{workout.name}  —  {length}{mark}\n{description}")
            item.setData(ID_ROLE, workout.id)
            spoken = f", {ADJUSTED}" if mark else ""
            item.setData(ACCESSIBLE_TEXT_ROLE, f"{workout.name}, {length}{spoken}. {description}")
            self.list.addItem(item)
        ids = [w.id for w in workouts]
        self.list.setCurrentRow(ids.index(current) if current in ids else 0)

    @property
    def buttons(self) -> list[QPushButton]:
        return [
            self.start_button,
            self.adjust_button,
            self.sound_button,
            self.coach_button,
            self.history_button,
            self.help_button,
        ]

    def set_history_available(self, available: bool) -> None:
        self.commands["history"].setEnabled(available)
        self.history_button.setVisible(available)

    def set_sound_state(self, state: str) -> None:
        """'MUTED · M', 'SOUND OFF', 'NO SOUND', or '' (sound plays: nothing shown)."""
        self.sound_state.setText(state)
        self.sound_state.setAccessibleDescription(state)
        self.sound_state.setVisible(bool(state))

    def request(self, command: str) -> None:
        workout_id = self.selected_id()
        if command in _NEED_SELECTION and workout_id is None:
            return
        self.workout_command_requested.emit(command, workout_id or "")

    def show_message(self, text: str | None) -> None:
        """The outcome of a workout command, or why it could not be done."""
        self.message.setText(text or "")
        self.message.setVisible(bool(text))

    def set_sound_status(self, status: str | None) -> None:
        self.status.setText(status or "")
        self.status.setVisible(bool(status))

    def selected_id(self) -> str | None:
        item = self.list.currentItem()
        return None if item is None else str(item.data(ID_ROLE))

    def start_selected(self) -> None:
        workout_id = self.selected_id()
        if workout_id is not None:
            self.start_requested.emit(workout_id)

    def _adjust(self) -> None:
        workout_id = self.selected_id()
        if workout_id is not None:
            self.adjust_requested.emit(workout_id)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self._handle_key(event):
            super().keyPressEvent(event)

    def _handle_key(self, event: QKeyEvent) -> bool:
        return self.commands.handle_key(event)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_fonts()

    def _fit_fonts(self) -> None:
        base = max(12, min(self.height() // 28, self.width() // 45))
        font = self.list.font()
        font.setPixelSize(base)
        self.list.setFont(font)
        self.list.setIconSize(QSize(base, base))
        for button in self.buttons:
            bf = button.font()
            bf.setPixelSize(max(11, int(base * 0.9)))
            bf.setBold(button is self.start_button)
            button.setFont(bf)
        for button in self.command_buttons.values():
            cf = button.font()
            cf.setPixelSize(max(11, int(base * 0.8)))
            button.setFont(cf)
        sf = self.sound_state.font()
        sf.setPixelSize(max(12, int(base * 1.1)))
        self.sound_state.setFont(sf)
