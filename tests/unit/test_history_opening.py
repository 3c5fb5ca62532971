"""Opening the history when the file is damaged, from the future, or cannot be written."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import sqlite3
import stat
import subprocess
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from legdrive_timer.core.records import SessionRecord, SessionStatus
from legdrive_timer.storage.history import HistoryError, HistoryStore

CET = timezone(timedelta(hours=1))
MOMENT = datetime(2026, 11, 25, 10, 15, 0, tzinfo=CET)
FIXTURES = Path(__file__).parent.parent / "fixtures"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def fill(db: Path, sessions: int, status: SessionStatus = SessionStatus.COMPLETED) -> None:
    with HistoryStore.open(db) as store:
        store.merge(
            SessionRecord(f"s{i}", "hiit", "HIIT " + "x" * 200, MOMENT, MOMENT, status, 1000)
            for i in range(sessions)
        )


def assert_fresh_and_working(store: HistoryStore) -> None:
    assert store.count_sessions() == 0
    store.begin_session("new", "hiit", "HIIT", MOMENT, 1000)
    assert store.sessions()[0].status is SessionStatus.RUNNING


def test_random_bytes_are_moved_aside_with_a_timestamp_and_a_notice(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    db.write_bytes(random.Random(5).randbytes(8192))
    before = digest(db)

    with HistoryStore.open(db, now=lambda: MOMENT) as store:
        moved = tmp_path / "history.sqlite3.corrupt-20261125T101500"
        assert moved.exists() and digest(moved) == before
        assert store.notice is not None
        assert str(moved) in store.notice
        assert store.notice.startswith("The history database could not be read")
        assert store.notice.endswith("and a new one was started.")
        assert store.notice.count(".") - str(moved).count(".") == 1  # one sentence
        assert_fresh_and_working(store)


def test_a_truncated_database_and_its_wal_files_are_moved_aside(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    fill(db, 300)
    size = db.stat().st_size
    with db.open("r+b") as handle:
        handle.truncate(size // 2)
    wal = tmp_path / "history.sqlite3-wal"
    wal.write_bytes(b"")
    before = digest(db)

    with HistoryStore.open(db, now=lambda: MOMENT) as store:
        assert store.notice is not None
        moved = tmp_path / "history.sqlite3.corrupt-20261125T101500"
        assert digest(moved) == before
        assert (tmp_path / "history.sqlite3.corrupt-20261125T101500-wal").exists()
        assert_fresh_and_working(store)


def test_damage_deep_in_the_file_is_reported_then_moved_aside_on_the_next_start(
    tmp_path: Path,
) -> None:
    db = tmp_path / "history.sqlite3"
    fill(db, 300)
    pages = db.stat().st_size // 4096
    with db.open("r+b") as handle:  # the header and schema are fine, the data pages are not
        for page in range(pages // 2, pages):
            handle.seek(page * 4096)
            handle.write(random.Random(page).randbytes(4096))
    before = digest(db)

    with HistoryStore.open(db, now=lambda: MOMENT) as store:
        assert store.notice is None  # only the first pages are read when opening
        with pytest.raises(
            HistoryError, match=r"^The history could not be read \(the database is damaged\)\.$"
        ):
            list(store.records())
    assert (tmp_path / "history.sqlite3.damaged").exists()

    with HistoryStore.open(db, now=lambda: MOMENT) as store:
        assert store.notice is not None and "could not be read" in store.notice
        assert digest(tmp_path / "history.sqlite3.corrupt-20261125T101500") == before
        assert_fresh_and_working(store)
    assert not (tmp_path / "history.sqlite3.damaged").exists()


def test_damage_found_while_recovering_crashed_sessions_moves_the_file_at_once(
    tmp_path: Path,
) -> None:
    db = tmp_path / "history.sqlite3"
    fill(db, 300, SessionStatus.RUNNING)  # as if 300 sessions had crashed
    pages = db.stat().st_size // 4096
    with db.open("r+b") as handle:
        for page in range(pages // 2, pages):
            handle.seek(page * 4096)
            handle.write(random.Random(page).randbytes(4096))
    with HistoryStore.open(db, now=lambda: MOMENT) as store:
        assert store.notice is not None and "(the database is damaged)" in store.notice
        assert (tmp_path / "history.sqlite3.corrupt-20261125T101500").exists()
        assert_fresh_and_working(store)


def test_a_damage_mark_on_a_sound_file_is_cleared_and_nothing_moved(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    fill(db, 5)
    (tmp_path / "history.sqlite3.damaged").touch()
    with HistoryStore.open(db) as store:
        assert store.notice is None and store.count_sessions() == 5
    assert not (tmp_path / "history.sqlite3.damaged").exists()
    assert list(tmp_path.glob("*.corrupt-*")) == []


def test_moving_aside_twice_in_one_second_keeps_both_files(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    for content in (b"first damaged file" * 10, b"second damaged file" * 10):
        db.write_bytes(content)
        HistoryStore.open(db, now=lambda: MOMENT).close()
        db.unlink()
        for extra in tmp_path.glob("history.sqlite3-*"):
            extra.unlink()
    first = tmp_path / "history.sqlite3.corrupt-20261125T101500"
    second = tmp_path / "history.sqlite3.corrupt-20261125T101500-2"
    assert first.read_bytes().startswith(b"first")
    assert second.read_bytes().startswith(b"second")


def test_an_sqlite_file_that_is_not_a_history_is_moved_aside(tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE notes (text TEXT)")
    conn.execute("INSERT INTO notes VALUES ('keep me')")
    conn.commit()
    conn.close()
    with HistoryStore.open(db, now=lambda: MOMENT) as store:
        assert store.notice is not None
        assert_fresh_and_working(store)
    moved = sqlite3.connect(tmp_path / "history.sqlite3.corrupt-20261125T101500")
    assert moved.execute("SELECT text FROM notes").fetchall() == [("keep me",)]
    moved.close()


@pytest.mark.parametrize("wal", [False, True], ids=["rollback-journal", "wal"])
def test_a_database_from_the_future_is_refused_and_left_untouched(
    tmp_path: Path, wal: bool
) -> None:
    db = tmp_path / "history.sqlite3"
    shutil.copyfile(FIXTURES / "history-v1.sqlite3", db)
    conn = sqlite3.connect(db)
    if wal:
        conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA user_version = 7")
    conn.commit()
    conn.close()
    before = sorted((p.name, digest(p)) for p in tmp_path.iterdir())

    with pytest.raises(HistoryError) as caught:
        HistoryStore.open(db)
    message = str(caught.value)
    assert "newer version of Legdrive Timer" in message
    assert "schema 7" in message and "left untouched" in message
    assert message.endswith(".") and "\n" not in message
    assert sorted((p.name, digest(p)) for p in tmp_path.iterdir()) == before


def test_a_folder_that_cannot_be_created_gives_one_sentence(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(HistoryError, match=r"^The history folder .* cannot be created \(.*\)\.$"):
        HistoryStore.open(blocker / "data" / "history.sqlite3")


def test_a_folder_in_place_of_the_database_is_left_alone_and_named(tmp_path: Path) -> None:
    (tmp_path / "history.sqlite3").mkdir()
    (tmp_path / "history.sqlite3" / "keep.txt").write_text("mine")
    with pytest.raises(HistoryError, match=r"is a folder where the history database should be\.$"):
        HistoryStore.open(tmp_path / "history.sqlite3")
    assert (tmp_path / "history.sqlite3" / "keep.txt").read_text() == "mine"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
@pytest.mark.parametrize("name", ["history.sqlite3", "history.sqlite3-wal"])
def test_a_named_pipe_in_place_of_a_database_file_is_refused_without_waiting(
    tmp_path: Path, name: str
) -> None:
    import threading

    os.mkfifo(tmp_path / name)
    outcome: list[BaseException | None] = []

    def open_it() -> None:
        try:
            HistoryStore.open(tmp_path / "history.sqlite3").close()
            outcome.append(None)
        except BaseException as error:
            outcome.append(error)

    opener = threading.Thread(target=open_it, daemon=True)
    opener.start()
    opener.join(10)
    assert not opener.is_alive(), "opening waited on the named pipe"
    (error,) = outcome
    assert isinstance(error, HistoryError)
    assert str(error) == f"{tmp_path / name} is a named pipe (FIFO), not a " + (
        "history database." if name == "history.sqlite3" else "database file."
    )
    assert stat.S_ISFIFO((tmp_path / name).stat().st_mode)  # left where it was


def test_sqlite_refusing_to_create_the_file_gives_one_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What SQLite raises in a read-only folder, for machines where the tests run as root.
    def refuse(*args: object, **kwargs: object) -> sqlite3.Connection:
        error = sqlite3.OperationalError("unable to open database file")
        error.sqlite_errorname = "SQLITE_CANTOPEN"
        raise error

    monkeypatch.setattr(sqlite3, "connect", refuse)
    with pytest.raises(HistoryError, match=r"cannot be opened \(unable to open database file\)"):
        HistoryStore.open(tmp_path / "history.sqlite3")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_data_folder_gives_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        with pytest.raises(HistoryError, match="history database"):
            HistoryStore.open(folder / "history.sqlite3")
    finally:
        folder.chmod(0o755)


def _can_mount_read_only(tmp_path: Path) -> bool:
    if sys.platform != "linux" or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(
        ["unshare", "-m", "sh", "-c", f"mount --bind {tmp_path} {tmp_path}"],
        capture_output=True,
        check=False,
    )
    return probe.returncode == 0


def test_a_read_only_mount_keeps_the_history_and_says_so(tmp_path: Path) -> None:
    """A real read-only file system (a bind mount in a private mount namespace), so that the
    test means something even as root; skipped where mount namespaces are not allowed."""
    if not _can_mount_read_only(tmp_path):
        pytest.skip("needs permission to create a mount namespace")
    data = tmp_path / "data"
    fill(data / "history.sqlite3", 3)
    before = digest(data / "history.sqlite3")
    script = (
        f"mount --bind {data} {data} && mount -o remount,ro,bind {data} && "
        f"{sys.executable} -m legdrive_timer history list --data-dir {data}"
    )
    result = subprocess.run(
        ["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, check=False
    )
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr
    assert "cannot be written" in lines[0] or "read-only" in lines[0]
    assert digest(data / "history.sqlite3") == before
    with HistoryStore.open(data / "history.sqlite3") as store:
        assert store.count_sessions() == 3


def test_an_io_error_on_a_full_disk_is_said_as_a_full_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil
    from collections import namedtuple

    from legdrive_timer.storage.history_errors import reason

    error = sqlite3.OperationalError("disk I/O error")
    error.sqlite_errorname = "SQLITE_IOERR_SHMSIZE"
    assert reason(error, tmp_path) == "the disk reported an error"
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(1 << 20, 1 << 20, 0))
    assert reason(error, tmp_path) == "the disk is full"
    assert reason(error) == "the disk reported an error"  # no folder to look at


def test_a_database_the_user_cannot_read_says_permission_denied(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "history.sqlite3"
    HistoryStore.open(db).close()
    before = db.read_bytes()
    real_access = os.access
    # Root reads a chmod 000 file: the check is made to fail as it would for the user.
    monkeypatch.setattr(
        os, "access", lambda p, mode: False if Path(p) == db else real_access(p, mode)
    )
    with pytest.raises(HistoryError) as raised:
        HistoryStore.open(db)
    assert str(raised.value) == f"The history database {db} cannot be opened (permission denied)."
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["history.sqlite3"]


def test_a_schema_whose_damage_is_not_text_is_moved_aside(tmp_path: Path) -> None:
    """SQLite's error about a damaged schema quotes the damaged bytes; when they are not
    UTF-8, the file is still found damaged and moved aside, not an unexpected error."""
    db = tmp_path / "history.sqlite3"
    HistoryStore.open(db).close()
    data = bytearray(db.read_bytes())
    # A byte of the schema's text (found by fuzzing: `history list` failed on it).
    at = data.index(b"CREATE", 38_000)
    data[at + 2] = 0xF5
    db.write_bytes(bytes(data))
    with HistoryStore.open(db) as store:
        assert store.notice is not None and "moved to" in store.notice
    moved = [p for p in tmp_path.glob("history.sqlite3.corrupt-*") if p.name[-4:] != "-wal"]
    assert [p.read_bytes() for p in moved if p.name[-4:] != "-shm"] == [bytes(data)]
