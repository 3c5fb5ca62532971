"""The app's log file, `--verbose`, and what the user sees of an unexpected error.

The log is `DataPaths.log_file` (the platformdirs log folder, or `DIR/logs` with
`--data-dir`), rotated at `MAX_BYTES` with `BACKUPS` old files kept, so it never grows past a
few MiB. An unexpected exception, wherever it is raised (the command, a Qt slot, a thread),
is written there with its traceback; the user gets one sentence that names the file, through
the `Reporter` in place: stderr for the command line, a message box for the window.

Opening the file waits until `attach_file` (the window calls it once its first frame is
painted): nothing is logged before. An error raised earlier attaches the file itself.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

LOGGER = "legdrive_timer"
MAX_BYTES = 1024 * 1024
BACKUPS = 3
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

Reporter = Callable[[str], None]
"""Shows one sentence to the user."""

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]

log = logging.getLogger(LOGGER)


class RotatingFile(logging.FileHandler):
    """A log file that starts afresh when the next line would take it past `max_bytes`,
    keeping `backups` older ones (`name.1` the newest).

    What `logging.handlers.RotatingFileHandler` does; importing `logging.handlers` brings
    socket, pickle and queue with it (about 2 MiB at every start) for handlers this app
    never uses.
    """

    def __init__(self, path: Path, *, max_bytes: int, backups: int) -> None:
        super().__init__(path, mode="a", encoding="utf-8")
        self.max_bytes = max_bytes
        self.backups = backups

    broken = False
    """Set when the file could not be written (a full disk): the log stops there."""

    def emit(self, record: logging.LogRecord) -> None:
        if self.broken:
            return
        try:
            if self._full(self.format(record) + self.terminator):
                self._roll()
        except Exception:
            self.handleError(record)
            return
        super().emit(record)

    def handleError(self, record: logging.LogRecord) -> None:
        # logging's own handling prints a traceback per line on the terminal: a log that
        # cannot be written (a full disk) is given up quietly instead, keeping the app going.
        if not isinstance(sys.exc_info()[1], OSError):
            super().handleError(record)  # a mistake in a log call: shown to the developer
            return
        self.broken = True
        self.close()

    def close(self) -> None:
        try:
            super().close()
        except OSError:  # the last lines could not be flushed (a full disk)
            self.stream = None

    def _full(self, line: str) -> bool:
        if self.stream is None:
            self.stream = self._open()
        if not Path(self.baseFilename).is_file():
            return False  # a device or a pipe (/dev/null) is never rotated
        self.stream.seek(0, os.SEEK_END)
        return self.stream.tell() + len(line.encode("utf-8", "replace")) > self.max_bytes

    def _roll(self) -> None:
        if self.stream is not None:
            self.stream.close()
            self.stream = None
        base = Path(self.baseFilename)
        for number in range(self.backups - 1, 0, -1):
            older = base.with_name(f"{base.name}.{number}")
            if older.exists():
                older.replace(base.with_name(f"{base.name}.{number + 1}"))
        if self.backups > 0:
            base.replace(base.with_name(f"{base.name}.1"))
        else:
            base.unlink()
        self.stream = self._open()


def _unusable_log_file(path: Path) -> str | None:
    """Why `path` cannot take the log (its folder made if need be), or None.

    A named pipe would hold the open for ever (no reader); a device such as /dev/null is
    fine, to keep no log."""
    import stat

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        return f"cannot be written: {path.parent} is not a folder"
    except OSError as error:
        return f"cannot be written ({_reason(error)})"
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return None
    except OSError as error:
        return f"cannot be written ({_reason(error)})"
    if stat.S_ISFIFO(mode):
        return "is a named pipe (FIFO), not a file"
    if stat.S_ISDIR(mode):
        return "is a folder, not a file"
    return None


def _reason(error: OSError) -> str:
    text = error.strerror or type(error).__name__
    return text[0].lower() + text[1:]


def print_to_stderr(sentence: str) -> None:
    print(f"legdrive-timer: {sentence}", file=sys.stderr, flush=True)


class Diagnostics:
    """Where the log goes, who tells the user, and whether an unexpected error happened."""

    def __init__(self, log_file: Path, *, verbose: bool = False) -> None:
        self.log_file = log_file
        self.verbose = verbose
        self.reporter: Reporter = print_to_stderr
        self.failed = False
        """Set by the first unexpected error: the process then ends with a non-zero status."""
        self._file_handler: logging.Handler | None = None
        self._file_problem: str | None = None
        self._handlers: list[logging.Handler] = []
        self._previous_hooks: tuple[object, object] | None = None
        self._reporting = False

    # -- set-up ------------------------------------------------------------------------

    def install(self) -> None:
        """Take over sys.excepthook and threading.excepthook; with `verbose`, log to stderr."""
        log.setLevel(logging.DEBUG if self.verbose else logging.INFO)
        if self.verbose:
            stderr = logging.StreamHandler(sys.stderr)
            stderr.setFormatter(logging.Formatter(FORMAT))
            self._add(stderr)
        self._previous_hooks = (sys.excepthook, threading.excepthook)
        sys.excepthook = self.excepthook
        threading.excepthook = self._thread_excepthook

    def attach_file(self) -> bool:
        """Open the rotating log file (once); False when it cannot be written."""
        if self._file_handler is not None:
            return True
        if self._file_problem is not None:
            return False
        problem = _unusable_log_file(self.log_file)
        if problem is None:
            try:
                handler = RotatingFile(self.log_file, max_bytes=MAX_BYTES, backups=BACKUPS)
            except OSError as error:
                problem = f"cannot be written ({_reason(error)})"
        if problem is not None:
            self._file_problem = f"No log is kept: {self.log_file} {problem}."
            log.info("%s", self._file_problem)
            return False
        handler.setFormatter(logging.Formatter(FORMAT))
        self._file_handler = handler
        self._add(handler)
        return True

    @property
    def file_problem(self) -> str | None:
        """Why the log file could not be opened, in one sentence (after `attach_file`)."""
        return self._file_problem

    def _add(self, handler: logging.Handler) -> None:
        self._handlers.append(handler)
        log.addHandler(handler)

    def uninstall(self) -> None:
        """Put the previous hooks back and close the log (tests build several in a process)."""
        if self._previous_hooks is not None:
            sys.excepthook, threading.excepthook = self._previous_hooks  # type: ignore[assignment]
            self._previous_hooks = None
        for handler in self._handlers:
            log.removeHandler(handler)
            handler.close()
        self._handlers.clear()
        self._file_handler = None

    # -- unexpected errors -------------------------------------------------------------

    def sentence(self, error: BaseException) -> str:
        """What the user reads: what kind of thing failed, and where the details are."""
        kind = type(error).__name__
        if self._file_handler is not None:
            return (
                f"Something went wrong unexpectedly ({kind}); the details are in {self.log_file}."
            )
        return f"Something went wrong unexpectedly ({kind}); no log file could be written."

    def report(self, exc_info: ExcInfo) -> None:
        """Log the error with its traceback and tell the user in one sentence."""
        self.failed = True
        self.attach_file()
        log.critical("unexpected error", exc_info=exc_info)
        if self._reporting:  # the reporter itself failed: the log has it, stderr must do
            print_to_stderr(self.sentence(exc_info[1]))
            return
        self._reporting = True
        try:
            self.reporter(self.sentence(exc_info[1]))
        except Exception:
            log.critical("the error could not be shown", exc_info=True)
            print_to_stderr(self.sentence(exc_info[1]))
        finally:
            self._reporting = False

    def excepthook(
        self, kind: type[BaseException], error: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, tb)
            return
        self.report((kind, error, tb))

    def _thread_excepthook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is None or issubclass(args.exc_type, SystemExit):
            return
        self.report((args.exc_type, args.exc_value, args.exc_traceback))
