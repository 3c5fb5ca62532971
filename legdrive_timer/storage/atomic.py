"""The one writer: a temporary file in the same folder, fsync, then into place at once.

A crash or a full disk leaves either the old file or the new one, never half of one. The
temporary file is created exclusively and the final step renames (or links) it, so a link
at the destination is replaced, never followed.

`write_new_file` is for files the user names (exports): it refuses the app's own files,
refuses an existing file unless told to replace it, and never leaves a partial file.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

from legdrive_timer.errors import UserError


class WriteRefused(UserError):
    """A write the app will not do; the message is one sentence."""


def unused_name(folder: Path, base: str) -> Path:
    """`folder / base`, or `base-2`, `base-3` ... : the first name nothing (not even a
    dangling link) has, for a copy kept beside the file it was made from."""
    target = folder / base
    counter = 2
    while target.exists() or target.is_symlink():
        target = folder / f"{base}-{counter}"
        counter += 1
    return target


def write_text_atomic(path: Path, text: str) -> None:
    write_bytes_atomic(path, text.encode("utf-8"))


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` atomically (an existing link at `path` is replaced)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_with(path, data)
    try:
        tmp.replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _temp_with(path: Path, data: bytes) -> Path:
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return tmp


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.samefile(b)
    except OSError:
        return False


def resolved(path: Path) -> Path:
    """`path.resolve()`; a loop of symbolic links is an OSError (ELOOP) on every Python
    (3.11 and 3.12 raise RuntimeError for it, which no caller expects from a path)."""
    try:
        return path.resolve()
    except RuntimeError:
        raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), str(path)) from None


def is_protected(target: Path, protected: Iterable[Path]) -> bool:
    """True when `target` (followed through links) is, or lies inside, one of `protected`.

    OSError when `target` is a loop of links (it cannot be written either)."""
    resolved_target = resolved(target)
    for own in protected:
        try:
            own_resolved = resolved(own)
        except OSError:
            own_resolved = own.absolute()  # a loop of the app's own: compared by name
        if resolved_target == own_resolved or own_resolved in resolved_target.parents:
            return True
        if _same_file(target, own):  # a hard link to one of them
            return True
    return False


def write_new_file(
    target: Path, data: bytes, *, protected: Iterable[Path], replace: bool = False
) -> Path:
    """Write `data` to the file the user named, all at once; returns where it went.

    Refused with a WriteRefused sentence: one of the app's own files or folders (`protected`,
    links followed), a folder or a device, or an existing file unless `replace`. A link is
    followed to the file it names (the user asked for that name), which must itself pass.
    OSError propagates for the disk's own failures; nothing is left half-written.
    """
    from legdrive_timer.storage.reader import describe

    name = describe(target)
    if "\x00" in str(target):
        raise WriteRefused(f"{name}: a file name cannot hold a NUL character.")
    if is_protected(target, protected):
        raise WriteRefused(
            f"{name} is one of Legdrive Timer's own files; choose another file name."
        )
    final = resolved(target)
    try:
        info = final.stat()
    except FileNotFoundError:
        info = None
    if info is not None:
        if stat.S_ISDIR(info.st_mode):
            raise WriteRefused(f"{name} is a folder; give the name of a file to write.")
        if not stat.S_ISREG(info.st_mode):
            raise WriteRefused(f"{name} is not a regular file; nothing was written.")
        if not replace:
            raise WriteRefused(f"{name} already exists; use --force to replace it.")
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_with(final, data)
    try:
        if replace:
            tmp.replace(final)
        else:
            _link_new(tmp, final, name)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    return final


def _link_new(tmp: Path, final: Path, name: str) -> None:
    """Put `tmp` at `final` only if nothing is there, in one step (a hard link fails when
    the name exists); where links are not supported, check and rename."""
    try:
        os.link(tmp, final)
    except FileExistsError:
        raise WriteRefused(f"{name} already exists; use --force to replace it.") from None
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise
        if final.exists() or final.is_symlink():
            raise WriteRefused(f"{name} already exists; use --force to replace it.") from None
        tmp.replace(final)
