"""Rows of the history database and the records they hold: the SQL that writes them and
the functions that read them back, by column name.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from legdrive_timer.core.records import (
    CoachMeasures,
    EndReason,
    SegmentRecord,
    SessionHeader,
    SessionRecord,
    SessionStatus,
)
from legdrive_timer.core.stats import CoachSet, SessionTotals
from legdrive_timer.core.timeline import PhaseKind
from legdrive_timer.core.workout import Side
from legdrive_timer.storage.migrations import (
    COACH_COLUMNS,
    TOTALS_COLUMNS,
)

log = logging.getLogger(__name__)

KINDS = {k.value: k for k in PhaseKind}
SIDES = {s.value: s for s in Side}
REASONS = {r.value: r for r in EndReason}
STATUSES = {s.value: s for s in SessionStatus}


@dataclass(frozen=True)
class SessionSummary(SessionHeader):
    """One line of the history list, without the segments."""

    actual_ms: int
    effort: int | None
    segment_count: int
    has_side: bool = False
    """A work phase of the session had a side: left against right applies to it."""
    reps_left: int = 0
    reps_right: int = 0
    stability_left: float | None = None
    """The mean of the left side's stability ratings, when it was rated."""
    stability_right: float | None = None


def local_now() -> datetime:
    return datetime.now().astimezone()


def aware(moment: datetime) -> datetime:
    """A naive datetime is taken as local time, so every stored time carries its offset."""
    return moment if moment.utcoffset() is not None else moment.astimezone()


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else aware(moment).isoformat()


def utc_ms(moment: datetime) -> int:
    return round(aware(moment).timestamp() * 1000)


SESSION_COLUMNS = (
    "s.id, s.workout_id, s.workout_name, s.started_at, s.ended_at, s.status, s.planned_ms, s.effort"
)
TOTALS = ", ".join(f"s.{c.strip()}" for c in TOTALS_COLUMNS.split(","))
SEGMENT_COLUMNS = (
    "phase_index, kind, block_index, exercise_id, side, set_number, round_number, planned_ms, "
    "actual_ms, reps_planned, reps_done, end_reason, stability, " + ", ".join(COACH_COLUMNS)
)
_SEGMENT_VALUES = ", ".join("?" * (1 + len(SEGMENT_COLUMNS.split(","))))
# The coach's measures go together: a phase written again without them (the engine's own
# record of it) keeps the ones written before.
_KEEP_COACH = ",\n".join(
    f"        {c} = CASE WHEN excluded.coach_reps_counted IS NULL THEN segments.{c} "
    f"ELSE excluded.{c} END"
    for c in COACH_COLUMNS
)
# The engine's record of a phase replaces what was written of it before.
_REPLACE = "".join(
    f"        {c} = excluded.{c},\n"
    for c in (
        "kind",
        "block_index",
        "exercise_id",
        "side",
        "set_number",
        "round_number",
        "planned_ms",
        "actual_ms",
        "reps_planned",
    )
)
UPSERT_SEGMENT = f"""
    INSERT INTO segments (session_id, {SEGMENT_COLUMNS})
    VALUES ({_SEGMENT_VALUES})
    ON CONFLICT (session_id, phase_index) DO UPDATE SET
{_REPLACE}        -- What the user entered after the phase outlives the engine's own count.
        reps_done = CASE WHEN segments.reps_by_user THEN segments.reps_done
                         ELSE excluded.reps_done END,
        end_reason = excluded.end_reason,
        stability = COALESCE(excluded.stability, segments.stability),
{_KEEP_COACH}
"""
INSERT_SEGMENT = f"""
    INSERT INTO segments (session_id, {SEGMENT_COLUMNS})
    VALUES ({_SEGMENT_VALUES})
"""
SET_COACH = ", ".join(f"{c} = ?" for c in COACH_COLUMNS)
"""The assignments of `coach_values`, for an UPDATE of one segment."""
INSERT_SESSION = """
    INSERT {verb} INTO sessions (id, workout_id, workout_name, started_at, started_utc_ms,
        started_date, ended_at, updated_at, status, planned_ms, effort)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""


INSERT_IGNORE_SESSION = INSERT_SESSION.format(verb="OR IGNORE")


def segment_row(session_id: str, s: SegmentRecord) -> tuple[Any, ...]:
    return (
        session_id,
        s.phase_index,
        s.kind.value,
        s.block_index,
        s.exercise_id,
        None if s.side is None else s.side.value,
        s.set_number,
        s.round_number,
        s.planned_ms,
        s.actual_ms,
        s.reps_planned,
        s.reps_done,
        s.end_reason.value,
        s.stability,
        *coach_values(s.coach),
    )


def coach_values(measures: CoachMeasures | None) -> tuple[Any, ...]:
    """The COACH_COLUMNS values of `measures` (all None when the coach did not watch)."""
    if measures is None:
        return (None,) * len(COACH_COLUMNS)
    return (
        measures.reps_counted,
        measures.parallel_reps,
        measures.median_peak_thigh_deg,
        measures.drive_lower_ratio,
        measures.sway_deg,
    )


def coach_from(row: sqlite3.Row) -> CoachMeasures | None:
    """The coach's measures from a row holding COACH_COLUMNS. Values the app could not have
    written (a database changed by hand) leave the measures out, not the phase."""
    if row["coach_reps_counted"] is None:
        return None
    try:
        return CoachMeasures(*(row[c] for c in COACH_COLUMNS))
    except ValueError as error:
        log.warning("coach measures left out, they cannot be read: %s", error)
        return None


def session_row(record: SessionRecord) -> tuple[Any, ...]:
    started = aware(record.started_at)
    return (
        record.session_id,
        record.workout_id,
        record.workout_name,
        started.isoformat(),
        utc_ms(started),
        started.date().isoformat(),
        iso(record.ended_at),
        iso(record.ended_at) or started.isoformat(),
        record.status.value,
        record.planned_ms,
        record.effort,
    )


_SEGMENT_AS_STORED = (
    "phase_index",
    "block_index",
    "exercise_id",
    "set_number",
    "round_number",
    "planned_ms",
    "actual_ms",
    "reps_planned",
    "reps_done",
    "stability",
)
_TOTALS_AS_STORED = (
    "active_ms",
    "reps_left",
    "reps_right",
    "stability_left_sum",
    "rated_left",
    "stability_right_sum",
    "rated_right",
)


def _as_stored(row: sqlite3.Row, columns: tuple[str, ...]) -> dict[str, Any]:
    """The columns whose stored value is the record's value, by name."""
    return {column: row[column] for column in columns}


def segment_from(row: sqlite3.Row) -> SegmentRecord:
    """A segment from a row holding SEGMENT_COLUMNS, read by column name."""
    side = row["side"]
    return SegmentRecord(
        kind=KINDS[row["kind"]],
        side=None if side is None else SIDES[side],
        end_reason=REASONS[row["end_reason"]],
        coach=coach_from(row),
        **_as_stored(row, _SEGMENT_AS_STORED),
    )


def record_from(row: sqlite3.Row, segments: tuple[SegmentRecord, ...]) -> SessionRecord:
    """A session from a row holding SESSION_COLUMNS, read by column name."""
    ended = row["ended_at"]
    return SessionRecord(
        session_id=row["id"],
        workout_id=row["workout_id"],
        workout_name=row["workout_name"],
        started_at=datetime.fromisoformat(row["started_at"]),
        ended_at=None if ended is None else datetime.fromisoformat(ended),
        status=STATUSES[row["status"]],
        planned_ms=row["planned_ms"],
        segments=segments,
        effort=row["effort"],
    )


def totals_from(row: sqlite3.Row) -> SessionTotals:
    """The stats' view of a session from a row holding `s.id, s.started_at, s.status` and
    TOTALS: the one place the totals SQLite keeps (migrations.TOTALS_SELECT) become values."""
    return SessionTotals(
        session_id=row["id"],
        started_at=datetime.fromisoformat(row["started_at"]),
        status=STATUSES[row["status"]],
        did_work=bool(row["did_work"]),
        has_side=bool(row["has_side"]),
        **_as_stored(row, _TOTALS_AS_STORED),
    )


COACH_SET_COLUMNS = (
    "s.id, s.started_at, s.status, s.did_work, g.side, g.set_number, g.stability, "
    + ", ".join(f"g.{c}" for c in COACH_COLUMNS)
)


def coach_set_from(row: sqlite3.Row) -> CoachSet | None:
    """A measured set from a row holding COACH_SET_COLUMNS (None when its measures cannot
    be read)."""
    measures = coach_from(row)
    if measures is None:
        return None
    return CoachSet(
        session_id=row["id"],
        started_at=datetime.fromisoformat(row["started_at"]),
        status=STATUSES[row["status"]],
        did_work=bool(row["did_work"]),
        side=SIDES[row["side"]],
        set_number=row["set_number"],
        measures=measures,
        stability=row["stability"],
    )


def summary_from(row: sqlite3.Row) -> SessionSummary:
    """One line of the history list from a row holding SESSION_COLUMNS and TOTALS, its
    per-side figures derived from the same totals as the stats (`totals_from`)."""
    totals = totals_from(row)
    stability = totals.stability
    ended = row["ended_at"]
    return SessionSummary(
        session_id=totals.session_id,
        workout_id=row["workout_id"],
        workout_name=row["workout_name"],
        started_at=totals.started_at,
        ended_at=None if ended is None else datetime.fromisoformat(ended),
        status=totals.status,
        planned_ms=row["planned_ms"],
        effort=row["effort"],
        actual_ms=totals.active_ms,
        segment_count=row["segment_count"],
        has_side=totals.has_side,
        reps_left=totals.reps_left,
        reps_right=totals.reps_right,
        stability_left=stability.left,
        stability_right=stability.right,
    )


def filters(
    workout_id: str | None, since: date | None, until: date | None
) -> tuple[str, list[Any]]:
    clauses: list[str] = []
    params: list[Any] = []
    if workout_id is not None:
        clauses.append("s.workout_id = ?")
        params.append(workout_id)
    if since is not None:
        clauses.append("s.started_date >= ?")
        params.append(since.isoformat())
    if until is not None:
        clauses.append("s.started_date <= ?")
        params.append(until.isoformat())
    return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


_T = TypeVar("_T")
_R = TypeVar("_R")


def readable(rows: Iterable[_R], decode: Callable[[_R], _T]) -> Iterator[_T]:
    """`decode` of each row, leaving out (and logging) a row the app could not have written:
    a date that is not one, an unknown kind. A database changed by hand must not make the
    list, the stats or an export fail for good."""
    for row in rows:
        try:
            yield decode(row)
        except (ValueError, KeyError, TypeError, OverflowError) as error:
            log.warning("history row left out, it cannot be read: %r", error)
