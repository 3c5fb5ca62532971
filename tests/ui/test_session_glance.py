"""The session screen read from a bench: the side, the main figure, the sound state, the
text sizes with the rating strip, the progress after +10 s and what a screen reader hears."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFontMetrics
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from legdrive_timer.core.builtins import builtin_workout
from legdrive_timer.core.overrides import Overrides, apply_overrides
from legdrive_timer.ui import theme
from legdrive_timer.ui.widgets import FitLabel
from tests.helpers import workout
from tests.helpers.window import WindowHarness

# Offsets into the shortened primer: prep 5 s, right 7.5 s, switch 10 s, left, set rest.
MOMENTS = {
    "GET READY": (1000, "right"),
    "DRIVE": (6500, "right"),
    "SWITCH SIDES": (13_000, "left"),
    "SET REST": (30_000, "right"),
}


def _primer(h: WindowHarness) -> None:
    base = builtin_workout("primer")
    assert base is not None
    h.app.start(apply_overrides(base, Overrides(reps=3, prep_s=5)))


def _ink_height(label: FitLabel) -> int:
    return QFontMetrics(label.font()).tightBoundingRect(label.text()).height()


def _edge_colour(h: WindowHarness, left: bool) -> str:
    h.view.flash.hide()
    image = h.view.grab().toImage()
    x = 2 if left else image.width() - 3
    return image.pixelColor(x, image.height() // 2).name()


@pytest.mark.parametrize("size", [(800, 480), (1366, 768), (1024, 600)])
def test_working_side_reads_from_three_metres(
    qtbot: QtBot, harness: WindowHarness, size: tuple[int, int]
) -> None:
    h = harness
    h.window.resize(*size)
    _primer(h)
    view = h.view
    elapsed = 0
    for title, (at, side) in MOMENTS.items():
        h.advance(at - elapsed)
        elapsed = at
        QApplication.processEvents()
        assert view.title.text() == title
        label = view.side_left if side == "left" else view.side_right
        other = view.side_right if side == "left" else view.side_left
        assert side.upper() in label.text() and other.text() == ""
        # Written at least as large as the rep line, and 6% of the window or more.
        assert label.font().pixelSize() >= view.prompt.font().pixelSize(), title
        assert label.font().pixelSize() >= 0.06 * h.window.height(), title
        # Told apart unread: the badge letter and that side's edge in the text colour.
        badge = view.badge_left if side == "left" else view.badge_right
        assert badge.letter == side[0].upper()
        style = theme.style_for(view.engine.phase.kind if view.engine else None)
        assert _edge_colour(h, side == "left") == QColor(style.foreground).name()
        assert _edge_colour(h, side != "left") == QColor(style.background).name()


def test_hiit_shows_no_side(harness: WindowHarness) -> None:
    h = harness
    h.app.start(workout("hiit", rounds=1, prep_s=0))
    assert h.view.side_left.text() == h.view.side_right.text() == ""
    assert h.view.badge_left.letter == h.view.badge_right.letter == ""


def test_the_rep_is_the_largest_figure_in_a_tempo_set(harness: WindowHarness) -> None:
    h = harness
    _primer(h)
    h.advance(6500)
    QApplication.processEvents()
    view = h.view
    assert view.title.text() == "DRIVE"
    assert view.digits.text() == "1" and view.digits.accessibleName() == "Rep"
    assert "Rep 1 of 3" in view.prompt.text() and "s" in view.prompt.text()
    biggest = max(
        (view.title, view.side_right, view.prompt, view.cue, view.next, view.where),
        key=lambda label: label.font().pixelSize(),
    )
    assert _ink_height(view.digits) > 1.5 * biggest.font().pixelSize()


def test_intervals_show_seconds(harness: WindowHarness) -> None:
    h = harness
    h.app.start(workout("hiit", rounds=1, prep_s=0, work_s=20))
    assert h.view.digits.text() == "20"
    assert h.view.digits.accessibleName() == "Seconds left in this phase"


def test_mute_is_shown_on_the_session_and_said(qtbot: QtBot, harness: WindowHarness) -> None:
    h = harness
    _primer(h)
    view = h.view
    assert not view.sound_state.isVisible() or view.sound_state.text() == "SOUND OFF"
    qtbot.keyClick(view, Qt.Key.Key_M)
    assert view.sound_state.isVisible() and view.sound_state.text() == "MUTED · M"
    assert h.window.notice is not None and h.window.notice.text() == "Muted"
    assert h.window.notice.isVisible()
    qtbot.keyClick(view, Qt.Key.Key_M)
    assert h.window.notice.text() == "Sound on"
    assert view.sound_state.text() != "MUTED · M"


def test_mute_survives_a_restart_and_shows_at_once(qtbot: QtBot, data_paths) -> None:  # type: ignore[no-untyped-def]
    from legdrive_timer.storage.settings import Settings, save_settings

    save_settings(data_paths.settings_file, Settings(muted=True))
    h = WindowHarness(data_paths)
    qtbot.addWidget(h.window)
    h.window.show()
    start = h.window.start_screen
    assert start.sound_state.isVisible() and start.sound_state.text() == "MUTED · M"


def test_no_sound_is_shown_on_every_screen(qtbot: QtBot, harness: WindowHarness) -> None:
    h = harness
    h.app.sound._on_status("No audio device was found; the session runs silently.")
    start = h.window.start_screen
    assert start.sound_state.text() == "NO SOUND" and start.sound_state.isVisible()
    assert any("No audio device" in m for m in h.window.banner.messages())
    _primer(h)
    assert h.view.sound_state.text() == "NO SOUND" and h.view.sound_state.isVisible()


@pytest.mark.parametrize("size", [(800, 480), (1366, 768)])
def test_rating_strip_keeps_the_text_size(
    qtbot: QtBot, harness: WindowHarness, size: tuple[int, int]
) -> None:
    h = harness
    h.window.resize(*size)
    _primer(h)
    h.advance(13_000)  # the switch: the strip asks about the right leg
    QApplication.processEvents()
    prompt = h.window.stability_prompt
    assert prompt.isVisible()
    with_strip = {
        name: getattr(h.view, name).font().pixelSize()
        for name in ("cue", "where", "prompt", "title", "next")
    }
    prompt.dismiss()
    QApplication.processEvents()
    without = {name: getattr(h.view, name).font().pixelSize() for name in with_strip}
    for name, px in with_strip.items():
        assert px >= without[name] - 1, (name, px, without[name])
    assert with_strip["cue"] >= 14


def test_progress_bar_stays_true_after_ten_seconds_more(
    qtbot: QtBot, harness: WindowHarness
) -> None:
    h = harness
    h.app.start(workout("hiit", rounds=2, prep_s=0, work_s=20, rest_s=10))
    h.advance(15_000)
    before = h.view.session_bar.fraction
    assert 0.2 < before < 0.4
    for _ in range(3):
        qtbot.keyClick(h.view, Qt.Key.Key_Up)
    after = h.view.session_bar.fraction
    # 15 s done of 20 + 10 + 20 s with 30 s added: 15 / 80, then on from there.
    assert after == pytest.approx(15 / 80, abs=0.01)
    h.advance(30_000)
    assert h.view.session_bar.fraction == pytest.approx(45 / 80, abs=0.01)


def test_screen_readers_hear_phases_and_the_last_seconds(harness: WindowHarness) -> None:
    h = harness
    h.app.start(workout("hiit", rounds=1, prep_s=0, work_s=10))
    view = h.view
    told: list[str] = []
    last = view.announcement
    assert last.startswith("DRIVE")
    for _ in range(10):
        h.advance(1000)
        if view.announcement != last:
            last = view.announcement
            told.append(last)
    # Not every second: the last three only.
    assert told[:3] == ["3", "2", "1"]
    assert len(told) <= 4


def test_side_label_has_an_accessible_value(harness: WindowHarness) -> None:
    h = harness
    _primer(h)
    h.advance(6500)
    assert h.view.side_right.accessibleName() == "Working side"
    assert h.view.side_right.accessibleDescription() == "right knee drives"
    assert "right knee" in h.view.announcement or h.view.announcement.isdigit()


def test_a_phase_change_repaints_and_restyles_nothing(
    qtbot: QtBot, harness: WindowHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    from PySide6.QtWidgets import QWidget

    h = harness
    _primer(h)
    restyled: list[str] = []
    original = QWidget.setStyleSheet

    def spy(widget: QWidget, sheet: str) -> None:
        restyled.append(widget.objectName() or type(widget).__name__)
        original(widget, sheet)

    monkeypatch.setattr(QWidget, "setStyleSheet", spy)
    elapsed = 0
    for at in (6500, 13_000, 30_000):  # work, switch, set rest
        h.advance(at - elapsed)
        elapsed = at
    assert restyled == []
    assert all(button.styleSheet() == "" for button in h.view.buttons)


def test_the_history_hears_a_phase_after_the_screen_shows_it(
    qtbot: QtBot, harness: WindowHarness
) -> None:
    h = harness
    _primer(h)
    h.advance(5000)  # prep ends: the right side's drive starts
    assert h.view.title.text() == "DRIVE"  # on screen now
    session = h.app.session
    assert session._for_history  # the history's share waits for the event loop
    qtbot.waitUntil(lambda: not session._for_history, timeout=2000)
    journal = h.app.journal
    assert journal is not None and journal.wait_saved(20)
    store = h.app.store
    assert store is not None
    record = store.session("session-1")
    assert record is not None and [s.phase_index for s in record.segments] == [0]
