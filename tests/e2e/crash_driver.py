"""Run one session headless in real time and journal it; the crash test kills this process.

    python tests/e2e/crash_driver.py DATA_DIR [--work S] [--rest S] [--rounds N]

It is the app's recording path without the window: the real monotonic clock, a session
engine on the HIIT workout with short phases, and the SessionJournal writing into the
history on DATA_DIR. It prints the session id once the session has started, then runs the
engine's deadlines with plain sleeps until the session ends.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable

from legdrive_timer.core.builtins import builtin_workout
from legdrive_timer.core.clock import monotonic_ms
from legdrive_timer.core.engine import SessionEngine
from legdrive_timer.core.overrides import Overrides, apply_overrides
from legdrive_timer.core.timeline import compile_workout
from legdrive_timer.storage.history import HistoryStore
from legdrive_timer.storage.journal import SessionJournal
from legdrive_timer.storage.paths import DataPaths


class SleepingScheduler:
    """The scheduler port in its simplest real form: sleep until the one pending deadline."""

    def __init__(self) -> None:
        self.pending: tuple[int, Callable[[], None]] | None = None

    def call_at(self, deadline_ms: int, callback: Callable[[], None]) -> None:
        self.pending = (deadline_ms, callback)

    def cancel(self) -> None:
        self.pending = None

    def run(self) -> None:
        while self.pending is not None:
            deadline, callback = self.pending
            delay = deadline - monotonic_ms()
            if delay > 0:
                time.sleep(delay / 1000)
            if self.pending == (deadline, callback):
                self.pending = None
                callback()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("data_dir")
    parser.add_argument("--work", type=float, default=1.0)
    parser.add_argument("--rest", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=8)
    args = parser.parse_args(argv)

    workout = apply_overrides(
        builtin_workout("hiit"),
        Overrides(work_s=args.work, rest_s=args.rest, rounds=args.rounds, prep_s=0),
    )
    store = HistoryStore.open(DataPaths.resolve(args.data_dir).history_db)
    scheduler = SleepingScheduler()
    engine = SessionEngine(compile_workout(workout), monotonic_ms, scheduler)
    journal = SessionJournal(store)
    journal.attach(engine)
    engine.start()
    print(engine.session_id, flush=True)
    scheduler.run()
    store.close()
    print(engine.state.value, journal.problem or "", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
