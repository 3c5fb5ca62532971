"""The history: the database, the journal that records sessions into it, and its screen.

Nothing of it is opened at start: a person at the start screen does not need it. The first
session's journal opens the database on its writer thread before its first write (the
session's events wait in order meanwhile), the history screen opens it when shown. What
opening found (a damaged database moved aside, sessions recovered from the unsaved folder,
or why sessions cannot be saved) is said then, once.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from legdrive_timer.logs import print_to_stderr
from legdrive_timer.startup import forget_module_sources
from legdrive_timer.storage.history_access import HistoryAccess

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from legdrive_timer.storage.history import HistoryStore
    from legdrive_timer.storage.journal import SessionJournal
    from legdrive_timer.ui.control.parts import AppParts
    from legdrive_timer.ui.history_page import HistoryPage
    from legdrive_timer.ui.history_view import HistoryView


class HistoryControl(QObject):
    journal_problem = Signal(object)
    """The history writer's problem sentence (or None), carried from its thread to this one."""
    opened = Signal()
    """The database's first opening is over (from the thread that opened it)."""

    def __init__(self, app: AppParts, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._app = app
        self.access = HistoryAccess(app.paths.history_db)
        self.access.on_open.append(lambda _access: self.opened.emit())
        self.opened.connect(self._tell_opened)
        self.journal: SessionJournal | None = None
        """Made at the first session; it opens the database before its first write."""
        self.page: HistoryPage | None = None
        """The history screen, built when first shown."""
        self.problem: str | None = None
        """Why sessions are not being saved at all, if they are not."""
        self.unsaved_report: str | None = None
        """At exit: what could not be saved in the history, and where it was kept."""
        self._told = False
        self._notice_after_session: str | None = None
        self._in_session = False
        self.journal_problem.connect(self._show_journal_problem)

    @property
    def store(self) -> HistoryStore | None:
        """The database once it is open (this never opens it)."""
        return self.access.store

    @property
    def view(self) -> HistoryView | None:
        """The history screen's list and charts, once it is built."""
        return None if self.page is None else self.page.view

    @property
    def available(self) -> bool:
        """False once the database was found impossible to open, or was closed (a closed
        access counts as tried and holds no store)."""
        return not (self.access.tried and self.access.store is None)

    def open_store(self) -> HistoryStore | None:
        """The database, opened here if nothing opened it yet (the window waits for it);
        None when it cannot be opened, which is then said."""
        store = self.access.get()
        self._tell_opened()
        return store

    def journal_for_session(self) -> SessionJournal | None:
        """The journal a session starting now is recorded by (None: sessions cannot be
        saved, which was said). Made at the first session without opening anything: its
        writer thread opens the database before its first write, so Start never waits."""
        self._in_session = True
        if self.journal is None and self.available:
            from legdrive_timer.storage.journal import SessionJournal

            self.journal = SessionJournal(self.access, background=True)
            self.journal.on_problem.append(self.journal_problem.emit)
        return self.journal

    def _tell_opened(self) -> None:
        """Say once what opening the database found; the start screen's history button
        goes if it cannot be opened."""
        if self._told or not self.access.tried:
            return
        self._told = True
        forget_module_sources()  # those read while SQLite and the store were imported
        window = self._app.window
        if self.access.store is None and self.access.problem is not None:
            self.problem = f"{self.access.problem} Sessions are not saved."
            window.banner.set_message("history", self.problem)
            print_to_stderr(self.problem)  # also for `run` from a terminal or a script
            window.start_screen.set_history_available(False)
            return
        notice = self.access.notice()
        if notice is not None and self._in_session:
            # During a session the banner would take the digits' room: said when it ends.
            self._notice_after_session = notice
            return
        window.banner.set_message("history", notice)

    def session_over(self) -> None:
        """A session ended: what opening the database found is said now, if it waited."""
        self._in_session = False
        notice, self._notice_after_session = self._notice_after_session, None
        if notice is not None:
            self._app.window.banner.set_message("history", notice)

    def _show_journal_problem(self, problem: str | None) -> None:
        self._app.window.banner.set_message("journal", problem)

    def rate_effort(self, session_id: str, effort: int) -> None:
        if self.journal is not None:
            self.journal.set_effort(session_id, effort)

    def show(self) -> None:
        store = self.open_store()
        if store is None:
            return
        if self.page is None:
            # Imported on first use: the history view pulls in the charts, not needed to train.
            from legdrive_timer.ui.history_page import HistoryPage

            window = self._app.window
            page = HistoryPage(store, protected=self._app.paths.own_files())
            page.back_requested.connect(self._app.back_to_start)
            page.help_requested.connect(window.toggle_help)
            self.page = page
            window.stack.addWidget(page)
        self._app.window.show_screen(self.page)

    def close(self) -> None:
        """Wait briefly for pending writes; what is still unsaved is kept aside and said.
        A history never opened is left alone (nothing is loaded to close it)."""
        if self.page is not None and not self.page.view.stop_transfers():
            log.warning("an export or import was still running when the history closed")
        if self.journal is not None:
            self.unsaved_report = self.journal.close()
            self.journal = None
            if self.unsaved_report is not None:
                self._app.window.banner.set_message("journal", self.unsaved_report)
                print_to_stderr(self.unsaved_report)
        # A session that ended the run at once (`run --quit-when-done`) may close the app
        # before the writer's news arrives: said here, so a terminal still reads it.
        self._tell_opened()
        self.session_over()
        self.access.close()
