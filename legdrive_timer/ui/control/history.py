"""The history: the database, the journal that records sessions into it, and its screen."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from legdrive_timer.logs import print_to_stderr

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from legdrive_timer.storage.history import HistoryStore
    from legdrive_timer.storage.journal import SessionJournal
    from legdrive_timer.storage.paths import DataPaths
    from legdrive_timer.ui.history_view import HistoryView
    from legdrive_timer.ui.main_window import MainWindow


class HistoryControl(QObject):
    journal_problem = Signal(object)
    """The history writer's problem sentence (or None), carried from its thread to this one."""

    def __init__(
        self,
        paths: DataPaths,
        window: MainWindow,
        on_back: Callable[[], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._paths = paths
        self._window = window
        self._on_back = on_back
        self.store: HistoryStore | None = None
        self.journal: SessionJournal | None = None
        self.page: QWidget | None = None
        self.view: HistoryView | None = None
        self.problem: str | None = None
        """Why sessions are not being saved at all, if they are not."""
        self.unsaved_report: str | None = None
        """At exit: what could not be saved in the history, and where it was kept."""

    def open(self) -> None:
        """Open the database (slow: done after the first frame)."""
        from legdrive_timer.storage.history import HistoryError, HistoryStore
        from legdrive_timer.storage.journal import SessionJournal

        banner = self._window.banner
        try:
            self.store = HistoryStore.open(self._paths.history_db)
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
        self._window.banner.set_message("journal", problem)

    def rate_effort(self, session_id: str, effort: int) -> None:
        if self.journal is not None:
            self.journal.set_effort(session_id, effort)

    def show(self) -> None:
        if self.store is None:
            return
        if self.page is None:
            # Imported on first use: the history view pulls in the charts, not needed to train.
            from legdrive_timer.ui.history_page import HistoryPage

            page = HistoryPage(self.store, protected=self._paths.own_files())
            page.back_requested.connect(self._on_back)
            page.help_requested.connect(self._window.toggle_help)
            self.view = page.view
            self.page = page
            self._window.stack.addWidget(page)
        self._window.show_screen(self.page)

    def close(self) -> None:
        """Wait briefly for pending writes; what is still unsaved is kept aside and said."""
        if self.journal is not None:
            self.unsaved_report = self.journal.close()
            self.journal = None
            if self.unsaved_report is not None:
                self._window.banner.set_message("journal", self.unsaved_report)
                print_to_stderr(self.unsaved_report)
        if self.store is not None:
            self.store.close()
            self.store = None
