"""The engine's transition table and its run-to-completion rule.

Listeners react to events by calling the engine (an "auto-skip rest" option, a remote
control): such a command waits until the transition that raised the event is complete and
the events already queued are delivered, so no phase ends twice and none goes missing.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from legdrive_timer.core.engine import MAX_PHASE_MS, TRANSITIONS, Command, SessionEngine, State
from legdrive_timer.core.events import (
    Event,
    PhaseEnded,
    PhaseStarted,
    RepBeat,
    SessionEnded,
    SessionStarted,
)
from legdrive_timer.core.records import EndReason, SessionStatus
from legdrive_timer.core.timeline import PhaseKind
from legdrive_timer.core.workout import IntervalBlock, RepSetBlock, Tempo, Workout
from tests.helpers import Harness
from tests.unit.strategies import workouts

USER_COMMANDS: dict[str, Callable[[SessionEngine], object]] = {
    "start": lambda e: e.start(),
    "pause": lambda e: e.pause(),
    "resume": lambda e: e.resume(),
    "toggle_pause": lambda e: e.toggle_pause(),
    "skip": lambda e: e.skip(),
    "done": lambda e: e.done(),
    "back": lambda e: e.back(),
    "adjust+": lambda e: e.adjust(10_000),
    "adjust-": lambda e: e.adjust(-10_000),
    "stop": lambda e: e.stop(),
}
EVENT_TYPES: tuple[type, ...] = typing.get_args(Event)


def mixed_workout(tempo: Tempo | None) -> Workout:
    """Every kind of phase and event: prep, sides with a switch, set rest, a block rest,
    work long enough for a halfway, rest, and a countdown in each."""
    return Workout(
        id="mixed",
        name="Mixed",
        prep_s=3,
        block_rest_s=4,
        blocks=(
            RepSetBlock("knee", "Knee", sets=2, reps=2, tempo=tempo, switch_s=3, set_rest_s=4),
            IntervalBlock("run", "Run", work_s=12, rest_s=4, rounds=2),
        ),
    )


def check_consistent(h: Harness) -> None:
    """What any listener may rely on whenever it is called."""
    engine = h.engine
    if engine.is_active:
        assert engine.phase is not None
        assert 0 <= engine.remaining_ms() <= MAX_PHASE_MS
        assert engine.snapshot().session_remaining_ms >= engine.remaining_ms()
        # Armed exactly while the session runs.
        assert (h.scheduler.pending is not None) == (engine.state is not State.PAUSED)
    else:
        assert h.scheduler.pending is None
        assert (engine.record is not None) == (engine.state is not State.IDLE)


def check_story(h: Harness) -> None:
    """The events and the record tell one story: every phase ends once, in order."""
    events = [e for _, e in h.events]
    assert isinstance(events[0], SessionStarted)
    assert isinstance(events[-1], SessionEnded)
    assert sum(isinstance(e, SessionStarted | SessionEnded) for e in events) == 2
    current: int | None = None
    ended = False
    for event in events:
        if isinstance(event, PhaseStarted):
            current, ended = event.phase.index, False
        elif isinstance(event, PhaseEnded):
            assert event.phase.index == current, "a phase ends only while it is current"
            assert not ended, f"phase {current} ended twice"
            ended = True
    record = h.engine.record
    assert record is not None and events[-1] == SessionEnded(record)
    indices = [s.phase_index for s in record.segments]
    assert indices == sorted(set(indices)), "the record's phases are in order, once each"
    ended_segments = [e.segment for e in events if isinstance(e, PhaseEnded)]
    assert all(s in ended_segments for s in record.segments)
    assert record.actual_ms == sum(s.actual_ms for s in record.segments)
    assert record.planned_ms == h.engine.timeline.total_ms
    if record.status is SessionStatus.COMPLETED:
        # Every phase was recorded: none went missing between two transitions.
        assert indices == list(range(len(h.engine.timeline.phases)))


def reacting_harness(workout: Workout, react: Callable[[Harness, Event], None]) -> Harness:
    h = Harness(workout)

    def listener(event: Event) -> None:
        check_consistent(h)
        react(h, event)

    h.engine.subscribe(listener)
    return h


def run_to_the_end(h: Harness) -> None:
    """Resume, press Done on self-paced sets and let time pass until the session ends."""
    for _ in range(1_000):
        if not h.engine.is_active:
            return
        h.engine.resume()
        h.engine.done()
        h.advance(60_000)
    raise AssertionError("the session did not end")


def drive(h: Harness) -> None:
    """Start, run a while, pause, resume, add time, and run to the end."""
    h.engine.start()
    h.advance(4_500)
    h.engine.pause()
    h.advance(2_000)
    h.engine.resume()
    h.advance(1_500)
    h.engine.adjust(10_000)
    run_to_the_end(h)
    check_consistent(h)


@pytest.mark.parametrize("tempo", [Tempo(1.0, 1.0), None], ids=["timed", "self-paced"])
@pytest.mark.parametrize("command", list(USER_COMMANDS))
@pytest.mark.parametrize("event_type", EVENT_TYPES, ids=lambda t: t.__name__)
def test_a_command_from_any_listener_waits_for_the_transition(
    event_type: type, command: str, tempo: Tempo | None
) -> None:
    issued: list[int] = []

    def react(h: Harness, event: Event) -> None:
        # Each time the event comes (a few times, so that a loop such as back-on-start
        # still ends), the listener issues the command.
        if isinstance(event, event_type) and len(issued) < 5:
            issued.append(1)
            USER_COMMANDS[command](h.engine)

    h = reacting_harness(mixed_workout(tempo), react)
    drive(h)
    check_story(h)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    workouts,
    st.lists(st.sampled_from(sorted(USER_COMMANDS)), max_size=60),
    st.lists(
        st.one_of(
            st.tuples(st.just("advance"), st.integers(0, 20_000)),
            st.tuples(st.sampled_from(sorted(USER_COMMANDS)), st.just(0)),
        ),
        max_size=20,
    ),
)
def test_listeners_issuing_commands_keep_the_story_whole(
    workout: Workout, reactions: list[str], script: list[tuple[str, int]]
) -> None:
    """Every event may trigger any command; whatever happens, each phase ends at most once,
    the record lists its phases in order and its totals add up."""
    pending = list(reactions)

    def react(h: Harness, event: Event) -> None:
        if pending:
            USER_COMMANDS[pending.pop(0)](h.engine)

    h = reacting_harness(workout, react)
    h.engine.start()
    for name, value in script:
        if name == "advance":
            h.advance(value)
        else:
            USER_COMMANDS[name](h.engine)
        check_consistent(h)
    run_to_the_end(h)
    check_consistent(h)
    check_story(h)


def test_auto_skipping_rest_from_phase_ended_records_every_phase() -> None:
    """The skip lands on the rest that starts after the work, once the work has ended."""
    workout = mixed_workout(Tempo(1.0, 1.0))

    def react(h: Harness, event: Event) -> None:
        if isinstance(event, PhaseEnded) and event.phase.kind is PhaseKind.WORK:
            next_index = event.phase.index + 1
            phases = h.engine.timeline.phases
            if next_index < len(phases) and phases[next_index].kind is PhaseKind.REST:
                h.engine.skip()

    h = reacting_harness(workout, react)
    h.engine.start()
    run_to_the_end(h)
    check_story(h)
    record = h.engine.record
    assert record is not None and record.status is SessionStatus.COMPLETED
    rests = [s for s in record.segments if s.kind is PhaseKind.REST]
    assert rests and all(s.end_reason is EndReason.SKIPPED for s in rests)
    assert all(s.actual_ms == 0 for s in rests)


def test_a_listener_sees_the_state_after_the_transition() -> None:
    seen: list[tuple[str, State, int | None]] = []
    h = Harness(mixed_workout(Tempo(1.0, 1.0)))

    def listener(event: Event) -> None:
        phase = h.engine.phase
        seen.append((type(event).__name__, h.engine.state, phase.index if phase else None))

    h.engine.subscribe(listener)
    h.engine.start()
    h.engine.skip()  # prep ends, the first set starts
    phases = [entry for entry in seen if entry[0] in ("PhaseEnded", "PhaseStarted")]
    assert phases[-2:] == [("PhaseEnded", State.RUNNING, 1), ("PhaseStarted", State.RUNNING, 1)]


def test_a_queued_command_is_applied_after_the_events_already_queued() -> None:
    order: list[str] = []
    h = Harness(mixed_workout(Tempo(1.0, 1.0)))

    def listener(event: Event) -> None:
        order.append(type(event).__name__)
        if isinstance(event, SessionStarted):
            assert h.engine.pause()  # queued: PhaseStarted is delivered first
            order.append("pause issued")

    h.engine.subscribe(listener)
    h.engine.start()
    assert order == ["SessionStarted", "pause issued", "PhaseStarted", "Paused"]
    assert h.engine.state is State.PAUSED


@pytest.mark.parametrize("state", list(State))
def test_a_command_the_table_refuses_changes_nothing(state: State) -> None:
    """Refused the same way everywhere: False, no event, no state change."""
    h = Harness(mixed_workout(None))
    if state is not State.IDLE:
        h.engine.start()
    if state is State.RUNNING:
        h.engine.skip()
    elif state is State.PAUSED:
        h.engine.pause()
    elif state is State.FINISHED:
        run_to_the_end(h)
    elif state is State.STOPPED:
        h.engine.stop()
    assert h.engine.state is state
    refused = {
        "start": Command.START,
        "pause": Command.PAUSE,
        "resume": Command.RESUME,
        "skip": Command.SKIP,
        "back": Command.BACK,
        "stop": Command.STOP,
    }
    for name, command in refused.items():
        if (state, command) in TRANSITIONS:
            continue
        before = (len(h.events), h.engine.snapshot(), h.scheduler.pending)
        assert USER_COMMANDS[name](h.engine) is False, (state, name)
        assert (len(h.events), h.engine.snapshot(), h.scheduler.pending) == before


def test_the_table_names_every_command_and_reaches_every_state() -> None:
    assert {command for _, command in TRANSITIONS} == set(Command)
    assert set(TRANSITIONS.values()) | {State.IDLE, State.PREP} == set(State)
    # PREP and RUNNING take the same commands.
    prep = {(c, t) for (s, c), t in TRANSITIONS.items() if s is State.PREP}
    running = {(c, t) for (s, c), t in TRANSITIONS.items() if s is State.RUNNING}
    assert prep == running
    # Nothing leaves a finished or stopped session.
    assert not [key for key in TRANSITIONS if key[0] in (State.FINISHED, State.STOPPED)]


def transition_table_markdown() -> str:
    states = list(State)
    lines = [
        "| command | " + " | ".join(s.value for s in states) + " |",
        "|---|" + "---|" * len(states),
    ]
    for command in Command:
        cells = [TRANSITIONS.get((s, command)) for s in states]
        lines.append(
            f"| `{command.value}` | " + " | ".join(t.value if t else "-" for t in cells) + " |"
        )
    return "\n".join(lines)


def test_the_docs_show_the_table_the_code_uses() -> None:
    text = (Path(__file__).parents[2] / "docs" / "engine.md").read_text(encoding="utf-8")
    start = text.index("-->\n", text.index("<!-- transition table")) + len("-->\n")
    end = text.index("<!-- end of transition table -->")
    assert text[start:end].strip() == transition_table_markdown()


def test_a_failing_listener_does_not_keep_the_others_from_the_session() -> None:
    """The journal still records every phase; the error still reaches the caller."""
    h = Harness(mixed_workout(Tempo(1.0, 1.0)))

    def failing(event: Event) -> None:
        if isinstance(event, PhaseStarted) and event.phase.index == 1:
            raise RuntimeError("a bug in one listener")

    after: list[Event] = []
    h.engine.subscribe(failing)
    h.engine.subscribe(after.append)  # subscribed after the failing one, as the cues are
    h.engine.start()
    with pytest.raises(RuntimeError, match="a bug in one listener"):
        h.engine.skip()
    assert after == [e for _, e in h.events], "every event reached every listener at once"
    assert isinstance(after[-1], RepBeat) and after[-1].phase.index == 1
    check_consistent(h)
    run_to_the_end(h)
    check_story(h)
