"""Cue latency: onset of each cue in the captured audio minus its planned boundary.

Runs a short HIIT session through each real backend on the Qt event loop, captures the
output (a PulseAudio null sink for miniaudio, ALSA's file plugin for simpleaudio), detects
the onsets and prints median, p99 and max per backend. The baseline row is the engine
alone: when each phase really started minus when it was planned (no audio involved); the
"asked" rows take each cue from when the session asked for it (the sound path alone).

The "after a long silence" rows run a session with long silences into a null sink that
the server suspends after 1 s idle (module-suspend-on-idle, as desktops do after 5 s):
the first cue after each silence, and how long before it the sink was awake again.

    python bench/cue_latency.py [--rounds 4] [--runs 3] [--silence-runs 2] [--load]
                                [--backend miniaudio|simpleaudio]

`--load` keeps both cores busy (one `while True: pass` per core) while it measures.
Target: p99 within 10 ms of the boundary.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from legdrive_timer.audio.cues import durations, open_assets  # noqa: E402
from legdrive_timer.core.builtins import builtin_workout  # noqa: E402
from legdrive_timer.core.overrides import Overrides, apply_overrides  # noqa: E402
from legdrive_timer.core.timeline import Timeline, compile_workout  # noqa: E402
from tests.e2e.audio_capture import (  # noqa: E402
    AlsaFifoCapture,
    PulseCapture,
    PulseUnavailable,
    SessionRun,
    audible_ms,
    compare,
    expected_onsets,
    run_session,
)
from tests.helpers.cues import plan_session  # noqa: E402


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def _row(name: str, values: list[float], note: str = "") -> str:
    if not values:
        return f"{name:<38} {'-':>4} {'-':>9} {'-':>9} {'-':>9}  {note}"
    return (
        f"{name:<38} {len(values):>4} {statistics.median(values):>9.1f} "
        f"{_percentile(values, 0.99):>9.1f} {max(values):>9.1f}  {note}"
    )


def _measure(
    backend: str, timeline: Timeline, overrides: dict[str, float], workdir: Path
) -> tuple[list[float], list[float], list[float], list[float], list[str]]:
    """Onset minus plan, phase start minus plan (the engine alone), for the cues at a
    phase start onset minus that phase's real start, and for every cue onset minus when
    the session asked for it (the sound path alone)."""
    with ExitStack() as stack:
        assets = open_assets(stack)
        audible = {cue: audible_ms(asset) for cue, asset in assets.items()}
        plan = plan_session(timeline, durations(assets))
    realtime = backend == "miniaudio"
    run: SessionRun
    if backend == "simpleaudio":
        alsa = AlsaFifoCapture(workdir)
        try:
            run = run_session("simpleaudio", "hiit", overrides, alsa.env(), timeout_s=120)
        finally:
            alsa.close()
        onsets = alsa.onsets()
    else:
        pulse = PulseCapture(workdir)
        try:
            pulse.start_recording()
            run = run_session("miniaudio", "hiit", overrides, pulse.env(), timeout_s=120)
        finally:
            pulse.close()
        onsets = pulse.onsets()
    groups = expected_onsets(plan, audible, realtime=realtime)
    result = compare(groups, onsets, run.origin_s, realtime=realtime)
    asked = compare(
        groups, onsets, run.origin_s, realtime=realtime, played=run.played, plan=plan
    ).errors_ms
    planned_starts: list[int] = []
    offset = 0
    for phase in timeline.phases:
        planned_starts.append(offset)
        offset += phase.planned_ms
    baseline = [
        (real - run.origin_s) * 1000 - planned
        for real, planned in zip(run.phase_starts_s, planned_starts, strict=False)
    ][1:]  # the first phase defines the origin
    real_start = dict(zip(planned_starts, run.phase_starts_s, strict=False))
    path = [
        (m.onset_s - real_start[m.expected.at_ms]) * 1000
        for m in result.matches
        if m.onset_s is not None and m.expected.at_ms in real_start and m.expected.at_ms > 0
    ]
    return result.errors_ms, baseline, path, asked, result.problems()


SILENT = {"work_s": 8, "rest_s": 6, "rounds": 3, "prep_s": 0}
"""Work: the voice ends 1.3 s in, then silence to the countdown at 5 s; rest: silence from
0.8 s to the countdown at 3 s. The sink falls asleep in each."""
SILENCE_S = 1.5
"""A cue this long after the last sound ended counts as the first after a silence."""


def _measure_silence(workdir: Path) -> tuple[list[float], list[float], list[float], list[str]]:
    """For each first cue after a silence: onset minus plan, onset minus when it was asked
    for, and how long before the onset the sleeping sink was delivering again (ms)."""
    base = builtin_workout("hiit")
    assert base is not None
    timeline = compile_workout(apply_overrides(base, Overrides(**SILENT)))
    with ExitStack() as stack:
        assets = open_assets(stack)
        audible = {cue: audible_ms(asset) for cue, asset in assets.items()}
        plan = plan_session(timeline, durations(assets))
    pulse = PulseCapture(workdir, suspend_idle_s=1)
    try:
        pulse.start_recording()
        run = run_session("miniaudio", "hiit", SILENT, pulse.env(), timeout_s=120)
    finally:
        pulse.close()
    groups = expected_onsets(plan, audible, realtime=True)
    onsets = pulse.onsets()
    planned = compare(groups, onsets, run.origin_s, realtime=True)
    asked = compare(groups, onsets, run.origin_s, realtime=True, played=run.played, plan=plan)
    wakes = pulse.wakes()
    errors: list[float] = []
    sound_path: list[float] = []
    awake: list[float] = []
    following = zip(groups, planned.matches[1:], asked.matches[1:], strict=False)
    for before, m_plan, m_asked in following:
        if m_plan.expected.at_ms - before.ends_ms < SILENCE_S * 1000:
            continue
        if m_plan.error_ms is None or m_asked.error_ms is None or m_plan.onset_s is None:
            continue
        errors.append(m_plan.error_ms)
        sound_path.append(m_asked.error_ms)
        onset = m_plan.onset_s
        woke = [t for t in wakes if onset - SILENCE_S < t <= onset]
        awake.append((onset - woke[0]) * 1000 if woke else 0.0)
    return errors, sound_path, awake, planned.problems()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--silence-runs", type=int, default=2, help="sessions with long silences (miniaudio)"
    )
    parser.add_argument("--load", action="store_true", help="keep every core busy meanwhile")
    parser.add_argument(
        "--backend", choices=["miniaudio", "simpleaudio"], help="only this one (default: both)"
    )
    args = parser.parse_args(argv)
    overrides: dict[str, float] = {"work_s": 2, "rest_s": 1, "rounds": args.rounds, "prep_s": 3}
    base = builtin_workout("hiit")
    assert base is not None
    timeline = compile_workout(apply_overrides(base, Overrides(**overrides)))

    backends = ["miniaudio"]
    if importlib.util.find_spec("simpleaudio") is not None:
        backends.append("simpleaudio")
    else:
        print("simpleaudio: skipped (module not installed)")
    if args.backend is not None:
        backends = [b for b in backends if b == args.backend]
    burners = []
    if args.load:
        burners = [
            subprocess.Popen([sys.executable, "-c", "while True: pass"])
            for _ in range(os.cpu_count() or 1)
        ]
        print(f"load: {len(burners)} busy loop(s), one per core")
    try:
        return _report(backends, timeline, overrides, args)
    finally:
        for burner in burners:
            burner.kill()
            burner.wait()


def _report(
    backends: list[str], timeline: Timeline, overrides: dict[str, float], args: argparse.Namespace
) -> int:
    print(f"session: hiit --work 2 --rest 1 --rounds {args.rounds} --prep 3, {args.runs} run(s)")
    print(f"{'backend':<38} {'n':>4} {'median ms':>9} {'p99 ms':>9} {'max ms':>9}")
    baseline: list[float] = []
    failed = False
    for backend in backends:
        errors: list[float] = []
        paths: list[float] = []
        asked: list[float] = []
        problems: list[str] = []
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory(prefix="cue-latency-") as tmp:
                try:
                    run_errors, run_baseline, run_path, run_asked, run_problems = _measure(
                        backend, timeline, overrides, Path(tmp)
                    )
                except PulseUnavailable as error:
                    problems.append(f"skipped: {error}")
                    break
            errors += run_errors
            paths += run_path
            asked += run_asked
            baseline += run_baseline
            problems += run_problems
        capture = "ALSA file plugin" if backend == "simpleaudio" else "PulseAudio null sink"
        print(_row(f"{backend} ({capture})", errors, "; ".join(problems)))
        print(_row(f"  {backend}, sound path only", paths, "onset minus real phase start"))
        print(_row(f"  {backend}, asked", asked, "onset minus when the cue was asked for"))
        failed |= bool(problems) or (bool(errors) and _percentile(errors, 0.99) > 10)
        if backend == "miniaudio" and args.silence_runs > 0:
            failed |= _report_silence(args.silence_runs)
    print(_row("baseline (engine, no audio)", baseline, "phase start minus plan"))
    return 1 if failed else 0


def _report_silence(runs: int) -> bool:
    errors: list[float] = []
    sound_path: list[float] = []
    awake: list[float] = []
    problems: list[str] = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="cue-latency-") as tmp:
            try:
                run_errors, run_path, run_awake, run_problems = _measure_silence(Path(tmp))
            except PulseUnavailable as error:
                problems.append(f"skipped: {error}")
                break
        errors += run_errors
        sound_path += run_path
        awake += run_awake
        problems += run_problems
    print(_row("  after a long silence (sink asleep)", errors, "; ".join(problems)))
    print(_row("  after a long silence, asked", sound_path, "onset minus asked for"))
    print(_row("  sink awake before the cue (ms)", awake, "0: woke with the cue"))
    return bool(problems) or (bool(errors) and _percentile(errors, 0.99) > 10)


if __name__ == "__main__":
    sys.exit(main())
