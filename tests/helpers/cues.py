"""The cues a whole session plays when run undisturbed, on the fake clock."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from legdrive_timer.audio.cues import Cue
from legdrive_timer.audio.planner import CuePlanner
from legdrive_timer.core.clock import Clock
from legdrive_timer.core.engine import SessionEngine
from legdrive_timer.core.timeline import Timeline
from tests.helpers.fakes import FakeClock, FakeScheduler, run_schedulers


@dataclass(frozen=True)
class PlayedCue:
    at_ms: int
    cue: Cue


@dataclass
class CueRecorder:
    """A player that records what it was asked to play, for tests and the plan."""

    clock: Clock
    played: list[PlayedCue] = field(default_factory=list)
    voice_stops: list[int] = field(default_factory=list)
    expected: list[tuple[int, int | None]] = field(default_factory=list)
    """(when, when the next scheduled cue is due or None) for each `expect`."""

    def play(self, cue: Cue) -> None:
        self.played.append(PlayedCue(self.clock(), cue))

    def stop_voice(self) -> None:
        self.voice_stops.append(self.clock())

    def expect(self, delay_ms: int | None) -> None:
        now = self.clock()
        self.expected.append((now, None if delay_ms is None else now + delay_ms))


@dataclass(frozen=True)
class CuePlan:
    """What a session played when run undisturbed, times from its start in milliseconds."""

    played: tuple[PlayedCue, ...]
    voice_stops: tuple[int, ...]
    total_ms: int


def plan_session(
    timeline: Timeline, durations_ms: Mapping[Cue, int], *, voice: bool = True
) -> CuePlan:
    """Run `timeline` on a fake clock through the planner and record every cue."""
    start = 1_000_000
    clock = FakeClock(start)
    engine_scheduler = FakeScheduler(clock)
    voice_timer = FakeScheduler(clock)
    recorder = CueRecorder(clock)
    engine = SessionEngine(timeline, clock, engine_scheduler, new_session_id=lambda: "plan")
    planner = CuePlanner(recorder, clock, voice_timer, durations_ms, voice=voice)
    planner.attach(engine)
    engine.start()
    run_schedulers((engine_scheduler, voice_timer))
    return CuePlan(
        played=tuple(PlayedCue(p.at_ms - start, p.cue) for p in recorder.played),
        voice_stops=tuple(t - start for t in recorder.voice_stops),
        total_ms=timeline.total_ms,
    )
