"""The cue planner on a fake clock: which events give which cues, priorities, voice rules."""

from __future__ import annotations

import itertools
from contextlib import ExitStack

import pytest

from legdrive_timer.audio.cues import Channel, Cue, durations, open_assets
from legdrive_timer.audio.planner import CuePlanner
from legdrive_timer.core.timeline import compile_workout
from legdrive_timer.core.workout import IntervalBlock, RepSetBlock, Side, Tempo, Workout
from tests.helpers import Harness, workout
from tests.helpers.cues import CueRecorder, plan_session
from tests.helpers.fakes import FakeScheduler, run_schedulers

# Fixed lengths keep the expectations independent of the rendered voice files.
DURATIONS = {cue: (1200 if cue.is_voice else 300) for cue in Cue}
DURATIONS[Cue.VOICE_DRIVE] = 600
DURATIONS[Cue.VOICE_SWITCH_LEFT] = DURATIONS[Cue.VOICE_SWITCH_RIGHT] = 1700

S = Cue  # short alias for the long expected lists


class Rig:
    """A Harness engine with a planner attached and a recorder for what it plays."""

    def __init__(self, source: Workout, *, voice: bool = True, muted: bool = False) -> None:
        self.h = Harness(source)
        self.voice_timer = FakeScheduler(self.h.clock)
        self.recorder = CueRecorder(self.h.clock)
        self.planner = CuePlanner(
            self.recorder, self.h.clock, self.voice_timer, DURATIONS, voice=voice, muted=muted
        )
        self.detach = self.planner.attach(self.h.engine)
        self.t0 = self.h.clock.now_ms

    def start(self) -> None:
        self.h.engine.start()

    def advance(self, ms: int) -> None:
        end = self.h.clock.now_ms + ms
        while True:
            pending = [
                s.next_deadline
                for s in (self.h.scheduler, self.voice_timer)
                if s.next_deadline is not None
            ]
            nxt = min(pending, default=None)
            if nxt is None or nxt > end:
                break
            for s in (self.h.scheduler, self.voice_timer):
                if s.next_deadline == nxt:
                    s.advance(max(0, nxt - self.h.clock.now_ms))
        self.h.clock.now_ms = max(self.h.clock.now_ms, end)

    def run(self) -> None:
        run_schedulers((self.h.scheduler, self.voice_timer))

    def played(self) -> list[tuple[int, Cue]]:
        return [(p.at_ms - self.t0, p.cue) for p in self.recorder.played]

    def stops(self) -> list[int]:
        return [t - self.t0 for t in self.recorder.voice_stops]


def test_hiit_session_plays_exactly_the_expected_cues() -> None:
    rig = Rig(workout("hiit", work_s=2, rest_s=1, rounds=2, prep_s=3))
    rig.start()
    rig.run()
    assert rig.played() == [
        (0, S.VOICE_GET_READY),
        (1000, S.PREP_TICK),
        (2000, S.PREP_TICK),
        (3000, S.WORK_START),
        (3000, S.VOICE_DRIVE),
        (4000, S.COUNTDOWN),
        (5000, S.REST_START),
        (5000, S.VOICE_REST),
        (6000, S.WORK_START),
        (6000, S.VOICE_DRIVE),
        (6600, S.VOICE_LAST_ROUND),  # waits for "Drive" to finish
        (7000, S.COUNTDOWN),
        (8000, S.SESSION_COMPLETE),
        (8000, S.VOICE_DONE),
    ]
    # "Rest" (1.2 s here) still speaks when round 2 starts: the equally important,
    # newer phase line cuts it.
    assert rig.stops() == [6000]


def test_halfway_and_countdown_in_a_long_interval() -> None:
    rig = Rig(workout("hiit", work_s=20, rest_s=5, rounds=1, prep_s=0))
    rig.start()
    rig.run()
    assert rig.played() == [
        (0, S.WORK_START),
        (0, S.VOICE_DRIVE),
        (600, S.VOICE_LAST_ROUND),  # a single round is also the last one
        (10_000, S.HALFWAY),
        (10_000, S.VOICE_HALFWAY),
        (17_000, S.COUNTDOWN),
        (18_000, S.COUNTDOWN),
        (19_000, S.COUNTDOWN),
        (20_000, S.SESSION_COMPLETE),
        (20_000, S.VOICE_DONE),
    ]


def test_primer_tempo_switch_and_set_done() -> None:
    rig = Rig(workout("primer", reps=2, sets=2, rest_s=3, prep_s=2, switch_s=3))
    rig.start()
    rig.run()
    played = rig.played()
    # Rep phases are 5 s: drive at 0 and 2500 ms, lower at 1000 and 3500 ms.
    first_work = [(t, c) for t, c in played if 2000 <= t < 7000]
    assert first_work == [
        (2000, S.WORK_START),  # replaces the first drive beat at the same instant
        (2000, S.VOICE_DRIVE),
        (3000, S.REP_LOWER),
        (4000, S.COUNTDOWN),
        (4500, S.REP_DRIVE),
        (5000, S.COUNTDOWN),
        (5500, S.REP_LOWER),
        (6000, S.COUNTDOWN),
    ]
    assert (7000, S.SWITCH_SIDES) in played
    assert (7000, S.VOICE_SWITCH_LEFT) in played
    # The end of set 1 (left side) is a set-done sound, not the rest sound at that instant;
    # the rest voice still speaks.
    set_end = 7000 + 3000 + 5000
    assert [c for t, c in played if t == set_end] == [S.SET_DONE, S.VOICE_REST]
    # Set 2 starts on the right side again and the session ends with session-complete,
    # not set-done, after its last set.
    end = rig.h.engine.timeline.total_ms
    assert [c for t, c in played if t == end] == [S.SESSION_COMPLETE, S.VOICE_DONE]
    assert played.count((end, S.SET_DONE)) == 0
    assert [c for _, c in played].count(S.SET_DONE) == 1
    assert [c for _, c in played].count(S.VOICE_SWITCH_LEFT) == 2
    assert [c for _, c in played].count(S.REP_DRIVE) == 4  # 2 sets x 2 sides x 1 (not rep 1)


def test_switch_to_the_right_leg_is_spoken_for_a_left_first_block() -> None:
    block = RepSetBlock(
        exercise_id="knee-drive",
        name="Knee drive",
        sets=1,
        reps=1,
        sides=(Side.LEFT, Side.RIGHT),
        tempo=Tempo(up_s=1.0, down_s=1.0),
        switch_s=5,
        set_rest_s=0,
    )
    w = Workout(id="custom", name="Custom", prep_s=0, blocks=(block,))
    rig = Rig(w)
    rig.start()
    rig.run()
    assert (2000, S.VOICE_SWITCH_RIGHT) in rig.played()
    assert all(c is not S.VOICE_SWITCH_LEFT for _, c in rig.played())


def test_a_less_important_voice_line_is_dropped_while_a_phase_line_speaks() -> None:
    # A 1 s switch: "Switch to the left leg" (1.7 s) still speaks when the work starts,
    # so "Drive" is dropped; the work-start sound plays regardless.
    rig = Rig(workout("primer", reps=1, sets=1, prep_s=0, switch_s=1))
    rig.start()
    rig.run()
    played = rig.played()
    switch_at = next(t for t, c in played if c is S.VOICE_SWITCH_LEFT)
    work_at = switch_at + 1000
    assert (work_at, S.WORK_START) in played
    assert (work_at, S.VOICE_DRIVE) not in played
    assert rig.stops() == []


def test_a_more_important_voice_line_cuts_a_less_important_one() -> None:
    # Skipping during "Halfway" (a count): the rest line cuts it.
    rig = Rig(workout("hiit", work_s=20, rest_s=5, rounds=2, prep_s=0))
    rig.start()
    rig.advance(10_100)
    assert rig.played()[-1] == (10_000, S.VOICE_HALFWAY)
    rig.h.engine.skip()
    assert rig.played()[-2:] == [(10_100, S.REST_START), (10_100, S.VOICE_REST)]
    assert rig.stops() == [10_100]


def test_voice_lines_never_overlap_over_a_whole_session() -> None:
    rig = Rig(workout("full", reps=3, rounds=3, work_s=12, rest_s=2, switch_s=1, prep_s=1))
    rig.start()
    # Skips and a pause make lines collide; every overlap must be resolved by a stop.
    rig.advance(700)
    rig.h.engine.skip()
    rig.advance(300)
    rig.h.engine.skip()
    rig.advance(6000)
    rig.run()
    stops = rig.stops()
    voice = [(t, c) for t, c in rig.played() if c.channel is Channel.VOICE]
    assert len(voice) > 10
    for (t, cue), (next_t, _) in itertools.pairwise(voice):
        ends = t + DURATIONS[cue]
        if next_t < ends:
            assert any(t <= s <= next_t for s in stops), (t, cue, next_t)


def test_pause_silences_the_voice_and_forgets_the_queued_line() -> None:
    rig = Rig(workout("hiit", work_s=5, rest_s=1, rounds=1, prep_s=0))
    rig.start()
    rig.advance(100)  # "Drive" speaks; "Last round" waits for it
    rig.h.engine.pause()
    assert rig.stops() == [100]
    rig.advance(5000)
    rig.h.engine.resume()
    rig.run()
    assert S.VOICE_LAST_ROUND not in [c for _, c in rig.played()]


def test_a_phase_skipped_to_while_paused_is_announced_on_resume() -> None:
    rig = Rig(workout("primer", reps=1, sets=1, prep_s=5, switch_s=5))
    rig.start()
    rig.h.engine.pause()
    rig.h.engine.skip()  # into the right-side work, still paused: nothing plays yet
    rig.h.engine.skip()  # into the switch
    assert rig.played() == [(0, S.VOICE_GET_READY)]
    rig.advance(2000)
    rig.h.engine.resume()
    assert rig.played()[1:] == [(2000, S.SWITCH_SIDES), (2000, S.VOICE_SWITCH_LEFT)]


def test_stopping_plays_no_completion_cue_and_silences_voice() -> None:
    rig = Rig(workout("hiit", work_s=5, rest_s=1, rounds=2, prep_s=0))
    rig.start()
    rig.advance(200)
    rig.h.engine.stop()
    cues = [c for _, c in rig.played()]
    assert S.SESSION_COMPLETE not in cues
    assert S.VOICE_DONE not in cues
    assert rig.stops() == [200]


def test_mute_plays_nothing_and_unmute_resumes() -> None:
    rig = Rig(workout("hiit", work_s=2, rest_s=1, rounds=2, prep_s=3), muted=True)
    rig.start()
    rig.advance(5500)
    assert rig.played() == []
    rig.planner.set_muted(False)
    rig.run()
    assert rig.played()[0] == (6000, S.WORK_START)


def test_muting_mid_line_stops_the_voice() -> None:
    rig = Rig(workout("hiit", work_s=5, rest_s=1, rounds=1, prep_s=0))
    rig.start()
    rig.advance(100)
    rig.planner.set_muted(True)
    assert rig.stops() == [100]
    rig.run()
    assert [c for _, c in rig.played()] == [S.WORK_START, S.VOICE_DRIVE]


def test_voice_off_keeps_the_sounds() -> None:
    rig = Rig(workout("hiit", work_s=2, rest_s=1, rounds=2, prep_s=3), voice=False)
    rig.start()
    rig.run()
    cues = [c for _, c in rig.played()]
    assert cues and all(c.channel is Channel.SOUND for c in cues)
    assert cues.count(S.WORK_START) == 2


def test_detach_stops_playing() -> None:
    rig = Rig(workout("hiit", work_s=2, rest_s=1, rounds=2, prep_s=3))
    rig.start()
    rig.advance(3100)
    rig.detach()
    assert rig.stops() == [3100]
    count = len(rig.played())
    rig.run()
    assert len(rig.played()) == count


def test_a_form_cue_speaks_in_a_quiet_moment_of_a_rep_set() -> None:
    rig = Rig(workout("primer", reps=4, sets=1, prep_s=0))
    rig.start()
    rig.advance(2000)  # "Drive" (0.6 s) is over; only tempo beats sound
    rig.planner.say_coach(S.VOICE_HIGHER)
    assert rig.played()[-1] == (2000, S.VOICE_HIGHER)
    rig.advance(1500)
    rig.planner.say_coach(S.VOICE_CONTROL_DOWN)
    assert rig.played()[-1] == (3500, S.VOICE_CONTROL_DOWN)
    assert rig.stops() == []


def test_a_form_cue_never_talks_over_another_line() -> None:
    rig = Rig(workout("primer", reps=4, sets=1, prep_s=0))
    rig.start()
    rig.advance(100)  # "Drive" speaks
    rig.planner.say_coach(S.VOICE_CONTROL_DOWN)
    assert S.VOICE_CONTROL_DOWN not in [c for _, c in rig.played()]
    assert rig.stops() == []


def test_any_phase_line_cuts_a_form_cue() -> None:
    rig = Rig(workout("primer", reps=2, sets=1, prep_s=0, switch_s=5))
    rig.start()
    first_side_ends = rig.h.engine.timeline.phases[0].planned_ms
    rig.advance(first_side_ends - 200)
    rig.planner.say_coach(S.VOICE_HIGHER)  # 1.2 s, still speaking when the switch comes
    rig.advance(200)
    played = rig.played()
    assert played[-3] == (first_side_ends - 200, S.VOICE_HIGHER)
    switch = [(first_side_ends, S.SWITCH_SIDES), (first_side_ends, S.VOICE_SWITCH_LEFT)]
    assert played[-2:] == switch
    assert rig.stops() == [first_side_ends]


def test_form_cues_are_silent_while_paused_muted_or_with_the_voice_off() -> None:
    rig = Rig(workout("primer", reps=4, sets=1, prep_s=0))
    rig.start()
    rig.advance(2000)
    rig.h.engine.pause()
    rig.planner.say_coach(S.VOICE_HIGHER)
    rig.h.engine.resume()
    rig.planner.set_voice(False)
    rig.planner.say_coach(S.VOICE_HIGHER)
    rig.planner.set_voice(True)
    rig.planner.set_muted(True)
    rig.planner.say_coach(S.VOICE_HIGHER)
    assert S.VOICE_HIGHER not in [c for _, c in rig.played()]


def test_only_the_coach_lines_go_through_the_coach() -> None:
    rig = Rig(workout("primer", reps=1, sets=1, prep_s=0))
    with pytest.raises(ValueError, match="VOICE_DONE"):
        rig.planner.say_coach(S.VOICE_DONE)


def test_interval_rounds_are_not_sets() -> None:
    interval = IntervalBlock(
        exercise_id="a", name="A", work_s=2, rest_s=1, rounds=2, skip_last_rest=False
    )
    w = Workout(id="w", name="W", prep_s=0, block_rest_s=2, blocks=(interval, interval))
    plan = plan_session(compile_workout(w), DURATIONS)
    cues = [p.cue for p in plan.played]
    assert S.SET_DONE not in cues
    assert cues.count(S.REST_START) == 5  # 2 x 2 round rests and the block rest


def test_plan_matches_the_harness_run() -> None:
    w = workout("primer", reps=2, sets=2, rest_s=3, prep_s=2, switch_s=3)
    rig = Rig(w)
    rig.start()
    rig.run()
    plan = plan_session(compile_workout(w), DURATIONS)
    assert [(p.at_ms, p.cue) for p in plan.played] == rig.played()
    assert plan.total_ms == compile_workout(w).total_ms


@pytest.mark.parametrize("cue", list(Cue))
def test_every_cue_has_a_file_with_a_length(cue: Cue) -> None:
    with ExitStack() as stack:
        lengths = durations(open_assets(stack))
    assert 50 <= lengths[cue] <= 3000


@pytest.mark.parametrize(
    "source",
    [
        workout("hiit", work_s=30, rest_s=30, rounds=2, prep_s=5),
        workout("hiit", work_s=2, rest_s=1, rounds=2, prep_s=3),
        workout("primer"),
    ],
    ids=["finisher", "short-hiit", "primer"],
)
def test_the_player_hears_when_each_scheduled_cue_is_due_before_it(source: Workout) -> None:
    """Every cue after the start was announced to the player, at its exact time, before
    it: a device asleep after a long silence can be woken ahead of it. Nothing is
    announced that does not play, and after the session nothing is expected."""
    rig = Rig(source)
    rig.start()
    rig.run()
    expected = rig.recorder.expected
    played_at = sorted({p.at_ms for p in rig.recorder.played})
    start = rig.t0
    for at in played_at:
        if at == start:
            continue  # the start itself is the user's: nothing could announce it
        told = [due for when, due in expected if when < at]
        assert told and told[-1] == at, f"the cue at {at - start} ms was not announced"
    # Told only when it changes (not at every second tick), and only of cues that play.
    assert all(a[1] != b[1] for a, b in itertools.pairwise(expected))
    assert {due for _when, due in expected if due is not None} <= set(played_at)
    assert expected[-1][1] is None


def test_nothing_is_expected_while_paused_or_muted() -> None:
    rig = Rig(workout("hiit", work_s=30, rest_s=30, rounds=1, prep_s=0))
    rig.start()
    rig.advance(5000)
    # "Last round" after "Drive" (600 ms): then halfway is next.
    assert rig.recorder.expected[-1] == (rig.t0 + 600, rig.t0 + 15_000)
    rig.h.engine.pause()
    assert rig.recorder.expected[-1][1] is None
    rig.advance(60_000)
    rig.h.engine.resume()
    assert rig.recorder.expected[-1] == (rig.t0 + 65_000, rig.t0 + 75_000)
    rig.planner.set_muted(True)
    assert rig.recorder.expected[-1][1] is None
    rig.planner.set_muted(False)
    assert rig.recorder.expected[-1][1] == rig.t0 + 75_000
    rig.h.engine.skip()  # the last phase ends: "Done" is spoken
    assert rig.recorder.expected[-1][1] is None
    rig.detach()
    assert rig.recorder.expected[-1][1] is None


def test_a_queued_voice_line_is_expected_until_the_voice_is_turned_off() -> None:
    rig = Rig(workout("hiit", work_s=30, rest_s=30, rounds=1, prep_s=0))
    rig.start()
    assert rig.recorder.expected[-1] == (rig.t0, rig.t0 + 600)  # "Last round" after "Drive"
    rig.planner.set_voice(False)
    assert rig.recorder.expected[-1] == (rig.t0, rig.t0 + 15_000)  # halfway's sound
