"""What `coach analyze` prints for a set: the form cue the window would give after each rep."""

from __future__ import annotations

import io

import pytest

pytest.importorskip("numpy")
pytest.importorskip("av")
pytest.importorskip("ai_edge_litert")

from legdrive_timer.coach.analyze import to_json, write_text
from legdrive_timer.coach.measures import analyze_track
from legdrive_timer.core.workout import Side
from tests.coach_figure import RepPlan, samples

CLEAN = RepPlan(peak_deg=95, drive_s=0.6, lower_s=1.2)
SHORT = RepPlan(peak_deg=62, drive_s=0.6, lower_s=1.2)
DROPPED = RepPlan(peak_deg=95, drive_s=0.6, lower_s=0.35)
PLANS = [CLEAN, SHORT, SHORT, CLEAN, CLEAN, CLEAN, CLEAN, DROPPED, DROPPED]


def test_each_rep_carries_the_cue_given_after_it() -> None:
    analysis = analyze_track(samples(PLANS), Side.LEFT)
    reps = to_json(analysis)["reps"]
    assert [rep["form_cue"] for rep in reps] == [
        None,
        None,
        "higher",
        None,
        None,
        None,
        None,
        None,
        "control_down",
    ]


def test_the_table_shows_the_cue_beside_its_rep() -> None:
    out = io.StringIO()
    write_text(analyze_track(samples(PLANS), Side.LEFT), out)
    lines = out.getvalue().splitlines()
    assert lines[1].split()[-1] == "cue"
    rows = {int(line.split()[0]): line for line in lines[2:-1]}
    assert rows[3].endswith("  Higher")
    assert rows[9].endswith("  Control the way down")
    assert not any(rows[i].endswith(("Higher", "down")) for i in (1, 2, 4, 5, 6, 7, 8))
