"""Training stats from the history: weeks, streaks, totals and left leg against right.

Definitions (also in `docs/history-view.md`):

- A **training session** is a session whose status is `completed` or `stopped` and that did
  work: at least one work segment with active time above zero. Running sessions (still being
  journaled) and interrupted ones (their record may be cut short by a crash) are listed in the
  history but do not count here, and neither does a session stopped during its preparation.
- A session's **day** is the calendar date of its start in the UTC offset it was recorded with,
  i.e. the date the person saw on the clock when they trained, wherever they look at it later.
- **Minutes** are a session's active (unpaused) time over all of its segments.
- **Weeks** are ISO weeks (Monday to Sunday). The last `weeks` weeks up to and including the
  week of `today` are always all present, with zeros for weeks without training.
- The **current streak** is the number of consecutive days, ending today, with at least one
  training session. A streak is still alive on a day without training until that day ends:
  if there was no training today, the streak counts back from yesterday. Otherwise it is 0.
  The **longest streak** is the longest such run of consecutive days anywhere in the history.
- **Left and right**: a segment's side is the leg whose knee drives (the other leg stands).
  Per training session with rep work on a side: the reps done on that side and the mean of its
  stability ratings (1-5; sides without a rating have no mean).
- **Asymmetry** over the last `asymmetry_sessions` sessions with side data, as a percentage:
  `(right - left) / max(right, left) * 100`, for the total reps done and for the mean
  stability. Positive: the right side is ahead; negative: the left side is ahead; 0: even.
- **Lagging side**: when, in each of the most recent `lag_sessions` (or more) sessions rated on
  both sides, the same side had the lower mean stability, a sentence names it and the leg to
  work on. Following the article, wobbling while driving one knee up means the glute of the
  other, standing, leg needs work. The same rule on reps done gives a sentence about reps.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from legdrive_timer.core.records import SessionRecord, SessionStatus
from legdrive_timer.core.timeline import PhaseKind
from legdrive_timer.core.workout import Side

DEFAULT_WEEKS = 12
DEFAULT_ASYMMETRY_SESSIONS = 10
DEFAULT_LAG_SESSIONS = 3

_COUNTED_STATUSES = frozenset({SessionStatus.COMPLETED, SessionStatus.STOPPED})


@dataclass(frozen=True)
class WeekBucket:
    """One ISO week: `start` is its Monday."""

    start: date
    iso_year: int
    iso_week: int
    sessions: int
    minutes: float


@dataclass(frozen=True)
class Totals:
    sessions: int
    minutes: float
    reps_left: int
    reps_right: int


@dataclass(frozen=True)
class SidePoint:
    """Left against right in one training session that had rep work on a side."""

    session_id: str
    started_at: datetime
    reps_left: int
    reps_right: int
    stability_left: float | None
    stability_right: float | None


@dataclass(frozen=True)
class Asymmetry:
    """(right - left) / max(right, left) as a percentage; None when there is nothing to compare."""

    sessions: int
    reps_pct: float | None
    stability_pct: float | None


class Measure(StrEnum):
    STABILITY = "stability"
    REPS = "reps"


@dataclass(frozen=True)
class LaggingSide:
    """One side behind the other in each of the last `sessions` sessions."""

    measure: Measure
    side: Side
    sessions: int
    sentence: str


@dataclass(frozen=True)
class Stats:
    weeks: tuple[WeekBucket, ...]
    current_streak: int
    longest_streak: int
    totals: Totals
    sides: tuple[SidePoint, ...]
    """Oldest first."""
    asymmetry: Asymmetry
    lagging: tuple[LaggingSide, ...]
    """Stability first, then reps; empty when no side lags."""


def asymmetry_pct(left: float, right: float) -> float | None:
    """(right - left) / max(right, left) * 100, or None when both are zero."""
    top = max(left, right)
    if top <= 0:
        return None
    return (right - left) / top * 100.0


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def compute_stats(
    records: Iterable[SessionRecord],
    today: date,
    *,
    weeks: int = DEFAULT_WEEKS,
    asymmetry_sessions: int = DEFAULT_ASYMMETRY_SESSIONS,
    lag_sessions: int = DEFAULT_LAG_SESSIONS,
) -> Stats:
    """All the stats in one pass over `records` (any order), as defined in the module doc."""
    if weeks < 1 or asymmetry_sessions < 1 or lag_sessions < 1:
        raise ValueError("weeks, asymmetry_sessions and lag_sessions must be at least 1")
    first_week = week_start(today) - timedelta(weeks=weeks - 1)
    week_sessions: dict[date, int] = {}
    week_ms: dict[date, int] = {}
    days: set[date] = set()
    total_sessions = 0
    total_ms = 0
    total_left = 0
    total_right = 0
    sides: list[SidePoint] = []
    work = PhaseKind.WORK
    left = Side.LEFT
    right = Side.RIGHT

    for record in records:
        if record.status not in _COUNTED_STATUSES:
            continue
        # One loop over the segments gathers everything; this is the hot path at 10,000+
        # sessions, so it stays free of helper calls and temporary objects.
        did_work = False
        session_ms = 0
        reps_l = reps_r = 0
        stab_l = stab_r = 0
        rated_l = rated_r = 0
        has_side = False
        for segment in record.segments:
            session_ms += segment.actual_ms
            if segment.kind is not work:
                continue
            if segment.actual_ms > 0:
                did_work = True
            side = segment.side
            if side is None:
                continue
            has_side = True
            reps = segment.reps_done or 0
            stability = segment.stability
            if side is left:
                reps_l += reps
                if stability is not None:
                    stab_l += stability
                    rated_l += 1
            elif side is right:
                reps_r += reps
                if stability is not None:
                    stab_r += stability
                    rated_r += 1
        if not did_work:
            continue
        day = record.started_at.date()
        days.add(day)
        total_sessions += 1
        total_ms += session_ms
        total_left += reps_l
        total_right += reps_r
        monday = day - timedelta(days=day.weekday())
        if monday >= first_week:
            week_sessions[monday] = week_sessions.get(monday, 0) + 1
            week_ms[monday] = week_ms.get(monday, 0) + session_ms
        if has_side:
            sides.append(
                SidePoint(
                    session_id=record.session_id,
                    started_at=record.started_at,
                    reps_left=reps_l,
                    reps_right=reps_r,
                    stability_left=stab_l / rated_l if rated_l else None,
                    stability_right=stab_r / rated_r if rated_r else None,
                )
            )

    buckets = []
    for index in range(weeks):
        monday = first_week + timedelta(weeks=index)
        iso = monday.isocalendar()
        buckets.append(
            WeekBucket(
                start=monday,
                iso_year=iso.year,
                iso_week=iso.week,
                sessions=week_sessions.get(monday, 0),
                minutes=week_ms.get(monday, 0) / 60_000,
            )
        )
    sides.sort(key=lambda p: (p.started_at, p.session_id))
    current, longest = streaks(days, today)
    return Stats(
        weeks=tuple(buckets),
        current_streak=current,
        longest_streak=longest,
        totals=Totals(
            sessions=total_sessions,
            minutes=total_ms / 60_000,
            reps_left=total_left,
            reps_right=total_right,
        ),
        sides=tuple(sides),
        asymmetry=asymmetry(sides, asymmetry_sessions),
        lagging=lagging_sides(sides, lag_sessions),
    )


def streaks(days: Iterable[date], today: date) -> tuple[int, int]:
    """(current, longest) runs of consecutive training days, as defined in the module doc."""
    day_set = set(days)
    longest = 0
    for day in day_set:
        if day - timedelta(days=1) in day_set:
            continue  # not the first day of a run
        length = 1
        while day + timedelta(days=length) in day_set:
            length += 1
        longest = max(longest, length)
    end = today if today in day_set else today - timedelta(days=1)
    current = 0
    while end - timedelta(days=current) in day_set:
        current += 1
    return current, longest


def asymmetry(points: list[SidePoint], last: int) -> Asymmetry:
    """Asymmetry over the last `last` points (oldest-first list)."""
    window = points[-last:]
    reps_left = sum(p.reps_left for p in window)
    reps_right = sum(p.reps_right for p in window)
    stab_left = [p.stability_left for p in window if p.stability_left is not None]
    stab_right = [p.stability_right for p in window if p.stability_right is not None]
    stability_pct = None
    if stab_left and stab_right:
        stability_pct = asymmetry_pct(
            sum(stab_left) / len(stab_left), sum(stab_right) / len(stab_right)
        )
    return Asymmetry(
        sessions=len(window),
        reps_pct=asymmetry_pct(reps_left, reps_right),
        stability_pct=stability_pct,
    )


def lagging_sides(points: list[SidePoint], min_sessions: int) -> tuple[LaggingSide, ...]:
    """The lagging-side findings for stability, then reps (oldest-first list)."""
    found: list[LaggingSide] = []
    stability_pairs = [
        (p.stability_left, p.stability_right)
        for p in points
        if p.stability_left is not None and p.stability_right is not None
    ]
    stability = _lag_run(stability_pairs)
    if stability is not None and stability[1] >= min_sessions:
        side, count = stability
        found.append(LaggingSide(Measure.STABILITY, side, count, stability_sentence(side, count)))
    reps_pairs = [
        (float(p.reps_left), float(p.reps_right))
        for p in points
        if p.reps_left > 0 and p.reps_right > 0
    ]
    reps = _lag_run(reps_pairs)
    if reps is not None and reps[1] >= min_sessions:
        side, count = reps
        found.append(LaggingSide(Measure.REPS, side, count, reps_sentence(side, count)))
    return tuple(found)


def _lag_run(pairs: list[tuple[float, float]]) -> tuple[Side, int] | None:
    """The side lower in the most recent pair and for how many pairs in a row it has been."""
    lower: Side | None = None
    count = 0
    for left_value, right_value in reversed(pairs):
        if left_value == right_value:
            break
        side = Side.LEFT if left_value < right_value else Side.RIGHT
        if lower is None:
            lower = side
        elif side is not lower:
            break
        count += 1
    return None if lower is None else (lower, count)


def stability_sentence(side: Side, sessions: int) -> str:
    other = side.other.value
    return (
        f"Driving your {side.value} knee has felt less stable than your {other} "
        f"in each of the last {sessions} sessions: work on your {other} leg, "
        f"the {other} glute that holds you up while the {side.value} knee drives."
    )


def reps_sentence(side: Side, sessions: int) -> str:
    return (
        f"You did fewer {side.value} knee drives than {side.other.value} ones "
        f"in each of the last {sessions} sessions: give your {side.value} side the extra reps."
    )
