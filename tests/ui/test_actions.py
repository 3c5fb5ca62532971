"""The action table against the screens: every key the help lists is one the screen
handles, every command has a name, and nothing on screen swallows a click meant for a
button offered there."""

from __future__ import annotations

from collections import Counter

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from legdrive_timer.core.builtins import builtin_workout
from legdrive_timer.core.engine import State
from legdrive_timer.core.overrides import Overrides, apply_overrides
from legdrive_timer.ui.actions import COMMANDS, Action, Actions, key_code
from tests.helpers import workout
from tests.helpers.window import WindowHarness


def _primer(h: WindowHarness) -> None:
    base = builtin_workout("primer")
    assert base is not None
    h.app.start(apply_overrides(base, Overrides(reps=3, prep_s=5)))


def _count_triggers(actions: Actions) -> Counter[str]:
    """Replace each action's handler by a counter: keys are checked, nothing happens."""
    seen: Counter[str] = Counter()
    for action in actions:
        action.triggered.disconnect()
        action.triggered.connect(lambda _=False, a=action: seen.update([a.command.id]))
    return seen


def _press(qtbot: QtBot, target: QWidget, name: str) -> None:
    modifier = Qt.KeyboardModifier.ShiftModifier if name == "Question" else None
    key = Qt.Key(key_code(name))
    if modifier is None:
        qtbot.keyClick(target, key)
    else:
        qtbot.keyClick(target, key, modifier)


def _check_screen(qtbot: QtBot, h: WindowHarness, screen_actions: Actions, target: QWidget) -> None:
    """Each key of the screen's and the window's commands reaches its command, and the
    help lists every one of them."""
    window = h.window
    prompt = window.stability_prompt  # makes 1-5 live
    engine = h.app.engine
    phase = None if engine is None else next((p for p in engine.timeline.phases if p.side), None)
    if phase is not None:
        prompt.ask(phase, None)
    screen_seen = _count_triggers(screen_actions)
    window_seen = _count_triggers(window.commands)
    window.commands["leave_fullscreen"].setEnabled(True)  # as in fullscreen
    for actions, seen in ((screen_actions, screen_seen), (window.commands, window_seen)):
        for action in actions:
            for name in action.command.keys:
                if actions is window.commands and screen_actions.action_for(key_code(name)):
                    continue  # the screen's command for that key comes first
                if action.command.id == "rate" and phase is None:
                    continue
                before = seen[action.command.id]
                _press(qtbot, target, name)
                assert seen[action.command.id] == before + 1, (action.command.id, name)
    lines = dict(window.help_lines())
    for action in [*screen_actions, *window.commands]:
        assert lines.get(action.command.key_label), action.command.id


def test_start_screen_keys_match_its_help(qtbot: QtBot, harness: WindowHarness) -> None:
    h = harness
    start = h.window.start_screen
    _check_screen(qtbot, h, start.commands, start.list)


def test_session_keys_match_its_help(qtbot: QtBot, harness: WindowHarness) -> None:
    h = harness
    _primer(h)
    _check_screen(qtbot, h, h.view.commands, h.view)


def test_help_opens_with_question_mark_on_the_start_screen(
    qtbot: QtBot, harness: WindowHarness
) -> None:
    h = harness
    start = h.window.start_screen
    _press(qtbot, start.list, "Question")
    overlay = h.window.help_overlay
    assert overlay.isVisible()
    text = overlay.label.text()
    for action in [*start.commands, *h.window.commands]:
        assert action.command.help in text
    # The overlay's own button closes it, by click.
    qtbot.mouseClick(overlay.close_button, Qt.MouseButton.LeftButton)
    assert not overlay.isVisible()
    assert h.window.focusWidget() is start.list


def test_f_and_m_work_on_the_start_screen(qtbot: QtBot, harness: WindowHarness) -> None:
    h = harness
    start = h.window.start_screen
    qtbot.keyClick(start.list, Qt.Key.Key_F)
    qtbot.waitUntil(h.window.isFullScreen)
    qtbot.keyClick(start.list, Qt.Key.Key_Escape)  # Esc leaves fullscreen
    qtbot.waitUntil(lambda: not h.window.isFullScreen())
    qtbot.keyClick(start.list, Qt.Key.Key_M)
    assert h.app.settings.muted
    assert start.sound_state.isVisible() and "MUTED" in start.sound_state.text()
    notice = h.window.notice
    assert notice is not None and notice.isVisible() and notice.text() == "Muted"
    qtbot.keyClick(start.list, Qt.Key.Key_M)
    assert not h.app.settings.muted and notice.text() == "Sound on"
    assert start.sound_state.text() in ("", "SOUND OFF")  # audio="off" in the harness


def test_arrows_still_move_the_workout_list(qtbot: QtBot, harness: WindowHarness) -> None:
    start = harness.window.start_screen
    start.list.setCurrentRow(0)
    qtbot.keyClick(start.list, Qt.Key.Key_Down)
    assert start.list.currentRow() == 1


def test_every_command_is_named_and_keyed() -> None:
    for command in COMMANDS.values():
        assert command.keys and command.key_label and command.accessible_name, command.id
        assert command.text and command.help and command.tooltip, command.id
        for name in command.keys:
            key_code(name)  # a real Qt key


def _top_widget_at(button: QWidget) -> QWidget | None:
    window = button.window()
    centre = button.mapTo(window, QPoint(button.width() // 2, button.height() // 2))
    return window.childAt(centre)


def _is_or_inside(widget: QWidget | None, button: QWidget) -> bool:
    while widget is not None:
        if widget is button:
            return True
        widget = widget.parentWidget()
    return False


def test_paused_overlay_buttons_are_clickable(qtbot: QtBot, harness: WindowHarness) -> None:
    h = harness
    _primer(h)
    view = h.view
    view.flash.hide()
    view.primary()
    assert h.app.engine is not None and h.app.engine.state is State.PAUSED
    QApplication.processEvents()
    assert view.paused_overlay.isVisible()
    resume = view.paused_overlay.resume_button
    assert resume.isVisible() and resume.text().startswith("Resume")
    assert _is_or_inside(_top_widget_at(resume), resume)  # nothing lies over it
    qtbot.mouseClick(resume, Qt.MouseButton.LeftButton)
    assert h.app.engine.state is State.PREP
    assert not view.paused_overlay.isVisible()

    view.primary()
    QApplication.processEvents()
    stop = view.paused_overlay.stop_button
    assert _is_or_inside(_top_widget_at(stop), stop)
    qtbot.mouseClick(stop, Qt.MouseButton.LeftButton)
    assert view.confirming_stop
    confirm = view.confirm_overlay.stop_button
    assert _is_or_inside(_top_widget_at(confirm), confirm)
    qtbot.mouseClick(confirm, Qt.MouseButton.LeftButton)
    assert h.app.engine.state is State.STOPPED


def test_the_flash_lets_clicks_through(qtbot: QtBot, harness: WindowHarness) -> None:
    h = harness
    _primer(h)
    assert h.view.flash.isVisible()
    pause = h.view.pause_button
    assert _is_or_inside(_top_widget_at(pause), pause)
    qtbot.mouseClick(pause, Qt.MouseButton.LeftButton)
    assert h.app.engine is not None and h.app.engine.state is State.PAUSED


def test_esc_leaves_a_fullscreen_the_window_manager_entered(
    qtbot: QtBot, harness: WindowHarness
) -> None:
    """Fullscreen set on the native window (a window manager's key, a desktop's menu) and
    not through the app: Esc leaves it, and the paused overlay says so."""
    h = harness
    _primer(h)
    h.view.primary()
    native = h.window.windowHandle()
    assert native is not None
    native.showFullScreen()
    qtbot.waitUntil(h.window.isFullScreen)
    assert h.window.commands["leave_fullscreen"].isEnabled()
    assert h.view.paused_overlay.hint.text() == "Space: resume    Esc: leave fullscreen"
    native.showNormal()
    qtbot.waitUntil(lambda: not h.window.isFullScreen())
    assert not h.window.commands["leave_fullscreen"].isEnabled()
    assert h.view.paused_overlay.hint.text() == "Space: resume    Esc: stop"


def test_paused_overlay_says_what_esc_does_in_fullscreen(
    qtbot: QtBot, harness: WindowHarness
) -> None:
    h = harness
    _primer(h)
    h.view.primary()
    assert h.view.paused_overlay.hint.text() == "Space: resume    Esc: stop"
    h.window.showFullScreen()
    qtbot.waitUntil(h.window.isFullScreen)
    assert h.view.paused_overlay.hint.text() == "Space: resume    Esc: leave fullscreen"
    qtbot.keyClick(h.view, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not h.window.isFullScreen())
    assert not h.view.confirming_stop  # Esc did what the overlay said
    qtbot.keyClick(h.view, Qt.Key.Key_Escape)
    assert h.view.confirming_stop


@pytest.mark.parametrize("command_id", ["primary", "skip", "back", "stop", "help"])
def test_session_buttons_come_from_the_table(harness: WindowHarness, command_id: str) -> None:
    h = harness
    _primer(h)
    action = h.view.commands[command_id]
    assert isinstance(action, Action)
    button = next(b for b in h.view.buttons if b.action is action)
    assert button.text().endswith("\n" + COMMANDS[command_id].key_label)
    assert button.accessibleName() == action.accessible_name
    assert button.toolTip()


def test_the_documented_key_table_is_the_action_table() -> None:
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "window.md").read_text()
    table = doc[doc.index("## Keys") : doc.index("## Colours")]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    documented = {(row.split("|")[1].strip(" `"), row.split("|")[2].strip()) for row in rows}
    for command in COMMANDS.values():
        assert any(
            key == command.key_label and what.startswith(command.help) for key, what in documented
        ), command.id
    assert len(rows) == len(COMMANDS)


def test_history_keys_match_its_help(qtbot: QtBot, harness: WindowHarness) -> None:
    h = harness
    h.app.history.show()
    page = h.app.history.page
    assert page is not None and h.window.current_screen is page
    commands = page.commands  # type: ignore[attr-defined]
    _check_screen(qtbot, h, commands, page)


def test_summary_keys_match_its_help(qtbot: QtBot, harness: WindowHarness) -> None:
    h = harness
    summary = h.run_to_summary(workout("hiit", rounds=1, prep_s=0))
    _check_screen(qtbot, h, summary.commands, summary)
