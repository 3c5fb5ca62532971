"""The history view on a long history: first paint and stats, against a bare table.

Builds a real history database on disk (`history.build`: `full` sessions, 24 phases each)
and measures, as the median of several runs in one process under offscreen Qt:

- baseline: a bare `QTableView` with an empty model, resized and shown, until its first
  paint event (what any Qt table costs on this machine at this moment);
- view: `HistoryView(store)` constructed, resized and shown, until its table's first paint
  event (the store is already open, as it is in the app);
- stats: from that first paint until `stats_updated` fires (the stats are shown);
- stats work: the time spent in the view's stats slices, in all and the longest one (the
  longest pause the stats put into the event loop).

    python bench/history_view.py                         # 10,000 sessions, 7 runs
    python bench/history_view.py --sessions 10000 --runs 9
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from history import LATEST, build
from PySide6.QtCore import (
    QEvent,
    QEventLoop,
    QMessageLogContext,
    QObject,
    QTimer,
    QtMsgType,
    qInstallMessageHandler,
)
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QApplication, QTableView, QWidget

from legdrive_timer.storage.history import HistoryStore
from legdrive_timer.ui.history_view import HistoryView

WIDTH, HEIGHT = 1280, 800
TIMEOUT_MS = 60_000


class FirstPaint(QObject):
    """Notes the time of the first paint event of a widget, then ends `loop`."""

    def __init__(self, widget: QWidget, loop: QEventLoop) -> None:
        super().__init__()
        self.at: float | None = None
        self._loop = loop
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.at is None and event.type() == QEvent.Type.Paint:
            self.at = time.perf_counter()
            self._loop.quit()
        return False


class TimedView(HistoryView):
    """The history view, timing each stats slice it runs on the event loop."""

    def __init__(self, store: HistoryStore) -> None:
        self.slices: list[float] = []
        self.first_slice_at: float | None = None
        super().__init__(store, today=LATEST.date)

    def _stats_step(self) -> None:
        start = time.perf_counter()
        if self.first_slice_at is None:
            self.first_slice_at = start
        super()._stats_step()
        self.slices.append(time.perf_counter() - start)


@dataclass
class Samples:
    baseline: list[float] = field(default_factory=list)
    view: list[float] = field(default_factory=list)
    stats: list[float] = field(default_factory=list)
    work: list[float] = field(default_factory=list)
    longest_slice: list[float] = field(default_factory=list)
    slices: list[int] = field(default_factory=list)
    stats_before_paint: int = 0


def quiet_offscreen(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    # The offscreen platform says this on every top-level show: noise in the table.
    if "propagateSizeHints" not in message:
        print(message, file=sys.stderr)


def run_loop(loop: QEventLoop, done: Callable[[], bool]) -> None:
    if done():
        return
    guard = QTimer()
    guard.setSingleShot(True)
    guard.timeout.connect(loop.quit)
    guard.start(TIMEOUT_MS)
    loop.exec()
    if not done():
        raise RuntimeError("timed out waiting for the view")


def dispose(app: QApplication, widget: QWidget) -> None:
    widget.close()
    widget.deleteLater()
    app.processEvents()
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def bare_table(app: QApplication) -> float:
    loop = QEventLoop()
    start = time.perf_counter()
    table = QTableView()
    model = QStandardItemModel(table)
    table.setModel(model)
    painted = FirstPaint(table.viewport(), loop)
    table.resize(WIDTH, HEIGHT)
    table.show()
    run_loop(loop, lambda: painted.at is not None)
    assert painted.at is not None
    dispose(app, table)
    return painted.at - start


def history_view(app: QApplication, store: HistoryStore, samples: Samples) -> None:
    loop = QEventLoop()
    start = time.perf_counter()
    view = TimedView(store)
    painted = FirstPaint(view.table.viewport(), loop)
    stats_at: list[float] = []

    def stats_shown() -> None:
        stats_at.append(time.perf_counter())
        loop.quit()

    view.stats_updated.connect(stats_shown)
    view.resize(WIDTH, HEIGHT)
    view.show()
    run_loop(loop, lambda: painted.at is not None)
    run_loop(loop, lambda: bool(stats_at))
    assert painted.at is not None
    if not view.stats_panel.totals.text().startswith("Total: "):
        raise RuntimeError(f"the stats were not shown: {view.stats_panel.status.text()}")
    samples.view.append(painted.at - start)
    samples.stats.append(stats_at[0] - painted.at)
    samples.work.append(sum(view.slices))
    samples.longest_slice.append(max(view.slices))
    samples.slices.append(len(view.slices))
    if view.first_slice_at is not None and view.first_slice_at < painted.at:
        samples.stats_before_paint += 1
    dispose(app, view)


def ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:9.1f} ms"


def spread(values: list[float]) -> str:
    return f"{min(values) * 1000:.1f}-{max(values) * 1000:.1f}"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--dir", type=Path, default=None, help="where to build the database")
    args = parser.parse_args(argv)
    qInstallMessageHandler(quiet_offscreen)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    folder = args.dir or Path(tempfile.mkdtemp(prefix="legdrive-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"history-{args.sessions}.sqlite3"
    try:
        started = time.perf_counter()
        build(path, args.sessions)
        print(f"built {args.sessions:,} sessions in {time.perf_counter() - started:.1f} s")
        samples = Samples()
        with HistoryStore.open(path) as store:
            # One warm-up of each: imports, fonts and the first style polish are not measured.
            bare_table(app)
            history_view(app, store, Samples())
            for _ in range(args.runs):
                # Side by side in each run, so that both see the same load on the machine.
                samples.baseline.append(bare_table(app))
                history_view(app, store, samples)
    finally:
        if args.dir is None:
            with contextlib.suppress(OSError):
                shutil.rmtree(folder)

    base = statistics.median(samples.baseline)
    print(
        f"{args.sessions:,} sessions, {args.runs} runs, {WIDTH}x{HEIGHT}, "
        f"{os.environ['QT_QPA_PLATFORM']} platform"
    )
    print(f"{'measure':<52} {'median':>12} {'range ms':>14} {'x baseline':>11}")
    rows = [
        ("baseline: bare QTableView, empty model, first paint", samples.baseline),
        ("history view: construct + show, table's first paint", samples.view),
        ("stats shown (first paint -> stats_updated)", samples.stats),
        ("stats work (sum of slices)", samples.work),
        ("longest stats slice (event-loop pause)", samples.longest_slice),
    ]
    for label, values in rows:
        ratio = statistics.median(values) / base if base else float("nan")
        print(f"{label:<52} {ms(values)} {spread(values):>14} {ratio:>10.1f}x")
    print(f"stats slices per run: median {statistics.median(samples.slices):.0f}")
    if samples.stats_before_paint:
        print(f"runs with a stats slice before the first paint: {samples.stats_before_paint}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
