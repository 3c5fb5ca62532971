"""Writes a session into the history as it happens, from the engine's events.

The session is written when it starts and each phase is committed as it ends, so a crash
loses at most the phase in progress. A write that fails (a full disk, another window holding
the database too long) never reaches the engine: the write is kept in order, the failure is
shown as `problem`, and every later event first retries what is pending.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from collections import deque
from collections.abc import Callable

from legdrive_timer.core.engine import SessionEngine
from legdrive_timer.core.events import Event, PhaseEnded, SessionEnded, SessionStarted
from legdrive_timer.storage.history import (
    EFFORT_RANGE,
    REPS_RANGE,
    STABILITY_RANGE,
    HistoryError,
    HistoryStore,
    check_rating,
)

log = logging.getLogger(__name__)

DAMAGED = (
    "The history database is damaged, so this session cannot be saved; it will be moved "
    "aside and a new one started the next time the app starts."
)
RETRY_INTERVAL_S = 5.0
"""Between phases, pending writes are retried at most this often."""

ProblemListener = Callable[[str | None], None]
"""Called with the new problem sentence, or None once pending writes went through."""


class SessionJournal:
    def __init__(
        self,
        store: HistoryStore,
        *,
        on_problem: ProblemListener | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self._clock = clock
        self._retry_at = 0.0
        self.problem: str | None = None
        """One sentence while some writes could not be saved, else None."""
        self.on_problem: list[ProblemListener] = [] if on_problem is None else [on_problem]
        self._pending: deque[Callable[[], None]] = deque()

    @property
    def pending(self) -> int:
        """How many writes wait for the database to accept them."""
        return len(self._pending)

    def attach(self, engine: SessionEngine) -> Callable[[], None]:
        """Journal `engine`'s session; returns a function that stops journaling."""
        return engine.subscribe(self._listener(engine))

    # -- user input during and after a session (ordered after the phase it rates) -----------

    def set_stability(self, session_id: str, phase_index: int, rating: int | None) -> None:
        check_rating("stability", rating, STABILITY_RANGE)  # a bad value fails here, not later
        self._submit(lambda: self.store.set_stability(session_id, phase_index, rating))

    def set_reps_done(self, session_id: str, phase_index: int, reps: int) -> None:
        check_rating("reps", reps, REPS_RANGE)
        self._submit(lambda: self.store.set_reps_done(session_id, phase_index, reps))

    def set_effort(self, session_id: str, effort: int | None) -> None:
        check_rating("effort", effort, EFFORT_RANGE)
        self._submit(lambda: self.store.set_effort(session_id, effort))

    def flush(self) -> bool:
        """Retry pending writes now; True when nothing is left pending.

        A write that failed for a reason that can pass (a full disk, a database busy in
        another window, an I/O error) stays first in line. One that can never succeed (its
        session was deleted meanwhile, a value the database refuses) is logged and dropped,
        so that it does not hold back everything after it.
        """
        while self._pending:
            write = self._pending[0]
            try:
                write()
            except Exception as error:  # The session must go on whatever the disk does.
                if _transient(error):
                    self._retry_at = self._clock() + RETRY_INTERVAL_S
                    self._set_problem(_sentence(error, len(self._pending)))
                    return False
                log.error("history write dropped: %s", error, exc_info=error)
            self._pending.popleft()
        self._set_problem(DAMAGED if self.store.damaged else None)
        return True

    # -- internals ---------------------------------------------------------------------------

    def _listener(self, engine: SessionEngine) -> Callable[[Event], None]:
        store = self.store

        def on_event(event: Event) -> None:
            if isinstance(event, SessionStarted):
                timeline = event.timeline
                sid, started = event.session_id, event.started_at
                self._submit(
                    lambda: store.begin_session(
                        sid, timeline.workout_id, timeline.workout_name, started, timeline.total_ms
                    )
                )
            elif isinstance(event, PhaseEnded):
                sid_now, segment = engine.session_id, event.segment
                if sid_now is not None:
                    self._submit(lambda: store.add_segment(sid_now, segment))
            elif isinstance(event, SessionEnded):
                record = event.record
                self._submit(lambda: store.finish_session(record))
            elif self._pending and self._clock() >= self._retry_at:
                # Ticks are a chance to retry between phases, but not every second: a locked
                # database makes each attempt wait, and that wait is the window's time.
                self.flush()

        return on_event

    def _submit(self, write: Callable[[], None]) -> None:
        self._pending.append(write)
        self.flush()

    def _set_problem(self, problem: str | None) -> None:
        if problem == self.problem:
            return
        self.problem = problem
        if problem is not None:
            log.warning("%s", problem)
        for listener in list(self.on_problem):
            try:
                listener(problem)
            except Exception:  # A broken listener must not stop the journal.
                log.exception("history problem listener failed")


def _transient(error: BaseException) -> bool:
    if isinstance(error, HistoryError):
        return error.transient
    return isinstance(error, sqlite3.OperationalError | OSError)


def _sentence(error: BaseException, pending: int) -> str:
    if isinstance(error, HistoryError):
        base = str(error).rstrip(".")
    else:
        base = f"The history could not be saved ({error})"
    return f"{base}; {pending} unsaved change{'s' if pending != 1 else ''} will be retried."
