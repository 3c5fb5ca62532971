"""A journal given a `HistoryAccess` opens the history before its first write: on its
writer thread in the window, where the session's first events wait for it in order; a
history that cannot be opened drops the writes and says why once, through the access."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from legdrive_timer.core.records import SessionStatus
from legdrive_timer.storage.history import HistoryError, HistoryStore
from legdrive_timer.storage.history_access import HistoryAccess
from legdrive_timer.storage.journal import OPENING_SWITCH_INTERVAL_S, SessionJournal
from tests.helpers import run_to_end, short_hiit_harness


def test_the_history_opens_at_the_first_write_not_before(tmp_path: Path) -> None:
    access = HistoryAccess(tmp_path / "history.sqlite3")
    journal = SessionJournal(access, clock=lambda: 0.0)
    h = short_hiit_harness()
    journal.attach(h.engine)
    assert not access.tried and journal.store is None
    h.engine.start()
    assert access.tried and journal.store is access.store is not None
    run_to_end(h)
    record = access.store.session(h.engine.session_id or "")
    assert record is not None and record.status is SessionStatus.COMPLETED
    assert len(record.segments) == len(h.engine.timeline.phases)
    assert journal.close() is None
    access.close()
    assert access.get() is None  # closed for good: not opened again


def test_events_wait_in_order_while_the_writer_opens_the_history(tmp_path: Path) -> None:
    """The whole session is heard before the history is open: nothing is lost, in order."""
    opening = threading.Event()
    release = threading.Event()

    def slow_open(path: Path) -> HistoryStore:
        opening.set()
        assert release.wait(20)
        return HistoryStore.open(path)

    access = HistoryAccess(tmp_path / "history.sqlite3", open_store=slow_open)
    journal = SessionJournal(access, background=True)
    h = short_hiit_harness()
    journal.attach(h.engine)
    h.engine.start()
    run_to_end(h)  # on the fake clock, while the writer waits for the database
    assert opening.wait(20)
    assert journal.pending == len(h.engine.timeline.phases) + 2  # begin, phases, finish
    release.set()
    assert journal.wait_saved(20)
    assert access.store is not None
    record = access.store.session(h.engine.session_id or "")
    assert record is not None and record.status is SessionStatus.COMPLETED
    assert [s.phase_index for s in record.segments] == [p.index for p in h.engine.timeline.phases]
    assert journal.close() is None
    access.close()


def test_no_writer_thread_until_the_first_write(tmp_path: Path) -> None:
    access = HistoryAccess(tmp_path / "history.sqlite3")
    journal = SessionJournal(access, background=True)
    assert "history-writer" not in [t.name for t in threading.enumerate()]
    assert journal.wait_saved(1) and journal.flush()
    assert journal.close() is None  # closed without ever opening anything
    assert not access.tried and not (tmp_path / "history.sqlite3").exists()


@pytest.mark.parametrize("background", [False, True])
def test_a_history_that_cannot_open_drops_the_writes_and_says_so_once(
    tmp_path: Path, background: bool
) -> None:
    told: list[str | None] = []

    def refuse(path: Path) -> HistoryStore:
        raise HistoryError(f"The history folder {path.parent} cannot be created (read-only).")

    access = HistoryAccess(tmp_path / "history.sqlite3", open_store=refuse)
    access.on_open.append(lambda a: told.append(a.problem))
    journal = SessionJournal(access, background=background)
    h = short_hiit_harness()
    journal.attach(h.engine)
    h.engine.start()
    run_to_end(h)
    journal.set_effort(h.engine.session_id or "", 4)
    assert journal.wait_saved(20)
    assert told == [f"The history folder {tmp_path} cannot be created (read-only)."]
    assert journal.problem is None  # the access's problem, said by whoever shows it
    assert journal.close() is None


def test_one_opening_for_every_thread_that_asks(tmp_path: Path) -> None:
    opened: list[Path] = []

    def counting_open(path: Path) -> HistoryStore:
        opened.append(path)
        return HistoryStore.open(path)

    access = HistoryAccess(tmp_path / "history.sqlite3", open_store=counting_open)
    stores: list[HistoryStore | None] = []
    threads = [threading.Thread(target=lambda: stores.append(access.get())) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(opened) == 1 and len(set(map(id, stores))) == 1 and stores[0] is not None
    access.close()


def test_what_opening_found_is_one_notice(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    db.write_bytes(b"not a database" * 100)
    access = HistoryAccess(db)
    assert access.notice() is None
    store = access.get()
    assert store is not None
    notice = access.notice()
    assert notice is not None and "moved to" in notice and "new one was started" in notice
    access.close()


def test_an_unexpected_failure_to_open_is_a_sentence_not_a_dead_writer(tmp_path: Path) -> None:
    def broken(path: Path) -> HistoryStore:
        raise UnicodeDecodeError("utf-8", b"\x8b", 0, 1, "invalid start byte")

    access = HistoryAccess(tmp_path / "history.sqlite3", open_store=broken)
    journal = SessionJournal(access, background=True)
    h = short_hiit_harness()
    journal.attach(h.engine)
    h.engine.start()
    run_to_end(h)
    assert journal.wait_saved(20)  # the writer went on: everything was dropped, in order
    assert access.problem is not None and access.problem.startswith(
        f"The history {tmp_path / 'history.sqlite3'} could not be opened ("
    )
    assert journal.close() is None


def test_two_writers_opening_at_once_leave_the_switch_interval_as_it_was(tmp_path: Path) -> None:
    """The switch interval is one setting for the process: the first writer in shortens it,
    the last one out puts it back, whatever order they finish in."""
    before = sys.getswitchinterval()
    first_in, second_in, first_saved = threading.Event(), threading.Event(), threading.Event()
    seen: list[float] = []

    def opener(entered: threading.Event, go_on: threading.Event) -> Callable[[Path], HistoryStore]:
        def open_store(path: Path) -> HistoryStore:
            seen.append(sys.getswitchinterval())
            entered.set()
            assert go_on.wait(20)
            return HistoryStore.open(path)

        return open_store

    # The first writer finishes opening while the second is still at it.
    journals: list[SessionJournal] = []
    for name, entered, go_on in (("a", first_in, second_in), ("b", second_in, first_saved)):
        access = HistoryAccess(
            tmp_path / name / "history.sqlite3", open_store=opener(entered, go_on)
        )
        journal = SessionJournal(access, background=True)
        h = short_hiit_harness()
        journal.attach(h.engine)
        h.engine.start()
        assert entered.wait(20)
        journals.append(journal)
    first, second = journals
    assert first.wait_saved(20)
    first_saved.set()
    assert second.wait_saved(20)
    assert seen == [min(before, OPENING_SWITCH_INTERVAL_S)] * 2
    assert sys.getswitchinterval() == before
    for journal in journals:
        assert journal.close() is None
        assert journal.store is not None
        journal.store.close()


ENDS_WITHOUT_CLOSING = """
import sys, threading, time
from pathlib import Path

from legdrive_timer.storage.history import HistoryStore
from legdrive_timer.storage.history_access import HistoryAccess
from legdrive_timer.storage.journal import SessionJournal
from tests.helpers import run_to_end, short_hiit_harness


def slow_open(path):
    time.sleep(0.5)  # still opening when the script ends
    store = HistoryStore.open(path)
    print("opened", flush=True)
    return store


access = HistoryAccess(Path(sys.argv[1]), open_store=slow_open)
journal = SessionJournal(access, background=True)
h = short_hiit_harness()
journal.attach(h.engine)
h.engine.start()
run_to_end(h)
print(h.engine.session_id, "history-writer" in [t.name for t in threading.enumerate()], flush=True)
"""


def test_a_writer_still_at_work_when_the_interpreter_exits_finishes_first(tmp_path: Path) -> None:
    """A process that ends without closing its journal (a script, a window torn down
    without its close): the writer is a daemon thread, and it must not be left opening
    the database or writing while the interpreter is taken down. Closed at exit, it has
    saved the session before the process ends."""
    db = tmp_path / "history.sqlite3"
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(ENDS_WITHOUT_CLOSING), str(db)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).parents[2],
    )
    assert result.returncode == 0, result.stderr
    session_line, opened = result.stdout.splitlines()
    session_id, writing = session_line.split()
    assert writing == "True" and opened == "opened"  # the script was done before the writer
    with HistoryStore.open(db) as store:
        record = store.session(session_id)
        assert record is not None and record.status is SessionStatus.COMPLETED
        assert store.recovered == ()
