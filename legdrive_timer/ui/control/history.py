"""The history: the database, the journal that records sessions into it, and its screen."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from legdrive_timer.logs import print_to_stderr

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

    def __init__(self, app: AppParts, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._app = app
        self.store: HistoryStore | None = None
        self.journal: SessionJournal | None = None
        self.page: HistoryPage | None = None
        """The history screen, built when first shown."""
        self.problem: str | None = None
        """Why sessions are not being saved at all, if they are not."""
        self.unsaved_report: str | None = None
        """At exit: what could not be saved in the history, and where it was kept."""

    @property
    def view(self) -> HistoryView | None:
        """The history screen's list and charts, once it is built."""
        return None if self.page is None else self.page.view

    def open(self) -> None:
        """Open the database (slow: done after the first frame)."""
        from legdrive_timer.storage.history import HistoryError, HistoryStore
        from legdrive_timer.storage.journal import SessionJournal

        banner = self._app.window.banner
        try:
            self.store = HistoryStore.open(self._app.paths.history_db)
        except HistoryError as error:
            self.problem = f"{error} Sessions are not saved."
            banner.set_message("history", self.problem)
            print_to_stderr(self.problem)  # also for `run` from a terminal or a script
            return
        notice = self.store.notice
        if self.store.recovered:
            count = len(self.store.recovered)
            noun = "session" if count == 1 else "sessions"
            added = f"{count} {noun} that could not be saved last time were added to the history."
            notice = f"{notice} {added}" if notice else added
        banner.set_message("history", notice)
        # Writes run on their own thread: a busy or full disk never holds up the window.
        self.journal = SessionJournal(self.store, background=True)
        self.journal_problem.connect(self._show_journal_problem)
        self.journal.on_problem.append(self.journal_problem.emit)

    def _show_journal_problem(self, problem: str | None) -> None:
        self._app.window.banner.set_message("journal", problem)

    def rate_effort(self, session_id: str, effort: int) -> None:
        if self.journal is not None:
            self.journal.set_effort(session_id, effort)

    def show(self) -> None:
        if self.store is None:
            return
        if self.page is None:
            # Imported on first use: the history view pulls in the charts, not needed to train.
            from legdrive_timer.ui.history_page import HistoryPage

            window = self._app.window
            page = HistoryPage(self.store, protected=self._app.paths.own_files())
            page.back_requested.connect(self._app.back_to_start)
            page.help_requested.connect(window.toggle_help)
            self.page = page
            window.stack.addWidget(page)
        self._app.window.show_screen(self.page)

    def close(self) -> None:
        """Wait briefly for pending writes; what is still unsaved is kept aside and said."""
        if self.page is not None and not self.page.view.stop_transfers():
            log.warning("an export or import was still running when the history closed")
        if self.journal is not None:
            self.unsaved_report = self.journal.close()
            self.journal = None
            if self.unsaved_report is not None:
                self._app.window.banner.set_message("journal", self.unsaved_report)
                print_to_stderr(self.unsaved_report)
        if self.store is not None:
            self.store.close()
            self.store = None
