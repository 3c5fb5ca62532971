"""History export and import off the window's thread.

Reading a history file (a network folder, a slow disk, tens of megabytes of JSON) and
merging it into the database, or writing an export, can take seconds: done on the window's
thread they would freeze it. A `Transfers` runs one such job at a time on a worker thread
and hands the outcome back on the window's thread through a queued signal: the result, or
one sentence saying what went wrong. The worker is a daemon thread rather than a Qt pool's:
a read that a dead network share holds up for good must not hold up the app's exit too (a
QThreadPool waits for its threads when it is destroyed). The jobs are the same functions the command
line calls synchronously (`storage.history_io`); the store serialises its own connection.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from legdrive_timer.errors import UserError

log = logging.getLogger(__name__)

Job = Callable[[Callable[[], bool]], Any]
"""A job gets a `stopped()` to ask between steps, and returns its result."""


def failure_sentence(error: Exception, doing: str) -> str | None:
    """The one sentence for an expected failure of `doing` ("import backup.json"), or None
    for one that is not expected (a fault to log)."""
    if isinstance(error, UserError):
        return str(error)
    if isinstance(error, sqlite3.Error):
        return f"Could not {doing}: the history database said {error}."
    if isinstance(error, OSError):
        reason = error.strerror or str(error)
        return f"Could not {doing}: {reason}."
    if isinstance(error, ValueError):
        return f"Could not {doing}: {error}"
    return None


class Transfers(QObject):
    """One job at a time on a worker thread; `finished` brings its outcome to this thread."""

    finished = Signal(str, bool, object)
    """(the job's name, whether it succeeded, its result or the sentence saying why not)."""

    _outcome = Signal(int, str, bool, object)
    """From the worker: (job number, name, succeeded, result or sentence)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._worker: threading.Thread | None = None
        self._stop = threading.Event()
        self._running: tuple[int, str] | None = None
        self._count = 0
        self._outcome.connect(self._deliver)

    @property
    def busy(self) -> str | None:
        """The name of the job running, if one is."""
        return None if self._running is None else self._running[1]

    def start(self, name: str, job: Job, doing: str) -> bool:
        """Run `job` on the worker; False (nothing started) while another one runs. `doing`
        completes "Could not ..." in the sentence for a failure."""
        if self._running is not None:
            return False
        self._count += 1
        number = self._count
        self._running = (number, name)
        stop = self._stop
        outcome = self._outcome

        def work() -> None:
            try:
                ok, result = True, job(stop.is_set)
            except Exception as error:
                sentence = failure_sentence(error, doing)
                if sentence is None:
                    log.exception("could not %s", doing)
                    sentence = f"Could not {doing}: an unexpected error; the log has the details."
                ok, result = False, sentence
            # The receiver may be gone with its window: nobody is left to tell.
            with contextlib.suppress(RuntimeError):
                outcome.emit(number, name, ok, result)

        self._worker = threading.Thread(target=work, name=f"history-{name}", daemon=True)
        self._worker.start()
        return True

    def stop(self, timeout_ms: int = 5000) -> bool:
        """Ask the running job to stop at its next step and wait for it, up to `timeout_ms`;
        whether it has ended. A read that the system holds up is left to end on its own."""
        self._stop.set()
        if self._worker is not None:
            self._worker.join(timeout_ms / 1000)
            if self._worker.is_alive():
                return False
            self._worker = None
        return True

    def _deliver(self, number: int, name: str, ok: bool, result: object) -> None:
        if self._running is None or self._running[0] != number:
            return
        self._running = None
        self.finished.emit(name, ok, result)
