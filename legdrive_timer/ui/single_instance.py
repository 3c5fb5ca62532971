"""One window per data folder: a second launch hands over to the running one.

The first instance holds a lock file in the data folder for as long as it runs (`QLockFile`,
which takes over a lock whose process is gone, so a crash never blocks the next start) and
listens on a local socket named from a hash of the resolved data folder, so two data folders
are two instances. A second launch finds the lock held, connects, sends one request line
(bring the window to the front, or run a workout) and prints the one-line answer.

The first instance listens only once its window is painted. On Linux and macOS it listens
with Python's own Unix socket, where `QLocalSocket` looks for the name (Qt's temporary
folder): QtNetwork would add about 3 MiB to every start for this one socket. Windows keeps
`QLocalServer` (a named pipe). A second launch (with `QLocalSocket` everywhere) in between
retries its connection for `CONNECT_PATIENCE_S`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QLockFile, QObject

if TYPE_CHECKING:
    import _socket
    import socket

    from PySide6.QtCore import QSocketNotifier
    from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

CONNECT_PATIENCE_S = 10.0
"""How long a second launch waits for the first one to listen (it may be starting)."""
REPLY_TIMEOUT_MS = 5000
MAX_REQUEST_BYTES = 1024 * 1024

Request = dict[str, Any]
Reply = dict[str, Any]
"""`{"status": int, "message": str}`: what the second launch prints and exits with."""
Handler = Callable[[Request], Reply]


def server_name(data_dir: Path) -> str:
    """The same for every spelling of one folder, different for two folders or two users."""
    from legdrive_timer.core.digest import sha256_hex
    from legdrive_timer.storage.atomic import resolved

    try:
        where = resolved(data_dir)
    except OSError:
        where = data_dir.absolute()  # a loop of links: the app says so when it writes there
    resolved_name = os.path.normcase(str(where))
    user = str(os.getuid()) if hasattr(os, "getuid") else os.environ.get("USERNAME", "")
    digest = sha256_hex(f"{user}\0{resolved_name}".encode())[:20]
    return f"legdrive-timer-{digest}"


def qt_temp_folder() -> Path:
    """The folder `QDir.tempPath()` names on Linux and macOS, where QLocalSocket looks for a
    server's name: $TMPDIR if set, made absolute, else /tmp (on macOS the user's temporary
    folder, which Qt asks the system for). Without QDir where it can: its Python class
    builds the enum classes of every filter and sort flag as it loads."""
    folder = os.environ.get("TMPDIR")
    if not folder and sys.platform == "darwin":
        from PySide6.QtCore import QDir

        return Path(QDir.tempPath())
    # Lexical, as Qt's: resolve() would follow symbolic links.
    return Path(os.path.abspath(folder or "/tmp"))  # noqa: PTH100


class InstanceLock:
    """The data folder's lock, held by the running instance until it exits."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = QLockFile(str(path))
        # Held for the whole run: never stale by age, only when its process is gone.
        self._lock.setStaleLockTime(0)

    def acquire(self) -> bool | None:
        """True: this process is the instance. False: another one runs. None: the folder
        cannot hold a lock (read-only, say), so there is nothing to coordinate with."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            log.info("no instance lock in %s: %s", self.path.parent, error)
            return None
        if self._lock.tryLock(0):
            return True
        if self._lock.error() == QLockFile.LockError.LockFailedError:
            return False
        log.info("no instance lock at %s: %s", self.path, self._lock.error())
        return None

    def release(self) -> None:
        self._lock.unlock()


def hand_over(name: str, request: Request, patience_s: float = CONNECT_PATIENCE_S) -> Reply | None:
    """Send `request` to the running instance; its reply, or None when none answered."""
    from PySide6.QtNetwork import QLocalSocket

    deadline = time.monotonic() + patience_s
    socket = QLocalSocket()
    while True:
        socket.connectToServer(name)
        if socket.waitForConnected(500):
            break
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.05)
    socket.write(json.dumps(request).encode() + b"\n")
    socket.flush()
    data = b""
    end = time.monotonic() + REPLY_TIMEOUT_MS / 1000
    while b"\n" not in data and time.monotonic() < end:
        ready = socket.waitForReadyRead(100)
        if not ready and socket.state() != QLocalSocket.LocalSocketState.ConnectedState:
            break
        data += bytes(socket.readAll().data())
    socket.disconnectFromServer()
    try:
        reply = json.loads(data.split(b"\n", 1)[0])
    except ValueError:
        return None
    if not isinstance(reply, dict):
        return None
    return reply


class InstanceServer(QObject):
    """Answers second launches: each connection sends one request line, gets one reply."""

    def __init__(self, name: str, handle: Handler, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._handle = handle
        self._server: QLocalServer | None = None
        self._listener: _socket.socket | None = None
        self._listener_notifier: QSocketNotifier | None = None
        self._clients: dict[QSocketNotifier, tuple[socket.socket, bytearray]] = {}
        self.path: Path | None = None
        """The socket file, on Linux and macOS."""

    def listen(self) -> bool:
        if os.name == "posix":
            return self._listen_unix()
        return self._listen_qt()

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for notifier in list(self._clients):
            self._drop(notifier)
        if self._listener is not None:
            assert self._listener_notifier is not None
            self._listener_notifier.setEnabled(False)
            self._listener.close()
            self._listener = None
            if self.path is not None:
                with contextlib.suppress(OSError):
                    self.path.unlink()

    def _answer(self, line: bytes) -> bytes | None:
        """The reply line to one request line; None for a malformed request."""
        try:
            request = json.loads(line)
            if not isinstance(request, dict):
                raise ValueError("not an object")
        except ValueError:
            log.warning("ignored a malformed request from another launch")
            return None
        return json.dumps(self._handle(request)).encode() + b"\n"

    # -- Linux and macOS: a Unix socket ---------------------------------------------------

    def _listen_unix(self) -> bool:
        # The listener is made with `_socket`, the C module that `socket` wraps: `socket`
        # makes enum classes of every address family, socket type and flag as it loads
        # (about 0.5 MiB at every start) and the listener needs none of it. The first
        # launch that connects loads it (`_accept_unix`).
        import _socket
        import tempfile

        from PySide6.QtCore import QSocketNotifier

        path = qt_temp_folder() / self.name  # where QLocalSocket looks for the name
        listener = _socket.socket(_socket.AF_UNIX, _socket.SOCK_STREAM)
        try:
            # Made in a private folder and moved into place once only this user may
            # connect, as QLocalServer's UserAccessOption does: no moment open to others.
            with tempfile.TemporaryDirectory(dir=path.parent) as private:
                made = Path(private) / "socket"
                listener.bind(str(made))
                made.chmod(0o600)
                listener.listen(8)
                # We hold the data folder's lock, so a socket under this name is a crashed
                # instance's leftover: replacing it is safe.
                made.replace(path)
        except OSError as error:
            listener.close()
            log.warning("no listening for other launches: %s", error)
            return False
        listener.setblocking(False)
        notifier = QSocketNotifier(listener.fileno(), QSocketNotifier.Type.Read, self)
        notifier.activated.connect(self._accept_unix)
        self._listener, self._listener_notifier, self.path = listener, notifier, path
        log.debug("listening for other launches on %s", path)
        return True

    def _accept_unix(self) -> None:
        import socket

        from PySide6.QtCore import QSocketNotifier

        listener = self._listener
        assert listener is not None
        if not isinstance(listener, socket.socket):
            # The same socket (and descriptor, which the notifier watches) with `accept`.
            listener = self._listener = socket.socket(fileno=listener.detach())
            listener.setblocking(False)
        while True:
            try:
                connection, _address = listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as error:
                log.warning("a launch could not connect: %s", error)
                return
            connection.setblocking(False)
            notifier = QSocketNotifier(connection.fileno(), QSocketNotifier.Type.Read, self)
            self._clients[notifier] = (connection, bytearray())
            notifier.activated.connect(lambda *_args, n=notifier: self._read_unix(n))
            self._read_unix(notifier)

    def _read_unix(self, notifier: QSocketNotifier) -> None:
        if notifier not in self._clients:
            return
        connection, data = self._clients[notifier]
        try:
            chunk = connection.recv(64 * 1024)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            chunk = b""
        data += chunk
        if b"\n" not in data:
            if not chunk or len(data) > MAX_REQUEST_BYTES:
                self._drop(notifier)  # gone before a whole request, or far too much
            return
        notifier.setEnabled(False)
        reply = self._answer(bytes(data.split(b"\n", 1)[0]))
        if reply is not None:
            connection.setblocking(True)
            connection.settimeout(REPLY_TIMEOUT_MS / 1000)
            with contextlib.suppress(OSError):
                connection.sendall(reply)
        self._drop(notifier)

    def _drop(self, notifier: QSocketNotifier) -> None:
        connection, _data = self._clients.pop(notifier)
        notifier.setEnabled(False)
        notifier.deleteLater()
        connection.close()

    # -- Windows: QLocalServer ------------------------------------------------------------

    def _listen_qt(self) -> bool:
        from PySide6.QtNetwork import QLocalServer

        # We hold the data folder's lock, so a socket under this name is a crashed
        # instance's leftover: remove it, or listening fails with "address in use".
        QLocalServer.removeServer(self.name)
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            log.warning("no listening for other launches: %s", server.errorString())
            return False
        server.newConnection.connect(self._accept_qt)
        self._server = server
        log.debug("listening for other launches on %s", server.fullServerName())
        return True

    def _accept_qt(self) -> None:
        assert self._server is not None
        while (socket := self._server.nextPendingConnection()) is not None:
            socket.readyRead.connect(lambda s=socket: self._read_qt(s))
            socket.disconnected.connect(socket.deleteLater)
            self._read_qt(socket)

    def _read_qt(self, socket: QLocalSocket) -> None:
        if not socket.canReadLine():
            if socket.bytesAvailable() > MAX_REQUEST_BYTES:
                socket.abort()
            return
        reply = self._answer(bytes(socket.readLine().data()))
        if reply is None:
            socket.abort()
            return
        socket.write(reply)
        socket.flush()
        socket.disconnectFromServer()
