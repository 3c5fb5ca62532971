"""Failures of the history database, in words a person can act on, and the rating ranges
every write checks.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from legdrive_timer.core.records import CoachMeasures
from legdrive_timer.errors import UserError

CORRUPT = frozenset({"SQLITE_CORRUPT", "SQLITE_NOTADB"})


class HistoryError(UserError):
    """The history cannot be read or written; the message is one sentence."""

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient
        """True when trying again later may work (a busy or full disk, an I/O error)."""


def is_transient(error: BaseException) -> bool:
    return isinstance(error, sqlite3.OperationalError | OSError) and not is_corrupt(error)


STABILITY_RANGE = (1, 5)
EFFORT_RANGE = (0, 10)
REPS_RANGE = (0, 100_000)


def check_rating(name: str, value: int | None, bounds: tuple[int, int]) -> None:
    """Raise ValueError for a rating out of `bounds` (None means not rated)."""
    low, high = bounds
    if value is not None and (isinstance(value, bool) or not low <= value <= high):
        raise ValueError(f"{name} must be from {low} to {high}, not {value!r}")


def check_stability(rating: int | None) -> None:
    """How stable a side felt, 1-5 (None: not rated)."""
    check_rating("stability", rating, STABILITY_RANGE)


def check_reps(reps: int) -> None:
    """The reps the user says were done in a phase."""
    check_rating("reps", reps, REPS_RANGE)


def check_effort(effort: int | None) -> None:
    """How hard the whole session was, 0-10 (None: not rated)."""
    check_rating("effort", effort, EFFORT_RANGE)


def check_coach(measures: object) -> None:
    """Raise ValueError unless `measures` is CoachMeasures or None (its values were checked
    when it was built)."""
    if measures is not None and not isinstance(measures, CoachMeasures):
        raise ValueError(f"coach measures must be CoachMeasures or None, not {measures!r}")


def reason(error: BaseException, where: Path | None = None) -> str:
    """What went wrong, in words a person can act on. With `where` (the database's folder),
    an I/O error on a disk with no room left is said as the full disk it is: SQLite reports
    a full disk as an I/O error when it cannot grow its shared-memory file."""
    name = getattr(error, "sqlite_errorname", "")
    if name == "SQLITE_FULL" or (name.startswith("SQLITE_IOERR") and disk_is_full(where)):
        return "the disk is full"
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return "another window or program kept the database busy"
    if name.startswith("SQLITE_READONLY"):
        return "the database is read-only"
    if name.startswith("SQLITE_CORRUPT") or name == "SQLITE_NOTADB":
        return "the database is damaged"
    if name.startswith("SQLITE_IOERR"):
        return "the disk reported an error"
    if isinstance(error, OSError) and error.strerror:
        return error.strerror[0].lower() + error.strerror[1:]
    text = str(error).rstrip(".")
    return text or type(error).__name__


def is_corrupt(error: BaseException) -> bool:
    name = getattr(error, "sqlite_errorname", "")
    return name in CORRUPT or name.startswith("SQLITE_CORRUPT")


def disk_is_full(folder: Path | None) -> bool:
    """Whether the disk holding `folder` has (next to) no room left."""
    if folder is None:
        return False
    import shutil

    try:
        return shutil.disk_usage(folder).free < 64 * 1024
    except OSError:
        return False
