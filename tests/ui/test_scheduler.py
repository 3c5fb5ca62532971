"""The Qt scheduler adapter: one precise single-shot timer, re-aimed at each deadline."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from pytestqt.qtbot import QtBot

from legdrive_timer.core.clock import monotonic_ms
from legdrive_timer.core.engine import SessionEngine, State
from legdrive_timer.core.timeline import compile_workout
from legdrive_timer.core.workout import IntervalBlock, Workout
from legdrive_timer.ui.scheduler import QtScheduler
from tests.helpers.fakes import FakeClock


def test_the_timer_is_precise_and_single_shot(qtbot: QtBot) -> None:
    scheduler = QtScheduler(FakeClock())
    timer = scheduler.findChild(QTimer)
    assert timer is not None
    assert timer.timerType() is Qt.TimerType.PreciseTimer
    assert timer.isSingleShot()


def test_arming_again_replaces_the_pending_call_and_cancel_disarms(qtbot: QtBot) -> None:
    clock = FakeClock()
    scheduler = QtScheduler(clock)
    calls: list[str] = []
    scheduler.call_at(clock.now_ms + 60_000, lambda: calls.append("first"))
    scheduler.call_at(clock.now_ms, lambda: calls.append("second"))
    qtbot.waitUntil(lambda: calls == ["second"], timeout=2000)
    assert not scheduler.is_armed
    scheduler.call_at(clock.now_ms, lambda: calls.append("third"))
    scheduler.cancel()
    assert not scheduler.is_armed
    qtbot.wait(20)
    assert calls == ["second"]


def test_the_delay_is_the_deadline_minus_the_clock(qtbot: QtBot) -> None:
    clock = FakeClock()
    scheduler = QtScheduler(clock)
    timer = scheduler.findChild(QTimer)
    assert timer is not None
    scheduler.call_at(clock.now_ms + 1234, lambda: None)
    assert timer.interval() == 1234
    scheduler.call_at(clock.now_ms - 500, lambda: None)  # already late: fire at once
    assert timer.interval() == 0
    scheduler.cancel()


def test_an_engine_runs_a_short_session_on_the_qt_event_loop(qtbot: QtBot) -> None:
    workout = Workout(
        id="tiny",
        name="Tiny",
        prep_s=0,
        blocks=(IntervalBlock("knees", "Knees", work_s=1, rest_s=1, rounds=1),),
    )
    engine = SessionEngine(compile_workout(workout), monotonic_ms, QtScheduler(monotonic_ms))
    engine.start()
    qtbot.waitUntil(lambda: engine.state is State.FINISHED, timeout=5000)
    assert engine.record is not None
    assert engine.record.actual_ms == 1000
