"""The first Start after the app opens: the Start key to the first phase on screen, and how
late the window's thread runs while the history opens on its writer thread.

The history is opened when first needed: at the first Start, the journal's writer thread
imports SQLite and the store and opens the database, holding the GIL in turns with the
window's thread. Modules are imported once per process, so each run is a fresh process: the
app built as a start builds it (sound off, the session screen prepared), the Start key
pressed, the time until the first phase is painted; then for 400 ms a single-shot
PreciseTimer aimed every 5 ms on the window's thread notes how late each shot runs, and the
time at which the history is open. Baselines in the same run, taking turns with it: the
history opened before the Start, as the app did at every start until then; and the first
session's opening at Python's default switch interval (5 ms) instead of the journal's short
one while it opens.

    python bench/first_start.py --runs 10
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

PROBE_MS = 400
STEP_MS = 5


def child(mode: str, folder: str) -> dict[str, object]:
    from PySide6.QtCore import QEventLoop, Qt, QTimer
    from PySide6.QtWidgets import QApplication
    from session_latency import PaintProbe, press, wait_for

    from legdrive_timer.storage.paths import DataPaths
    from legdrive_timer.ui.app import AppController

    app = QApplication(sys.argv[:1])
    controller = AppController(DataPaths.resolve(Path(folder)), audio="off")
    window = controller.window
    window.show()
    window.prepare_session_view()  # as a start does while the person picks a workout
    if mode == "opened-at-start":
        controller.history.open_store()
    elif mode == "first-session-5ms-switch":
        from legdrive_timer.storage import journal as journal_module

        journal_module.OPENING_SWITCH_INTERVAL_S = sys.getswitchinterval()
    settle = QEventLoop()
    QTimer.singleShot(200, settle.quit)
    settle.exec()

    probe = PaintProbe(window.session_view.digits)
    probe.arm()
    t0 = time.monotonic() * 1000
    press(window.start_screen.list, Qt.Key.Key_Return)
    wait_for(app, probe.seen)
    assert probe.painted_at is not None
    start_ms = probe.painted_at - t0

    late: list[float] = []
    opened_at: list[float] = []
    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setSingleShot(True)
    loop = QEventLoop()
    begin = time.monotonic() * 1000
    deadline = [begin + STEP_MS]

    def shot() -> None:
        now = time.monotonic() * 1000
        late.append(now - deadline[0])
        if not opened_at and controller.store is not None:
            opened_at.append(now - t0)
        if now - begin >= PROBE_MS:
            loop.quit()
            return
        while deadline[0] <= now:
            deadline[0] += STEP_MS
        timer.start(max(0, round(deadline[0] - now)))

    timer.timeout.connect(shot)
    timer.start(STEP_MS)
    loop.exec()
    journal = controller.journal
    saved = journal is not None and journal.wait_saved(10)
    engine = controller.engine
    if engine is not None:
        engine.stop()
    controller.shutdown()
    window.close()
    return {
        "start_ms": start_ms,
        "late_max_ms": max(late),
        "late_p99_ms": sorted(late)[round(0.99 * (len(late) - 1))],
        "opened_ms": opened_at[0] if opened_at else None,
        "saved": saved,
    }


def run_child(mode: str, folder: str) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", mode, folder],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    result: dict[str, float] = json.loads(done.stdout.splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--child", nargs=2, metavar=("MODE", "FOLDER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        mode, folder = args.child
        print(json.dumps(child(mode, folder)), flush=True)
        return 0

    modes = ("opened-by-the-first-session", "opened-at-start", "first-session-5ms-switch")
    results: dict[str, list[dict[str, float]]] = {mode: [] for mode in modes}
    with tempfile.TemporaryDirectory() as folder:
        run_child(modes[1], folder)  # untimed: bytecode compiled, a returning user's history
        for run in range(args.runs):
            for mode in modes[run % 3 :] + modes[: run % 3]:
                results[mode].append(run_child(mode, folder))

    def stats(values: list[float]) -> str:
        ordered = sorted(values)
        return f"median {statistics.median(ordered):5.1f}  max {ordered[-1]:5.1f}"

    print(f"{sys.platform}, {os.environ['QT_QPA_PLATFORM']}, load average {os.getloadavg()[0]:.2f}")
    for mode in modes:
        rows = results[mode]
        assert all(row["saved"] for row in rows), "a session was not saved"
        print(f"{mode} ({len(rows)} fresh processes)")
        print(f"  Start -> first phase painted ms      {stats([r['start_ms'] for r in rows])}")
        print(f"  window thread late, max per run ms    {stats([r['late_max_ms'] for r in rows])}")
        print(f"  window thread late, p99 per run ms    {stats([r['late_p99_ms'] for r in rows])}")
        opened = [r["opened_ms"] for r in rows if r["opened_ms"] is not None]
        if mode == modes[0] and opened:
            print(f"  history open after Start ms           {stats(opened)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
