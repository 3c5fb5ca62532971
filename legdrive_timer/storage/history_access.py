"""The history database opened when something first needs it, from whichever thread asks.

A person at the start screen does not need the history: opening it loads SQLite and the
storage modules and reads the file (a few MiB and tens of milliseconds). The journal opens
it on its own thread before its first write, the history screen when it is shown; both go
through one `HistoryAccess`, so it is opened once and what opening found (a damaged file
moved aside, sessions recovered, or why it cannot be opened) is told once.

This module imports neither sqlite3 nor the store: importing it costs nothing.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from legdrive_timer.storage.history import HistoryStore

log = logging.getLogger(__name__)

OpenListener = Callable[["HistoryAccess"], None]
"""Called once the first attempt to open is over (opened or not), on the thread that made it."""


class HistoryAccess:
    def __init__(
        self, path: Path, *, open_store: Callable[[Path], HistoryStore] | None = None
    ) -> None:
        self.path = path
        self._open_store = open_store
        self._lock = threading.Lock()
        self._tried = False
        self._store: HistoryStore | None = None
        self.problem: str | None = None
        """Why the history cannot be opened (one sentence), once an attempt failed."""
        self.on_open: list[OpenListener] = []

    @property
    def tried(self) -> bool:
        """True once opening was attempted (whatever came of it)."""
        return self._tried

    @property
    def store(self) -> HistoryStore | None:
        """The store if it is open; never opens it."""
        return self._store

    def get(self) -> HistoryStore | None:
        """The store, opened on the first call (the caller's thread waits for it); None
        when it cannot be opened (`problem` says why). Opening is attempted once."""
        with self._lock:
            if self._tried:
                return self._store
            self._tried = True
            self._store, self.problem = self._open()
        for listener in list(self.on_open):
            try:
                listener(self)
            except Exception:  # A broken listener must not keep the store from its caller.
                log.exception("history open listener failed")
        return self._store

    def _open(self) -> tuple[HistoryStore | None, str | None]:
        from legdrive_timer.storage.history import HistoryError, HistoryStore

        opener = self._open_store or HistoryStore.open
        try:
            return opener(self.path), None
        except HistoryError as error:
            return None, str(error)
        except Exception as error:  # On the writer thread nobody else would hear of it.
            log.exception("the history could not be opened")
            return None, f"The history {self.path} could not be opened ({error})."

    def notice(self) -> str | None:
        """What opening found that a person should know (the database was moved aside,
        sessions kept aside last time were added), or None."""
        store = self._store
        if store is None:
            return None
        notice = store.notice
        if store.recovered:
            count = len(store.recovered)
            noun = "session" if count == 1 else "sessions"
            added = f"{count} {noun} that could not be saved last time were added to the history."
            notice = f"{notice} {added}" if notice else added
        return notice

    def close(self) -> None:
        """Close the store if it was opened; a later `get` does not open it again."""
        with self._lock:
            self._tried = True
            store, self._store = self._store, None
        if store is not None:
            store.close()
