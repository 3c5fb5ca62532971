"""The main window: a banner for problems, the screens, and the rating strip.

Window-wide commands live here (? help, F fullscreen, M mute, 1-5 rate, Esc leaves
fullscreen); each screen handles its own first and passes the rest up. The window only shows
things and forwards what the user asks for.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, Signal
from PySide6.QtGui import QColor, QWindow
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from legdrive_timer import APP_NAME
from legdrive_timer.ui.actions import Actions
from legdrive_timer.ui.qt_values import fill_rect
from legdrive_timer.ui.start_screen import StartScreen
from legdrive_timer.ui.widgets import set_no_focus, text_colour

if TYPE_CHECKING:
    from PySide6.QtGui import QCloseEvent, QKeyEvent, QPaintEvent, QResizeEvent, QShowEvent

    from legdrive_timer.ui.overlays import KeyHelp, Notice
    from legdrive_timer.ui.prompts import StabilityPrompt
    from legdrive_timer.ui.session_view import SessionView
    from legdrive_timer.ui.summary_view import SummaryView

STARTUP_MARKER_ENV = "LEGDRIVE_TIMER_STARTUP_MARKER"
STARTUP_MARKER = "legdrive-timer: first frame painted"


class Banner(QFrame):
    """Problems worth knowing about (damaged history, no sound, a bad settings file): dark
    text on pale yellow, a dark yellow line below.

    Painted rather than styled by a style sheet, which would bring Qt's style sheet engine
    into every start for a banner that is usually hidden (see ui.widgets). The plate's colours
    stay off the palette, which the close button would inherit (its outline follows the
    window colour). What only a shown banner needs, the text's palette and the painter, is
    made when it first shows: PySide6 builds each class's bindings at its first use.
    """

    BACKGROUND = "#fff3c4"
    LINE = "#8a6d00"
    LINE_WIDTH = 2
    TEXT = "#1a1a1a"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self._background = QColor(self.BACKGROUND)
        self._line = QColor(self.LINE)
        self._messages: dict[str, str] = {}
        self.label = QLabel()
        self.label.setObjectName("banner_text")
        self._text_coloured = False
        self.label.setWordWrap(True)
        self.label.setAccessibleName("Notice")
        self.close_button = QPushButton("✕")
        self.close_button.setAccessibleName("Dismiss the notice")
        set_no_focus(self.close_button)
        self.close_button.setMinimumSize(40, 40)
        self.close_button.clicked.connect(self.clear)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 4, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.close_button)
        self.hide()

    def set_message(self, key: str, text: str | None) -> None:
        if text:
            self._messages[key] = text
        else:
            self._messages.pop(key, None)
        self._refresh()

    def messages(self) -> list[str]:
        return list(self._messages.values())

    def clear(self) -> None:
        self._messages.clear()
        self._refresh()

    def _refresh(self) -> None:
        if self._messages and not self._text_coloured:
            text_colour(self.label, QColor(self.TEXT))
            self._text_coloured = True
        self.label.setText("\n".join(self._messages.values()))
        self.label.setAccessibleDescription(self.label.text())
        self.setVisible(bool(self._messages))

    def paintEvent(self, event: QPaintEvent) -> None:
        from PySide6.QtGui import QPainter

        painter = QPainter(self)
        width, height = self.width(), self.height()
        fill_rect(painter, QRect(0, 0, width, height - self.LINE_WIDTH), self._background)
        fill_rect(painter, QRect(0, height - self.LINE_WIDTH, width, self.LINE_WIDTH), self._line)
        painter.end()


class MainWindow(QMainWindow):
    mute_requested = Signal()
    first_painted = Signal()
    stability_rated = Signal(int, int)
    """From the rating strip: phase index, rating 1-5."""
    reps_corrected = Signal(int, int)
    """From the rating strip: phase index, reps done."""
    closing = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle(APP_NAME)
        self.setObjectName("main_window")
        self.setMinimumSize(480, 320)
        self.banner = Banner()
        self.stack = QStackedWidget()
        self.start_screen = StartScreen()
        self.stack.addWidget(self.start_screen)
        # The session and summary screens are built when first needed: the start screen
        # alone is what has to appear fast.
        self._session_view: SessionView | None = None
        self._summary_view: SummaryView | None = None
        self.summary_created: list[Callable[[SummaryView], None]] = []
        self.close_guards: list[Callable[[], bool]] = []
        """Asked when the person closes the window; one returning False keeps it open (an
        editor with unsaved changes asks first)."""
        self._stability_prompt: StabilityPrompt | None = None
        central = QWidget()
        self._layout = QVBoxLayout(central)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(0)
        self._layout.addWidget(self.banner)
        self._layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self._painted = False
        self._watched_window: QWindow | None = None
        self.muted = False
        self._sound_off: str | None = None
        self._sound_problem: str | None = None
        self._help: KeyHelp | None = None
        self._notice: Notice | None = None
        self.commands = Actions(self)
        self.commands.add("help", self.toggle_help)
        self.commands.add("fullscreen", self.toggle_fullscreen)
        self.commands.add("leave_fullscreen", self.leave_fullscreen).setEnabled(False)
        self.commands.add("mute", self.mute_requested.emit)
        self.commands.add("rate", self._rate)

    @property
    def session_view(self) -> SessionView:
        """The session screen, built when first asked for: by the first Start, not while
        the person picks a workout (the start screen is all most starts need at first)."""
        if self._session_view is None:
            from legdrive_timer.ui.session_view import SessionView

            view = SessionView()
            view.help_requested.connect(self.toggle_help)
            view.set_sound_state(self.sound_state)
            self.stack.addWidget(view)
            view.fit_to(self.stack.size())  # laid out once, at the size it is shown at
            self._session_view = view
        return self._session_view

    @property
    def has_session_view(self) -> bool:
        """Whether the session screen has been built yet."""
        return self._session_view is not None

    @property
    def stability_prompt(self) -> StabilityPrompt:
        """The rating strip below the screens, built at its first use (never at start)."""
        if self._stability_prompt is None:
            from legdrive_timer.ui.prompts import StabilityPrompt

            prompt = StabilityPrompt()
            prompt.rated.connect(self.stability_rated)
            prompt.reps_corrected.connect(self.reps_corrected)
            prompt.shown_changed.connect(self._strip_shown)
            prompt.setFixedHeight(self._prompt_height())
            self._layout.addWidget(prompt)
            self._stability_prompt = prompt
        return self._stability_prompt

    # -- sound state, on every screen ----------------------------------------------------

    def set_sound_status(self, status: str | None, *, problem: str | None = None) -> None:
        """Sound off by choice (`status`, a quiet note) or not working (`problem`: the
        banner says why); either way every screen shows that no sound will come."""
        self._sound_off = status
        self._sound_problem = problem
        self.banner.set_message("sound", problem)
        self.start_screen.set_sound_status(status)
        self._show_sound_state()

    def set_muted(self, muted: bool) -> None:
        self.muted = muted
        self._show_sound_state()

    @property
    def sound_state(self) -> str:
        """What the screens say about sound: '' when it plays."""
        if self.muted:
            return "MUTED · M"
        if self._sound_off:
            return "SOUND OFF"
        if self._sound_problem:
            return "NO SOUND"
        return ""

    def _show_sound_state(self) -> None:
        state = self.sound_state
        self.start_screen.set_sound_state(state)
        if self._session_view is not None:
            self._session_view.set_sound_state(state)

    def notify(self, text: str) -> None:
        """Say `text` briefly over the current screen (e.g. 'Muted' after M)."""
        if self._notice is None:
            from legdrive_timer.ui.overlays import Notice

            self._notice = Notice(self.stack)
        self._notice.say(text)

    @property
    def notice(self) -> Notice | None:
        return self._notice

    # -- key help ------------------------------------------------------------------------

    @property
    def help_overlay(self) -> KeyHelp:
        if self._help is None:
            from legdrive_timer.ui.overlays import KeyHelp

            self._help = KeyHelp(self.stack)
        return self._help

    @property
    def help_visible(self) -> bool:
        return self._help is not None and self._help.isVisible()

    def help_lines(self) -> list[tuple[str, str]]:
        """The keys of the current screen, then the window's."""
        screen_actions = getattr(self.current_screen, "commands", None)
        lines = screen_actions.help_lines() if isinstance(screen_actions, Actions) else []
        window = self.commands.help_lines()
        if self.isFullScreen():
            # In fullscreen Esc leaves fullscreen first, whatever the screen does with it.
            leave = self.commands["leave_fullscreen"].command
            return [(leave.key_label, leave.help), *lines, *window]
        return [*lines, *window]

    def toggle_help(self) -> None:
        if self.help_visible:
            self.help_overlay.close_help()
        else:
            self.help_overlay.open(self.help_lines(), self.focusWidget())

    def _strip_shown(self, shown: bool) -> None:
        if self._session_view is not None and self._stability_prompt is not None:
            self._session_view.set_strip_height(self._prompt_height() if shown else 0)

    def _prompt_open(self) -> bool:
        """The stability prompt is up and not answered yet: 1-5 are its keys until it is."""
        prompt = self._stability_prompt
        return prompt is not None and prompt.isVisible() and prompt.rating is None

    def prompt_asking(self, phase_index: int) -> StabilityPrompt | None:
        """The rating strip, while it is open for that phase's set."""
        prompt = self._stability_prompt
        if prompt is None or not prompt.isVisible() or prompt.phase_index != phase_index:
            return None
        return prompt

    def dismiss_stability_prompt(self) -> None:
        if self._stability_prompt is not None:
            self._stability_prompt.dismiss()

    def _prompt_height(self) -> int:
        # The rating strip grows with the window so it can be hit and read from the bench.
        return max(48, self.height() // 9)

    @property
    def summary_view(self) -> SummaryView:
        if self._summary_view is None:
            from legdrive_timer.ui.summary_view import SummaryView

            view = SummaryView()
            view.digits_taken = self._prompt_open
            self.stack.addWidget(view)
            self._summary_view = view
            for created in self.summary_created:
                created(view)
        return self._summary_view

    def show_screen(self, screen: QWidget) -> None:
        self.stack.setCurrentWidget(screen)
        focus = self.start_screen.list if screen is self.start_screen else screen
        focus.setFocus()  # Qt.FocusReason.OtherFocusReason

    @property
    def current_screen(self) -> QWidget | None:
        return self.stack.currentWidget()

    def toggle_fullscreen(self) -> None:
        if self.isFullScreen():
            self.leave_fullscreen()
        else:
            self.showFullScreen()

    def leave_fullscreen(self) -> None:
        self.showNormal()

    def _rate(self) -> None:
        prompt = self._stability_prompt
        if prompt is not None and prompt.isVisible():
            prompt.rate(int(self.commands["rate"].key_name))

    def keyPressEvent(self, event: QKeyEvent) -> None:

        prompt = self._stability_prompt
        self.commands["rate"].setEnabled(prompt is not None and prompt.isVisible())
        if self.commands.handle_key(event):
            return
        super().keyPressEvent(event)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # Fullscreen on and off is heard from the native window, not from changeEvent: a
        # Python changeEvent gets every kind of QEvent, and PySide6 looks for the most
        # derived class of each, which builds the bindings of some fifty event classes
        # (about 1 MiB) before the first frame.
        handle = self.windowHandle()
        if handle is not None and handle is not self._watched_window:
            self._watched_window = handle
            handle.visibilityChanged.connect(self._visibility_changed)
        self._fullscreen_changed(self.isFullScreen())

    def _visibility_changed(self, visibility: QWindow.Visibility) -> None:
        # From the window manager this comes before the widget's own state follows:
        # what the native window says is the news.
        self._fullscreen_changed(visibility == QWindow.Visibility.FullScreen)

    def _fullscreen_changed(self, fullscreen: bool) -> None:
        self.commands["leave_fullscreen"].setEnabled(fullscreen)
        if self._session_view is not None:
            self._session_view.fullscreen_changed(fullscreen)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._stability_prompt is not None:
            self._stability_prompt.setFixedHeight(self._prompt_height())
            self._strip_shown(self._stability_prompt.isVisible())
        if self._help is not None and self._help.isVisible():
            self._help.setGeometry(self.stack.rect())

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            if os.environ.get(STARTUP_MARKER_ENV):
                # The startup benchmark measures from process start to this line.
                print(f"{STARTUP_MARKER} {time.monotonic():.6f}", file=sys.stderr, flush=True)
            self.first_painted.emit()

    def closeEvent(self, event: QCloseEvent) -> None:
        # Only a close the person asked for may be held back: the app closing itself (a
        # signal, --quit-when-done) must not wait for a question.
        if event.spontaneous() and not all(guard() for guard in self.close_guards):
            event.ignore()
            return
        self.closing.emit()
        super().closeEvent(event)
