"""The running screen: what to do now, readable from a bench three metres away.

The view holds no timing state: it redraws from `engine.snapshot()` whenever the engine
says something changed (a whole second, a rep beat, a phase, a pause). The only timer here
is the one-shot that ends the transition flash.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import (
    QAccessible,
    QAccessibleEvent,
    QColor,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
)
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from legdrive_timer.core.engine import SessionEngine, Snapshot, State
from legdrive_timer.core.events import (
    Adjusted,
    Countdown,
    Event,
    Halfway,
    Paused,
    PauseReason,
    PhaseStarted,
    RepBeat,
    Resumed,
    SecondTick,
)
from legdrive_timer.core.formatting import format_countdown, format_duration, format_remaining
from legdrive_timer.core.timeline import Motion, Phase, PhaseKind
from legdrive_timer.ui import theme
from legdrive_timer.ui.progress import ProgressStrip
from legdrive_timer.ui.widgets import FitLabel, fitted_pixel_size

ADJUST_STEP_MS = 10_000
FLASH_MS = 250

KEY_HELP = (
    ("Space", "pause / resume (done, in a self-paced set)"),
    ("→", "skip to the next phase"),
    ("←", "back: restart this phase (twice: the one before)"),
    ("↑ / ↓", "10 s more / less on this phase"),
    ("F", "fullscreen"),
    ("M", "mute / unmute"),
    ("Esc", "leave fullscreen, or stop (asks first)"),
    ("1-5", "rate how stable the leg was, after each side"),
    ("?", "show / hide this help"),
)


def phase_title(phase: Phase | None) -> str:
    return theme.style_for(phase.kind if phase else None).title


def where_text(phase: Phase, blocks_total: int) -> str:
    parts = [phase.exercise_name]
    if blocks_total > 1:
        parts.append(f"Block {phase.block_index + 1} of {blocks_total}")
    if phase.set_number is not None and phase.sets_total is not None:
        parts.append(f"Set {phase.set_number} of {phase.sets_total}")
    if phase.side is not None and phase.kind in (PhaseKind.WORK, PhaseKind.PREP):
        parts.append(f"{phase.side.value.upper()} leg")
    if phase.round_number is not None and phase.rounds_total is not None:
        parts.append(f"Round {phase.round_number} of {phase.rounds_total}")
    return "  ·  ".join(parts)


def next_text(next_phase: Phase | None) -> str:
    if next_phase is None:
        return "Next: DONE"
    title = phase_title(next_phase)
    side = f" {next_phase.side.value} leg" if next_phase.side and next_phase.is_work else ""
    return f"Next: {title}{side} {format_duration(next_phase.planned_ms)}"


class _Overlay(QWidget):
    """A full-view layer with a translucent background (pause, confirm, help)."""

    def __init__(self, parent: QWidget, colour: str, alpha: int) -> None:
        super().__init__(parent)
        self._colour = QColor(colour)
        self._colour.setAlpha(alpha)
        self.hide()

    def set_colour(self, colour: str, alpha: int) -> None:
        self._colour = QColor(colour)
        self._colour.setAlpha(alpha)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self._colour)
        painter.end()


def _button(text: str, accessible: str, slot: Callable[[], object]) -> QPushButton:
    button = QPushButton(text)
    button.setAccessibleName(accessible)
    button.setToolTip(accessible)
    # Keys always reach the view: a focused button would swallow Space.
    button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
    button.setMinimumSize(1, 1)
    button.clicked.connect(slot)
    return button


class SessionView(QWidget):
    """Shows one engine; keys and buttons drive it."""

    fullscreen_requested = Signal()
    leave_fullscreen_requested = Signal()
    mute_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("session_view")
        self.setAccessibleName("Session")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._engine: SessionEngine | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._blocks_total = 1
        self._style = theme.PREP
        self.announcement = ""
        """The last phase change as told to assistive technology."""

        self.title = FitLabel(bold=True, max_fraction=0.85)
        self.title.setAccessibleName("Phase")
        self.where = FitLabel(max_fraction=0.7)
        self.where.setAccessibleName("Where in the workout")
        self.digits = FitLabel(tight=True, bold=True, max_fraction=2.0)
        self.digits.setAccessibleName("Seconds left in this phase")
        self.prompt = FitLabel(bold=True, max_fraction=0.8)
        self.prompt.setAccessibleName("Rep or side")
        self.cue = FitLabel(wrap=True, max_fraction=0.6)
        self.cue.setAccessibleName("Form cue")
        self.next = FitLabel(max_fraction=0.75)
        self.next.setAccessibleName("Next phase")
        self.phase_bar = ProgressStrip(halfway_marker=True)
        self.phase_bar.setAccessibleName("Phase progress")
        self.session_bar = ProgressStrip()
        self.session_bar.setAccessibleName("Session progress")
        self.session_left = FitLabel(max_fraction=0.8)
        self.session_left.setAccessibleName("Session time left")

        self.back_button = _button("◀ Back\n←", "Back", self.back)
        self.minus_button = _button("−10 s\n↓", "Ten seconds less", self.less_time)
        self.pause_button = _button("Pause\nSpace", "Pause", self.primary)
        self.plus_button = _button("+10 s\n↑", "Ten seconds more", self.more_time)
        self.skip_button = _button("Skip ▶\n→", "Skip", self.skip)
        self.stop_button = _button("Stop\nEsc", "Stop", self.ask_stop)
        self.help_button = _button("Keys\n?", "Show the keys", self.toggle_help)
        self.buttons = [
            self.back_button,
            self.minus_button,
            self.pause_button,
            self.plus_button,
            self.skip_button,
            self.stop_button,
            self.help_button,
        ]

        session_row = QHBoxLayout()
        session_row.setSpacing(12)
        session_row.addWidget(self.session_bar, 4)
        session_row.addWidget(self.session_left, 1)
        button_row = QHBoxLayout()
        button_row.setSpacing(8)
        for button in self.buttons:
            button_row.addWidget(button, 2 if button is self.pause_button else 1)

        self._layout = QVBoxLayout(self)
        self._layout.setSpacing(2)
        # Shares of the height; the digits get 40 of 100 so their ink stays above 30% of the
        # window even with the rating strip below the view.
        self._rows: list[tuple[object, int]] = [
            (self.title, 11),
            (self.where, 6),
            (self.digits, 40),
            (self.prompt, 9),
            (self.cue, 8),
            (self.next, 5),
            (self.phase_bar, 3),
            (session_row, 4),
            (button_row, 14),
        ]
        for item, stretch in self._rows:
            if isinstance(item, QWidget):
                self._layout.addWidget(item, stretch)
            else:
                assert isinstance(item, QHBoxLayout)
                self._layout.addLayout(item, stretch)

        self.flash = _Overlay(self, theme.FLASH, 200)
        self.flash.setObjectName("flash")
        self._flash_timer = QTimer(self)
        self._flash_timer.setSingleShot(True)
        self._flash_timer.setInterval(FLASH_MS)
        self._flash_timer.timeout.connect(self.flash.hide)

        self.paused_overlay = _Overlay(self, theme.PAUSED_OVERLAY, 215)
        self.paused_overlay.setObjectName("paused_overlay")
        self.paused_title = FitLabel("PAUSED", self.paused_overlay, bold=True)
        self.paused_title.setAccessibleName("Paused")
        self.paused_reason = FitLabel("", self.paused_overlay, wrap=True, max_fraction=0.35)
        self.paused_hint = FitLabel("Space: resume    Esc: stop", self.paused_overlay)
        for label in (self.paused_title, self.paused_reason, self.paused_hint):
            label.set_colour("#ffffff")
        paused_layout = QVBoxLayout(self.paused_overlay)
        paused_layout.addWidget(self.paused_title, 4)
        paused_layout.addWidget(self.paused_reason, 3)
        paused_layout.addWidget(self.paused_hint, 2)

        self.confirm_overlay = _Overlay(self, "#000000", 215)
        self.confirm_overlay.setObjectName("confirm_overlay")
        confirm_title = FitLabel("Stop this session?", self.confirm_overlay, bold=True)
        confirm_title.set_colour("#ffffff")
        confirm_note = FitLabel(
            "What you did so far is kept in the history.", self.confirm_overlay, wrap=True
        )
        confirm_note.set_colour("#ffffff")
        self.confirm_stop_button = _button("Stop\nEnter", "Stop the session", self.confirm_stop)
        self.confirm_keep_button = _button("Keep going\nEsc", "Keep going", self.cancel_stop)
        confirm_buttons = QHBoxLayout()
        confirm_buttons.addWidget(self.confirm_stop_button)
        confirm_buttons.addWidget(self.confirm_keep_button)
        confirm_layout = QVBoxLayout(self.confirm_overlay)
        confirm_layout.addWidget(confirm_title, 3)
        confirm_layout.addWidget(confirm_note, 2)
        confirm_layout.addLayout(confirm_buttons, 3)
        for button in (self.confirm_stop_button, self.confirm_keep_button):
            button.setStyleSheet(
                "QPushButton { color: white; background: #444; border: 3px solid white;"
                " border-radius: 10px; }"
            )

        self.help_overlay = _Overlay(self, "#000000", 225)
        self.help_overlay.setObjectName("help_overlay")
        help_text = "\n".join(f"{key}   {what}" for key, what in KEY_HELP)
        self.help_label = FitLabel(help_text, self.help_overlay, wrap=True, max_fraction=0.08)
        self.help_label.setAccessibleName("Keys")
        self.help_label.set_colour("#ffffff")
        QVBoxLayout(self.help_overlay).addWidget(self.help_label)

        self._apply_style(theme.PREP)

    # -- wiring -------------------------------------------------------------------------

    @property
    def engine(self) -> SessionEngine | None:
        return self._engine

    def attach(self, engine: SessionEngine) -> None:
        self.detach()
        self._engine = engine
        self._blocks_total = len({p.block_index for p in engine.timeline.phases})
        self._unsubscribe = engine.subscribe(self._on_event)
        self.confirm_overlay.hide()
        self.paused_overlay.hide()
        self.help_overlay.hide()
        snapshot = engine.snapshot()
        if snapshot.phase is not None:
            self._apply_style(theme.style_for(snapshot.phase.kind))
        self.refresh()

    def detach(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
        self._unsubscribe = None
        self._engine = None
        self._flash_timer.stop()
        self.flash.hide()

    def _on_event(self, event: Event) -> None:
        if isinstance(event, PhaseStarted):
            self._apply_style(theme.style_for(event.phase.kind))
            self._announce(event.phase)
            self._flash()
            self.refresh()
        elif isinstance(event, Paused):
            self._show_paused(event)
            self.refresh()
        elif isinstance(event, Resumed):
            self.paused_overlay.hide()
            self.refresh()
        elif isinstance(event, SecondTick | RepBeat | Adjusted | Halfway | Countdown):
            self.refresh()

    # -- drawing ------------------------------------------------------------------------

    def refresh(self) -> None:
        if self._engine is None:
            return
        snap = self._engine.snapshot()
        phase = snap.phase
        if phase is None:
            return
        self.title.setText(phase_title(phase))
        self.where.setText(where_text(phase, self._blocks_total))
        if phase.self_paced:
            self.digits.setText(format_countdown(snap.elapsed_ms // 1000))
        else:
            self.digits.setText(format_countdown(math.ceil(snap.remaining_ms / 1000)))
        self.prompt.setText(self._prompt_text(phase, snap))
        self.cue.setText(phase.cue)
        self.next.setText(next_text(snap.next_phase))
        if snap.planned_ms > 0 and not phase.self_paced:
            self.phase_bar.set_fraction(snap.elapsed_ms / snap.planned_ms)
        else:
            self.phase_bar.set_fraction(0.0)
        self.phase_bar.set_halfway_marker(phase.is_work and not phase.self_paced)
        total = max(1, snap.session_total_ms)
        self.session_bar.set_fraction(1 - snap.session_remaining_ms / total)
        self.session_left.setText(f"{format_remaining(snap.session_remaining_ms)} left")
        paused = snap.state is State.PAUSED
        self.pause_button.setText("Resume\nSpace" if paused else "Pause\nSpace")
        self.pause_button.setAccessibleName("Resume" if paused else "Pause")
        if phase.self_paced and not paused:
            self.pause_button.setText("Done\nSpace")
            self.pause_button.setAccessibleName("Done with this set")
        timed = not phase.self_paced
        self.minus_button.setEnabled(timed)
        self.plus_button.setEnabled(timed)
        self._fit_buttons()

    def _prompt_text(self, phase: Phase, snap: Snapshot) -> str:
        if phase.kind is PhaseKind.SWITCH and phase.side is not None:
            return f"Switch: {phase.side.value.upper()} leg"
        if phase.kind is PhaseKind.WORK and phase.reps_planned is not None:
            if phase.self_paced:
                return f"{phase.reps_planned} reps  ·  Space when done"
            if snap.rep is None:
                return f"Rep 1 of {phase.reps_planned}"
            arrow = "▲ UP" if snap.motion is Motion.DRIVE else "▼ DOWN"
            return f"Rep {snap.rep} of {phase.reps_planned}   {arrow}"
        resting = phase.kind in (PhaseKind.SET_REST, PhaseKind.BLOCK_REST, PhaseKind.PREP)
        if resting and phase.side is not None:
            return f"Start on the {phase.side.value.upper()} leg"
        if phase.round_number is not None and phase.rounds_total is not None:
            label = "Round" if phase.is_work else "Rest after round"
            return f"{label} {phase.round_number} of {phase.rounds_total}"
        return ""

    def _apply_style(self, style: theme.PhaseStyle) -> None:
        self._style = style
        fg = style.foreground
        for label in (self.title, self.where, self.digits, self.prompt, self.cue, self.next):
            label.set_colour(fg)
        self.session_left.set_colour(fg)
        self.phase_bar.set_colour(fg)
        self.session_bar.set_colour(fg)
        tint = QColor(fg)
        tint.setAlpha(40)
        for button in self.buttons:
            button.setStyleSheet(
                f"QPushButton {{ color: {fg}; background: rgba({tint.red()}, {tint.green()},"
                f" {tint.blue()}, 40); border: 3px solid {fg}; border-radius: 10px; }}"
                f" QPushButton:disabled {{ color: rgba({tint.red()}, {tint.green()},"
                f" {tint.blue()}, 90); border-color: rgba({tint.red()}, {tint.green()},"
                f" {tint.blue()}, 90); }}"
            )
        # The switch prompt takes room from the digits so the side is unmissable.
        switching = style is theme.SWITCH
        self._layout.setStretch(0, 9 if switching else 11)
        self._layout.setStretch(1, 4 if switching else 6)
        self._layout.setStretch(3, 16 if switching else 9)
        self._layout.setStretch(4, 5 if switching else 8)
        self._layout.setStretch(5, 4 if switching else 5)
        self.update()

    @property
    def background(self) -> str:
        return self._style.background

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor(self._style.background))
        painter.end()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        for overlay in (self.flash, self.paused_overlay, self.confirm_overlay, self.help_overlay):
            overlay.setGeometry(self.rect())
        margin = max(4, min(self.width(), self.height()) // 40)
        self._layout.setContentsMargins(margin, margin // 2, margin, margin)
        self._fit_buttons()

    def _fit_buttons(self) -> None:
        for button in [*self.buttons, self.confirm_stop_button, self.confirm_keep_button]:
            size = button.size()
            inner = size.shrunkBy(button.contentsMargins()) if size.isValid() else size
            inner.setWidth(max(1, inner.width() - 16))
            inner.setHeight(max(1, inner.height() - 10))
            cap = max(8, int(button.height() * 0.32))
            px = fitted_pixel_size(
                button.font(), button.text(), inner, wrap=False, tight=False, max_px=cap
            )
            if button.font().pixelSize() != px:
                font = button.font()
                font.setPixelSize(max(8, px))
                font.setBold(True)
                button.setFont(font)

    # -- transitions, pause, announcements ----------------------------------------------

    def _flash(self) -> None:
        self.flash.setGeometry(self.rect())
        self.flash.raise_()
        self.flash.show()
        self._flash_timer.start()

    def _show_paused(self, event: Paused) -> None:
        if event.reason is PauseReason.LATE_WAKEUP:
            seconds = max(1, round(event.gap_ms / 1000))
            reason = f"Paused: the computer was asleep or busy for {seconds} s."
        else:
            reason = "Paused. Take your time."
        self.paused_reason.setText(reason)
        self.paused_overlay.setGeometry(self.rect())
        self.paused_overlay.show()
        self.paused_overlay.raise_()
        if self.confirm_overlay.isVisible():
            self.confirm_overlay.raise_()
        self._tell(reason)

    def _announce(self, phase: Phase) -> None:
        parts = [phase_title(phase)]
        if phase.kind is PhaseKind.SWITCH and phase.side is not None:
            parts.append(f"switch to the {phase.side.value} leg")
        elif phase.side is not None and phase.is_work:
            parts.append(f"{phase.side.value} leg")
        parts.append(format_duration(phase.planned_ms))
        self._tell(", ".join(parts))

    def _tell(self, text: str) -> None:
        """Hand `text` to screen readers: the phase label is the live region."""
        self.announcement = text
        self.title.setAccessibleDescription(text)
        QAccessible.updateAccessibility(
            QAccessibleEvent(self.title, QAccessible.Event.DescriptionChanged)
        )
        QAccessible.updateAccessibility(QAccessibleEvent(self.title, QAccessible.Event.Alert))

    # -- commands -----------------------------------------------------------------------

    def primary(self) -> None:
        """Space: pause or resume; in a self-paced set it means 'done'."""
        engine = self._engine
        if engine is None:
            return
        phase = engine.phase
        if engine.state is not State.PAUSED and phase is not None and phase.self_paced:
            engine.done()
        else:
            engine.toggle_pause()

    def skip(self) -> None:
        if self._engine is not None:
            self._engine.skip()

    def back(self) -> None:
        if self._engine is not None:
            self._engine.back()

    def more_time(self) -> None:
        if self._engine is not None:
            self._engine.adjust(ADJUST_STEP_MS)

    def less_time(self) -> None:
        if self._engine is not None:
            self._engine.adjust(-ADJUST_STEP_MS)

    def ask_stop(self) -> None:
        if self._engine is None or not self._engine.is_active:
            return
        self.help_overlay.hide()
        self.confirm_overlay.setGeometry(self.rect())
        self.confirm_overlay.show()
        self.confirm_overlay.raise_()
        self._fit_buttons()
        self._tell("Stop this session? Enter stops, Escape keeps going.")

    @property
    def confirming_stop(self) -> bool:
        return self.confirm_overlay.isVisible()

    def confirm_stop(self) -> None:
        self.confirm_overlay.hide()
        if self._engine is not None:
            self._engine.stop()

    def cancel_stop(self) -> None:
        self.confirm_overlay.hide()

    def toggle_help(self) -> None:
        if self.help_overlay.isVisible():
            self.help_overlay.hide()
        else:
            self.help_overlay.setGeometry(self.rect())
            self.help_overlay.show()
            self.help_overlay.raise_()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if (
            event.modifiers()
            & ~Qt.KeyboardModifier.KeypadModifier
            & ~(Qt.KeyboardModifier.ShiftModifier)
        ):
            super().keyPressEvent(event)
            return
        if self.confirming_stop:
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Y):
                self.confirm_stop()
            elif key in (Qt.Key.Key_Escape, Qt.Key.Key_N, Qt.Key.Key_Space):
                self.cancel_stop()
            return
        actions: dict[int, Callable[[], None]] = {
            Qt.Key.Key_Space: self.primary,
            Qt.Key.Key_Right: self.skip,
            Qt.Key.Key_Left: self.back,
            Qt.Key.Key_Up: self.more_time,
            Qt.Key.Key_Down: self.less_time,
            Qt.Key.Key_Question: self.toggle_help,
            Qt.Key.Key_F: self.fullscreen_requested.emit,
            Qt.Key.Key_M: self.mute_requested.emit,
        }
        if key == Qt.Key.Key_Escape:
            if self.help_overlay.isVisible():
                self.help_overlay.hide()
            elif self.window().isFullScreen():
                self.leave_fullscreen_requested.emit()
            else:
                self.ask_stop()
            return
        action = actions.get(key)
        if action is None:
            super().keyPressEvent(event)
            return
        action()
