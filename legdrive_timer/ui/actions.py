"""Every command a person can give, defined once: its keys, button text, accessible name,
tooltip and the line the key help shows for it.

A screen binds the commands it offers to handlers (`Actions.add`), builds its buttons from
them (`Actions.button`), hands its key presses to `Actions.handle_key` and lists them in the
key help (`Actions.help_lines`). So a key, a button and a help line cannot disagree, and a
test can check the help against what each screen handles.

Keys are written as Qt key names without the `Key_` prefix ("Space", "Right", "F") and read
as the ints Qt delivers: neither the start screen nor the session screen builds PySide6's
`Qt` enums (see ui.qt_values).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QPushButton, QSizePolicy, QWidget

from legdrive_timer.ui.qt_values import KEYPAD_MODIFIER, KEYS, SHIFT_MODIFIER, key_and_modifiers
from legdrive_timer.ui.widgets import fitted_pixel_size, set_no_focus

if TYPE_CHECKING:
    from PySide6.QtGui import QKeyEvent, QResizeEvent


@dataclass(frozen=True)
class Command:
    id: str
    keys: tuple[str, ...]
    """Qt key names without `Key_`; the first is the one shown."""
    key_label: str
    """The keys as a person reads them on a button and in the help."""
    text: str
    """Button text (the key label is added below it)."""
    accessible_name: str
    tooltip: str
    help: str
    """What it does, as the key help says it."""


_KEY_LABELS = {
    "Escape": "Esc",
    "Return": "Enter",
    "Question": "?",
    "Right": "→",
    "Left": "←",
    "Up": "↑",
    "Down": "↓",
    "Delete": "Del",
}
"""How a key is written for a person, where not by its Qt name."""


def _command(id: str, keys: str, text: str, help: str, name: str | None = None) -> Command:
    """`keys`: Qt key names separated by spaces, the first one shown, or a range of digits
    ("1-5"). `name`, the accessible name, is the button text unless given."""
    if "-" in keys:
        low, high = keys.split("-")
        names = tuple(str(n) for n in range(int(low), int(high) + 1))
        label = keys
    else:
        names = tuple(keys.split())
        label = _KEY_LABELS.get(names[0], names[0])
    name = name or text
    return Command(id, names, label, text, name, f"{name} ({label})", help)


_TO_START = ("back to the start screen", "Back to the start screen")
_EFFORT_HELP = "how hard it was: 0 easy … 9 (after the leg's 1-5, if it is asked)"
_EDIT_HELP = "edit the selected workout (a built-in: a copy of it)"
"""The help line and accessible name of each way back to the start screen."""

_COMMANDS = (
    # id, keys, button text, help line, accessible name (when not the button text)
    # -- the running session --
    _command("primary", "Space", "Pause", "pause / resume (done, in a self-paced set)"),
    _command("skip", "Right", "Skip ▶", "skip to the next phase", "Skip"),
    _command("back", "Left", "◀ Back", "back: restart this phase (twice: the one before)", "Back"),
    _command("more_time", "Up", "+10 s", "10 s more on this phase", "Ten seconds more"),
    _command("less_time", "Down", "−10 s", "10 s less on this phase", "Ten seconds less"),
    _command("stop", "Escape", "Stop", "stop the session (asks first)"),
    _command("confirm_stop", "Return Enter Y", "Stop", "yes, stop the session", "Stop the session"),
    _command("cancel_stop", "Escape N Space", "Keep going", "no, keep going"),
    # -- every screen --
    _command("help", "Question", "Keys", "show / hide this help", "Show the keys"),
    _command(
        "close_help", "Escape Question Return", "Close", "close this help", "Close the key help"
    ),
    _command("fullscreen", "F", "Fullscreen", "fullscreen on / off"),
    _command("leave_fullscreen", "Escape", "Leave fullscreen", "leave fullscreen (in fullscreen)"),
    _command("mute", "M", "Mute", "mute / unmute"),
    _command(
        "rate", "1-5", "Rate", "rate how stable the leg was, after each side", "Rate the stability"
    ),
    # -- the start screen --
    _command(
        "start", "Return Enter Space", "Start", "start the selected workout", "Start the workout"
    ),
    _command("adjust", "A", "Adjust…", "adjust its lengths", "Adjust interval lengths"),
    _command("sound", "S", "Sound…", "sound settings", "Sound settings"),
    _command("history", "H", "History", "history of past sessions"),
    _command("coach", "C", "Coach…", "camera coach settings", "Camera coach settings"),
    # -- the history screen --
    _command("back_to_start", "Escape", "◀ Back to start", *_TO_START),
    # -- the summary --
    _command("summary_back", "Return Enter Escape", "Back to start", *_TO_START),
    _command("effort", "0-9", "Effort", _EFFORT_HELP, "Rate the effort"),
    _command("effort_up", "Up Plus", "Effort +1", "effort one up, to 10", "Effort one up"),
    _command("effort_down", "Down Minus", "Effort −1", "effort one down", "Effort one down"),
    # -- your workouts, on the start screen --
    _command("new", "N", "New…", "make a new workout in the editor", "New workout"),
    _command("edit", "E", "Edit…", _EDIT_HELP, "Edit the workout"),
    _command("duplicate", "D", "Duplicate", "duplicate it", "Duplicate the workout"),
    _command("rename", "R", "Rename…", "rename it", "Rename the workout"),
    _command(
        "delete", "Delete Backspace", "Delete…", "delete it (asks first)", "Delete the workout"
    ),
    _command("import", "I", "Import…", "import a workout file", "Import a workout file"),
    _command(
        "export",
        "X",
        "Export…",
        "export the selected workout to a file",
        "Export the workout to a file",
    ),
)
COMMANDS: dict[str, Command] = {c.id: c for c in _COMMANDS}

PRIMARY_STATES: dict[str, tuple[str, str]] = {
    "pause": ("Pause", "Pause"),
    "resume": ("Resume", "Resume"),
    "done": ("Done", "Done with this set"),
}
"""The session's Space button by state: text, accessible name."""


class Action(QAction):
    """One command bound to its handler on one screen."""

    def __init__(self, command: Command, handler: Callable[[], object], parent: QWidget) -> None:
        # Not QAction(text, parent): choosing among the overloads builds QIcon's Python enums
        # (over a hundred theme icons), which the start screen's first frame would wait for.
        super().__init__(parent)
        self.setText(command.text)
        self.command = command
        self.accessible_name = command.accessible_name
        self.key_name = command.keys[0]
        """The key that triggered it last (which digit, for `rate`)."""
        self.setToolTip(command.tooltip)
        self.triggered.connect(lambda _checked=False: handler())

    def set_state(self, text: str, accessible_name: str) -> None:
        """Change what the button says (e.g. Pause -> Resume); its key stays."""
        if text != self.text() or accessible_name != self.accessible_name:
            self.accessible_name = accessible_name
            self.setToolTip(f"{accessible_name} ({self.command.key_label})")
            self.setText(text)  # emits changed: the buttons follow


class ActionButton(QPushButton):
    """A button that shows an action: its text over its key, its name, its enabled state.

    With `fit_text`, its font follows its size (the session's buttons grow with the window).
    """

    def __init__(
        self, action: Action, parent: QWidget | None = None, *, fit_text: bool = False
    ) -> None:
        super().__init__(parent)
        self.action = action
        self._fit_text = fit_text
        self._sized = False
        self._fitted_for: tuple[str, int, int] | None = None
        """The text and room the font was last fitted to: the same again needs no fit."""
        set_no_focus(self)  # keys always reach the screen: a focused button swallows Space
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.clicked.connect(action.trigger)
        action.changed.connect(self._sync)
        self._sync()

    def _sync(self) -> None:
        action = self.action
        text = f"{action.text()}\n{action.command.key_label}"
        if text != self.text():
            self.setText(text)
        self.setAccessibleName(action.accessible_name)
        self.setToolTip(action.toolTip())
        self.setEnabled(action.isEnabled())
        self.fit_font()

    def fit_font(self) -> None:
        # Until its first resize (Qt sends one before a widget is first shown) a button has
        # only a placeholder size: that resize fits it.
        if not self._fit_text or not self._sized:
            return
        inner = self.size().shrunkBy(self.contentsMargins())
        inner.setWidth(max(1, inner.width() - 16))
        inner.setHeight(max(1, inner.height() - 10))
        fitting = (self.text(), inner.width(), inner.height())
        if fitting == self._fitted_for:
            return
        self._fitted_for = fitting
        cap = max(8, int(self.height() * 0.32))
        font = self.font()
        font.setBold(True)  # measured as it is drawn
        px = fitted_pixel_size(font, self.text(), inner, wrap=False, tight=False, max_px=cap)
        px = max(8, px)
        if font.pixelSize() != px or not self.font().bold():
            font.setPixelSize(px)
            self.setFont(font)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._sized = True
        self.fit_font()


def key_code(name: str) -> int:
    """The Qt key code for a key name ("Space" -> `Qt.Key.Key_Space`)."""
    return KEYS[name]


def plain_key(event: QKeyEvent) -> bool:
    """No modifier but Shift (for "?") or the keypad's: a key a command may answer."""
    _key, modifiers = key_and_modifiers(event)
    return not (modifiers & ~(KEYPAD_MODIFIER | SHIFT_MODIFIER))


class Actions:
    """The commands one screen offers, with their handlers."""

    def __init__(self, owner: QWidget) -> None:
        self._owner = owner
        self._actions: dict[str, Action] = {}

    def add(self, command_id: str, handler: Callable[[], object]) -> Action:
        action = Action(COMMANDS[command_id], handler, self._owner)
        self._actions[command_id] = action
        return action

    def __getitem__(self, command_id: str) -> Action:
        return self._actions[command_id]

    def __iter__(self) -> Iterator[Action]:
        return iter(self._actions.values())

    def button(self, command_id: str, parent: QWidget | None = None) -> ActionButton:
        return ActionButton(self._actions[command_id], parent)

    def action_for(self, key: int) -> Action | None:
        for action in self._actions.values():
            if any(key_code(name) == key for name in action.command.keys):
                return action
        return None

    def handle_key(self, event: QKeyEvent) -> bool:
        """Trigger the enabled action bound to this key; True if one was."""
        if not plain_key(event):
            return False
        key, _modifiers = key_and_modifiers(event)
        action = self.action_for(key)
        if action is None or not action.isEnabled():
            return False
        action.key_name = next(n for n in action.command.keys if key_code(n) == key)
        action.trigger()
        return True

    def help_lines(self) -> list[tuple[str, str]]:
        return [(a.command.key_label, a.command.help) for a in self._actions.values()]

    def keys(self) -> set[str]:
        return {name for a in self._actions.values() for name in a.command.keys}
