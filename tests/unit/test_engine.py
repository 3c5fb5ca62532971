"""The session engine on a fake clock: whole sessions in milliseconds, no sleeping."""

from __future__ import annotations

import time

import pytest

from legdrive_timer.core.builtins import builtin_workout
from legdrive_timer.core.engine import LATE_WAKEUP_MS, State
from legdrive_timer.core.events import (
    Adjusted,
    Countdown,
    Halfway,
    Paused,
    PauseReason,
    PhaseEnded,
    PhaseStarted,
    RepBeat,
    Resumed,
    SecondTick,
    SessionEnded,
    SessionStarted,
    SideSwitch,
)
from legdrive_timer.core.overrides import Overrides, apply_overrides
from legdrive_timer.core.records import EndReason, SessionStatus
from legdrive_timer.core.timeline import Motion, PhaseKind
from legdrive_timer.core.workout import IntervalBlock, RepSetBlock, Side, Tempo, Workout
from tests.helpers import Harness

T0 = 1_000_000


def short_hiit(rounds: int = 2) -> Workout:
    return Workout(
        id="short",
        name="Short",
        prep_s=3,
        blocks=(IntervalBlock("knees", "Knees", work_s=20, rest_s=10, rounds=rounds),),
    )


ONE_SECOND_TEMPO = Tempo(1.0, 1.0)


def tiny_primer(tempo: Tempo | None = ONE_SECOND_TEMPO) -> Workout:
    return Workout(
        id="tiny",
        name="Tiny",
        prep_s=0,
        blocks=(
            RepSetBlock(
                "knee-drive",
                "Knee drive",
                sets=2,
                reps=3,
                tempo=tempo,
                switch_s=5,
                set_rest_s=10,
            ),
        ),
    )


def test_full_session_runs_in_well_under_a_second() -> None:
    h = Harness(builtin_workout("full"))  # type: ignore[arg-type]
    started = time.perf_counter()
    h.engine.start()
    h.scheduler.run_until_idle()
    wall = time.perf_counter() - started
    assert wall < 1.0
    assert h.engine.state is State.FINISHED
    record = h.engine.record
    assert record is not None
    assert record.status is SessionStatus.COMPLETED
    assert record.actual_ms == record.planned_ms == h.engine.timeline.total_ms
    assert h.clock.now_ms - T0 == h.engine.timeline.total_ms
    assert [s.phase_index for s in record.segments] == list(range(len(h.engine.timeline.phases)))


def test_phases_start_exactly_at_their_planned_times() -> None:
    h = Harness(short_hiit())
    h.engine.start()
    h.scheduler.run_until_idle()
    starts = [(t - T0, e.phase.kind) for t, e in h.of(PhaseStarted)]  # type: ignore[attr-defined]
    assert starts == [
        (0, PhaseKind.PREP),
        (3000, PhaseKind.WORK),
        (23000, PhaseKind.REST),
        (33000, PhaseKind.WORK),
    ]
    assert isinstance(h.events[0][1], SessionStarted)
    assert isinstance(h.events[-1][1], SessionEnded)


def test_late_callbacks_do_not_accumulate_drift() -> None:
    h = Harness(short_hiit(rounds=8))
    h.scheduler.lateness_ms = 7  # every callback 7 ms late
    h.engine.start()
    h.scheduler.run_until_idle()
    starts = [t - T0 for t, e in h.of(PhaseStarted)]
    planned = [0]
    for phase in h.engine.timeline.phases[:-1]:
        planned.append(planned[-1] + phase.planned_ms)
    # Each phase is noticed at most one callback late, never later and later.
    assert all(0 <= s - p <= 7 for s, p in zip(starts, planned, strict=True))


def test_countdown_ticks_and_halfway_in_a_work_phase() -> None:
    h = Harness(short_hiit(rounds=1))
    h.engine.start()
    h.scheduler.run_until_idle()
    work = h.engine.timeline.phases[1]
    countdown = [(t - T0, e.seconds) for t, e in h.of(Countdown) if e.phase is work]  # type: ignore[attr-defined]
    assert countdown == [(3000 + 17000, 3), (3000 + 18000, 2), (3000 + 19000, 1)]
    halfway = [t - T0 for t, e in h.of(Halfway)]
    assert halfway == [3000 + 10000]
    ticks = [e.remaining_ms for _, e in h.of(SecondTick) if e.phase is work]  # type: ignore[attr-defined]
    assert ticks == list(range(19000, 0, -1000))


def test_rep_beats_follow_the_tempo_and_sides_switch() -> None:
    h = Harness(tiny_primer())
    h.engine.start()
    h.scheduler.run_until_idle()
    first_work = h.engine.timeline.phases[0]
    beats = [(t - T0, e.beat.rep, e.beat.motion) for t, e in h.of(RepBeat) if e.phase is first_work]  # type: ignore[attr-defined]
    assert beats == [
        (0, 1, Motion.DRIVE),
        (1000, 1, Motion.LOWER),
        (2000, 2, Motion.DRIVE),
        (3000, 2, Motion.LOWER),
        (4000, 3, Motion.DRIVE),
        (5000, 3, Motion.LOWER),
    ]
    switches = [(t - T0, e.side) for t, e in h.of(SideSwitch)]  # type: ignore[attr-defined]
    assert switches == [(6000, Side.LEFT), (6000 + 5000 + 6000 + 10000 + 6000, Side.LEFT)]
    record = h.engine.record
    assert record is not None
    work = [s for s in record.segments if s.kind is PhaseKind.WORK]
    assert [(s.side, s.set_number, s.reps_done) for s in work] == [
        (Side.RIGHT, 1, 3),
        (Side.LEFT, 1, 3),
        (Side.RIGHT, 2, 3),
        (Side.LEFT, 2, 3),
    ]


def test_pause_keeps_remaining_time_and_never_changes_what_was_done() -> None:
    h = Harness(short_hiit())
    h.engine.start()
    h.advance(8_500)
    assert h.engine.remaining_ms() == 14_500
    assert h.engine.pause()
    h.advance(3_600_000)
    assert h.engine.state is State.PAUSED
    assert h.engine.remaining_ms() == 14_500
    assert h.engine.resume()
    h.scheduler.run_until_idle()
    record = h.engine.record
    assert record is not None
    assert record.actual_ms == record.planned_ms
    assert [type(e) for _, e in h.events].count(Paused) == 1
    assert [type(e) for _, e in h.events].count(Resumed) == 1


def test_skip_records_actual_time_and_moves_on() -> None:
    h = Harness(short_hiit())
    h.engine.start()
    h.advance(3000 + 5000)
    h.engine.skip()
    assert h.engine.phase is not None and h.engine.phase.kind is PhaseKind.REST
    ended = [e for _, e in h.of(PhaseEnded)]
    assert ended[-1].reason is EndReason.SKIPPED  # type: ignore[attr-defined]
    assert ended[-1].segment.actual_ms == 5000  # type: ignore[attr-defined]


def test_back_restarts_the_phase_or_goes_to_the_previous_one() -> None:
    h = Harness(short_hiit())
    h.engine.start()
    h.advance(3000 + 5000)  # 5 s into work
    h.engine.back()
    assert h.engine.phase is not None and h.engine.phase.index == 1
    assert h.engine.remaining_ms() == 20_000
    h.advance(1000)
    h.engine.back()  # within 2 s: previous phase (prep)
    assert h.engine.phase is not None and h.engine.phase.kind is PhaseKind.PREP
    assert h.engine.remaining_ms() == 3000
    h.scheduler.run_until_idle()
    record = h.engine.record
    assert record is not None
    assert [s.phase_index for s in record.segments] == [0, 1, 2, 3]


def test_adjust_adds_and_removes_time_but_leaves_at_least_a_second() -> None:
    h = Harness(short_hiit())
    h.engine.start()
    h.advance(3000 + 2000)
    assert h.engine.adjust(10_000)
    assert h.engine.remaining_ms() == 28_000
    assert h.engine.adjust(-10_000)
    assert h.engine.remaining_ms() == 18_000
    assert h.engine.adjust(-60_000)
    assert h.engine.remaining_ms() == 1000
    adjusted = [e for _, e in h.of(Adjusted)]
    assert [a.delta_ms for a in adjusted] == [10_000, -10_000, -17_000]  # type: ignore[attr-defined]
    h.advance(1000)
    assert h.engine.phase is not None and h.engine.phase.kind is PhaseKind.REST


def test_stop_ends_the_session_as_stopped_with_the_partial_phase() -> None:
    h = Harness(short_hiit())
    h.engine.start()
    h.advance(3000 + 7000)
    assert h.engine.stop()
    assert h.engine.state is State.STOPPED
    record = h.engine.record
    assert record is not None
    assert record.status is SessionStatus.STOPPED
    assert [(s.kind, s.actual_ms, s.end_reason) for s in record.segments] == [
        (PhaseKind.PREP, 3000, EndReason.ELAPSED),
        (PhaseKind.WORK, 7000, EndReason.STOPPED),
    ]
    assert h.scheduler.pending is None
    assert not h.engine.skip()


def test_self_paced_phase_waits_for_done() -> None:
    h = Harness(tiny_primer(tempo=None))
    h.engine.start()
    h.advance(60_000)
    phase = h.engine.phase
    assert phase is not None and phase.self_paced and phase.index == 0
    ticks = [e.elapsed_ms for _, e in h.of(SecondTick)]  # type: ignore[attr-defined]
    assert ticks[:3] == [1000, 2000, 3000]
    assert not h.engine.adjust(10_000)
    assert h.engine.done()
    assert h.engine.phase is not None and h.engine.phase.kind is PhaseKind.SWITCH
    segment = h.engine.record or [e for _, e in h.of(PhaseEnded)][-1].segment  # type: ignore[attr-defined]
    assert segment.reps_done == 3  # type: ignore[union-attr]
    assert segment.actual_ms == 60_000  # type: ignore[union-attr]


def test_a_late_wakeup_pauses_instead_of_firing_stale_cues() -> None:
    h = Harness(short_hiit())
    h.engine.start()
    h.advance(3000 + 4000)
    count = len(h.events)
    h.clock.now_ms += 45_000  # the laptop slept through the rest of the session's timing
    h.scheduler.advance(0)
    new = [e for _, e in h.events[count:]]
    assert len(new) == 1
    paused = new[0]
    assert isinstance(paused, Paused)
    assert paused.reason is PauseReason.LATE_WAKEUP
    assert paused.gap_ms >= LATE_WAKEUP_MS
    assert h.engine.remaining_ms() == 20_000 - 5000  # frozen where it was last on time
    h.engine.resume()
    h.scheduler.run_until_idle()
    assert h.engine.record is not None
    assert h.engine.record.status is SessionStatus.COMPLETED


def test_a_slightly_late_wakeup_catches_up_without_pausing() -> None:
    h = Harness(short_hiit())
    h.engine.start()
    h.advance(3000 + 4000)
    h.clock.now_ms += 2500  # busy machine, under the threshold
    h.scheduler.advance(0)
    assert h.engine.state is State.RUNNING
    assert h.engine.remaining_ms() == 20_000 - 6500


def test_commands_before_start_and_after_the_end_are_ignored() -> None:
    h = Harness(short_hiit())
    assert not h.engine.pause()
    assert not h.engine.skip()
    assert not h.engine.stop()
    h.engine.start()
    h.scheduler.run_until_idle()
    assert not h.engine.resume()
    assert not h.engine.back()
    assert not h.engine.adjust(1000)


def test_overrides_replace_the_matching_lengths() -> None:
    hiit = builtin_workout("hiit")
    assert hiit is not None
    changed = apply_overrides(hiit, Overrides(work_s=2, rest_s=1, rounds=2, prep_s=0))
    h = Harness(changed)
    h.engine.start()
    h.scheduler.run_until_idle()
    kinds = [(e.phase.kind, e.phase.planned_ms) for _, e in h.of(PhaseStarted)]  # type: ignore[attr-defined]
    assert kinds == [(PhaseKind.WORK, 2000), (PhaseKind.REST, 1000), (PhaseKind.WORK, 2000)]


@pytest.mark.parametrize("workout_id", ["primer", "hiit", "full", "banded-primer", "step-up-drive"])
def test_every_builtin_runs_to_completion(workout_id: str) -> None:
    workout = builtin_workout(workout_id)
    assert workout is not None
    h = Harness(workout)
    h.engine.start()
    h.scheduler.run_until_idle()
    assert h.engine.record is not None
    assert h.engine.record.status is SessionStatus.COMPLETED
