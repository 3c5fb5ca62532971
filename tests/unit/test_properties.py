"""Properties of the timeline, the workout format and the engine, for any valid input."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from legdrive_timer.core import workout_format
from legdrive_timer.core.engine import State
from legdrive_timer.core.events import (
    Countdown,
    Halfway,
    PhaseEnded,
    PhaseStarted,
    RepBeat,
    SessionEnded,
)
from legdrive_timer.core.records import EndReason, SessionStatus
from legdrive_timer.core.timeline import PhaseKind, compile_workout
from legdrive_timer.core.workout import Workout
from tests.helpers import Harness
from tests.unit.strategies import timed_workouts, workouts

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(workouts)
def test_phase_durations_sum_to_the_planned_total(workout: Workout) -> None:
    timeline = compile_workout(workout)
    assert timeline.total_ms == sum(p.planned_ms for p in timeline.phases)
    # What the start screen lists without compiling: exactly the timeline's total.
    assert workout.planned_ms == timeline.total_ms
    # Each phase is rounded to the millisecond at most once.
    assert abs(timeline.total_ms - workout.planned_seconds * 1000) <= len(timeline.phases)
    assert [p.index for p in timeline.phases] == list(range(len(timeline.phases)))
    assert all(p.planned_ms > 0 for p in timeline.phases)
    for phase in timeline.phases:
        assert all(0 <= b.offset_ms < phase.planned_ms for b in phase.beats)
        if phase.kind is PhaseKind.WORK and phase.reps_planned and phase.beats:
            assert len(phase.beats) == 2 * phase.reps_planned


@FAST
@given(workouts)
def test_every_valid_workout_round_trips_through_json(workout: Workout) -> None:
    text = workout_format.dumps(workout)
    assert workout_format.loads(text) == workout
    assert workout_format.dumps(workout_format.loads(text)) == text


@FAST
@given(
    timed_workouts,
    st.lists(st.tuples(st.integers(0, 120_000), st.integers(1, 10_000_000)), max_size=6),
)
def test_pausing_for_any_length_never_changes_what_was_done(
    workout: Workout, pauses: list[tuple[int, int]]
) -> None:
    plain = Harness(workout)
    plain.engine.start()
    plain.scheduler.run_until_idle()

    paused = Harness(workout)
    paused.engine.start()
    for run_ms, pause_ms in pauses:
        paused.advance(run_ms)
        if paused.engine.pause():
            paused.advance(pause_ms)
            paused.engine.resume()
    paused.scheduler.run_until_idle()

    assert plain.engine.record is not None and paused.engine.record is not None
    assert paused.engine.record.segments == plain.engine.record.segments
    kinds = [type(e).__name__ for _, e in paused.events if type(e).__name__ != "Paused"]
    kinds = [k for k in kinds if k != "Resumed"]
    assert kinds == [type(e).__name__ for _, e in plain.events]


commands = st.lists(
    st.one_of(
        st.tuples(st.just("advance"), st.integers(0, 40_000)),
        st.tuples(st.sampled_from(["skip", "back", "pause", "resume", "done"]), st.just(0)),
        st.tuples(st.just("adjust"), st.sampled_from([-10_000, 10_000, -3_000, 500])),
        st.tuples(st.just("stop"), st.just(0)),
        st.tuples(st.just("sleep"), st.integers(3_000, 600_000)),
    ),
    max_size=40,
)


@FAST
@given(workouts, commands)
def test_any_sequence_of_commands_keeps_the_engine_consistent(
    workout: Workout, script: list[tuple[str, int]]
) -> None:
    h = Harness(workout)
    engine = h.engine
    engine.start()
    for name, value in script:
        if name == "advance":
            h.advance(value)
        elif name == "sleep":
            h.clock.now_ms += value  # suspended laptop: the callback comes late
            h.scheduler.advance(0)
        elif name == "adjust":
            engine.adjust(value)
        else:
            getattr(engine, name)()
        if engine.is_active:
            assert engine.phase is not None
            assert 0 <= engine.remaining_ms() <= 3_600_000
            assert engine.elapsed_ms() >= 0
            assert engine.snapshot().session_remaining_ms >= engine.remaining_ms()
            # Exactly one thing is ever pending on the scheduler while running.
            if engine.state is State.PAUSED:
                assert h.scheduler.pending is None
            else:
                assert h.scheduler.pending is not None
    if engine.is_active:
        engine.stop()
    record = engine.record
    assert record is not None
    indices = [s.phase_index for s in record.segments]
    assert indices == sorted(set(indices)), "phases are recorded once each, in order"
    assert all(s.actual_ms >= 0 for s in record.segments)
    assert record.actual_ms == sum(s.actual_ms for s in record.segments)
    for segment in record.segments:
        if segment.reps_done is not None:
            assert 0 <= segment.reps_done <= (segment.reps_planned or 0)
        if segment.end_reason is EndReason.ELAPSED:
            assert segment.actual_ms > 0
    if record.status is SessionStatus.COMPLETED:
        assert indices[-1] == len(engine.timeline.phases) - 1
    started = [e.phase.index for _, e in h.of(PhaseStarted)]  # type: ignore[attr-defined]
    assert all(0 <= i < len(engine.timeline.phases) for i in started)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    timed_workouts,
    st.lists(st.tuples(st.integers(0, 20_000), st.integers(-30_000, 30_000)), max_size=4),
)
def test_the_next_signal_is_the_next_event_beyond_a_plain_tick(
    workout: Workout, adjusts: list[tuple[int, int]]
) -> None:
    """After every event, `next_signal_ms` names the time of the next rep beat, countdown
    second, halfway or phase boundary the session reaches (unless time is added or taken
    before it), and nothing once the session has ended."""
    h = Harness(workout)
    told: list[tuple[int, int | None]] = []
    h.engine.subscribe(lambda _e: told.append((h.clock.now_ms, h.engine.next_signal_ms())))
    h.engine.start()
    adjusted: list[int] = []
    for run_ms, delta_ms in adjusts:
        h.advance(run_ms)
        if h.engine.adjust(delta_ms):
            adjusted.append(h.clock.now_ms)
    h.scheduler.run_until_idle()
    assert h.engine.state is State.FINISHED
    signals = [
        t
        for t, e in h.events
        if isinstance(e, (RepBeat, Countdown, Halfway, PhaseEnded, SessionEnded))
    ]
    for at, due in told:
        later = [t for t in signals if t > at]
        if not later:
            assert due is None
        elif not any(at <= t < later[0] for t in adjusted):
            assert due == later[0]
    assert told[-1][1] is None
