"""The Qt scheduler adapter: one precise single-shot timer, re-aimed at each deadline."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt, QTimer
from pytestqt.qtbot import QtBot

from legdrive_timer.core.clock import SystemClock, monotonic_ms, suspend_aware_ms
from legdrive_timer.core.engine import SessionEngine, State
from legdrive_timer.core.timeline import compile_workout
from legdrive_timer.core.workout import IntervalBlock, Workout
from legdrive_timer.ui.scheduler import FINISH_MS, QtScheduler
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


class NanosecondClock:
    """A system clock read by hand, in nanoseconds."""

    def __init__(self, now_ns: int = 5_000_000_000) -> None:
        self.now_ns = now_ns

    def __call__(self) -> int:
        return self.now_ns


def sleeper(
    clock: NanosecondClock, share: float = 1.0
) -> tuple[list[float], Callable[[float], None]]:
    """A sleep that moves `clock` on by `share` of what it was asked for (a sleep that
    returns early when below 1), and the list of what it was asked for."""
    asked: list[float] = []

    def sleep(seconds: float) -> None:
        asked.append(seconds)
        clock.now_ns += max(1, round(seconds * 1e9 * share))

    return asked, sleep


def test_on_a_nanosecond_clock_the_timer_is_aimed_early_and_the_rest_slept(qtbot: QtBot) -> None:
    ns = NanosecondClock(5_000_400_000)  # 0.4 ms into millisecond 5000
    asked, sleep = sleeper(ns)
    scheduler = QtScheduler(SystemClock(ns), sleep=sleep)
    timer = scheduler.findChild(QTimer)
    assert timer is not None
    ran_at: list[int] = []
    scheduler.call_at(5010, lambda: ran_at.append(ns.now_ns))
    assert timer.interval() == 10 - FINISH_MS
    ns.now_ns = 5_008_700_000  # the timer fires 1.3 ms before the deadline
    qtbot.waitUntil(lambda: bool(ran_at), timeout=2000)
    assert asked == [pytest.approx(0.0013)]
    assert ran_at == [5_010_000_000]


def test_a_sleep_that_returns_early_is_slept_again_until_the_deadline(qtbot: QtBot) -> None:
    ns = NanosecondClock()
    asked, sleep = sleeper(ns, share=0.25)
    scheduler = QtScheduler(SystemClock(ns), sleep=sleep)
    ran_at: list[int] = []
    deadline_ms = ns.now_ns // 1_000_000 + 1
    scheduler.call_at(deadline_ms, lambda: ran_at.append(ns.now_ns))
    qtbot.waitUntil(lambda: bool(ran_at), timeout=2000)
    assert len(asked) > 1
    assert ran_at[0] >= deadline_ms * 1_000_000


def test_a_late_timer_runs_the_callback_without_sleeping(qtbot: QtBot) -> None:
    ns = NanosecondClock()
    asked, sleep = sleeper(ns)
    scheduler = QtScheduler(SystemClock(ns), sleep=sleep)
    calls: list[str] = []
    scheduler.call_at(ns.now_ns // 1_000_000 - 40, lambda: calls.append("late"))
    qtbot.waitUntil(lambda: calls == ["late"], timeout=2000)
    assert asked == []


def test_a_timer_firing_far_too_early_is_aimed_again_not_slept_out(qtbot: QtBot) -> None:
    ns = NanosecondClock()
    asked, sleep = sleeper(ns)
    scheduler = QtScheduler(SystemClock(ns), sleep=sleep)
    timer = scheduler.findChild(QTimer)
    assert timer is not None
    calls: list[str] = []
    deadline_ms = ns.now_ns // 1_000_000 + FINISH_MS  # armed at once ...
    scheduler.call_at(deadline_ms, lambda: calls.append("due"))
    ns.now_ns -= 60_000_000  # ... and when it fires, the deadline is 62 ms away
    qtbot.waitUntil(lambda: timer.interval() > 0, timeout=2000)
    assert timer.interval() == 62 - FINISH_MS
    assert scheduler.is_armed
    assert calls == []
    assert asked == []
    scheduler.cancel()


def test_waking_runs_the_pending_callback_at_once_without_sleeping(qtbot: QtBot) -> None:
    ns = NanosecondClock()
    asked, sleep = sleeper(ns)
    scheduler = QtScheduler(SystemClock(ns), sleep=sleep)
    calls: list[str] = []
    scheduler.call_at(ns.now_ns // 1_000_000 + 1, lambda: calls.append("woken"))
    scheduler.wake()
    assert calls == ["woken"]
    assert asked == []
    assert not scheduler.is_armed


def test_the_system_clocks_read_whole_milliseconds_of_their_nanoseconds() -> None:
    for clock in (monotonic_ms, suspend_aware_ms):
        assert isinstance(clock, SystemClock)
        before = clock.ns() // 1_000_000
        reading = clock()
        assert before <= reading <= clock.ns() // 1_000_000
    assert monotonic_ms.ns is time.monotonic_ns


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    armed_at_ns=st.integers(0, 999_999),
    fired_from_deadline_us=st.integers(-(FINISH_MS + 1) * 1000, 5000),
    sleep_share=st.sampled_from([0.1, 0.5, 1.0, 1.3]),
)
def test_the_callback_never_runs_before_its_deadline_nor_sleeps_long(
    qtbot: QtBot, armed_at_ns: int, fired_from_deadline_us: int, sleep_share: float
) -> None:
    ns = NanosecondClock(7_000_000_000 + armed_at_ns)
    asked, sleep = sleeper(ns, share=sleep_share)
    scheduler = QtScheduler(SystemClock(ns), sleep=sleep)
    deadline_ms = ns() // 1_000_000 + FINISH_MS  # the timer is armed to fire at once
    ran_at: list[int] = []
    scheduler.call_at(deadline_ms, lambda: ran_at.append(ns.now_ns))
    ns.now_ns = deadline_ms * 1_000_000 + fired_from_deadline_us * 1000  # when it fires
    qtbot.waitUntil(lambda: bool(ran_at), timeout=2000)
    assert ran_at[0] >= deadline_ms * 1_000_000
    assert max(asked, default=0) <= (FINISH_MS + 1) / 1000
    if fired_from_deadline_us >= 0:
        assert asked == []
