"""The history export formats: versioned JSON (export and import) and CSV (export only).

JSON keeps everything a session record holds, so an export imported elsewhere gives the same
history back. Durations are seconds with millisecond precision (`30.0`, `12.345`), timestamps
ISO 8601 with the offset they were recorded in. Importing is forgiving per session: a session
that does not validate is skipped and named, the others are kept. The format is documented in
`docs/history-format.md`.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from legdrive_timer.core.formatting import phase_name
from legdrive_timer.core.records import EndReason, SegmentRecord, SessionRecord, SessionStatus
from legdrive_timer.core.timeline import PhaseKind
from legdrive_timer.core.workout import Side

FORMAT = "legdrive-timer/history"
VERSION = 1

EXPORTED_STATUSES = (SessionStatus.COMPLETED, SessionStatus.STOPPED, SessionStatus.INTERRUPTED)
"""`running` only exists inside the database while a session is journaled."""

MAX_MS = 10**12
"""Far beyond any real session (31 years); refuses numbers that can only be damage."""

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
)
"""Columns are only ever added at the end, so that a sheet built on an older export still
finds its columns where they were."""


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


def segment_to_dict(segment: SegmentRecord) -> dict[str, Any]:
    return {
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


def record_to_dict(record: SessionRecord) -> dict[str, Any]:
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
        "segments": [segment_to_dict(s) for s in record.segments],
    }


def records_to_json(
    records: Iterable[SessionRecord], *, exported_at: datetime | None = None
) -> str:
    moment = exported_at if exported_at is not None else datetime.now().astimezone()
    document = {
        "format": FORMAT,
        "version": VERSION,
        "exported_at": moment.isoformat(),
        "sessions": [record_to_dict(r) for r in records],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _cell(value: object) -> str:
    return "" if value is None else str(value)


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
    return moment


def _enum(data: Mapping[str, Any], key: str, where: str, choices: Iterable[_E]) -> _E:
    allowed = {str(c): c for c in choices}
    value = _require(data, key, where)
    if not isinstance(value, str) or value not in allowed:
        raise _Invalid(f"{where}{key} must be one of {_choices(allowed)}")
    return allowed[value]


def _segment(data: object, where: str) -> SegmentRecord:
    if not isinstance(data, dict):
        raise _Invalid(f"{where.rstrip('.')} must be an object")
    side = _require(data, "side", where)
    return SegmentRecord(
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
    )


def _req_int(data: Mapping[str, Any], key: str, where: str, low: int, high: int) -> int:
    value = _int(data, key, where, low=low, high=high)
    assert value is not None
    return value


def record_from_dict(data: object) -> SessionRecord:
    """One session; raises HistoryFormatError naming the first wrong field."""
    try:
        return _record(data)
    except _Invalid as error:
        raise HistoryFormatError(f"{error}.") from None


def _record(data: object) -> SessionRecord:
    if not isinstance(data, dict):
        raise _Invalid("the session must be an object")
    segments_data = _require(data, "segments", "")
    if not isinstance(segments_data, list):
        raise _Invalid("segments must be a list")
    segments = tuple(_segment(s, f"segments[{i}].") for i, s in enumerate(segments_data))
    indexes = [s.phase_index for s in segments]
    if len(set(indexes)) != len(indexes):
        raise _Invalid("segments must not repeat a phase_index")
    started_at = _moment(data, "started_at", "", optional=False)
    assert started_at is not None
    return SessionRecord(
        session_id=_string(data, "id", ""),
        workout_id=_string(data, "workout_id", ""),
        workout_name=_string(data, "workout_name", ""),
        started_at=started_at,
        ended_at=_moment(data, "ended_at", "", optional=True),
        status=_enum(data, "status", "", EXPORTED_STATUSES),
        planned_ms=_ms(data, "planned_s", ""),
        segments=tuple(sorted(segments, key=lambda s: s.phase_index)),
        effort=_int(data, "effort", "", low=0, high=10, optional=True),
    )


def _short_id(data: object) -> str:
    value = data.get("id") if isinstance(data, dict) else None
    if not isinstance(value, str) or not value:
        return "no id"
    return f"id {value[:12]}…" if len(value) > 12 else f"id {value}"


def records_from_json(text: str) -> ImportResult:
    """Every valid session of an export; a bad session is skipped and named in `problems`.

    A file that is not a history export of a known version raises HistoryFormatError.
    """
    try:
        document = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as error:
        where = f" (line {error.lineno})" if isinstance(error, json.JSONDecodeError) else ""
        raise HistoryFormatError(f"the file is not valid JSON{where}.") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise HistoryFormatError(f'the file is not a history export ("format": "{FORMAT}").')
    version = document.get("version")
    if version != VERSION or isinstance(version, bool):
        raise HistoryFormatError(
            f"the history export has version {version!r}; this app reads version {VERSION}."
        )
    sessions = document.get("sessions")
    if not isinstance(sessions, list):
        raise HistoryFormatError("the history export has no list of sessions.")
    records: list[SessionRecord] = []
    problems: list[str] = []
    seen: set[str] = set()
    for number, data in enumerate(sessions, start=1):
        try:
            record = _record(data)
        except _Invalid as error:
            problems.append(f"session {number} ({_short_id(data)}): {error}.")
            continue
        if record.session_id in seen:
            problems.append(f"session {number} ({_short_id(data)}): the id appears twice.")
            continue
        seen.add(record.session_id)
        records.append(record)
    return ImportResult(tuple(records), tuple(problems))
