"""The whole window driven by its keys, on a fake clock: texts, colours, prompts, history."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from legdrive_timer.core.engine import State
from legdrive_timer.core.overrides import Overrides
from legdrive_timer.core.records import SessionStatus
from legdrive_timer.ui import theme
from tests.helpers import workout
from tests.helpers.window import WindowHarness


def key(qtbot: QtBot, h: WindowHarness, k: Qt.Key) -> None:
    qtbot.keyClick(h.view, k)


def test_primer_followed_through_by_keys(qtbot: QtBot, harness: WindowHarness) -> None:
    h = harness
    start = h.window.start_screen
    # The start screen: pick the primer and press Enter after shortening it in settings.
    h.app.settings = h.app.settings.with_overrides("primer", Overrides(reps=3, prep_s=5))
    h.app.refresh_workouts()
    start.list.setCurrentRow(0)
    assert start.selected_id() == "primer"
    assert "Warm-up primer" in start.list.item(0).text()
    qtbot.keyClick(start.list, Qt.Key.Key_Return)
    view = h.view
    assert h.window.current_screen is view
    engine = h.app.engine
    assert engine is not None and engine.state is State.PREP

    # Prep: GET READY in green, counting down from 5.
    assert view.title.text() == "GET READY"
    assert view.digits.text() == "5"
    assert view.flash.isVisible()
    assert h.background() == theme.PREP.background
    assert view.next.text() == "Next: DRIVE right knee 8 s"
    assert view.side_right.text() == "RIGHT ▶" and view.side_left.text() == ""
    assert "GET READY" in view.announcement
    h.advance(2000)
    assert view.digits.text() == "3"

    # Work on the right leg: rep beats show up and down.
    h.advance(3000)
    assert view.title.text() == "DRIVE"
    assert h.background() == theme.WORK.background
    assert "Set 1 of 2" in view.where.text() and view.side_right.text() == "RIGHT ▶"
    # In a tempo-paced set the big figure is the rep; the seconds are secondary.
    assert view.digits.text() == "1" and view.digits.accessibleName() == "Rep"
    assert view.prompt.text() == "▲ UP   Rep 1 of 3  ·  8 s"
    assert view.phase_bar.halfway_marker
    h.advance(1000)
    assert view.prompt.text() == "▼ DOWN   Rep 1 of 3  ·  7 s"
    h.advance(1500)
    assert view.prompt.text() == "▲ UP   Rep 2 of 3  ·  5 s"
    assert view.digits.text() == "2"

    # The side is done: the switch screen and the stability prompt, answered with a key.
    h.advance(5000)
    assert view.title.text() == "SWITCH SIDES"
    assert view.prompt.text() == "Stand on your RIGHT foot · drive the LEFT knee"
    assert view.side_left.text() == "◀ LEFT" and view.side_right.text() == ""
    assert h.background() == theme.SWITCH.background
    prompt = h.window.stability_prompt
    assert prompt.isVisible()
    assert prompt.question.text() == "How stable was the right leg?  1-5"
    assert engine.state is State.RUNNING  # the prompt never pauses the timer
    key(qtbot, h, Qt.Key.Key_4)
    assert prompt.rating == 4
    prompt.more_button.click()
    assert prompt.reps_done == 4

    # The left side; the prompt went away when it started.
    h.advance(10_000)
    assert view.title.text() == "DRIVE"
    assert view.side_left.text() == "◀ LEFT"
    assert not prompt.isVisible()
    h.advance(7500)
    assert view.title.text() == "SET REST"
    assert h.background() == theme.SET_REST.background
    assert view.prompt.text() == "Start: Stand on your LEFT foot · drive the RIGHT knee"
    assert prompt.isVisible() and "left leg" in prompt.question.text()

    # Skip the rest with the right arrow; set 2 runs to the end.
    key(qtbot, h, Qt.Key.Key_Right)
    assert view.title.text() == "DRIVE" and "Set 2 of 2" in view.where.text()
    h.scheduler.run_until_idle()
    assert h.window.current_screen is h.window.summary_view
    summary = h.window.summary_view
    assert summary.title.text() == "DONE  ·  Warm-up primer"
    assert "Reps: 13 of 12" in summary.totals.text()  # 3+4 corrected, then 3+3
    assert summary.table.rowCount() == 8
    assert summary.table.item(1, 6).text() == "4 of 5"
    summary.effort_buttons[7].click()

    assert h.app.journal is not None
    assert h.app.journal.wait_saved(20)  # written on the history thread (which opened it)
    store = h.app.store
    assert store is not None
    record = store.session("session-1")
    assert record is not None
    assert record.status is SessionStatus.COMPLETED
    assert record.effort == 7
    first_right = next(s for s in record.segments if s.phase_index == 1)
    assert first_right.stability == 4
    assert first_right.reps_done == 4

    # Back to the start screen with Enter; the primer stays preselected.
    qtbot.keyClick(summary, Qt.Key.Key_Return)
    assert h.window.current_screen is start
    assert start.selected_id() == "primer"
    assert h.app.settings.last_workout_id == "primer"


def test_hiit_pause_back_adjust_and_colours(qtbot: QtBot, harness: WindowHarness) -> None:
    h = harness
    h.app.start(workout("hiit", work_s=20, rest_s=10, rounds=2, prep_s=0))
    view = h.view
    assert view.title.text() == "DRIVE"
    assert view.prompt.text() == "Round 1 of 2"
    assert view.digits.text() == "20"
    work_colour = h.background()
    assert work_colour == theme.WORK.background
    assert view.session_left.text() == "50 s left"

    # Space pauses: the overlay says so, time stands still; Space again resumes.
    h.advance(3000)
    key(qtbot, h, Qt.Key.Key_Space)
    assert view.paused_overlay.isVisible()
    assert "Paused. Take your time." in view.paused_overlay.reason.text()
    assert view.pause_button.accessibleName() == "Resume"
    h.advance(60_000)
    assert view.digits.text() == "17"
    key(qtbot, h, Qt.Key.Key_Space)
    assert not view.paused_overlay.isVisible()

    # Up adds 10 s, Down takes them away again.
    key(qtbot, h, Qt.Key.Key_Up)
    assert view.digits.text() == "27"
    key(qtbot, h, Qt.Key.Key_Down)
    assert view.digits.text() == "17"

    # Rest is lighter than work, not just another hue.
    h.advance(17_000)
    assert view.title.text() == "REST"
    rest_colour = h.background()
    assert rest_colour == theme.REST.background
    assert view.prompt.text() == "Rest after round 1 of 2"
    light_work = theme.lightness(theme.parse_hex(work_colour))
    light_rest = theme.lightness(theme.parse_hex(rest_colour))
    assert light_rest - light_work > 25

    # Left within 2 s of a phase start goes back to the work before it.
    h.advance(1000)
    key(qtbot, h, Qt.Key.Key_Left)
    assert view.title.text() == "DRIVE" and view.digits.text() == "20"
    # Later in a phase, Left restarts it.
    h.advance(5000)
    key(qtbot, h, Qt.Key.Key_Left)
    assert view.digits.text() == "20"


def test_stop_asks_once_then_ends_as_stopped(qtbot: QtBot, harness: WindowHarness) -> None:
    h = harness
    h.app.start(workout("hiit", work_s=20, rest_s=10, rounds=2, prep_s=0))
    view = h.view
    h.advance(4000)
    key(qtbot, h, Qt.Key.Key_Escape)
    assert view.confirming_stop
    assert h.app.engine is not None and h.app.engine.is_active  # nothing stopped yet
    key(qtbot, h, Qt.Key.Key_Escape)  # changed my mind
    assert not view.confirming_stop and h.app.engine.is_active
    key(qtbot, h, Qt.Key.Key_Escape)
    key(qtbot, h, Qt.Key.Key_Return)
    assert h.window.current_screen is h.window.summary_view
    assert h.window.summary_view.title.text().startswith("STOPPED")
    assert h.app.journal is not None
    assert h.app.journal.wait_saved(20)  # written on the history thread (which opened it)
    assert h.app.store is not None
    record = h.app.store.session("session-1")
    assert record is not None and record.status is SessionStatus.STOPPED
    assert record.segments[-1].actual_ms == 4000


def test_stop_button_uses_the_same_confirmation(qtbot: QtBot, harness: WindowHarness) -> None:
    h = harness
    h.app.start(workout("hiit", work_s=20, rest_s=10, rounds=1, prep_s=0))
    qtbot.mouseClick(h.view.stop_button, Qt.MouseButton.LeftButton)
    assert h.view.confirming_stop
    qtbot.mouseClick(h.view.confirm_overlay.stop_button, Qt.MouseButton.LeftButton)
    assert h.app.engine is not None and h.app.engine.state is State.STOPPED


def test_late_wakeup_pause_says_why(harness: WindowHarness) -> None:
    h = harness
    h.app.start(workout("hiit", work_s=20, rest_s=10, rounds=1, prep_s=0))
    h.scheduler.lateness_ms = 42_000
    h.advance(50_000)
    assert h.view.paused_overlay.isVisible()
    assert h.view.paused_overlay.reason.text() == (
        "Paused: the computer was asleep or busy for 42 s."
    )


def test_self_paced_set_ends_with_space(qtbot: QtBot, harness: WindowHarness) -> None:
    import dataclasses

    base = workout("primer", reps=5, prep_s=0, sets=1)
    block = dataclasses.replace(base.blocks[0], tempo=None)  # type: ignore[call-arg]
    h = harness
    h.app.start(dataclasses.replace(base, blocks=(block,)))
    assert h.view.prompt.text() == "5 reps  ·  Space when done"
    assert h.view.pause_button.accessibleName() == "Done with this set"
    h.advance(3000)
    assert h.view.digits.text() == "3"  # counts up
    key(qtbot, h, Qt.Key.Key_Space)
    assert h.view.title.text() == "SWITCH SIDES"


def test_fullscreen_toggle_and_escape(qtbot: QtBot, harness: WindowHarness) -> None:
    h = harness
    h.app.start(workout("hiit", work_s=20, rest_s=10, rounds=1, prep_s=0))
    key(qtbot, h, Qt.Key.Key_F)
    qtbot.waitUntil(h.window.isFullScreen)
    # In fullscreen, Esc only leaves fullscreen; it does not ask to stop.
    key(qtbot, h, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not h.window.isFullScreen())
    assert not h.view.confirming_stop
    key(qtbot, h, Qt.Key.Key_F)
    qtbot.waitUntil(h.window.isFullScreen)
    key(qtbot, h, Qt.Key.Key_F)
    qtbot.waitUntil(lambda: not h.window.isFullScreen())


def test_mute_key_is_remembered(qtbot: QtBot, harness: WindowHarness) -> None:
    h = harness
    h.app.start(workout("hiit", work_s=20, rest_s=10, rounds=1, prep_s=0))
    key(qtbot, h, Qt.Key.Key_M)
    assert h.app.settings.muted
    assert h.app.cues is not None and h.app.cues.muted
    from legdrive_timer.storage.settings import load_settings

    h.app.settings_control.flush()
    saved, problem = load_settings(h.app.paths.settings_file)
    assert problem is None and saved.muted


def test_help_legend_lists_every_key(qtbot: QtBot, harness: WindowHarness) -> None:
    h = harness
    h.app.start(workout("hiit", work_s=20, rest_s=10, rounds=1, prep_s=0))
    qtbot.keyClick(h.view, Qt.Key.Key_Question, Qt.KeyboardModifier.ShiftModifier)
    help_overlay = h.window.help_overlay
    assert help_overlay.isVisible()
    for word in ("Space", "→", "←", "↑", "↓", "F", "M", "Esc", "1-5"):
        assert word in help_overlay.label.text()
    qtbot.keyClick(help_overlay, Qt.Key.Key_Escape)
    assert not help_overlay.isVisible()
    assert not h.view.confirming_stop


def test_every_control_has_an_accessible_name(harness: WindowHarness) -> None:
    from PySide6.QtWidgets import QAbstractButton

    h = harness
    h.app.start(workout("hiit", work_s=20, rest_s=10, rounds=1, prep_s=0))
    for button in h.window.findChildren(QAbstractButton):
        assert button.accessibleName(), button.text()


@pytest.mark.parametrize("rating_key", [Qt.Key.Key_1, Qt.Key.Key_5])
def test_stability_prompt_is_skippable_and_times_out(
    qtbot: QtBot, harness: WindowHarness, rating_key: Qt.Key
) -> None:
    h = harness
    h.app.start(workout("primer", reps=2, prep_s=0, sets=1))
    h.advance(5000)  # right side done
    prompt = h.window.stability_prompt
    assert prompt.isVisible()
    prompt.dismiss_button.click()
    assert not prompt.isVisible()
    qtbot.keyClick(h.view, rating_key)  # no prompt: the key does nothing
    h.advance(10_000 + 5000)  # the left side ends: asked again
    assert prompt.isVisible() and "left" in prompt.question.text()
    qtbot.keyClick(h.view, rating_key)
    assert h.app.journal is not None
    assert h.app.journal.wait_saved(20)  # written on the history thread (which opened it)
    assert h.app.store is not None
    record = h.app.store.session("session-1")
    assert record is not None
    ratings = {s.phase_index: s.stability for s in record.segments}
    assert ratings == {0: None, 1: None, 2: rating_key - Qt.Key.Key_0}


def test_skipped_self_paced_set_and_effort_by_key_on_the_summary(
    qtbot: QtBot, harness: WindowHarness
) -> None:
    import dataclasses

    base = workout("primer", reps=3, prep_s=0, sets=1)
    block = dataclasses.replace(base.blocks[0], tempo=None)  # type: ignore[call-arg]
    h = harness
    h.app.start(dataclasses.replace(base, blocks=(block,)))
    key(qtbot, h, Qt.Key.Key_Right)  # skip the right side's set before counting a rep
    assert h.view.title.text() == "SWITCH SIDES"
    h.advance(10_000)
    key(qtbot, h, Qt.Key.Key_Space)  # the left side's set: done
    h.window.dismiss_stability_prompt()  # so that 1-5 are the effort's again
    summary = h.window.summary_view
    assert h.window.current_screen is summary
    skipped = [summary.table.item(0, c).text() for c in range(summary.table.columnCount())]
    assert skipped[0] == "Drive" and skipped[5] == "– of 3" and skipped[7] == "Skipped"
    assert "None" not in " ".join(skipped)
    assert summary.table.horizontalHeaderItem(7).text() == "Ended"

    def press(k: Qt.Key) -> None:
        target = QApplication.focusWidget() or summary
        assert target is summary
        qtbot.keyClick(target, k)

    press(Qt.Key.Key_8)
    assert summary.effort == 8 and summary.effort_buttons[8].isChecked()
    press(Qt.Key.Key_Up)
    press(Qt.Key.Key_Up)
    press(Qt.Key.Key_Up)  # 10 is the top
    assert summary.effort == 10 and summary.effort_buttons[10].isChecked()
    press(Qt.Key.Key_Down)
    assert h.app.journal is not None
    assert h.app.journal.wait_saved(20)  # written on the history thread (which opened it)
    assert h.app.store is not None
    record = h.app.store.session("session-1")
    assert record is not None and record.effort == 9


def test_summary_keys_come_from_the_action_table_and_yield_to_the_stability_prompt(
    qtbot: QtBot, harness: WindowHarness
) -> None:
    h = harness
    summary = h.run_to_summary(workout("primer", reps=2, sets=1, prep_s=0))
    assert h.window.stability_prompt.isVisible()  # the left leg is asked about
    qtbot.keyClick(summary, Qt.Key.Key_3)  # answers the prompt, not the effort
    assert summary.effort is None and h.window.stability_prompt.rating == 3
    qtbot.keyClick(summary, Qt.Key.Key_3)  # once answered, the digits rate the effort
    assert summary.effort == 3 and h.window.stability_prompt.rating == 3
    qtbot.keyClick(summary, Qt.Key.Key_Plus)
    assert summary.effort == 4
    qtbot.keyClick(summary, Qt.Key.Key_Minus)
    assert summary.effort == 3
    lines = dict(h.window.help_lines())
    for command_id in ("summary_back", "effort", "effort_up", "effort_down"):
        assert summary.commands[command_id].command.key_label in lines, command_id
    assert summary.back_button.text() == "Back to start\nEnter"
    qtbot.mouseClick(summary.back_button, Qt.MouseButton.LeftButton)
    assert h.window.current_screen is h.window.start_screen
