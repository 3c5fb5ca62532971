"""The form cue rule: which reps slip, and when the coach says so."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import pytest
from hypothesis import given
from hypothesis import strategies as st

from legdrive_timer.audio.cues import COACH_VOICE, Cue
from legdrive_timer.coach.form import (
    DEFAULT_RULE,
    MIN_LOWER_S,
    FormCue,
    FormRule,
    form_cue,
    form_cues,
    slip,
)
from legdrive_timer.coach.measures import PARALLEL_DEG, Rep, analyze_track
from legdrive_timer.core.workout import Side
from tests.coach_figure import RepPlan, samples

GAP = DEFAULT_RULE.gap


def rep(
    *,
    peak: float = 95.0,
    drive: float | None = 0.2,
    lower: float | None = 0.5,
    index: int = 1,
) -> Rep:
    return Rep(
        index=index,
        start_s=float(index),
        peak_thigh_deg=peak,
        parallel=peak >= PARALLEL_DEG,
        drive_s=drive,
        lower_s=lower,
        sway_deg=1.0,
    )


CLEAN = rep()
SHORT = rep(peak=65.0)
DROPPED = rep(drive=0.2, lower=0.15)
SHORT_AND_DROPPED = rep(peak=65.0, drive=0.2, lower=0.15)


# -- one rep ----------------------------------------------------------------------------


def test_a_rep_below_parallel_slips_higher() -> None:
    assert slip(SHORT) is FormCue.HIGHER
    assert slip(rep(peak=PARALLEL_DEG - 0.1)) is FormCue.HIGHER
    assert slip(rep(peak=PARALLEL_DEG)) is None


def test_a_lowering_quicker_than_the_drive_slips() -> None:
    assert slip(rep(drive=0.40, lower=0.35)) is FormCue.CONTROL_DOWN
    assert slip(rep(drive=0.40, lower=0.40)) is None
    assert slip(rep(drive=0.40, lower=0.90)) is None


def test_a_drop_slips_even_after_a_quick_drive() -> None:
    # A leg let fall covers 20-80% of its lift in about 0.2 s: quicker than the drive or not.
    assert slip(rep(drive=0.10, lower=0.20)) is FormCue.CONTROL_DOWN
    assert slip(rep(drive=0.10, lower=MIN_LOWER_S)) is None


def test_a_rep_whose_times_were_not_seen_is_not_judged_on_them() -> None:
    assert slip(rep(drive=None, lower=0.1)) is None
    assert slip(rep(drive=0.5, lower=None)) is None
    assert slip(rep(peak=60.0, drive=None, lower=None)) is FormCue.HIGHER


def test_height_first_the_descent_of_a_short_rep_is_not_judged() -> None:
    assert slip(SHORT_AND_DROPPED) is FormCue.HIGHER
    cues = form_cues([SHORT_AND_DROPPED] * 15)
    assert [(i + 1, cue) for i, cue in enumerate(cues) if cue] == [
        (2, FormCue.HIGHER),
        (7, FormCue.HIGHER),
        (12, FormCue.HIGHER),
    ]


# -- the rule over a set ------------------------------------------------------------------


def test_one_slip_alone_is_never_cued() -> None:
    reps = [CLEAN, SHORT, CLEAN, CLEAN, DROPPED, CLEAN, CLEAN, CLEAN, SHORT, CLEAN, CLEAN]
    assert form_cues(reps) == [None] * len(reps)


def test_a_repeated_slip_is_cued_on_the_rep_that_repeats_it() -> None:
    assert form_cues([CLEAN, SHORT, SHORT]) == [None, None, FormCue.HIGHER]
    # Two of the last three: a clean rep between them does not hide it...
    assert form_cues([SHORT, CLEAN, SHORT]) == [None, None, FormCue.HIGHER]
    # ...but the current rep must slip itself: no cue after a rep that was fine.
    assert form_cues([SHORT, SHORT, CLEAN], FormRule(gap=1)) == [None, FormCue.HIGHER, None]
    assert form_cues([DROPPED, CLEAN, DROPPED]) == [None, None, FormCue.CONTROL_DOWN]


def test_a_persistent_slip_is_cued_once_every_gap_reps() -> None:
    # 15 short reps: "Higher" at reps 2, 7 and 12 (1-based).
    cues = form_cues([SHORT] * 15)
    assert [i + 1 for i, cue in enumerate(cues) if cue] == [2, 7, 12]
    assert {cue for cue in cues if cue} == {FormCue.HIGHER}


def test_two_slips_in_turn_are_each_cued_once_repeated_and_after_the_quiet_reps() -> None:
    cues = form_cues([SHORT, DROPPED] * 8)
    assert [(i + 1, cue) for i, cue in enumerate(cues) if cue] == [
        (3, FormCue.HIGHER),
        (8, FormCue.CONTROL_DOWN),
        (13, FormCue.HIGHER),
    ]


def test_a_different_slip_waits_for_the_quiet_reps_after_a_cue() -> None:
    reps = [SHORT, SHORT, DROPPED, DROPPED, DROPPED, DROPPED, DROPPED]
    cues = form_cues(reps)
    assert cues == [None, FormCue.HIGHER, None, None, None, None, FormCue.CONTROL_DOWN]


def test_form_cue_asks_about_the_latest_rep() -> None:
    assert form_cue(SHORT) is None
    assert form_cue(SHORT, [SHORT]) is FormCue.HIGHER
    assert form_cue(SHORT, [SHORT, SHORT]) is None  # cued one rep ago
    assert form_cue(CLEAN, [SHORT]) is None


def test_a_custom_rule() -> None:
    eager = FormRule(repeat=1, window=1, gap=1)
    assert form_cues([SHORT, DROPPED, CLEAN]) != form_cues([SHORT, DROPPED, CLEAN], eager)
    assert form_cues([SHORT, DROPPED, CLEAN], eager) == [
        FormCue.HIGHER,
        FormCue.CONTROL_DOWN,
        None,
    ]
    with pytest.raises(ValueError, match="repeat"):
        FormRule(repeat=4, window=3)
    with pytest.raises(ValueError, match="gap"):
        FormRule(gap=0)


def test_every_cue_has_its_text_and_its_voice_line() -> None:
    assert FormCue.HIGHER.text == "Higher"
    assert FormCue.CONTROL_DOWN.text == "Control the way down"
    assert COACH_VOICE[FormCue.HIGHER.key] is Cue.VOICE_HIGHER
    assert COACH_VOICE[FormCue.CONTROL_DOWN.key] is Cue.VOICE_CONTROL_DOWN
    assert set(COACH_VOICE) == {cue.key for cue in FormCue}


# -- measured reps ------------------------------------------------------------------------


def test_measured_reps_give_the_cues_their_form_deserves() -> None:
    """Joint tracks of a set through the measures, then the rule: clean reps at the app's
    default tempo (1 s up, 1.5 s down) stay quiet; short reps and dropped legs are cued."""
    clean = RepPlan(peak_deg=95, drive_s=0.6, lower_s=1.2)
    short = RepPlan(peak_deg=62, drive_s=0.6, lower_s=1.2)
    dropped = RepPlan(peak_deg=95, drive_s=0.6, lower_s=0.35)
    plans = [clean] * 3 + [short] * 3 + [clean] * 4 + [dropped] * 3
    analysis = analyze_track(samples(plans), Side.RIGHT)
    assert len(analysis.reps) == len(plans)
    cues = form_cues(analysis.reps)
    assert [(i + 1, cue) for i, cue in enumerate(cues) if cue] == [
        (5, FormCue.HIGHER),
        (12, FormCue.CONTROL_DOWN),
    ]


# -- properties ---------------------------------------------------------------------------


@st.composite
def reps_of(draw: st.DrawFn, clean: bool) -> Rep:
    """A rep that is clean by the rule (parallel, lowering no quicker than the drive nor
    than a drop), or any rep at all."""
    if clean:
        peak = draw(st.floats(PARALLEL_DEG, 130.0))
        drive = draw(st.none() | st.floats(0.05, 1.5))
        floor = max(drive or 0.0, MIN_LOWER_S)
        lower = draw(st.none() | st.floats(floor, floor + 2.0))
    else:
        peak = draw(st.floats(45.0, 130.0))
        drive = draw(st.none() | st.floats(0.05, 1.5))
        lower = draw(st.none() | st.floats(0.05, 3.0))
    return rep(peak=peak, drive=drive, lower=lower)


rules = st.builds(
    lambda window, repeat, gap: FormRule(repeat=min(repeat, window), window=window, gap=gap),
    st.integers(1, 5),
    st.integers(1, 5),
    st.integers(1, 8),
)


@given(st.lists(reps_of(clean=True), max_size=40), rules)
def test_clean_reps_are_never_cued(reps: list[Rep], rule: FormRule) -> None:
    assert all(slip(r, rule) is None for r in reps)
    assert form_cues(reps, rule) == [None] * len(reps)


@given(st.lists(reps_of(clean=False), max_size=40), rules)
def test_cues_are_earned_and_spaced(reps: list[Rep], rule: FormRule) -> None:
    cues = form_cues(reps, rule)
    given_at = [i for i, cue in enumerate(cues) if cue is not None]
    # Never closer than the gap.
    assert all(b - a >= rule.gap for a, b in itertools.pairwise(given_at))
    for i in given_at:
        cue = cues[i]
        assert cue is not None
        # The rep itself slips that way, and the slip repeated within the window.
        assert slip(reps[i], rule) is cue
        window = reps[max(0, i - rule.window + 1) : i + 1]
        assert sum(slip(r, rule) is cue for r in window) >= rule.repeat


def _persisting(cue: FormCue, reps: Sequence[Rep]) -> int | None:
    """The first rep from which every rep to the end slips `cue`."""
    start = None
    for i, r in enumerate(reps):
        start = (i if start is None else start) if slip(r) is cue else None
    return start


@given(
    st.lists(reps_of(clean=False), max_size=12),
    st.sampled_from([SHORT, DROPPED, SHORT_AND_DROPPED]),
    st.lists(st.sampled_from([SHORT, DROPPED, SHORT_AND_DROPPED]), max_size=4 * GAP),
)
def test_a_persistent_slip_is_always_cued_in_time(
    before: list[Rep], first: Rep, after: list[Rep]
) -> None:
    """From the rep r on which a slip starts to persist, its cue comes by rep r + gap."""
    reps = [*before, first, *after]
    cues = form_cues(reps)
    for cue in FormCue:
        start = _persisting(cue, reps)
        if start is not None and start + GAP < len(reps):
            assert cue in cues[start + 1 : start + GAP + 1]
