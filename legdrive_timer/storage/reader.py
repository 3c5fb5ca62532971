"""The one reader for every file a user hands the app (workout files, history imports,
settings, custom workouts).

It opens regular files only (a FIFO would block the open or the read for ever; `/dev/zero`
never ends), also when the path is a link to one, reads at most a size limit, decodes strict
UTF-8, and turns every failure into a UserFileError: one sentence that names the file.
`read_json` adds strict JSON (see `core.strict_json`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path
from typing import Any

from legdrive_timer.core.strict_json import JsonError, loads
from legdrive_timer.core.text import printable
from legdrive_timer.errors import UserError

KIB = 1024
MIB = 1024 * KIB

SETTINGS_LIMIT = 1 * MIB
WORKOUT_LIMIT = 1 * MIB
HISTORY_IMPORT_LIMIT = 64 * MIB
"""A history export of decades of daily training is a few megabytes."""

_PATH_SHOWN = 200


class UserFileError(UserError):
    """A user's file that cannot be read; the message is one sentence naming it."""


def describe(path: Path | str) -> str:
    """The file's name for a sentence: printable and bounded."""
    text = printable(str(path))
    if len(text) > _PATH_SHOWN:
        text = "…" + text[-(_PATH_SHOWN - 1) :]
    return text


def not_a_file(mode: int, what: str) -> str | None:
    """Why a file of `mode` cannot be the `what` ("is a folder, not a ..."), or None for a
    regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return f"is a folder, not a {what}"
    if stat.S_ISFIFO(mode):
        return f"is a named pipe (FIFO), not a {what}"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return f"is a device, not a {what}"
    if stat.S_ISSOCK(mode):
        return f"is a socket, not a {what}"
    return f"is not a regular file, so not a {what}"


def _size(n: int) -> str:
    return f"{n / MIB:.0f} MiB" if n >= MIB else f"{n / KIB:.0f} KiB"


def read_bytes(path: Path, *, what: str, limit: int) -> bytes:
    """The bytes of the regular file `path` (links followed), at most `limit` of them.

    `what` names the file's role for the sentence ("workout file", "settings file")."""
    name = describe(path)
    if "\x00" in str(path):
        raise UserFileError(f"{name}: a file name cannot hold a NUL character.")
    try:
        # stat first: a device or a FIFO is refused without being opened at all.
        info = path.stat()
    except FileNotFoundError:
        raise UserFileError(f"{name}: no such {what}.") from None
    except OSError as error:
        raise UserFileError(f"{name}: the {what} cannot be read ({reason(error)}).") from None
    problem = not_a_file(info.st_mode, what)
    if problem is not None:
        raise UserFileError(f"{name} {problem}.")
    if info.st_size > limit:
        # Said before reading: from a slow network folder, reading up to the limit first
        # would take as long as an import.
        raise _too_large(name, what, limit)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    flags |= getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as error:
        raise UserFileError(f"{name}: the {what} cannot be read ({reason(error)}).") from None
    try:
        # Again on what was opened: the path may have been swapped since the stat.
        problem = not_a_file(os.fstat(fd).st_mode, what)
        if problem is not None:
            raise UserFileError(f"{name} {problem}.")
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            chunk = os.read(fd, min(limit + 1 - total, MIB))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as error:
        raise UserFileError(f"{name}: the {what} cannot be read ({reason(error)}).") from None
    finally:
        with contextlib.suppress(OSError):
            os.close(fd)
    if total > limit:  # grown since the stat
        raise _too_large(name, what, limit)
    return b"".join(chunks)


def _too_large(name: str, what: str, limit: int) -> UserFileError:
    return UserFileError(
        f"{name} is larger than {_size(limit)}, too large for a {what}; nothing was read."
    )


def decode(data: bytes, *, name: str, what: str) -> str:
    """Strict UTF-8, with the sentence a person can act on when it is not."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UserFileError(f"{name}: the {what} is UTF-16 text; save it as UTF-8.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UserFileError(
            f"{name}: the {what} is not UTF-8 text (byte {error.start + 1} cannot be read)."
        ) from None


def read_text(path: Path, *, what: str, limit: int) -> str:
    data = read_bytes(path, what=what, limit=limit)
    return decode(data, name=describe(path), what=what)


def read_json(path: Path, *, what: str, limit: int) -> Any:
    """The JSON value in `path`, or a UserFileError naming the file and what is wrong."""
    text = read_text(path, what=what, limit=limit)
    try:
        return loads(text)
    except JsonError as error:
        raise UserFileError(f"{describe(path)}: the {what} cannot be used: {error}.") from None


def reason(error: OSError) -> str:
    """An OSError's reason for a sentence, in lower case (\"permission denied\")."""
    if error.errno == errno.ENAMETOOLONG:
        return "the name is too long"
    if error.strerror:
        return error.strerror[0].lower() + error.strerror[1:]
    return type(error).__name__
