"""Keep the screen on while a session runs (org.freedesktop.ScreenSaver over D-Bus).

Where there is no session bus or no screensaver service, nothing happens: the timer works
the same, the screen may just dim.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

SERVICE = "org.freedesktop.ScreenSaver"
PATH = "/org/freedesktop/ScreenSaver"
INTERFACE = "org.freedesktop.ScreenSaver"

BusCall = Callable[..., Any]
"""Calls a ScreenSaver method by name with arguments; returns its reply or None."""


CONNECTION_NAME = "legdrive-timer-keep-awake"


def _session_bus_call() -> tuple[BusCall, Callable[[], None]] | None:
    """A call into the ScreenSaver service on a private bus connection, and its closer.

    Closing the connection ends the inhibition on the service's side whatever happens to
    the UnInhibit call (screensaver services drop the inhibitions of a client that leaves).
    """
    try:
        from PySide6.QtDBus import QDBusConnection, QDBusInterface, QDBusMessage
    except ImportError:
        return None
    bus = QDBusConnection.connectToBus(QDBusConnection.BusType.SessionBus, CONNECTION_NAME)

    def close() -> None:
        QDBusConnection.disconnectFromBus(CONNECTION_NAME)

    if not bus.isConnected():
        close()
        return None
    interface = QDBusInterface(SERVICE, PATH, INTERFACE, bus)
    if not interface.isValid():
        close()
        return None

    def call(method: str, *args: Any) -> Any:
        reply = interface.call(method, *args)
        if reply.type() != QDBusMessage.MessageType.ReplyMessage:
            return None
        values = reply.arguments()
        return values[0] if values else None

    return call, close


class KeepAwake:
    def __init__(self, app_name: str, call: BusCall | None = None) -> None:
        self._app_name = app_name
        self._call = call
        self._close: Callable[[], None] | None = None
        self._resolved = call is not None
        self.cookie: int | None = None

    def inhibit(self, reason: str) -> bool:
        """Ask the desktop not to blank the screen; True when it agreed."""
        if self.cookie is not None:
            return True
        if not self._resolved:
            found = _session_bus_call()
            if found is not None:
                self._call, self._close = found
            self._resolved = True
        if self._call is None:
            return False
        try:
            cookie = self._call("Inhibit", self._app_name, reason)
        except Exception:  # A misbehaving desktop service must not stop the session.
            log.debug("screensaver inhibit failed", exc_info=True)
            return False
        self.cookie = int(cookie) if isinstance(cookie, int) else None
        return self.cookie is not None

    def release(self) -> None:
        if self.cookie is None or self._call is None:
            return
        cookie, self.cookie = self.cookie, None
        try:
            self._call("UnInhibit", cookie)
        except Exception:
            log.debug("screensaver uninhibit failed", exc_info=True)
        if self._close is not None:
            self._close()
            self._call, self._close, self._resolved = None, None, False
