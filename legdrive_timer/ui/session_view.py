"""The running screen: what to do now, readable from a bench three metres away.

The view holds no timing state: it redraws from `engine.snapshot()` whenever the engine
says something changed (a whole second, a rep beat, a phase, a pause). The only timer here
is the one-shot that ends the transition flash.

What reads from across the room: the phase (title), the working side (written big in that
side's corner, with that side's edge of the screen marked) and one main figure: the rep in a
tempo-paced rep set, the seconds everywhere else. A phase change repaints in the new colours;
nothing is restyled.

From its construction through a whole session it never touches PySide6's `Qt` enums, whose
first use builds about 90 classes at once (see ui.qt_values): the first Start, which builds
the screen, does not wait for them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QRect, QRectF, QSize, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
)
from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from legdrive_timer.core import events
from legdrive_timer.core.engine import SessionEngine, Snapshot, State
from legdrive_timer.core.formatting import format_countdown, format_duration, format_remaining
from legdrive_timer.core.timeline import Motion, Phase, PhaseKind
from legdrive_timer.core.workout import Side
from legdrive_timer.ui import theme
from legdrive_timer.ui.actions import PRIMARY_STATES, Action, ActionButton, Actions, key_code
from legdrive_timer.ui.overlays import OVERLAY_BUTTON_STYLE, Overlay
from legdrive_timer.ui.progress import ProgressStrip
from legdrive_timer.ui.qt_values import (
    ALIGN_CENTER,
    fill_path,
    fill_rect,
    outline_pen,
    rounded_rect,
    set_enum_property,
    translucent,
)
from legdrive_timer.ui.widgets import FitLabel, text_colour

if TYPE_CHECKING:
    from legdrive_timer.ui.coach_strip import CoachStrip

ADJUST_STEP_MS = 10_000
FLASH_MS = 250
DIGITS_ROW = 2
COACH_ROW = 4
BUTTONS_ROW = 9
"""Rows of the layout, by index (see `SessionView._rows`)."""
MIN_BUTTON_PX = 44
MIN_BUTTON_SHARE = 0.07
"""While the rating strip shows, the buttons keep at least this share of the height."""
LAST_SECONDS_TOLD = 3
"""Screen readers hear the countdown's last seconds, not every second."""
FORM_CUE_MS = 4_000
"""How long the camera coach's form cue stands in place of the phase's cue."""
ALERT_WITHIN_MS = 200
"""The latest screen readers are alerted to an announcement when the screen that shows it
is not painted (a minimised window): otherwise on the turn after its paint."""


def phase_title(phase: Phase | None) -> str:
    return theme.style_for(phase.kind if phase else None).title


def side_text(side: Side) -> str:
    """The working side as the screen writes it (the knee that drives), pointing to its edge."""
    return "◀ LEFT" if side is Side.LEFT else "RIGHT ▶"


def stance_text(side: Side) -> str:
    """The article's words: which foot you stand on, which knee you drive."""
    return f"Stand on your {side.other.value.upper()} foot · drive the {side.value.upper()} knee"


def where_text(phase: Phase, blocks_total: int) -> str:
    parts = [phase.exercise_name]
    if blocks_total > 1:
        parts.append(f"Block {phase.block_index + 1} of {blocks_total}")
    if phase.set_number is not None and phase.sets_total is not None:
        parts.append(f"Set {phase.set_number} of {phase.sets_total}")
    if phase.round_number is not None and phase.rounds_total is not None:
        parts.append(f"Round {phase.round_number} of {phase.rounds_total}")
    return "  ·  ".join(parts)


def next_text(next_phase: Phase | None) -> str:
    if next_phase is None:
        return "Next: DONE"
    title = phase_title(next_phase)
    side = f" {next_phase.side.value} knee" if next_phase.side and next_phase.is_work else ""
    return f"Next: {title}{side} {format_duration(next_phase.planned_ms)}"


def counts_reps(phase: Phase) -> bool:
    """A tempo-paced rep set: the rep is the figure to follow, not the seconds."""
    return phase.kind is PhaseKind.WORK and phase.reps_planned is not None and bool(phase.beats)


class PhaseButton(ActionButton):
    """A session button drawn in the phase's text colour: a colour change is a repaint."""

    def __init__(self, action: Action, parent: QWidget | None = None) -> None:
        super().__init__(action, parent, fit_text=True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
        self.setMinimumSize(1, 1)
        self._colour = QColor()
        self.set_colour("#ffffff")

    def set_colour(self, colour: str) -> None:
        if QColor(colour) != self._colour:
            self._colour = QColor(colour)
            text_colour(self, self._colour)
            self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        # No antialiasing: a rounded outline drawn with it costs most of a repaint.
        painter = QPainter(self)  # its pen: the text colour (`text_colour`)
        fg = translucent(self._colour, 255 if self.isEnabled() else 90)
        fill = translucent(self._colour, 110 if self.isDown() else 40)
        border = 3.0
        box = QRectF(self.rect()).adjusted(border / 2, border / 2, -border / 2, -border / 2)
        outline = rounded_rect(box, 10)
        fill_path(painter, outline, fill)
        painter.strokePath(outline, outline_pen(fg, border))
        if not self.isEnabled():
            painter.setOpacity(90 / 255)
        painter.setFont(self.font())
        painter.drawText(self.rect(), ALIGN_CENTER, self.text())
        painter.end()


class SideBadge(QWidget):
    """A square with the side's letter, in the side's corner: tells L from R unread."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.letter = ""
        self._fg = QColor("#ffffff")
        self._bg = QColor("#000000")
        text_colour(self, self._bg)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Ignored)

    def set_letter(self, letter: str) -> None:
        if letter != self.letter:
            self.letter = letter
            self.update()

    def set_colours(self, fg: str, bg: str) -> None:
        self._fg, self._bg = QColor(fg), QColor(bg)
        text_colour(self, self._bg)
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        if not self.letter:
            return
        painter = QPainter(self)  # its pen: the letter's colour, the background's
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        side = min(self.width(), self.height())
        box = QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)
        fill_path(painter, rounded_rect(box, side * 0.15), self._fg)
        font = self.font()
        font.setBold(True)
        font.setPixelSize(max(8, int(side * 0.78)))
        painter.setFont(font)
        painter.drawText(box, ALIGN_CENTER, self.letter)
        painter.end()


_FIGURES_ONLY = (events.SecondTick, events.RepBeat, events.Halfway, events.Countdown)
"""Events that change only the figures on screen: a redraw, nothing else."""


def _overlay_button(action: Action, parent: QWidget) -> ActionButton:
    button = ActionButton(action, parent, fit_text=True)
    button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
    button.setMinimumSize(1, 1)
    button.setStyleSheet(OVERLAY_BUTTON_STYLE)
    return button


class PausedOverlay(Overlay):
    """Over the session while it is paused: why, what the keys do, and the buttons to resume
    and to stop (the session screen's own commands)."""

    def __init__(self, parent: QWidget, commands: Actions) -> None:
        super().__init__(parent, theme.PAUSED_OVERLAY, 215)
        self.setObjectName("paused_overlay")
        self.title = FitLabel("PAUSED", self, bold=True)
        self.title.setAccessibleName("Paused")
        self.reason = FitLabel("", self, wrap=True, max_fraction=0.35)
        self.hint = FitLabel("", self)
        for label in (self.title, self.reason, self.hint):
            label.set_colour("#ffffff")
        # The overlay offers what it says: resume and stop, by key and by click.
        self.resume_button = _overlay_button(commands["primary"], self)
        self.stop_button = _overlay_button(commands["stop"], self)
        self.buttons = [self.resume_button, self.stop_button]
        buttons = QHBoxLayout()
        buttons.addWidget(self.resume_button, 2)
        buttons.addWidget(self.stop_button, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title, 4)
        layout.addWidget(self.reason, 3)
        layout.addWidget(self.hint, 2)
        layout.addLayout(buttons, 3)


class StopConfirmation(Overlay):
    """ "Stop this session?" with its own keys: Enter stops, Escape keeps going."""

    def __init__(
        self, parent: QWidget, confirm: Callable[[], None], cancel: Callable[[], None]
    ) -> None:
        super().__init__(parent, "#000000", 215)
        self.setObjectName("confirm_overlay")
        title = FitLabel("Stop this session?", self, bold=True)
        title.set_colour("#ffffff")
        note = FitLabel("What you did so far is kept in the history.", self, wrap=True)
        note.set_colour("#ffffff")
        self.commands = Actions(self)
        self.commands.add("confirm_stop", confirm)
        self.commands.add("cancel_stop", cancel)
        self.stop_button = _overlay_button(self.commands["confirm_stop"], self)
        self.keep_button = _overlay_button(self.commands["cancel_stop"], self)
        self.buttons = [self.stop_button, self.keep_button]
        buttons = QHBoxLayout()
        buttons.addWidget(self.stop_button)
        buttons.addWidget(self.keep_button)
        layout = QVBoxLayout(self)
        layout.addWidget(title, 3)
        layout.addWidget(note, 2)
        layout.addLayout(buttons, 3)


class SessionView(QWidget):
    """Shows one engine; keys and buttons drive it."""

    help_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("session_view")
        self.setAccessibleName("Session")
        set_enum_property(self, "focusPolicy", "StrongFocus")
        self._engine: SessionEngine | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._blocks_total = 1
        self._added_ms = 0
        self._style = theme.PREP
        self._side: Side | None = None
        self._side_shown = False
        self._told_second: int | None = None
        self._after_paint: list[Callable[[], None]] = []
        self._alerting: dict[FitLabel, None] = {}
        """Labels whose new description screen readers are to be alerted to, in order."""
        self._alert_timer = QTimer(self)
        self._alert_timer.setSingleShot(True)
        self._alert_timer.setInterval(ALERT_WITHIN_MS)
        self._alert_timer.timeout.connect(self._send_alerts)
        self.announcement = ""
        """The last phase change (or last seconds) as told to assistive technology."""

        self.title = FitLabel(bold=True, max_fraction=0.85)
        self.title.setAccessibleName("Phase")
        self.side_left = FitLabel(bold=True, max_fraction=0.85)
        self.side_right = FitLabel(bold=True, max_fraction=0.85)
        set_enum_property(self.side_left, "alignment", "AlignLeft|AlignVCenter")
        set_enum_property(self.side_right, "alignment", "AlignRight|AlignVCenter")
        for label in (self.side_left, self.side_right):
            label.setAccessibleName("Working side")
            label.setContentsMargins(10, 0, 10, 0)
        self.badge_left = SideBadge()
        self.badge_right = SideBadge()
        self.where = FitLabel(max_fraction=0.7)
        self.where.setAccessibleName("Where in the workout")
        self.digits = FitLabel(tight=True, bold=True, max_fraction=2.0)
        self.digits.setAccessibleName("Seconds left in this phase")
        self.prompt = FitLabel(bold=True, max_fraction=0.8)
        self.prompt.setAccessibleName("Rep or side")
        self.cue = FitLabel(wrap=True, max_fraction=0.6)
        self.cue.setAccessibleName("Form cue")
        # The camera coach's row is built the first time the coach is on (most sessions run
        # without it); until then an empty widget holds its place in the layout.
        self._coach: CoachStrip | None = None
        self._coach_place = QWidget()
        self._coach_place.hide()
        self.form_cue = ""
        """The camera coach's cue while it shows (it stands in for the phase's cue)."""
        self._form_cue_timer = QTimer(self)
        self._form_cue_timer.setSingleShot(True)
        self._form_cue_timer.setInterval(FORM_CUE_MS)
        self._form_cue_timer.timeout.connect(lambda: self.show_form_cue(""))
        self.next = FitLabel(max_fraction=0.75)
        self.next.setAccessibleName("Next phase")
        self.phase_bar = ProgressStrip(halfway_marker=True)
        self.phase_bar.setAccessibleName("Phase progress")
        self.session_bar = ProgressStrip()
        self.session_bar.setAccessibleName("Session progress")
        self.session_left = FitLabel(max_fraction=0.8)
        self.session_left.setAccessibleName("Session time left")
        self.sound_state = FitLabel(bold=True, max_fraction=0.8)
        self.sound_state.setAccessibleName("Sound")
        self.sound_state.hide()

        self.commands = commands = Actions(self)
        commands.add("back", self.back)
        commands.add("less_time", self.less_time)
        commands.add("primary", self.primary)
        commands.add("more_time", self.more_time)
        commands.add("skip", self.skip)
        commands.add("stop", self.ask_stop)
        commands.add("help", self.help_requested.emit)
        self.back_button = PhaseButton(commands["back"])
        self.minus_button = PhaseButton(commands["less_time"])
        self.pause_button = PhaseButton(commands["primary"])
        self.plus_button = PhaseButton(commands["more_time"])
        self.skip_button = PhaseButton(commands["skip"])
        self.stop_button = PhaseButton(commands["stop"])
        self.help_button = PhaseButton(commands["help"])
        self.buttons: list[PhaseButton] = [
            self.back_button,
            self.minus_button,
            self.pause_button,
            self.plus_button,
            self.skip_button,
            self.stop_button,
            self.help_button,
        ]

        title_row = QHBoxLayout()
        title_row.setSpacing(8)
        title_row.addWidget(self.badge_left, 0)
        title_row.addWidget(self.side_left, 5)
        title_row.addWidget(self.title, 6)
        title_row.addWidget(self.side_right, 5)
        title_row.addWidget(self.badge_right, 0)
        session_row = QHBoxLayout()
        session_row.setSpacing(12)
        session_row.addWidget(self.session_bar, 4)
        session_row.addWidget(self.session_left, 1)
        session_row.addWidget(self.sound_state, 1)
        button_row = QHBoxLayout()
        button_row.setSpacing(8)
        for button in self.buttons:
            button_row.addWidget(button, 2 if button is self.pause_button else 1)

        self._layout = QVBoxLayout(self)
        self._layout.setSpacing(2)
        self._strip_height = 0
        # Shares of the height; the digits get 40 of 100 so their ink stays above 30% of the
        # window even with the rating strip below the view.
        self._rows: list[tuple[object, int]] = [
            (title_row, 12),
            (self.where, 5),
            (self.digits, 40),
            (self.prompt, 9),
            (self._coach_place, 7),
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

        self.flash = Overlay(self, theme.FLASH, 200)
        self.flash.setObjectName("flash")
        self._flash_timer = QTimer(self)
        self._flash_timer.setSingleShot(True)
        self._flash_timer.setInterval(FLASH_MS)
        self._flash_timer.timeout.connect(self.flash.hide)

        # Built the first time they are needed (most sessions are never paused nor stopped
        # early): `paused_overlay`, `confirm_overlay`.
        self._paused_overlay: PausedOverlay | None = None
        self._confirm_overlay: StopConfirmation | None = None

        self._apply_style(theme.PREP)

    @property
    def coach(self) -> CoachStrip:
        """The camera coach's row, between the rep line and the cue, built hidden."""
        if self._coach is None:
            from legdrive_timer.ui.coach_strip import CoachStrip

            strip = CoachStrip()
            strip.hide()
            strip.set_colours(self._style.foreground, self._style.background)
            self._layout.replaceWidget(self._coach_place, strip)  # its stretch stays
            strip.lower()  # under the flash and the overlays, as the rows built with the screen
            self._coach_place.deleteLater()
            self._rows[COACH_ROW] = (strip, self._rows[COACH_ROW][1])
            self._coach = strip
        return self._coach

    @property
    def paused_overlay(self) -> PausedOverlay:
        if self._paused_overlay is None:
            self._paused_overlay = PausedOverlay(self, self.commands)
            self._paused_overlay.setGeometry(self.rect())
        return self._paused_overlay

    @property
    def confirm_overlay(self) -> StopConfirmation:
        if self._confirm_overlay is None:
            self._confirm_overlay = StopConfirmation(self, self.confirm_stop, self.cancel_stop)
            self._confirm_overlay.setGeometry(self.rect())
        return self._confirm_overlay

    @property
    def overlays(self) -> list[Overlay]:
        """The layers built so far: the flash, and the pause and stop ones once needed."""
        built = (self._paused_overlay, self._confirm_overlay)
        return [self.flash, *(overlay for overlay in built if overlay is not None)]

    @property
    def overlay_buttons(self) -> list[ActionButton]:
        built = (self._paused_overlay, self._confirm_overlay)
        return [button for overlay in built if overlay is not None for button in overlay.buttons]

    # -- wiring -------------------------------------------------------------------------

    @property
    def engine(self) -> SessionEngine | None:
        return self._engine

    def attach(self, engine: SessionEngine) -> None:
        self.detach()
        self._engine = engine
        self._blocks_total = len({p.block_index for p in engine.timeline.phases})
        self._added_ms = 0
        self._unsubscribe = engine.subscribe(self._on_event)
        self._hide_pause_and_stop()
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
        self.show_form_cue("")

    def _on_event(self, event: events.Event) -> None:
        if isinstance(event, events.PhaseStarted):
            self.form_cue = ""  # a form cue speaks of the set it was given in
            self._apply_style(theme.style_for(event.phase.kind))
            self.refresh()
            self._flash()
            self._announce(event.phase)
        elif isinstance(event, events.Paused):
            self._show_paused(event)
            self.refresh()
        elif isinstance(event, events.Resumed):
            if self._paused_overlay is not None:
                self._paused_overlay.hide()
            self.refresh()
        elif isinstance(event, events.Adjusted):
            self._added_ms += event.delta_ms
            self.refresh()
        elif isinstance(
            event, events.SecondTick | events.RepBeat | events.Halfway | events.Countdown
        ):
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
        self._show_side(phase.side)
        self.where.setText(where_text(phase, self._blocks_total))
        seconds = (
            snap.elapsed_ms // 1000 if phase.self_paced else math.ceil(snap.remaining_ms / 1000)
        )
        if counts_reps(phase):
            self.digits.setText(str(snap.rep or 1))
            self.digits.setAccessibleName("Rep")
        else:
            self.digits.setText(format_countdown(seconds))
            self.digits.setAccessibleName(
                "Seconds in this set" if phase.self_paced else "Seconds left in this phase"
            )
        self.prompt.setText(self._prompt_text(phase, snap, seconds))
        self.cue.setText(self.form_cue or phase.cue)
        self._show_cue_row()
        self.next.setText(next_text(snap.next_phase))
        if snap.planned_ms > 0 and not phase.self_paced:
            self.phase_bar.set_fraction(snap.elapsed_ms / snap.planned_ms)
        else:
            self.phase_bar.set_fraction(0.0)
        self.phase_bar.set_halfway_marker(phase.is_work and not phase.self_paced)
        # Time added with +10 s counts in the whole as well: the bar stays true.
        total = max(1, snap.session_total_ms + self._added_ms, snap.session_remaining_ms)
        self.session_bar.set_fraction(1 - snap.session_remaining_ms / total)
        self.session_left.setText(f"{format_remaining(snap.session_remaining_ms)} left")
        paused = snap.state is State.PAUSED
        if paused:
            state = "resume"
        elif phase.self_paced:
            state = "done"
        else:
            state = "pause"
        self.commands["primary"].set_state(*PRIMARY_STATES[state])
        timed = not phase.self_paced
        self.commands["less_time"].setEnabled(timed)
        self.commands["more_time"].setEnabled(timed)
        self._tell_last_seconds(phase, seconds, paused)

    def _show_side(self, side: Side | None) -> None:
        if side == self._side and self._side_shown:
            return
        self._side = side
        self._side_shown = True
        left = side is Side.LEFT
        right = side is Side.RIGHT
        self.side_left.setText(side_text(Side.LEFT) if left else "")
        self.side_right.setText(side_text(Side.RIGHT) if right else "")
        # The side is a block in the text colour on its own half of the title row: it reads
        # apart from the phase's name, and tells left from right before it is read.
        self.side_left.setAutoFillBackground(left)
        self.side_right.setAutoFillBackground(right)
        self.badge_left.set_letter("L" if left else "")
        self.badge_right.set_letter("R" if right else "")
        for label in (self.side_left, self.side_right):
            described = f"{side.value} knee drives" if side is not None else "no side"
            label.setAccessibleDescription(described)
        self.update()  # the side's edge

    def _prompt_text(self, phase: Phase, snap: Snapshot, seconds: int) -> str:
        if phase.kind is PhaseKind.SWITCH and phase.side is not None:
            return stance_text(phase.side)
        if phase.kind is PhaseKind.WORK and phase.reps_planned is not None:
            if phase.self_paced:
                return f"{phase.reps_planned} reps  ·  Space when done"
            arrow = "▲ UP" if snap.motion in (Motion.DRIVE, None) else "▼ DOWN"
            rep = snap.rep or 1
            return f"{arrow}   Rep {rep} of {phase.reps_planned}  ·  {seconds} s"
        resting = phase.kind in (PhaseKind.SET_REST, PhaseKind.BLOCK_REST, PhaseKind.PREP)
        if resting and phase.side is not None:
            return f"Start: {stance_text(phase.side)}"
        if phase.round_number is not None and phase.rounds_total is not None:
            label = "Round" if phase.is_work else "Rest after round"
            return f"{label} {phase.round_number} of {phase.rounds_total}"
        return ""

    def _apply_style(self, style: theme.PhaseStyle) -> None:
        """The phase's colours: palettes and repaints, never a style sheet."""
        if style is self._style and self.title.palette().color(
            self.title.foregroundRole()
        ) == QColor(style.foreground):
            return
        self._style = style
        fg = style.foreground
        for label in (
            self.title,
            self.where,
            self.digits,
            self.prompt,
            self.cue,
            self.next,
            self.session_left,
            self.sound_state,
        ):
            label.set_colour(fg)
        for label in (self.side_left, self.side_right):
            palette = label.palette()
            palette.setColor(label.backgroundRole(), QColor(fg))
            palette.setColor(label.foregroundRole(), QColor(style.background))
            label.setPalette(palette)
        self.phase_bar.set_colour(fg)
        self.session_bar.set_colour(fg)
        if self._coach is not None:
            self._coach.set_colours(fg, style.background)
        self.badge_left.set_colours(fg, style.background)
        self.badge_right.set_colours(fg, style.background)
        for button in self.buttons:
            button.set_colour(fg)
        self.update()

    @property
    def background(self) -> str:
        return self._style.background

    @property
    def side_band_width(self) -> int:
        return max(8, self.width() // 30)

    def call_after_paint(self, callback: Callable[[], None]) -> None:
        """Call `callback` on the event loop's turn after this screen is next painted."""
        if callback not in self._after_paint:
            self._after_paint.append(callback)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        fill_rect(painter, self.rect(), QColor(self._style.background))
        if self._side is not None:
            # The working side's edge of the screen, in the text colour.
            band = self.side_band_width
            x = 0 if self._side is Side.LEFT else self.width() - band
            fill_rect(painter, QRect(x, 0, band, self.height()), QColor(self._style.foreground))
        painter.end()
        if self._after_paint:
            # Queued: the labels on this screen paint after it, in the same update.
            waiting, self._after_paint = self._after_paint, []
            for callback in waiting:
                QTimer.singleShot(0, callback)

    def announce(self, text: str) -> None:
        """Tell screen readers `text` (the camera going on or off, for one)."""
        self._tell(text)

    def show_coach(self, visible: bool) -> None:
        """The camera coach's row, between the rep line and the cue, or not."""
        if visible or self._coach is not None:
            self._show_row(self.coach, visible)
        self._show_cue_row()

    def _show_cue_row(self) -> None:
        # Between sets the coach's row takes the cue's place (there the cue repeats the
        # prompt or the stance), so the big figure keeps its size beside the rating strip.
        phase = self._engine.phase if self._engine is not None else None
        work = phase is not None and phase.is_work
        self._show_row(self.cue, work or self._coach is None or self._coach.isHidden())

    def _show_row(self, row: QWidget, visible: bool) -> None:
        if visible == row.isHidden():
            row.setVisible(visible)
            if self._strip_height:
                self._share_rows()

    def show_form_cue(self, text: str) -> None:
        """The camera coach's cue ("Higher") in place of the phase's cue for a few seconds;
        '' gives the phase's cue back."""
        self.form_cue = text
        if text:
            self._form_cue_timer.start()
            self.cue.setText(text)
            self._tell(text, label=self.cue)
        else:
            self._form_cue_timer.stop()
            phase = self._engine.phase if self._engine is not None else None
            self.cue.setText(phase.cue if phase is not None else "")

    def set_sound_state(self, state: str) -> None:
        """'MUTED · M', 'SOUND OFF', 'NO SOUND', or '' when sound plays."""
        self.sound_state.setText(state)
        self.sound_state.setAccessibleDescription(state)
        self.sound_state.setVisible(bool(state))

    def set_strip_height(self, height: int) -> None:
        """The rating strip below the view takes `height` pixels (0: none). It comes out of
        the buttons' and the digits' share, so the text rows keep their size."""
        if height != self._strip_height:
            self._strip_height = height
            self._share_rows()

    def _share_rows(self) -> None:
        view = max(1, self.height())
        strip = self._strip_height
        if strip <= 0:
            for index, (_item, stretch) in enumerate(self._rows):
                self._layout.setStretch(index, stretch)
            return
        full = view + strip
        flexible = {DIGITS_ROW: 0.0, BUTTONS_ROW: 0.0}
        fixed_total = 0.0
        sizes: list[float] = []
        for index, (item, stretch) in enumerate(self._rows):
            shown = not (isinstance(item, QWidget) and item.isHidden())
            size = stretch * full / 100 if shown else 0.0
            sizes.append(size)
            if index in flexible:
                flexible[index] = size
            else:
                fixed_total += size
        # The strip's height comes out of the buttons first, down to a height a finger
        # still hits, then out of the digits.
        left = max(1.0, view - fixed_total)
        floor = max(MIN_BUTTON_PX, full * MIN_BUTTON_SHARE)
        buttons = min(flexible[BUTTONS_ROW], max(floor, flexible[BUTTONS_ROW] - strip))
        sizes[BUTTONS_ROW] = min(buttons, left / 2)
        sizes[DIGITS_ROW] = left - sizes[BUTTONS_ROW]
        for index, size in enumerate(sizes):
            self._layout.setStretch(index, max(1, round(size * 1000 / view)))

    def fullscreen_changed(self, fullscreen: bool) -> None:
        self._show_paused_hint(fullscreen)

    def fit_to(self, size: QSize) -> None:
        """Take `size` before the screen is first shown, with the margins and badges it
        gives: the layout then places the rows once, where they stay, and each label is
        fitted once to its text (margins set by the first resize would move every row a
        second time)."""
        self.resize(size)
        self._fit_frame()

    def _fit_frame(self) -> None:
        margin = max(4, min(self.width(), self.height()) // 40)
        side = self.side_band_width + margin
        self._layout.setContentsMargins(side, margin // 2, side, margin)
        badge = max(16, int(self.height() * 0.10))
        for b in (self.badge_left, self.badge_right):
            b.setFixedWidth(badge)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        for overlay in self.overlays:
            overlay.setGeometry(self.rect())
        self._fit_frame()
        if self._strip_height:
            self._share_rows()
        self._fit_buttons()

    def _fit_buttons(self) -> None:
        for button in [*self.buttons, *self.overlay_buttons]:
            button.fit_font()

    # -- transitions, pause, announcements ----------------------------------------------

    def _flash(self) -> None:
        self.flash.cover()
        # The flash is a look, not a layer: it lies under the buttons and the overlays, so
        # clicks reach them.
        self.flash.stackUnder(self.back_button)
        self._flash_timer.start()

    def _show_paused_hint(self, fullscreen: bool | None = None) -> None:
        if self._paused_overlay is None:
            return  # said when it is first shown
        if fullscreen is None:
            fullscreen = self.window().isFullScreen()
        esc = "leave fullscreen" if fullscreen else "stop"
        self._paused_overlay.hint.setText(f"Space: resume    Esc: {esc}")

    def _hide_pause_and_stop(self) -> None:
        for overlay in (self._paused_overlay, self._confirm_overlay):
            if overlay is not None:
                overlay.hide()

    def _show_paused(self, event: events.Paused) -> None:
        if event.reason is events.PauseReason.LATE_WAKEUP:
            seconds = max(1, round(event.gap_ms / 1000))
            reason = f"Paused: the computer was asleep or busy for {seconds} s."
        else:
            reason = "Paused. Take your time."
        self.paused_overlay.reason.setText(reason)
        self._show_paused_hint()
        self.paused_overlay.cover()
        if self.confirming_stop:
            self.confirm_overlay.raise_()
        self._fit_buttons()
        self._tell(reason)

    def _announce(self, phase: Phase) -> None:
        parts = [phase_title(phase)]
        if phase.side is not None and phase.kind is PhaseKind.SWITCH:
            parts.append(stance_text(phase.side).lower())
        elif phase.side is not None:
            parts.append(f"{phase.side.value} knee")
        parts.append(format_duration(phase.planned_ms))
        self._told_second = None
        self._tell(", ".join(parts))

    def _tell_last_seconds(self, phase: Phase, seconds: int, paused: bool) -> None:
        if phase.self_paced or paused or not 0 < seconds <= LAST_SECONDS_TOLD:
            return
        if seconds != self._told_second:
            self._told_second = seconds
            self._tell(str(seconds), label=self.digits)

    def _tell(self, text: str, label: FitLabel | None = None) -> None:
        """Hand `text` to screen readers: the phase label is the live region. They are
        alerted on the event loop's turn after the screen shows it, so what they say never
        runs ahead of the screen, and the first phase is painted before QAccessible's types
        are made (its enums are Python classes, made at the first announcement)."""
        label = label or self.title
        self.announcement = text
        label.setAccessibleDescription(text)
        self._alerting[label] = None
        self.call_after_paint(self._send_alerts)
        if not self._alert_timer.isActive():
            self._alert_timer.start()

    def _send_alerts(self) -> None:
        self._alert_timer.stop()
        labels, self._alerting = list(self._alerting), {}
        if not labels:
            return
        from PySide6.QtGui import QAccessible, QAccessibleEvent

        for label in labels:
            QAccessible.updateAccessibility(
                QAccessibleEvent(label, QAccessible.Event.DescriptionChanged)
            )
            QAccessible.updateAccessibility(QAccessibleEvent(label, QAccessible.Event.Alert))

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
        self.confirm_overlay.cover()
        self._fit_buttons()
        self._tell("Stop this session? Enter stops, Escape keeps going.")

    @property
    def confirming_stop(self) -> bool:
        return self._confirm_overlay is not None and self._confirm_overlay.isVisible()

    def confirm_stop(self) -> None:
        self.cancel_stop()
        if self._engine is not None:
            self._engine.stop()

    def cancel_stop(self) -> None:
        if self._confirm_overlay is not None:
            self._confirm_overlay.hide()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.confirming_stop:
            if not self.confirm_overlay.commands.handle_key(event):
                event.ignore()  # on to the window: F, M still work
            return
        if self.window().isFullScreen() and event.key() == key_code("Escape"):
            event.ignore()  # the window's: Esc leaves fullscreen first
            return
        if not self.commands.handle_key(event):
            event.ignore()
