"""Writes a session into the history as it happens, from the engine's events.

The session is written when it starts and each phase is committed as it ends, so a crash
loses at most the phase in progress. A write that fails (a full disk, another window holding
the database too long) never reaches the engine: the write is kept in order, the failure is
shown as `problem`, and it is tried again until it goes through.

With `background=True` (the window) every write runs on one worker thread, so the window
never waits for the disk or for another process's lock; the worker retries a failed write
every RETRY_INTERVAL_S until it is saved. `close` waits a little for what is pending; what is
still unsaved then is kept as a history file in the store's unsaved folder, which
the next `HistoryStore.open` adds to the history, and `close` says so in one sentence.

Given a `HistoryAccess` rather than a store, the journal opens the history before its first
write (on the worker thread in the background mode), so a window that never records a
session never loads SQLite. Events heard meanwhile wait in order. If the history cannot be
opened at all, writes are dropped: the access's `problem` says why, to whoever shows it.
Importing this module loads neither sqlite3 nor the store.

A journal whose worker runs is closed when the interpreter exits if nothing closed it
before, so that the worker has saved (or kept aside) what it holds and ended before the
interpreter, and Qt with it, is taken down.
"""

from __future__ import annotations

import atexit
import dataclasses
import logging
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

from legdrive_timer.core.events import Event, PhaseEnded, SessionEnded, SessionStarted
from legdrive_timer.core.records import CoachMeasures, SegmentRecord, SessionRecord, SessionStatus
from legdrive_timer.storage.history_access import HistoryAccess

if TYPE_CHECKING:
    from legdrive_timer.core.engine import SessionEngine
    from legdrive_timer.storage.history import HistoryStore

log = logging.getLogger(__name__)

DAMAGED = (
    "The history database is damaged, so this session cannot be saved; it will be moved "
    "aside and a new one started the next time the app starts."
)
OPENING_SWITCH_INTERVAL_S = 0.0005
"""Python's thread switch interval while the writer thread opens the history."""
RETRY_INTERVAL_S = 5.0
"""Pending writes are retried at most this often."""
CLOSE_WAIT_S = 2.0
"""At exit, how long pending writes may still take before they are kept aside."""

ProblemListener = Callable[[str | None], None]
"""Called with the new problem sentence, or None once pending writes went through. With
`background=True` it is called on the worker thread."""


class _ShortSwitchInterval:
    """Python's switch interval shortened while any thread is inside, put back as it was
    when the last one leaves.

    The interval is one setting for the whole process: two writers opening at once must not
    each put back what they found, or the one that found it shortened by the other would
    leave it short for the life of the process.
    """

    def __init__(self, interval_s: float) -> None:
        self._interval_s = interval_s
        self._lock = threading.Lock()
        self._inside = 0
        self._previous = 0.0

    def __enter__(self) -> None:
        with self._lock:
            if self._inside == 0:
                self._previous = sys.getswitchinterval()
                sys.setswitchinterval(min(self._previous, self._interval_s))
            self._inside += 1

    def __exit__(self, *exc: object) -> None:
        with self._lock:
            self._inside -= 1
            if self._inside == 0:
                sys.setswitchinterval(self._previous)


_SHORT_SWITCH_INTERVAL = _ShortSwitchInterval(OPENING_SWITCH_INTERVAL_S)


class _RunningWriters:
    """The journals whose writer thread runs, closed when the interpreter exits.

    A writer is a daemon thread: a process that ends without closing its journal (a script,
    a window torn down without its close) would otherwise leave it opening SQLite, writing,
    or calling its listeners while the interpreter and Qt are being taken down. At exit
    each is closed as the window closes it: what is pending is saved or kept aside, and
    the thread has ended before anything else is finalized.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._journals: set[SessionJournal] = set()
        self._registered = False

    def add(self, journal: SessionJournal) -> None:
        with self._lock:
            self._journals.add(journal)
            if not self._registered:
                self._registered = True
                atexit.register(self.close_all)

    def discard(self, journal: SessionJournal) -> None:
        with self._lock:
            self._journals.discard(journal)

    def close_all(self) -> None:
        with self._lock:
            journals = list(self._journals)
        for journal in journals:
            report = journal.close()
            if report is not None:
                log.warning("%s", report)


_RUNNING_WRITERS = _RunningWriters()


class _Write:
    # A plain class, not a dataclass: the journal is made at the first Start, where making
    # a dataclass would cost the window a millisecond.
    __slots__ = ("run", "session_id")

    def __init__(self, session_id: str, run: Callable[[HistoryStore], None]) -> None:
        self.session_id = session_id
        self.run = run


class SessionJournal:
    def __init__(
        self,
        store: HistoryStore | HistoryAccess,
        *,
        clock: Callable[[], float] = time.monotonic,
        background: bool = False,
        retry_interval_s: float = RETRY_INTERVAL_S,
    ) -> None:
        self._access = store if isinstance(store, HistoryAccess) else None
        self._given: HistoryStore | None = None if isinstance(store, HistoryAccess) else store
        self._clock = clock
        self._retry_at = 0.0
        self._retry_interval_s = retry_interval_s
        self.problem: str | None = None
        """One sentence while some writes could not be saved, else None."""
        self.on_problem: list[ProblemListener] = []
        self._pending: deque[_Write] = deque()
        self._drafts: dict[str, SessionRecord] = {}
        """Each session as the journal knows it, to keep it if the database never takes it."""
        self._early_coach: dict[tuple[str, int], CoachMeasures | None] = {}
        """Coach measures given before their phase was journaled, written with the phase."""
        self._lock = threading.Condition()
        self._closing = False
        self._background = background
        self._worker: threading.Thread | None = None
        """In the background mode, started with the first write."""

    @property
    def store(self) -> HistoryStore | None:
        """The store written to, once it is open (this never opens it)."""
        return self._given if self._access is None else self._access.store

    def _open_store(self) -> HistoryStore | None:
        access = self._access
        if access is None:
            return self._given
        if access.tried or not self._background:
            return access.get()
        # Opening imports SQLite and the store here: some 20 ms of Python, right after a
        # Start, that holds the GIL in turns with the window's thread and the sound's. At
        # Python's switch interval (5 ms) each of them could wait that long for a turn; a
        # short one while the history opens keeps their waits under a millisecond.
        with _SHORT_SWITCH_INTERVAL:
            return access.get()

    @property
    def pending(self) -> int:
        """How many writes wait for the database to accept them."""
        with self._lock:
            return len(self._pending)

    def attach(self, engine: SessionEngine) -> Callable[[], None]:
        """Journal `engine`'s session; returns a function that stops journaling."""
        return engine.subscribe(self._listener(engine))

    # -- user input during and after a session (ordered after the phase it rates) -----------

    def set_stability(self, session_id: str, phase_index: int, rating: int | None) -> None:
        from legdrive_timer.storage.history_errors import check_stability

        check_stability(rating)  # a bad value fails here, not later
        self._edit_segment(session_id, phase_index, stability=rating)
        self._submit(session_id, lambda s: s.set_stability(session_id, phase_index, rating))

    def set_reps_done(self, session_id: str, phase_index: int, reps: int) -> None:
        from legdrive_timer.storage.history_errors import check_reps

        check_reps(reps)
        self._edit_segment(session_id, phase_index, reps_done=reps)
        self._submit(session_id, lambda s: s.set_reps_done(session_id, phase_index, reps))

    def set_coach(self, session_id: str, phase_index: int, measures: CoachMeasures | None) -> None:
        """What the camera coach measured in a rep phase (None: forget it). It may come just
        before the phase's end reaches the journal: it is then written with the phase."""
        from legdrive_timer.storage.history_errors import check_coach

        check_coach(measures)
        draft = self._drafts.get(session_id)
        if draft is not None and all(s.phase_index != phase_index for s in draft.segments):
            self._early_coach[(session_id, phase_index)] = measures
            return
        self._edit_segment(session_id, phase_index, coach=measures)
        self._submit(session_id, lambda s: s.set_coach(session_id, phase_index, measures))

    def set_effort(self, session_id: str, effort: int | None) -> None:
        from legdrive_timer.storage.history_errors import check_effort

        check_effort(effort)
        draft = self._drafts.get(session_id)
        if draft is not None:
            self._drafts[session_id] = dataclasses.replace(draft, effort=effort)
        self._submit(session_id, lambda s: s.set_effort(session_id, effort))

    def flush(self) -> bool:
        """Retry pending writes now; True when nothing is left pending.

        A write that failed for a reason that can pass (a full disk, a database busy in
        another window, an I/O error) stays first in line. One that can never succeed (its
        session was deleted meanwhile, a value the database refuses) is logged and dropped,
        so that it does not hold back everything after it. In the background mode this only
        wakes the worker; it never waits for the disk.
        """
        if self._background:
            with self._lock:
                self._retry_at = 0.0
                self._lock.notify_all()
                return not self._pending
        return self._drain()

    def wait_saved(self, timeout_s: float) -> bool:
        """Wait up to `timeout_s` until nothing is pending; True if so. (The window never
        calls this while a session runs: it is for closing, and for tests.)"""
        if not self._background:
            return self._drain()
        deadline = time.monotonic() + timeout_s
        with self._lock:
            self._retry_at = 0.0
            self._lock.notify_all()
            while self._pending and time.monotonic() < deadline:
                self._lock.wait(max(deadline - time.monotonic(), 0.0))
            return not self._pending

    def close(self, wait_s: float = CLOSE_WAIT_S) -> str | None:
        """Stop journaling: wait up to `wait_s` for pending writes, then keep what is still
        unsaved in the unsaved folder. Returns None when everything was saved, else one
        sentence saying what was kept where (or what was lost and why)."""
        if self._background:
            self.wait_saved(wait_s)
            with self._lock:
                self._closing = True
                self._lock.notify_all()
                worker = self._worker
            # The attempt in progress ends within the database's busy timeout.
            if worker is not None:
                worker.join()
            _RUNNING_WRITERS.discard(self)
        else:
            self._drain()
        with self._lock:
            unsaved = sorted({w.session_id for w in self._pending})
            problem = self.problem
        if not unsaved:
            return None
        return self._keep_aside(unsaved, problem)

    # -- internals ---------------------------------------------------------------------------

    def _listener(self, engine: SessionEngine) -> Callable[[Event], None]:
        def on_event(event: Event) -> None:
            if isinstance(event, SessionStarted):
                begun = event.record
                self._drafts[begun.session_id] = begun
                self._submit(
                    begun.session_id,
                    lambda store: store.begin_session(
                        begun.session_id,
                        begun.workout_id,
                        begun.workout_name,
                        begun.started_at,
                        begun.planned_ms,
                    ),
                )
            elif isinstance(event, PhaseEnded):
                sid_now, segment = engine.session_id, event.segment
                if sid_now is not None:
                    segment = self._with_early_coach(sid_now, segment)
                    self._add_segment(sid_now, segment)
                    self._submit(sid_now, lambda store: store.add_segment(sid_now, segment))
            elif isinstance(event, SessionEnded):
                record = self._with_coach(event.record)
                self._drafts[record.session_id] = record
                self._submit(record.session_id, lambda store: store.finish_session(record))
            elif not self._background and self._pending and self._clock() >= self._retry_at:
                # Ticks are a chance to retry between phases, but not every second: a locked
                # database makes each attempt wait, and that wait is the window's time.
                self._drain()

        return on_event

    def _add_segment(self, session_id: str, segment: SegmentRecord) -> None:
        draft = self._drafts.get(session_id)
        if draft is None:
            return
        kept = tuple(s for s in draft.segments if s.phase_index != segment.phase_index)
        segments = tuple(sorted((*kept, segment), key=lambda s: s.phase_index))
        self._drafts[session_id] = dataclasses.replace(draft, segments=segments)

    def _with_early_coach(self, session_id: str, segment: SegmentRecord) -> SegmentRecord:
        key = (session_id, segment.phase_index)
        if key not in self._early_coach:
            return segment
        return dataclasses.replace(segment, coach=self._early_coach.pop(key))

    def _with_coach(self, record: SessionRecord) -> SessionRecord:
        """The engine's final record with the coach measures the journal was given (the
        engine knows nothing of them), so that a session kept aside keeps them too."""
        sid = record.session_id
        draft = self._drafts.get(sid)
        known = {} if draft is None else {s.phase_index: s.coach for s in draft.segments}
        # Measures still waiting for their phase: it ends with the session, or never will.
        for key in [key for key in self._early_coach if key[0] == sid]:
            known[key[1]] = self._early_coach.pop(key)
        segments = tuple(
            dataclasses.replace(s, coach=known[s.phase_index])
            if s.coach is None and known.get(s.phase_index) is not None
            else s
            for s in record.segments
        )
        return dataclasses.replace(record, segments=segments)

    def _edit_segment(
        self, session_id: str, phase_index: int, **changes: int | CoachMeasures | None
    ) -> None:
        draft = self._drafts.get(session_id)
        if draft is None:
            return
        segments = tuple(
            dataclasses.replace(s, **changes) if s.phase_index == phase_index else s  # type: ignore[arg-type]
            for s in draft.segments
        )
        self._drafts[session_id] = dataclasses.replace(draft, segments=segments)

    def _submit(self, session_id: str, write: Callable[[HistoryStore], None]) -> None:
        with self._lock:
            self._pending.append(_Write(session_id, write))
            if self._background:
                if self._worker is None and not self._closing:
                    self._worker = threading.Thread(
                        target=self._work, name="history-writer", daemon=True
                    )
                    _RUNNING_WRITERS.add(self)
                    self._worker.start()
                self._lock.notify_all()
                return
        self._drain()

    def _attempt(self) -> bool | None:
        """Run the first pending write: True if it is done with (saved or dropped), False if
        it failed for a reason that can pass, None if nothing is pending."""
        with self._lock:
            if not self._pending:
                return None
            write = self._pending[0]
        store = self._open_store()
        if store is None:  # the history cannot be opened: nothing can be saved
            with self._lock:
                dropped = len(self._pending)
                self._pending.clear()
                self._lock.notify_all()
            log.info("%d history writes dropped: the history is not open", dropped)
            return None
        try:
            write.run(store)
        except Exception as error:  # The session must go on whatever the disk does.
            if _transient(error):
                with self._lock:
                    self._retry_at = self._clock() + self._retry_interval_s
                    count = len(self._pending)
                self._set_problem(_sentence(error, count))
                return False
            log.error("history write dropped: %s", error, exc_info=error)
        with self._lock:
            self._pending.popleft()
            self._lock.notify_all()
        return True

    def _drain(self) -> bool:
        while True:
            outcome = self._attempt()
            if outcome is False:
                return False
            if outcome is None:
                break
        self._set_problem(self._damaged())
        return True

    def _damaged(self) -> str | None:
        store = self.store
        return DAMAGED if store is not None and store.damaged else None

    def _work(self) -> None:
        """The worker thread: write what is pending, in order, until closed."""
        while True:
            with self._lock:
                while not self._closing and (
                    not self._pending or time.monotonic() < self._retry_at
                ):
                    timeout = None if not self._pending else self._retry_at - time.monotonic()
                    self._lock.wait(timeout)
                if self._closing:
                    return
            outcome = self._attempt()
            if outcome is not False:
                with self._lock:
                    empty = not self._pending
                if empty:
                    self._set_problem(self._damaged())
            elif outcome is False:
                with self._lock:
                    self._retry_at = time.monotonic() + self._retry_interval_s

    def _set_problem(self, problem: str | None) -> None:
        with self._lock:
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

    def _keep_aside(self, session_ids: list[str], problem: str | None) -> str:
        """Write each unsaved session, as far as the journal knows it, to the unsaved folder."""
        # Only when sessions could not be saved: the export format (and csv) is not
        # loaded at every start for it.
        from legdrive_timer.core.history_format import records_to_json

        why = _why(problem)
        store = self.store
        if store is None:  # pragma: no cover - writes are pending only with an open store
            return f"{len(session_ids)} sessions could not be saved ({why})."
        folder = store.unsaved_dir
        kept: list[str] = []
        lost: list[str] = []
        for sid in session_ids:
            draft = self._drafts.get(sid)
            if draft is None:  # a rating of a session from before this run
                lost.append(sid)
                continue
            record = _as_kept(draft)
            try:
                if folder.is_symlink():
                    raise OSError(f"{folder} is a symbolic link")
                from legdrive_timer.storage.atomic import write_text_atomic

                write_text_atomic(folder / _file_name(sid), records_to_json([record]))
            except OSError as error:
                log.error("could not keep session %s aside: %s", sid, error)
                lost.append(sid)
                continue
            kept.append(sid)
        with self._lock:
            self._pending.clear()
        parts: list[str] = []
        if kept:
            noun = "session" if len(kept) == 1 else "sessions"
            parts.append(
                f"{len(kept)} {noun} could not be saved in the history ({why}); "
                f"{'it was' if len(kept) == 1 else 'they were'} kept in {folder} "
                "and will be added to the history the next time Legdrive Timer starts."
            )
        if lost:
            noun = "session" if len(lost) == 1 else "sessions"
            parts.append(
                f"The last changes to {len(lost)} {noun} could not be saved ({why}) or kept "
                f"in {folder}; the history has the phases written before that."
            )
        return " ".join(parts)


def _as_kept(draft: SessionRecord) -> SessionRecord:
    if draft.status is not SessionStatus.RUNNING:
        return draft
    ended = draft.started_at + timedelta(milliseconds=draft.actual_ms)
    return dataclasses.replace(draft, status=SessionStatus.INTERRUPTED, ended_at=ended)


def _file_name(session_id: str) -> str:
    from legdrive_timer.core.digest import sha256_hex

    return sha256_hex(session_id.encode("utf-8", "surrogatepass"))[:32] + ".json"


def _why(problem: str | None) -> str:
    if problem is None:
        return "the database did not answer in time"
    text = problem.split(";")[0]
    start = text.find("(")
    end = text.rfind(")")
    return text[start + 1 : end] if 0 <= start < end else "the database did not answer in time"


def _transient(error: BaseException) -> bool:
    import sqlite3

    from legdrive_timer.storage.history_errors import HistoryError

    if isinstance(error, HistoryError):
        return error.transient
    return isinstance(error, sqlite3.OperationalError | OSError)


def _sentence(error: BaseException, pending: int) -> str:
    from legdrive_timer.storage.history_errors import HistoryError

    if isinstance(error, HistoryError):
        base = str(error).rstrip(".")
    else:
        base = f"The history could not be saved ({error})"
    return (
        f"{base}; {pending} unsaved change{'s' if pending != 1 else ''} "
        "will be retried every few seconds."
    )
