"""Left against right over weeks from the camera coach's measures, beside the feel rating."""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from legdrive_timer.core.records import CoachMeasures, SegmentRecord, SessionRecord, SessionStatus
from legdrive_timer.core.stats import (
    CoachSet,
    CoachSide,
    CoachWeek,
    coach_lagging_sentence,
    coach_sets,
    coach_weeks,
    first_week,
)
from legdrive_timer.core.timeline import PhaseKind
from legdrive_timer.core.workout import Side
from tests.unit.strategies import coach_measures
from tests.unit.test_stats import seg
from tests.unit.test_stats import session as stats_session

TZ = timezone(timedelta(hours=1))
TODAY = date(2026, 11, 25)  # a Wednesday; its week starts on Monday 23 November


def work(
    index: int,
    side: Side | None,
    coach: CoachMeasures | None,
    stability: int | None = None,
    kind: PhaseKind = PhaseKind.WORK,
    actual_ms: int = 45_000,
) -> SegmentRecord:
    segment = seg(kind, side, actual_ms, 15, stability, index)
    return dataclasses.replace(segment, set_number=1 + index // 2, coach=coach)


def session(
    sid: str,
    day: date,
    *segments: SegmentRecord,
    status: SessionStatus = SessionStatus.COMPLETED,
) -> SessionRecord:
    return stats_session(day, *segments, status=status, sid=sid, tz=TZ)


def m(
    counted: int, parallel: int, peak: float | None, ratio: float | None, sway: float | None
) -> CoachMeasures:
    return CoachMeasures(counted, parallel, peak, ratio, sway)


def sets_of(*records: SessionRecord) -> list[CoachSet]:
    return [found for record in records for found in coach_sets(record)]


def test_one_week_per_side_sums_the_counts_and_takes_medians_of_the_sets() -> None:
    records = [
        session(
            "a",
            TODAY,
            work(0, Side.LEFT, m(15, 6, 70.0, 0.6, 5.0), stability=2),
            work(1, Side.RIGHT, m(15, 15, 92.0, 0.4, 2.0), stability=4),
            work(2, Side.LEFT, m(14, 7, 78.0, None, 3.0), stability=3),
            work(3, Side.RIGHT, m(15, 12, 88.0, 0.5, 2.5)),
        ),
        session(
            "b",
            TODAY - timedelta(days=2),  # Monday: the same week
            work(0, Side.LEFT, m(11, 11, 90.0, 0.8, 4.0)),
        ),
    ]
    (week,) = coach_weeks(sets_of(*records), TODAY)
    assert week.start == date(2026, 11, 23)  # the Monday of ISO week 48
    assert week.left == CoachSide(
        sets=3,
        reps_counted=40,
        parallel_reps=24,
        median_peak_thigh_deg=78.0,
        drive_lower_ratio=0.7,  # the median of the two sets that had one
        sway_deg=4.0,
        stability=2.5,  # the mean of the two rated sets
    )
    assert week.left is not None and week.left.parallel_share == pytest.approx(0.6)
    assert week.right == CoachSide(2, 30, 27, 90.0, 0.45, 2.25, 4.0)


def test_weeks_are_oldest_first_and_only_those_with_measured_sets() -> None:
    records = [
        session("now", TODAY, work(0, Side.RIGHT, m(10, 5, 80.0, 0.5, 3.0))),
        session("3w", TODAY - timedelta(weeks=3), work(0, Side.LEFT, m(9, 9, 95.0, 0.4, 1.0))),
        # Outside the last 12 weeks: left out.
        session("old", TODAY - timedelta(weeks=12), work(0, Side.LEFT, m(9, 9, 95.0, 0.4, 1.0))),
        # Measured nothing: no week for it.
        session("plain", TODAY - timedelta(weeks=1), work(0, Side.LEFT, None, stability=3)),
    ]
    weeks = coach_weeks(sets_of(*records), TODAY)
    assert [w.start for w in weeks] == [date(2026, 11, 2), date(2026, 11, 23)]
    assert weeks[0].right is None and weeks[0].left is not None
    assert weeks[1].left is None and weeks[1].right is not None
    longer = coach_weeks(sets_of(*records), TODAY, weeks=13)
    assert longer[0].start == date(2026, 8, 31)


def test_only_the_sets_of_training_sessions_count() -> None:
    measured = m(10, 5, 80.0, 0.5, 3.0)
    records = [
        session("cut", TODAY, work(0, Side.LEFT, measured), status=SessionStatus.INTERRUPTED),
        session("live", TODAY, work(0, Side.LEFT, measured), status=SessionStatus.RUNNING),
        # Stopped before any work: not a training session.
        session("none", TODAY, work(0, Side.LEFT, measured, actual_ms=0)),
        # Measures on a phase that is not rep work on a side are not a set.
        session("odd", TODAY, work(0, None, measured),
                work(1, Side.LEFT, measured, kind=PhaseKind.REST)),
        session("stopped", TODAY, work(0, Side.LEFT, measured), status=SessionStatus.STOPPED),
    ]  # fmt: skip
    assert [s.session_id for s in sets_of(*records)] == ["cut", "live", "none", "stopped"]
    (week,) = coach_weeks(sets_of(*records), TODAY)
    assert week.left is not None and week.left.sets == 1 and week.right is None


def test_a_side_without_reps_or_figures_reads_as_not_measured() -> None:
    records = [session("a", TODAY, work(0, Side.LEFT, m(0, 0, None, None, None)))]
    (week,) = coach_weeks(sets_of(*records), TODAY)
    assert week.left == CoachSide(1, 0, 0, None, None, None, None)
    assert week.left.parallel_share is None


def test_a_week_is_the_one_where_the_session_was_trained() -> None:
    # Sunday 22 November, 23:30 where it was trained (already Monday in UTC+2 and east).
    start = datetime(2026, 11, 22, 23, 30, tzinfo=TZ)
    record = dataclasses.replace(
        session("a", TODAY, work(0, Side.LEFT, m(5, 5, 90.0, 0.5, 2.0))), started_at=start
    )
    (week,) = coach_weeks(sets_of(record), TODAY)
    assert week.start == date(2026, 11, 16)


def test_weeks_must_be_at_least_one() -> None:
    with pytest.raises(ValueError):
        coach_weeks([], TODAY, weeks=0)


def weeks_with_shares(*shares: tuple[int, int]) -> tuple[CoachWeek, ...]:
    """Consecutive weeks ending this one, with (left, right) parallel reps of 10 counted."""
    records = [
        session(
            f"w{n}",
            TODAY - timedelta(weeks=len(shares) - 1 - n),
            work(0, Side.LEFT, m(10, left, 80.0, 0.5, 3.0)),
            work(1, Side.RIGHT, m(10, right, 80.0, 0.5, 3.0)),
        )
        for n, (left, right) in enumerate(shares)
    ]
    return coach_weeks(sets_of(*records), TODAY)


def test_a_side_reaching_parallel_less_often_week_after_week_is_named() -> None:
    weeks = weeks_with_shares((9, 8), (5, 9), (6, 9), (6, 8))
    assert coach_lagging_sentence(weeks) == (
        "Your left knee reached parallel less often than your right in each of the last 3 "
        "weeks the camera watched (60% against 80% the last of them): drive it higher, the "
        "thigh parallel to the floor or above."
    )
    assert coach_lagging_sentence(weeks, min_weeks=4) is None
    right = coach_lagging_sentence(weeks_with_shares((9, 8), (9, 7), (10, 2)))
    assert right is not None and right.startswith("Your right knee reached parallel less")
    # A tie, or too few weeks, names nobody.
    assert coach_lagging_sentence(weeks_with_shares((5, 9), (5, 9), (7, 7))) is None
    assert coach_lagging_sentence(weeks_with_shares((5, 9), (5, 9))) is None
    assert coach_lagging_sentence(()) is None


@st.composite
def measured_sets(draw: st.DrawFn) -> CoachSet:
    day = TODAY - timedelta(days=draw(st.integers(min_value=0, max_value=120)))
    hour = draw(st.integers(min_value=0, max_value=23))
    return CoachSet(
        session_id=draw(st.text(min_size=1, max_size=4)),
        started_at=datetime(day.year, day.month, day.day, hour, tzinfo=TZ),
        status=draw(st.sampled_from(SessionStatus)),
        did_work=draw(st.booleans()),
        side=draw(st.sampled_from(Side)),
        set_number=draw(st.none() | st.integers(min_value=1, max_value=5)),
        measures=draw(coach_measures()),
        stability=draw(st.none() | st.integers(min_value=1, max_value=5)),
    )


@settings(max_examples=200, deadline=None)
@given(st.lists(measured_sets(), max_size=30))
def test_every_counted_set_of_the_window_is_in_exactly_one_week_and_side(
    sets: list[CoachSet],
) -> None:
    weeks = coach_weeks(sets, TODAY)
    counted = [
        s
        for s in sets
        if s.status in (SessionStatus.COMPLETED, SessionStatus.STOPPED)
        and s.did_work
        and s.started_at.date() >= first_week(TODAY)
    ]
    assert [w.start for w in weeks] == sorted({w.start for w in weeks})
    for side in Side:
        mine = [s for s in counted if s.side is side]
        found = [w.left if side is Side.LEFT else w.right for w in weeks]
        sides = [f for f in found if f is not None]
        assert sum(f.sets for f in sides) == len(mine)
        assert sum(f.reps_counted for f in sides) == sum(s.measures.reps_counted for s in mine)
        for figure in sides:
            share = figure.parallel_share
            assert share is None or 0 <= share <= 1
            peaks = [s.measures.median_peak_thigh_deg for s in mine]
            known = [p for p in peaks if p is not None]
            if figure.median_peak_thigh_deg is not None:
                assert min(known) <= figure.median_peak_thigh_deg <= max(known)
            assert figure.stability is None or 1 <= figure.stability <= 5
