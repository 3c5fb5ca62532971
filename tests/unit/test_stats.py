"""Stats over the history: weeks, streaks, totals, left against right."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta, timezone
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from legdrive_timer.core.records import EndReason, SegmentRecord, SessionRecord, SessionStatus
from legdrive_timer.core.stats import (
    LeftRight,
    Measure,
    SidePoint,
    StatsAccumulator,
    Totals,
    asymmetry_pct,
    compute_stats,
    lagging_sides,
    session_totals,
    streaks,
    week_start,
)
from legdrive_timer.core.timeline import PhaseKind
from legdrive_timer.core.workout import Side

TODAY = date(2026, 11, 25)  # a Wednesday


def seg(
    kind: PhaseKind = PhaseKind.WORK,
    side: Side | None = None,
    actual_ms: int = 30_000,
    reps: int | None = None,
    stability: int | None = None,
    index: int = 0,
) -> SegmentRecord:
    return SegmentRecord(
        phase_index=index,
        kind=kind,
        block_index=0,
        exercise_id="knee-drive",
        side=side,
        set_number=1 if side else None,
        round_number=None if side else 1,
        planned_ms=30_000,
        actual_ms=actual_ms,
        reps_planned=reps,
        reps_done=reps,
        end_reason=EndReason.ELAPSED,
        stability=stability,
    )


def session(
    day: date,
    *segments: SegmentRecord,
    status: SessionStatus = SessionStatus.COMPLETED,
    sid: str | None = None,
    hour: int = 18,
    tz: timezone = UTC,
) -> SessionRecord:
    started = datetime(day.year, day.month, day.day, hour, 0, tzinfo=tz)
    return SessionRecord(
        session_id=sid or f"{day.isoformat()}-{hour}",
        workout_id="primer",
        workout_name="Primer",
        started_at=started,
        ended_at=started + timedelta(minutes=5),
        status=status,
        planned_ms=60_000,
        segments=segments or (seg(),),
    )


def sided(
    day: date,
    left_reps: int,
    right_reps: int,
    left_stab: int | None,
    right_stab: int | None,
    sid: str | None = None,
) -> SessionRecord:
    return session(
        day,
        seg(side=Side.RIGHT, reps=right_reps, stability=right_stab, index=0),
        seg(kind=PhaseKind.SWITCH, side=Side.LEFT, actual_ms=5_000, index=1),
        seg(side=Side.LEFT, reps=left_reps, stability=left_stab, index=2),
        sid=sid,
    )


# --- weeks and totals -------------------------------------------------------------------


def test_empty_history_gives_zero_filled_weeks_and_no_streak() -> None:
    stats = compute_stats([], TODAY, weeks=4)
    assert list(stats.weeks) == [
        date(2026, 11, 2),
        date(2026, 11, 9),
        date(2026, 11, 16),
        date(2026, 11, 23),
    ]
    assert all(week == Totals(0, 0.0, LeftRight(0, 0)) for week in stats.weeks.values())
    assert (stats.current_streak, stats.longest_streak) == (0, 0)
    assert stats.totals.sessions == 0
    assert stats.sides == ()
    assert stats.asymmetry.reps_pct is None
    assert stats.asymmetry.stability_pct is None
    assert stats.lagging == ()


def test_sessions_and_minutes_land_in_their_iso_week() -> None:
    records = [
        session(date(2026, 11, 23), seg(actual_ms=60_000), seg(PhaseKind.REST, actual_ms=30_000)),
        session(date(2026, 11, 29), seg(actual_ms=120_000), hour=23),  # Sunday: same week
        session(date(2026, 11, 22), seg(actual_ms=60_000)),  # Sunday before: previous week
        session(date(2025, 1, 1), seg(actual_ms=60_000)),  # long ago: only in totals
    ]
    stats = compute_stats(records, TODAY, weeks=2)
    assert [
        (monday.isocalendar().week, week.sessions, week.minutes)
        for monday, week in stats.weeks.items()
    ] == [
        (47, 1, 1.0),
        (48, 2, 3.5),
    ]
    assert stats.totals.sessions == 4
    assert stats.totals.minutes == pytest.approx(5.5)


def test_only_completed_or_stopped_sessions_that_did_work_count() -> None:
    records = [
        session(TODAY, status=SessionStatus.COMPLETED, sid="a"),
        session(TODAY, status=SessionStatus.STOPPED, sid="b"),
        session(TODAY, status=SessionStatus.INTERRUPTED, sid="c"),
        session(TODAY, status=SessionStatus.RUNNING, sid="d"),
        # Stopped during the preparation: no work done.
        session(TODAY, seg(PhaseKind.PREP, actual_ms=4_000), status=SessionStatus.STOPPED, sid="e"),
        # Work phase skipped at once.
        session(TODAY, seg(actual_ms=0), sid="f"),
    ]
    stats = compute_stats(records, TODAY)
    assert stats.totals.sessions == 2
    assert stats.weeks[week_start(TODAY)].sessions == 2
    assert stats.current_streak == 1


def test_reps_per_side_are_totalled() -> None:
    records = [sided(TODAY, 15, 15, None, None, "a"), sided(TODAY, 12, 15, None, None, "b")]
    stats = compute_stats(records, TODAY)
    assert stats.totals.reps == (27, 30)
    assert stats.weeks[week_start(TODAY)] == stats.totals  # all of it this week


def test_a_session_day_is_the_date_where_it_was_recorded() -> None:
    # 23:30 on Sunday in UTC-5 is already Monday in UTC: the person trained on Sunday.
    late = session(date(2026, 11, 22), hour=23, tz=timezone(timedelta(hours=-5)))
    stats = compute_stats([late], TODAY, weeks=2)
    assert [week.sessions for week in stats.weeks.values()] == [1, 0]


def test_rejects_nonsense_windows() -> None:
    with pytest.raises(ValueError):
        compute_stats([], TODAY, weeks=0)


# --- streaks ----------------------------------------------------------------------------


def test_current_streak_counts_back_from_today() -> None:
    days = [TODAY - timedelta(days=n) for n in (0, 1, 2, 5, 6, 7, 8)]
    assert streaks(days, TODAY) == (3, 4)


def test_streak_is_alive_until_the_day_ends() -> None:
    days = [TODAY - timedelta(days=n) for n in (1, 2)]
    assert streaks(days, TODAY) == (2, 2)


def test_streak_is_broken_after_a_full_day_off() -> None:
    days = [TODAY - timedelta(days=n) for n in (2, 3)]
    assert streaks(days, TODAY) == (0, 2)


def test_two_sessions_on_one_day_are_one_streak_day() -> None:
    records = [session(TODAY, hour=8), session(TODAY, hour=18)]
    stats = compute_stats(records, TODAY)
    assert (stats.current_streak, stats.longest_streak) == (1, 1)


# --- left against right -----------------------------------------------------------------


def test_side_points_hold_reps_and_mean_stability_oldest_first() -> None:
    day = TODAY - timedelta(days=1)
    two_sets = session(
        day,
        seg(side=Side.RIGHT, reps=15, stability=5, index=0),
        seg(side=Side.LEFT, reps=15, stability=2, index=1),
        seg(side=Side.RIGHT, reps=15, stability=4, index=2),
        seg(side=Side.LEFT, reps=10, stability=None, index=3),
        sid="old",
    )
    hiit_only = session(TODAY, seg(), sid="hiit")
    stats = compute_stats([hiit_only, two_sets], TODAY)
    assert stats.sides == (
        SidePoint(
            session_id="old",
            started_at=two_sets.started_at,
            reps=LeftRight(25, 30),
            stability=LeftRight(2.0, 4.5),
        ),
    )


def test_asymmetry_is_right_minus_left_over_the_larger() -> None:
    records = [sided(TODAY, 12, 15, 3, 4)]
    asym = compute_stats(records, TODAY).asymmetry
    assert asym.sessions == 1
    assert asym.reps_pct == pytest.approx(20.0)
    assert asym.stability_pct == pytest.approx(25.0)


def test_asymmetry_uses_only_the_last_sessions() -> None:
    old = [sided(TODAY - timedelta(days=20 + n), 5, 15, 1, 5, f"old{n}") for n in range(5)]
    recent = [sided(TODAY - timedelta(days=n), 15, 15, 4, 4, f"new{n}") for n in range(3)]
    asym = compute_stats(old + recent, TODAY, asymmetry_sessions=3).asymmetry
    assert asym.sessions == 3
    assert asym.reps_pct == 0
    assert asym.stability_pct == 0


def test_asymmetry_pct_edges() -> None:
    assert asymmetry_pct(0, 0) is None
    assert asymmetry_pct(0, 10) == 100
    assert asymmetry_pct(10, 0) == -100


def test_left_lagging_in_stability_names_the_right_glute() -> None:
    records = [
        sided(TODAY - timedelta(days=n), 15, 15, left, 4, f"s{n}")
        for n, left in enumerate([2, 3, 2, 3, 5])  # newest first; the oldest had left ahead
    ]
    stats = compute_stats(records, TODAY)
    [finding] = stats.lagging
    assert finding.measure is Measure.STABILITY
    assert finding.side is Side.LEFT
    assert finding.sessions == 4
    assert finding.sentence == (
        "Driving your left knee has felt less stable than your right in each of the last "
        "4 sessions: work on your right leg, the right glute that holds you up while the "
        "left knee drives."
    )


def test_no_sentence_below_the_threshold_or_on_a_tie() -> None:
    two = [sided(TODAY - timedelta(days=n), 15, 15, 2, 4, f"s{n}") for n in range(2)]
    assert compute_stats(two, TODAY, lag_sessions=3).lagging == ()
    tie_latest = [sided(TODAY, 15, 15, 4, 4, "tie"), *two[1:], *two]
    assert compute_stats(tie_latest, TODAY, lag_sessions=1).lagging == ()


def test_fewer_reps_on_one_side_gives_a_reps_sentence() -> None:
    records = [sided(TODAY - timedelta(days=n), 15, 11, None, None, f"s{n}") for n in range(3)]
    [finding] = compute_stats(records, TODAY).lagging
    assert finding.measure is Measure.REPS
    assert finding.side is Side.RIGHT
    assert "fewer right knee drives than left ones in each of the last 3 sessions" in (
        finding.sentence
    )


def test_unrated_sessions_do_not_break_a_stability_run() -> None:
    records = [
        sided(TODAY, 15, 15, 2, 4, "a"),
        sided(TODAY - timedelta(days=1), 15, 15, None, None, "b"),
        sided(TODAY - timedelta(days=2), 15, 15, 2, 4, "c"),
        sided(TODAY - timedelta(days=3), 15, 15, 1, 3, "d"),
    ]
    [finding] = compute_stats(records, TODAY).lagging
    assert (finding.side, finding.sessions) == (Side.LEFT, 3)


# --- properties -------------------------------------------------------------------------

statuses = st.sampled_from(list(SessionStatus))
sides_or_none = st.sampled_from([Side.LEFT, Side.RIGHT, None])


@st.composite
def records_strategy(draw: st.DrawFn) -> list[SessionRecord]:
    count = draw(st.integers(0, 25))
    result = []
    for number in range(count):
        day = TODAY - timedelta(days=draw(st.integers(-2, 120)))
        segments = tuple(
            seg(
                kind=draw(st.sampled_from([PhaseKind.WORK, PhaseKind.REST, PhaseKind.PREP])),
                side=draw(sides_or_none),
                actual_ms=draw(st.integers(0, 120_000)),
                reps=draw(st.none() | st.integers(0, 20)),
                stability=draw(st.none() | st.integers(1, 5)),
                index=i,
            )
            for i in range(draw(st.integers(0, 6)))
        )
        result.append(
            SessionRecord(
                session_id=f"s{number}",
                workout_id="primer",
                workout_name="Primer",
                started_at=datetime(
                    day.year, day.month, day.day, draw(st.integers(0, 23)), tzinfo=UTC
                ),
                ended_at=None,
                status=draw(statuses),
                planned_ms=60_000,
                segments=segments,
            )
        )
    return result


def _mirror(record: SessionRecord) -> SessionRecord:
    from dataclasses import replace

    return replace(
        record,
        segments=tuple(
            replace(s, side=s.side.other if s.side is not None else None) for s in record.segments
        ),
    )


@given(records_strategy(), st.integers(1, 20))
def test_weeks_are_contiguous_and_bounded_by_totals(
    records: list[SessionRecord], weeks: int
) -> None:
    stats = compute_stats(records, TODAY, weeks=weeks)
    assert len(stats.weeks) == weeks
    mondays = list(stats.weeks)
    assert mondays[-1] <= TODAY < mondays[-1] + timedelta(days=7)
    for earlier, later in pairwise(mondays):
        assert later - earlier == timedelta(days=7)
        assert later.weekday() == 0
    assert sum(week.sessions for week in stats.weeks.values()) <= stats.totals.sessions
    assert sum(week.minutes for week in stats.weeks.values()) <= stats.totals.minutes + 1e-9
    assert 0 <= stats.current_streak <= stats.longest_streak
    assert stats.longest_streak <= stats.totals.sessions


@given(records_strategy(), st.randoms(use_true_random=False))
def test_order_does_not_matter(records: list[SessionRecord], rnd: random.Random) -> None:
    shuffled = list(records)
    rnd.shuffle(shuffled)
    assert compute_stats(shuffled, TODAY) == compute_stats(records, TODAY)


@given(records_strategy())
def test_mirroring_sides_mirrors_every_left_right_figure(records: list[SessionRecord]) -> None:
    stats = compute_stats(records, TODAY)
    mirrored = compute_stats([_mirror(r) for r in records], TODAY)
    assert mirrored.totals.reps == stats.totals.reps[::-1]
    for a, b in (
        (stats.asymmetry.reps_pct, mirrored.asymmetry.reps_pct),
        (stats.asymmetry.stability_pct, mirrored.asymmetry.stability_pct),
    ):
        if a is None:
            assert b is None
        else:
            assert b == pytest.approx(-a)
            assert -100 <= a <= 100
    assert [(f.measure, f.side.other, f.sessions) for f in stats.lagging] == [
        (f.measure, f.side, f.sessions) for f in mirrored.lagging
    ]


@given(st.sets(st.integers(-60, 60), max_size=40))
def test_streaks_match_a_day_by_day_count(offsets: set[int]) -> None:
    days = {TODAY + timedelta(days=o) for o in offsets}
    expected_longest = 0
    run = 0
    for o in range(-61, 62):
        run = run + 1 if TODAY + timedelta(days=o) in days else 0
        expected_longest = max(expected_longest, run)
    expected_current = 0
    start = 0 if TODAY in days else -1
    while TODAY + timedelta(days=start - expected_current) in days:
        expected_current += 1
    assert streaks(days, TODAY) == (expected_current, expected_longest)


@settings(max_examples=50)
@given(
    st.lists(st.tuples(st.integers(1, 5), st.integers(1, 5)), min_size=1, max_size=12),
    st.integers(1, 6),
)
def test_a_finding_means_that_many_sessions_in_a_row_lag(
    ratings: list[tuple[int, int]], threshold: int
) -> None:
    points = [
        SidePoint(
            f"s{i}",
            datetime(2026, 1, 1, tzinfo=UTC) + timedelta(days=i),
            LeftRight(1, 1),
            LeftRight(left, right),
        )
        for i, (left, right) in enumerate(ratings)
    ]
    findings = [f for f in lagging_sides(points, threshold) if f.measure is Measure.STABILITY]
    last = ratings[-threshold:]
    lags_left = len(last) == threshold and all(left < right for left, right in last)
    lags_right = len(last) == threshold and all(left > right for left, right in last)
    if lags_left or lags_right:
        [finding] = findings
        assert finding.side is (Side.LEFT if lags_left else Side.RIGHT)
        assert finding.sessions >= threshold
    else:
        assert findings == []


@given(records_strategy())
def test_totals_rows_and_the_accumulator_give_the_same_stats(
    records: list[SessionRecord],
) -> None:
    expected = compute_stats(records, TODAY)
    assert compute_stats([session_totals(r) for r in records], TODAY) == expected
    accumulator = StatsAccumulator(TODAY)
    for record in records:
        accumulator.add(record)
    assert accumulator.seen == len(records)
    assert accumulator.result() == expected
