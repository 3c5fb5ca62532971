"""The same session reads the same on the command line, in the history view, in the summary and
on the session screen: one duration rule, one clock time, one name per phase."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytestqt.qtbot import QtBot

from legdrive_timer import history_cli
from legdrive_timer.cli import main
from legdrive_timer.core.formatting import PHASE_NAMES, format_duration
from legdrive_timer.core.records import EndReason, SegmentRecord, SessionRecord, SessionStatus
from legdrive_timer.core.timeline import PhaseKind
from legdrive_timer.core.workout import Side
from legdrive_timer.storage.history import HistoryStore, SessionSummary
from legdrive_timer.ui import theme
from legdrive_timer.ui.history_view import HistoryView, SessionDetail, SessionTableModel
from legdrive_timer.ui.summary_view import SummaryView

offsets = st.integers(min_value=-12 * 60, max_value=14 * 60).map(
    lambda minutes: timezone(timedelta(minutes=minutes))
)
moments = st.builds(
    lambda base, seconds, tz: (base + timedelta(seconds=seconds)).replace(tzinfo=tz),
    st.just(datetime(2026, 1, 1)),
    st.integers(min_value=0, max_value=3 * 365 * 86_400),
    offsets,
)
summaries = st.builds(
    SessionSummary,
    session_id=st.just("s1"),
    workout_id=st.just("primer"),
    workout_name=st.just("Warm-up primer"),
    started_at=moments,
    ended_at=st.none(),
    status=st.sampled_from(
        [SessionStatus.COMPLETED, SessionStatus.STOPPED, SessionStatus.INTERRUPTED]
    ),
    planned_ms=st.integers(min_value=0, max_value=4 * 3_600_000),
    actual_ms=st.integers(min_value=0, max_value=4 * 3_600_000),
    effort=st.none() | st.integers(min_value=0, max_value=10),
    segment_count=st.just(0),
)


class _OneSession:
    """The two queries the session list makes, answered with one summary."""

    def __init__(self, summary: SessionSummary) -> None:
        self.summary = summary

    def count_sessions(self, **_filters: object) -> int:
        return 1

    def sessions(self, **_filters: object) -> list[SessionSummary]:
        return [self.summary]


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(summary=summaries)
def test_the_command_line_and_the_window_show_the_same_time_and_duration(
    qtbot: QtBot, summary: SessionSummary
) -> None:
    model = SessionTableModel(_OneSession(summary))  # type: ignore[arg-type]
    model.reload()
    window_start = model.data(model.index(0, 0))
    window_duration = model.data(model.index(0, model.COLUMNS.index("Duration")))
    line = history_cli.format_summary(summary)
    cli_day, cli_time = line.split()[:2]
    day = datetime.strptime(cli_day, "%Y-%m-%d")
    assert window_start.endswith(f"{day:%d %b %Y}, {cli_time}")
    cli_duration = line.removesuffix(f"  {summary.status.value}")[-8:].strip()
    assert cli_duration == window_duration == format_duration(summary.actual_ms)


def _segment(index: int, kind: PhaseKind, actual_ms: int, **kw: object) -> SegmentRecord:
    return SegmentRecord(
        phase_index=index,
        kind=kind,
        block_index=0,
        exercise_id="single-leg-knee-drive",
        side=kw.get("side"),  # type: ignore[arg-type]
        set_number=kw.get("set_number"),  # type: ignore[arg-type]
        round_number=None,
        planned_ms=60_000,
        actual_ms=actual_ms,
        reps_planned=kw.get("reps_planned"),  # type: ignore[arg-type]
        reps_done=kw.get("reps_done"),  # type: ignore[arg-type]
        end_reason=kw.get("end_reason", EndReason.ELAPSED),  # type: ignore[arg-type]
        stability=kw.get("stability"),  # type: ignore[arg-type]
    )


def _record() -> SessionRecord:
    segments = (
        _segment(0, PhaseKind.PREP, 59_980),
        _segment(1, PhaseKind.WORK, 59_499, side=Side.RIGHT, set_number=1, reps_planned=3,
                 reps_done=3, stability=4),
        _segment(2, PhaseKind.SWITCH, 60_020, side=Side.LEFT, set_number=1),
        # A self-paced set skipped before a single rep was counted.
        _segment(3, PhaseKind.WORK, 1_200, side=Side.LEFT, set_number=1, reps_planned=3,
                 end_reason=EndReason.SKIPPED),
        _segment(4, PhaseKind.SET_REST, 30_000, set_number=1),
        _segment(5, PhaseKind.REST, 30_000),
        _segment(6, PhaseKind.BLOCK_REST, 30_000),
    )  # fmt: skip
    started = datetime(2026, 3, 29, 7, 30, tzinfo=timezone(timedelta(hours=2)))
    return SessionRecord(
        session_id="s-words",
        workout_id="primer",
        workout_name="Warm-up primer",
        started_at=started,
        ended_at=started + timedelta(minutes=6, seconds=30),
        status=SessionStatus.STOPPED,
        planned_ms=7 * 60_000,
        segments=segments,
        effort=6,
    )


@pytest.fixture
def store(tmp_path: Path) -> Iterator[HistoryStore]:
    opened = HistoryStore.open(tmp_path / "data" / "history.sqlite3")
    opened.merge([_record()])
    yield opened
    opened.close()


def test_the_summary_and_the_history_name_every_phase_alike(qtbot: QtBot) -> None:
    record = _record()
    summary = SummaryView()
    qtbot.addWidget(summary)
    summary.show_record(record)
    detail = SessionDetail()
    qtbot.addWidget(detail)
    detail.show_record(record)
    summary_rows = [
        [summary.table.item(r, c).text() for c in range(summary.table.columnCount())]
        for r in range(summary.table.rowCount())
    ]
    detail_rows = detail.cell_texts()
    assert [row[:7] for row in summary_rows] == detail_rows
    assert [row[0] for row in detail_rows] == [PHASE_NAMES[s.kind] for s in record.segments]
    for kind, name in PHASE_NAMES.items():
        assert theme.style_for(kind).title == name.upper()  # the session screen's title
    skipped = summary_rows[3]
    assert skipped[5] == "– of 3" and "None" not in " ".join(skipped)
    assert skipped[7] == "Skipped"
    assert summary_rows[0][4] == "1:00"  # 59.98 s done of a 60 s phase
    assert summary_rows[1][4] == "59 s"


def test_history_list_on_the_command_line_matches_the_window(
    qtbot: QtBot, store: HistoryStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = io.StringIO()
    monkeypatch.setattr("sys.stdout", out)
    assert main(["history", "list", "--data-dir", str(tmp_path / "data")]) == 0
    line = out.getvalue().strip()
    view = HistoryView(store)
    qtbot.addWidget(view)
    model = view.model
    assert line.startswith("2026-03-29 07:30  Warm-up primer")
    assert model.data(model.index(0, 0)) == "Sun 29 Mar 2026, 07:30"
    duration = model.data(model.index(0, model.COLUMNS.index("Duration")))
    assert line.removesuffix("  stopped")[-8:].strip() == duration
    assert duration == format_duration(_record().actual_ms)
    view.table.selectRow(0)
    assert duration in view.detail.heading.text()
