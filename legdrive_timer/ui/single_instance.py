"""One window per data folder: a second launch hands over to the running one.

The first instance holds a lock file in the data folder for as long as it runs (`QLockFile`,
which takes over a lock whose process is gone, so a crash never blocks the next start) and
listens on a local socket named from a hash of the resolved data folder, so two data folders
are two instances. A second launch finds the lock held, connects, sends one request line
(bring the window to the front, or run a workout) and prints the one-line answer.

The first instance listens only once its window is painted: QtNetwork costs about 6 ms to
import. A second launch in between retries its connection for `CONNECT_PATIENCE_S`.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QLockFile, QObject

if TYPE_CHECKING:
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

    resolved = os.path.normcase(str(data_dir.resolve()))
    user = str(os.getuid()) if hasattr(os, "getuid") else os.environ.get("USERNAME", "")
    digest = sha256_hex(f"{user}\0{resolved}".encode())[:20]
    return f"legdrive-timer-{digest}"


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
            log.warning("no instance lock in %s: %s", self.path.parent, error)
            return None
        if self._lock.tryLock(0):
            return True
        if self._lock.error() == QLockFile.LockError.LockFailedError:
            return False
        log.warning("no instance lock at %s: %s", self.path, self._lock.error())
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

    def listen(self) -> bool:
        from PySide6.QtNetwork import QLocalServer

        # We hold the data folder's lock, so a socket under this name is a crashed
        # instance's leftover: remove it, or listening fails with "address in use".
        QLocalServer.removeServer(self.name)
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            log.warning("no listening for other launches: %s", server.errorString())
            return False
        server.newConnection.connect(self._accept)
        self._server = server
        log.debug("listening for other launches on %s", server.fullServerName())
        return True

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None

    def _accept(self) -> None:
        assert self._server is not None
        while (socket := self._server.nextPendingConnection()) is not None:
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(socket.deleteLater)
            self._read(socket)

    def _read(self, socket: QLocalSocket) -> None:
        if not socket.canReadLine():
            if socket.bytesAvailable() > MAX_REQUEST_BYTES:
                socket.abort()
            return
        line = bytes(socket.readLine().data())
        try:
            request = json.loads(line)
            if not isinstance(request, dict):
                raise ValueError("not an object")
        except ValueError:
            log.warning("ignored a malformed request from another launch")
            socket.abort()
            return
        reply = self._handle(request)
        socket.write(json.dumps(reply).encode() + b"\n")
        socket.flush()
        socket.disconnectFromServer()
