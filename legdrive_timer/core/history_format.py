"""The history export formats: versioned JSON (export and import) and CSV (export only).

JSON keeps everything a session record holds, so an export imported elsewhere gives the same
history back. Durations are seconds with millisecond precision (`30.0`, `12.345`), timestamps
ISO 8601 with the offset they were recorded in. Importing is forgiving per session: a session
that does not validate is skipped and named, the others are kept. The format is documented in
`docs/history-format.md`.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from legdrive_timer.core import strict_json
from legdrive_timer.core.formatting import phase_name
from legdrive_timer.core.records import (
    COACH_FIGURES,
    CoachMeasures,
    EndReason,
    SegmentRecord,
    SessionRecord,
    SessionStatus,
    coach_problem,
    reps_done_limit,
)
from legdrive_timer.core.text import clip, printable, shown
from legdrive_timer.core.timeline import PhaseKind
from legdrive_timer.core.workout import Side

FORMAT = "legdrive-timer/history"
VERSION = 2
"""Version 2 added each segment's `coach` (the camera coach's measures of a rep set). An
export is written in the oldest version that holds it (`version_for`): without measures it
is version 1, which older versions of the app still import."""
READABLE_VERSIONS = (1, 2)
"""Every version this app imports."""

EXPORTED_STATUSES = (SessionStatus.COMPLETED, SessionStatus.STOPPED, SessionStatus.INTERRUPTED)
"""`running` only exists inside the database while a session is journaled."""

MAX_MS = 10**12
"""Far beyond any real session (31 years); refuses numbers that can only be damage."""
MAX_SEGMENTS = 10_000
"""Phases in one session: a day of non-stop intervals is under 3,000."""
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
"""No session of this app started before this; an earlier date can only be damage."""
FUTURE_SLACK = timedelta(days=2)
"""A session may start this far after the importing machine's clock (time zones, skew)."""
CLOCK_SLACK_MS = 5_000
"""Phase times come from the monotonic clock and the start and end from the wall clock:
they may disagree by this much (plus 1%) before a session counts as impossible."""

CSV_COLUMNS = (
    "session_id",
    "workout_id",
    "workout_name",
    "started_at",
    "ended_at",
    "status",
    "session_planned_s",
    "session_actual_s",
    "effort",
    "phase_index",
    "kind",
    "side",
    "set",
    "round",
    "exercise_id",
    "block_index",
    "planned_s",
    "actual_s",
    "reps_planned",
    "reps_done",
    "end_reason",
    "stability",
    "phase",
    "coach_reps_counted",
    "coach_parallel_reps",
    "coach_parallel_share",
    "coach_median_peak_thigh_deg",
    "coach_drive_lower_ratio",
    "coach_sway_deg",
)
"""Columns are only ever added at the end, so that a sheet built on an older export still
finds its columns where they were."""


MAX_TEXT = 1_000
"""Characters of an id or a name."""

_E = TypeVar("_E", PhaseKind, Side, EndReason, SessionStatus)


class HistoryFormatError(ValueError):
    """A history file that cannot be imported at all; the message is one sentence."""


@dataclass(frozen=True)
class ImportResult:
    records: tuple[SessionRecord, ...]
    problems: tuple[str, ...] = field(default=())
    """One sentence per session that was skipped, naming it and what is wrong."""


# -- export ----------------------------------------------------------------------------------


def _seconds(ms: int) -> float:
    return ms / 1000


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def version_for(records: Iterable[SessionRecord]) -> int:
    """The oldest version that holds `records`: 2 when the coach measured a set, else 1."""
    measured = any(s.coach is not None for r in records for s in r.segments)
    return 2 if measured else 1


def segment_to_dict(segment: SegmentRecord, version: int = VERSION) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "phase_index": segment.phase_index,
        "kind": segment.kind.value,
        "side": None if segment.side is None else segment.side.value,
        "set": segment.set_number,
        "round": segment.round_number,
        "exercise_id": segment.exercise_id,
        "block_index": segment.block_index,
        "planned_s": _seconds(segment.planned_ms),
        "actual_s": _seconds(segment.actual_ms),
        "reps_planned": segment.reps_planned,
        "reps_done": segment.reps_done,
        "end_reason": segment.end_reason.value,
        "stability": segment.stability,
    }
    if version >= 2:
        fields["coach"] = coach_to_dict(segment.coach)
    return fields


def coach_to_dict(measures: CoachMeasures | None) -> dict[str, Any] | None:
    """The coach's measures of a segment; `parallel_share` is derived (ignored on import)."""
    if measures is None:
        return None
    return {
        "reps_counted": measures.reps_counted,
        "parallel_reps": measures.parallel_reps,
        "parallel_share": measures.parallel_share,
        "median_peak_thigh_deg": measures.median_peak_thigh_deg,
        "drive_lower_ratio": measures.drive_lower_ratio,
        "sway_deg": measures.sway_deg,
    }


def exportable(record: SessionRecord) -> SessionRecord:
    """A session still being recorded is exported as `interrupted`, ending after its last
    saved phase: what the history would say of it if the app stopped now."""
    if record.status is not SessionStatus.RUNNING:
        return record
    ended = record.ended_at or record.started_at + timedelta(milliseconds=record.actual_ms)
    return dataclasses.replace(record, status=SessionStatus.INTERRUPTED, ended_at=ended)


def record_to_dict(record: SessionRecord, version: int = VERSION) -> dict[str, Any]:
    record = exportable(record)
    return {
        "id": record.session_id,
        "workout_id": record.workout_id,
        "workout_name": record.workout_name,
        "started_at": _iso(record.started_at),
        "ended_at": _iso(record.ended_at),
        "status": record.status.value,
        "planned_s": _seconds(record.planned_ms),
        "actual_s": _seconds(record.actual_ms),
        "effort": record.effort,
        "segments": [segment_to_dict(s, version) for s in record.segments],
    }


def records_to_json(
    records: Iterable[SessionRecord], *, exported_at: datetime | None = None
) -> str:
    moment = exported_at if exported_at is not None else datetime.now().astimezone()
    records = list(records)
    version = version_for(records)
    document = {
        "format": FORMAT,
        "version": version,
        "exported_at": moment.isoformat(),
        "sessions": [record_to_dict(r, version) for r in records],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    """A CSV cell. Text a spreadsheet would run as a formula (OWASP "CSV injection") gets a
    leading `'` so that it shows as text; numbers stay numbers."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


_COACH_CELLS = ("reps_counted", "parallel_reps", "parallel_share", *(n for n, _ in COACH_FIGURES))


def _coach_cells(coach: dict[str, Any] | None) -> list[Any]:
    """The coach columns of a segment's row, empty when the coach did not watch it."""
    return [None if coach is None else coach[name] for name in _COACH_CELLS]


def records_to_csv(records: Iterable[SessionRecord]) -> str:
    """One row per segment with the session's columns repeated; a session without segments
    still gets one row (segment columns empty) so that no session disappears."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for record in records:
        session = record_to_dict(record)
        head = [
            session["id"],
            session["workout_id"],
            session["workout_name"],
            session["started_at"],
            session["ended_at"],
            session["status"],
            session["planned_s"],
            session["actual_s"],
            session["effort"],
        ]
        if not record.segments:
            writer.writerow([_cell(v) for v in head] + [""] * (len(CSV_COLUMNS) - len(head)))
        for segment, record_segment in zip(session["segments"], record.segments, strict=True):
            tail = [
                segment["phase_index"],
                segment["kind"],
                segment["side"],
                segment["set"],
                segment["round"],
                segment["exercise_id"],
                segment["block_index"],
                segment["planned_s"],
                segment["actual_s"],
                segment["reps_planned"],
                segment["reps_done"],
                segment["end_reason"],
                segment["stability"],
                phase_name(record_segment.kind),
                *_coach_cells(segment["coach"]),
            ]
            writer.writerow([_cell(v) for v in head + tail])
    return out.getvalue()


# -- import ----------------------------------------------------------------------------------


class _Invalid(Exception):
    """One field of one session is wrong; the message names the field (no full stop)."""


def _choices(values: Iterable[object]) -> str:
    return ", ".join(str(v) for v in values)


def _require(data: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in data:
        raise _Invalid(f"{where}{key} is missing")
    return data[key]


def _string(data: Mapping[str, Any], key: str, where: str) -> str:
    value = _require(data, key, where)
    if not isinstance(value, str) or not value.strip():
        raise _Invalid(f"{where}{key} must be a non-empty string")
    if len(value) > MAX_TEXT:
        raise _Invalid(f"{where}{key} is longer than {MAX_TEXT} characters")
    return value


def _int(
    data: Mapping[str, Any],
    key: str,
    where: str,
    *,
    low: int,
    high: int,
    optional: bool = False,
) -> int | None:
    value = _require(data, key, where)
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        kind = "null or a whole number" if optional else "a whole number"
        raise _Invalid(f"{where}{key} must be {kind} from {low} to {high}")
    return value


def _ms(data: Mapping[str, Any], key: str, where: str) -> int:
    value = _require(data, key, where)
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0 <= value * 1000 <= MAX_MS
    ):
        raise _Invalid(f"{where}{key} must be a number of seconds, 0 or more")
    return round(value * 1000)


def _moment(data: Mapping[str, Any], key: str, where: str, *, optional: bool) -> datetime | None:
    value = _require(data, key, where)
    if value is None and optional:
        return None
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.utcoffset() is None:
        raise _Invalid(f"{where}{key} must be an ISO 8601 date and time with its offset")
    try:
        moment.astimezone(UTC)
    except (OverflowError, ValueError):
        raise _Invalid(f"{where}{key} is outside the calendar") from None
    return moment


def _enum(data: Mapping[str, Any], key: str, where: str, choices: Iterable[_E]) -> _E:
    allowed = {str(c): c for c in choices}
    value = _require(data, key, where)
    if not isinstance(value, str) or value not in allowed:
        raise _Invalid(f"{where}{key} must be one of {_choices(allowed)}")
    return allowed[value]


def _coach(data: Mapping[str, Any], where: str) -> CoachMeasures | None:
    """A segment's `coach` (version 2): null, absent, or the measures, each one checked."""
    value = data.get("coach")
    if value is None:
        return None
    if not isinstance(value, dict):
        raise _Invalid(f"{where}coach must be null or an object")
    counted = _require(value, "reps_counted", f"{where}coach.")
    parallel = _require(value, "parallel_reps", f"{where}coach.")
    peak, ratio, sway = (value.get(name) for name, _ in COACH_FIGURES)
    problem = coach_problem(counted, parallel, peak, ratio, sway)
    if problem is not None:
        raise _Invalid(f"{where}coach.{problem}")
    return CoachMeasures(counted, parallel, peak, ratio, sway)


def _segment(data: object, where: str, version: int = VERSION) -> SegmentRecord:
    if not isinstance(data, dict):
        raise _Invalid(f"{where.rstrip('.')} must be an object")
    side = _require(data, "side", where)
    segment = SegmentRecord(
        phase_index=_req_int(data, "phase_index", where, 0, 100_000),
        kind=_enum(data, "kind", where, PhaseKind),
        block_index=_req_int(data, "block_index", where, 0, 10_000),
        exercise_id=_string(data, "exercise_id", where),
        side=None if side is None else _enum(data, "side", where, Side),
        set_number=_int(data, "set", where, low=1, high=10_000, optional=True),
        round_number=_int(data, "round", where, low=1, high=10_000, optional=True),
        planned_ms=_ms(data, "planned_s", where),
        actual_ms=_ms(data, "actual_s", where),
        reps_planned=_int(data, "reps_planned", where, low=0, high=100_000, optional=True),
        reps_done=_int(data, "reps_done", where, low=0, high=100_000, optional=True),
        end_reason=_enum(data, "end_reason", where, EndReason),
        stability=_int(data, "stability", where, low=1, high=5, optional=True),
        # Version 1 had no measures: a `coach` there is someone else's field, ignored.
        coach=_coach(data, where) if version >= 2 else None,
    )
    limit = reps_done_limit(segment.reps_planned)
    if segment.reps_done is not None and limit is not None and segment.reps_done > limit:
        raise _Invalid(
            f"{where}reps_done is {segment.reps_done}, more than the {limit} a set of "
            f"{segment.reps_planned} planned reps can record"
        )
    return segment


def _check_times(
    started_at: datetime,
    ended_at: datetime | None,
    segments: tuple[SegmentRecord, ...],
    now: datetime,
) -> None:
    """Refuse what cannot have happened: a session before the app existed or in the
    future, one that ends before it starts, phases longer than the session."""
    if started_at < EARLIEST:
        raise _Invalid(f"started_at is before {EARLIEST.year}, earlier than any session")
    if started_at > now + FUTURE_SLACK:
        raise _Invalid("started_at is in the future")
    if ended_at is None:
        return
    if ended_at < started_at:
        raise _Invalid("ended_at is before started_at")
    wall_ms = (ended_at - started_at) / timedelta(milliseconds=1)
    slack = CLOCK_SLACK_MS + wall_ms / 100
    active_ms = sum(s.actual_ms for s in segments)
    if active_ms > wall_ms + slack:
        raise _Invalid(
            f"its segments last {active_ms / 1000:g} s, longer than the session itself "
            f"({wall_ms / 1000:g} s from start to end)"
        )


def _req_int(data: Mapping[str, Any], key: str, where: str, low: int, high: int) -> int:
    value = _int(data, key, where, low=low, high=high)
    assert value is not None
    return value


def record_from_dict(
    data: object, *, now: datetime | None = None, version: int = VERSION
) -> SessionRecord:
    """One session of a file of `version`; raises HistoryFormatError naming the first wrong
    field."""
    try:
        return _record(data, now or datetime.now(UTC), version)
    except _Invalid as error:
        raise HistoryFormatError(f"{error}.") from None


def _record(data: object, now: datetime | None, version: int = VERSION) -> SessionRecord:
    if not isinstance(data, dict):
        raise _Invalid("the session must be an object")
    segments_data = _require(data, "segments", "")
    if not isinstance(segments_data, list):
        raise _Invalid("segments must be a list")
    if len(segments_data) > MAX_SEGMENTS:
        raise _Invalid(
            f"it has {len(segments_data)} segments, more than the {MAX_SEGMENTS} one session "
            "can hold"
        )
    segments = tuple(_segment(s, f"segments[{i}].", version) for i, s in enumerate(segments_data))
    indexes = [s.phase_index for s in segments]
    if len(set(indexes)) != len(indexes):
        raise _Invalid("segments must not repeat a phase_index")
    started_at = _moment(data, "started_at", "", optional=False)
    assert started_at is not None
    ended_at = _moment(data, "ended_at", "", optional=True)
    if now is not None:
        _check_times(started_at, ended_at, segments, now)
    return SessionRecord(
        session_id=_string(data, "id", ""),
        workout_id=_string(data, "workout_id", ""),
        workout_name=_string(data, "workout_name", ""),
        started_at=started_at,
        ended_at=ended_at,
        status=_enum(data, "status", "", EXPORTED_STATUSES),
        planned_ms=_ms(data, "planned_s", ""),
        segments=tuple(sorted(segments, key=lambda s: s.phase_index)),
        effort=_int(data, "effort", "", low=0, high=10, optional=True),
    )


def _short_id(data: object) -> str:
    value = data.get("id") if isinstance(data, dict) else None
    if not isinstance(value, str) or not value:
        return "no id"
    return f"id {clip(printable(value), 13)}"


def records_from_json(text: str, *, now: datetime | None = None) -> ImportResult:
    """Every valid session of an export; a bad session is skipped and named in `problems`.

    A file that is not a history export of a known version raises HistoryFormatError.
    `now` (default: the system clock) bounds the start times that can be real.
    """
    try:
        document = strict_json.loads(text)
    except strict_json.JsonError as error:
        raise HistoryFormatError(f"{error}.") from None
    return records_from_document(document, now=now)


def records_from_document(
    document: Any, *, now: datetime | None = None, check_times: bool = True
) -> ImportResult:
    """As `records_from_json`, from the parsed JSON value. `check_times=False` takes the
    times as they are: for the app's own files, whose phase times come from a clock that
    need not agree with the wall clock (a test's fake clock)."""
    moment = (now or datetime.now(UTC)) if check_times else None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise HistoryFormatError(f'the file is not a history export ("format": "{FORMAT}").')
    version = document.get("version")
    if type(version) is not int or version not in READABLE_VERSIONS:
        readable = " and ".join(str(v) for v in READABLE_VERSIONS)
        raise HistoryFormatError(
            f"the history export has version {shown(version)}; this app reads versions {readable}."
        )
    sessions = document.get("sessions")
    if not isinstance(sessions, list):
        raise HistoryFormatError("the history export has no list of sessions.")
    records: list[SessionRecord] = []
    problems: list[str] = []
    seen: set[str] = set()
    for number, data in enumerate(sessions, start=1):
        try:
            record = _record(data, moment, version)
        except _Invalid as error:
            problems.append(f"session {number} ({_short_id(data)}): {error}.")
            continue
        if record.session_id in seen:
            problems.append(f"session {number} ({_short_id(data)}): the id appears twice.")
            continue
        seen.add(record.session_id)
        records.append(record)
    return ImportResult(tuple(records), tuple(problems))
