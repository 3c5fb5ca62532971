"""The first Start after the app opens: the Start key to the first phase on screen, and how
late the window's thread runs while the history opens on its writer thread.

The session screen is built by the first Start (the start screen is all a start holds), and
the history is opened when first needed: at the first Start, the journal's writer thread
imports SQLite and the store and opens the database, holding the GIL in turns with the
window's thread. Modules are imported once per process, so each run is a fresh process: the
app built as a start builds it (sound off, the services loaded), Return on the start screen,
the time until the first phase's digits are painted; then for 400 ms a single-shot
PreciseTimer aimed every 5 ms on the window's thread notes how late each shot runs, and the
time at which the history is open. The child imports nothing of the app's beyond what the
app imports itself, and never builds PySide6's `Qt` namespace (see ui.qt_values): the key is
handed to the start screen's list as the ints Qt delivers.

Baselines in the same run, taking turns with it: the session screen built and laid out
before the Start, as the app did until it was built by the first Start; the history opened
before the Start, as the app did at every start before it was opened when first needed; and
the first session's opening at Python's default switch interval (5 ms) instead of the
journal's short one while it opens. The last two load the session's modules before the
Start (with the history's or the journal's): what they compare is the window thread's
lateness after it, not the Start.

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
MODES = (
    "as-the-app",
    "screen-prepared",
    "history-opened-at-start",
    "first-session-5ms-switch",
)
"""The app's own way first; each of the others changes one thing of it."""
PRELOADS = {
    "history-opened-at-start": "the history's modules and with them the session's",
    "first-session-5ms-switch": "the journal's module and with it the session's",
}
"""Baselines that load modules before the Start: their Start is not the first Start's, what
they compare is the window thread's lateness after it."""


class _Return:
    """Return as a key press event gives it (`qt_values.key_and_modifiers`)."""

    code = 0x0100_0004

    def keyCombination(self) -> _Return:
        return self

    def toCombined(self) -> int:
        return self.code

    def key(self) -> int:
        return self.code

    def ignore(self) -> None:
        pass

    def accept(self) -> None:
        pass


def child(mode: str, folder: str) -> dict[str, object]:
    from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer
    from PySide6.QtWidgets import QApplication

    from legdrive_timer.storage.paths import DataPaths
    from legdrive_timer.ui import main_window
    from legdrive_timer.ui.app import AppController
    from legdrive_timer.ui.qt_values import set_enum_property

    class PaintProbe(QObject):
        """The time of the first paint of the digits, on the session screen when it is built."""

        painted_at: float | None = None

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if self.painted_at is None and event.type() == QEvent.Type.Paint:
                self.painted_at = time.monotonic() * 1000
            return False

    probe = PaintProbe()
    built_by = vars(main_window.MainWindow)["session_view"]
    assert isinstance(built_by, property) and built_by.fget is not None
    build = built_by.fget

    def session_view(window: main_window.MainWindow) -> object:
        fresh = not window.has_session_view
        view = build(window)
        if fresh:
            view.digits.installEventFilter(probe)
        return view

    main_window.MainWindow.session_view = property(session_view)  # type: ignore[assignment]

    app = QApplication(sys.argv[:1])
    controller = AppController(DataPaths.resolve(Path(folder)), audio="off", defer_services=True)
    window = controller.window
    window.show()
    app.processEvents()
    controller.load_services()  # as the app does after its first frame
    if mode == "screen-prepared":
        window.session_view.resize(window.stack.size())
    elif mode == "history-opened-at-start":
        controller.history.open_store()
    elif mode == "first-session-5ms-switch":
        from legdrive_timer.storage import journal as journal_module

        journal_module.OPENING_SWITCH_INTERVAL_S = sys.getswitchinterval()
    settle = QEventLoop()
    QTimer.singleShot(200, settle.quit)
    settle.exec()

    built_before = window.has_session_view
    t0 = time.monotonic() * 1000
    window.start_screen.list.keyPressEvent(_Return())  # type: ignore[arg-type]
    end = time.monotonic() + 5
    while probe.painted_at is None:
        if time.monotonic() > end:
            raise RuntimeError("the first phase was not painted")
        app.processEvents()
    start_ms = probe.painted_at - t0

    late: list[float] = []
    opened_at: list[float] = []
    timer = QTimer()
    set_enum_property(timer, "timerType", "PreciseTimer")
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
        "built_before": built_before,
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

    results: dict[str, list[dict[str, float]]] = {mode: [] for mode in MODES}
    load = [os.getloadavg()[0]]
    with tempfile.TemporaryDirectory() as folder:
        run_child(MODES[2], folder)  # untimed: bytecode compiled, a returning user's history
        for run in range(args.runs):
            turn = run % len(MODES)
            for mode in MODES[turn:] + MODES[:turn]:
                results[mode].append(run_child(mode, folder))
    load.append(os.getloadavg()[0])

    def stats(values: list[float]) -> str:
        ordered = sorted(values)
        return (
            f"median {statistics.median(ordered):5.1f}  min {ordered[0]:5.1f}"
            f"  max {ordered[-1]:5.1f}"
        )

    print(
        f"{sys.platform}, {os.environ['QT_QPA_PLATFORM']}, Python {sys.version.split()[0]},"
        f" load average {load[0]:.2f} before, {load[1]:.2f} after"
    )
    app_way = statistics.median(r["start_ms"] for r in results[MODES[0]])
    for mode in MODES:
        rows = results[mode]
        assert all(row["saved"] for row in rows), "a session was not saved"
        assert all(row["built_before"] == (mode == "screen-prepared") for row in rows)
        starts = [r["start_ms"] for r in rows]
        ratio = app_way / max(0.1, statistics.median(starts))
        print(f"{mode} ({len(rows)} fresh processes)")
        print(f"  Start -> first phase painted ms      {stats(starts)}")
        if mode in PRELOADS:
            print(f"  (loaded before the Start: {PRELOADS[mode]})")
        elif mode != MODES[0]:
            print(f"  {MODES[0]} / {mode}: {ratio:.2f}x")
        print(f"  window thread late, max per run ms    {stats([r['late_max_ms'] for r in rows])}")
        print(f"  window thread late, p99 per run ms    {stats([r['late_p99_ms'] for r in rows])}")
        opened = [r["opened_ms"] for r in rows if r["opened_ms"] is not None]
        if mode != MODES[2] and opened:
            print(f"  history open after Start ms           {stats(opened)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
