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
- **Camera coach, left against right** (`coach_weeks`): the rep sets of training sessions
  that the camera coach measured, per ISO week of the last `weeks` and per side: the reps it
  counted, the share of them that reached parallel (parallel reps over counted reps), the
  median of the sets' median peak thigh angles, drive-to-lowering ratios and trunk sways,
  and beside them the mean 1-5 stability rating given for those same sets. Only weeks with
  measured sets are listed. When, in each of the most recent `lag_sessions` (or more) weeks
  measured on both sides, the same side reached parallel in a smaller share of its counted
  reps, a sentence names it (`coach_lagging_sentence`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Generic, NamedTuple, TypeVar

from legdrive_timer.core.records import CoachMeasures, SessionRecord, SessionStatus
from legdrive_timer.core.timeline import PhaseKind
from legdrive_timer.core.workout import Side

DEFAULT_WEEKS = 12
DEFAULT_ASYMMETRY_SESSIONS = 10
DEFAULT_LAG_SESSIONS = 3

_COUNTED_STATUSES = frozenset({SessionStatus.COMPLETED, SessionStatus.STOPPED})
# Enum members looked up once: attribute access on an Enum class is slow in the hot loop.
_WORK = PhaseKind.WORK
_LEFT = Side.LEFT

_T = TypeVar("_T")


class LeftRight(NamedTuple, Generic[_T]):
    """A figure for each side: the leg whose knee drives."""

    left: _T
    right: _T


@dataclass(frozen=True)
class Totals:
    """What training sessions add up to, over a week or the whole history."""

    sessions: int
    minutes: float
    reps: LeftRight[int]


@dataclass(frozen=True)
class SidePoint:
    """Left against right in one training session that had rep work on a side."""

    session_id: str
    started_at: datetime
    reps: LeftRight[int]
    stability: LeftRight[float | None]
    """The mean of each side's ratings; None for a side without any."""


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
    weeks: Mapping[date, Totals]
    """Each of the last weeks by its Monday, oldest first."""
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


class SessionTotals(NamedTuple):
    """One session reduced to what the stats need: what a storage aggregate query returns.

    A NamedTuple rather than a frozen dataclass: one is built per session on the hot path,
    and a tuple is built several times faster.

    `stability_*_sum` / `rated_*` give the mean stability of a side; `did_work` is true when a
    work segment had active time above zero; `has_side` when a work segment had a side.
    """

    session_id: str
    started_at: datetime
    status: SessionStatus
    active_ms: int
    did_work: bool
    has_side: bool
    reps_left: int
    reps_right: int
    stability_left_sum: int
    rated_left: int
    stability_right_sum: int
    rated_right: int

    @property
    def reps(self) -> LeftRight[int]:
        return LeftRight(self.reps_left, self.reps_right)

    @property
    def stability(self) -> LeftRight[float | None]:
        """The mean stability rating of each side; None for a side without a rating."""
        return LeftRight(
            mean(self.stability_left_sum, self.rated_left),
            mean(self.stability_right_sum, self.rated_right),
        )


def mean(total: float, count: int) -> float | None:
    return total / count if count else None


def session_totals(record: SessionRecord) -> SessionTotals:
    """Reduce a session to its totals in one loop over its segments (the hot path)."""
    did_work = False
    has_side = False
    active_ms = 0
    reps_l = reps_r = 0
    stab_l = stab_r = 0
    rated_l = rated_r = 0
    work = _WORK
    left = _LEFT
    for segment in record.segments:
        active_ms += segment.actual_ms
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
        else:
            reps_r += reps
            if stability is not None:
                stab_r += stability
                rated_r += 1
    return SessionTotals(
        record.session_id,
        record.started_at,
        record.status,
        active_ms,
        did_work,
        has_side,
        reps_l,
        reps_r,
        stab_l,
        rated_l,
        stab_r,
        rated_r,
    )


class _Tally:
    """Totals added up one training session at a time."""

    __slots__ = ("ms", "reps_left", "reps_right", "sessions")

    def __init__(self) -> None:
        self.sessions = 0
        self.ms = 0
        self.reps_left = 0
        self.reps_right = 0

    def add(self, t: SessionTotals) -> None:
        self.sessions += 1
        self.ms += t.active_ms
        self.reps_left += t.reps_left
        self.reps_right += t.reps_right

    def totals(self) -> Totals:
        reps = LeftRight(self.reps_left, self.reps_right)
        return Totals(self.sessions, self.ms / 60_000, reps)


_NOTHING = _Tally()


class StatsAccumulator:
    """Stats built up one session at a time, so that a caller can spread the work out (the
    window does a slice per event-loop turn) and ask for the result at the end."""

    def __init__(
        self,
        today: date,
        *,
        weeks: int = DEFAULT_WEEKS,
        asymmetry_sessions: int = DEFAULT_ASYMMETRY_SESSIONS,
        lag_sessions: int = DEFAULT_LAG_SESSIONS,
    ) -> None:
        if weeks < 1 or asymmetry_sessions < 1 or lag_sessions < 1:
            raise ValueError("weeks, asymmetry_sessions and lag_sessions must be at least 1")
        self.today = today
        self._weeks = weeks
        self._asymmetry_sessions = asymmetry_sessions
        self._lag_sessions = lag_sessions
        self._first_week = first_week(today, weeks)
        self._weeks_added: dict[date, _Tally] = {}
        self._days: set[date] = set()
        self._all = _Tally()
        self._sides: list[SidePoint] = []
        self.seen = 0
        """Sessions added so far, counted or not (for progress)."""

    def add(self, record: SessionRecord) -> None:
        self.seen += 1
        if record.status in _COUNTED_STATUSES:
            self._add(session_totals(record))

    def add_totals(self, totals: SessionTotals) -> None:
        self.seen += 1
        if totals.status in _COUNTED_STATUSES:
            self._add(totals)

    def _add(self, t: SessionTotals) -> None:
        if not t.did_work:
            return
        day = t.started_at.date()
        self._days.add(day)
        self._all.add(t)
        monday = day - timedelta(days=day.weekday())
        if monday >= self._first_week:
            week = self._weeks_added.get(monday)
            if week is None:
                week = self._weeks_added[monday] = _Tally()
            week.add(t)
        if t.has_side:
            self._sides.append(SidePoint(t.session_id, t.started_at, t.reps, t.stability))

    def result(self) -> Stats:
        mondays = (self._first_week + timedelta(weeks=i) for i in range(self._weeks))
        weeks = {monday: self._weeks_added.get(monday, _NOTHING).totals() for monday in mondays}
        sides = sorted(self._sides, key=lambda p: (p.started_at, p.session_id))
        current, longest = streaks(self._days, self.today)
        return Stats(
            weeks=weeks,
            current_streak=current,
            longest_streak=longest,
            totals=self._all.totals(),
            sides=tuple(sides),
            asymmetry=asymmetry(sides, self._asymmetry_sessions),
            lagging=lagging_sides(sides, self._lag_sessions),
        )


def compute_stats(
    sessions: Iterable[SessionRecord | SessionTotals],
    today: date,
    *,
    weeks: int = DEFAULT_WEEKS,
    asymmetry_sessions: int = DEFAULT_ASYMMETRY_SESSIONS,
    lag_sessions: int = DEFAULT_LAG_SESSIONS,
) -> Stats:
    """All the stats in one pass over `sessions` (any order), as defined in the module doc:
    whole records, or their totals as the history keeps them (one row per session)."""
    accumulator = StatsAccumulator(
        today, weeks=weeks, asymmetry_sessions=asymmetry_sessions, lag_sessions=lag_sessions
    )
    for session in sessions:
        if isinstance(session, SessionTotals):
            accumulator.add_totals(session)
        else:
            accumulator.add(session)
    return accumulator.result()


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
    reps_left = sum(p.reps.left for p in window)
    reps_right = sum(p.reps.right for p in window)
    stab_left = [p.stability.left for p in window if p.stability.left is not None]
    stab_right = [p.stability.right for p in window if p.stability.right is not None]
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
        (left, right)
        for left, right in (p.stability for p in points)
        if left is not None and right is not None
    ]
    stability = _lag_run(stability_pairs)
    if stability is not None and stability[1] >= min_sessions:
        side, count = stability
        found.append(LaggingSide(Measure.STABILITY, side, count, stability_sentence(side, count)))
    reps_pairs = [p.reps for p in points if p.reps.left > 0 and p.reps.right > 0]
    reps = _lag_run(reps_pairs)
    if reps is not None and reps[1] >= min_sessions:
        side, count = reps
        found.append(LaggingSide(Measure.REPS, side, count, reps_sentence(side, count)))
    return tuple(found)


def _lag_run(pairs: Sequence[tuple[float, float]]) -> tuple[Side, int] | None:
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


# -- the camera coach's measures, left against right over weeks -------------------------------


@dataclass(frozen=True)
class CoachSet:
    """One rep set the camera coach measured, with the session it belongs to."""

    session_id: str
    started_at: datetime
    status: SessionStatus
    did_work: bool
    side: Side
    set_number: int | None
    measures: CoachMeasures
    stability: int | None
    """The 1-5 rating the person gave this set, if any."""


@dataclass(frozen=True)
class CoachSide:
    """One side's measured sets in one week."""

    sets: int
    reps_counted: int
    parallel_reps: int
    median_peak_thigh_deg: float | None
    drive_lower_ratio: float | None
    sway_deg: float | None
    stability: float | None
    """The mean rating of these same sets (None when none was rated)."""

    @property
    def parallel_share(self) -> float | None:
        return self.parallel_reps / self.reps_counted if self.reps_counted else None


@dataclass(frozen=True)
class CoachWeek:
    """One ISO week with measured sets: `start` is its Monday; a side without any is None."""

    start: date
    left: CoachSide | None
    right: CoachSide | None


def coach_sets(record: SessionRecord) -> Iterator[CoachSet]:
    """The measured rep sets of a session (what a storage query returns, row by row)."""
    did_work = session_totals(record).did_work
    for segment in record.segments:
        if segment.kind is _WORK and segment.side is not None and segment.coach is not None:
            yield CoachSet(
                record.session_id,
                record.started_at,
                record.status,
                did_work,
                segment.side,
                segment.set_number,
                segment.coach,
                segment.stability,
            )


def first_week(today: date, weeks: int = DEFAULT_WEEKS) -> date:
    """The Monday of the oldest of the last `weeks` ISO weeks up to `today`'s."""
    return week_start(today) - timedelta(weeks=weeks - 1)


def _median(values: Iterable[float | None]) -> float | None:
    import statistics  # here: with fractions and decimal, too much to load at every start

    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def _side_of(sets: list[CoachSet]) -> CoachSide | None:
    if not sets:
        return None
    ratings = [s.stability for s in sets if s.stability is not None]
    return CoachSide(
        sets=len(sets),
        reps_counted=sum(s.measures.reps_counted for s in sets),
        parallel_reps=sum(s.measures.parallel_reps for s in sets),
        median_peak_thigh_deg=_median(s.measures.median_peak_thigh_deg for s in sets),
        drive_lower_ratio=_median(s.measures.drive_lower_ratio for s in sets),
        sway_deg=_median(s.measures.sway_deg for s in sets),
        stability=sum(ratings) / len(ratings) if ratings else None,
    )


def coach_weeks(
    sets: Iterable[CoachSet], today: date, *, weeks: int = DEFAULT_WEEKS
) -> tuple[CoachWeek, ...]:
    """Left against right per week from the measured sets of training sessions, oldest week
    first, as defined in the module doc."""
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    oldest = first_week(today, weeks)
    by_week: dict[date, tuple[list[CoachSet], list[CoachSet]]] = {}
    for found in sets:
        if found.status not in _COUNTED_STATUSES or not found.did_work:
            continue
        monday = week_start(found.started_at.date())
        if monday < oldest:
            continue
        left, right = by_week.setdefault(monday, ([], []))
        (left if found.side is _LEFT else right).append(found)
    result = []
    for monday in sorted(by_week):
        left, right = by_week[monday]
        result.append(CoachWeek(monday, _side_of(left), _side_of(right)))
    return tuple(result)


def coach_lagging_sentence(
    weeks: Sequence[CoachWeek], min_weeks: int = DEFAULT_LAG_SESSIONS
) -> str | None:
    """The side whose knee reached parallel less often in each of the last `min_weeks` (or
    more) weeks measured on both sides, as a sentence; None when no side lags."""
    both = [
        (week.left, week.right)
        for week in weeks
        if week.left is not None
        and week.right is not None
        and week.left.parallel_share is not None
        and week.right.parallel_share is not None
    ]
    pairs = [(left.parallel_share or 0.0, right.parallel_share or 0.0) for left, right in both]
    run = _lag_run(pairs)
    if run is None or run[1] < min_weeks:
        return None
    side, count = run
    left_share, right_share = pairs[-1]
    lower, higher = (left_share, right_share) if side is _LEFT else (right_share, left_share)
    return (
        f"Your {side.value} knee reached parallel less often than your {side.other.value} in "
        f"each of the last {count} weeks the camera watched ({lower * 100:.0f}% against "
        f"{higher * 100:.0f}% the last of them): drive it higher, the thigh parallel to the "
        "floor or above."
    )
