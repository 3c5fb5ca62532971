"""Hear the machine go to sleep and wake up (logind's PrepareForSleep on the system bus).

The session engine runs on `suspend_aware_ms`, a clock that keeps counting while the machine
sleeps, so after a wake-up its next deadline is long past and it pauses through its own
late-wake-up path, saying for how long. Its timer, though, counts awake time only: the
wake-up signal lets the app check at once instead of at the next deadline.

Listening is a daemon thread blocked on the system bus; the signal crosses to the GUI
thread as a queued Qt signal. Where there is no system bus or no logind (Windows, macOS, a
container), nothing is heard and the timer's own check remains.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from typing import Any

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)

LOGIND = "org.freedesktop.login1"
LOGIND_PATH = "/org/freedesktop/login1"
LOGIND_MANAGER = "org.freedesktop.login1.Manager"


def _open_system_bus() -> Any:
    from jeepney.io.blocking import open_dbus_connection

    return open_dbus_connection(bus="SYSTEM")


class SleepWatcher(QObject):
    """`sleeping` before the machine suspends, `woke` after it resumes."""

    sleeping = Signal()
    woke = Signal()
    listening = Signal()
    """Subscribed on the bus: from now on nothing is missed (tests wait for it)."""

    def __init__(self, parent: QObject | None = None, open_bus: Any = _open_system_bus) -> None:
        super().__init__(parent)
        self._open_bus = open_bus
        self._connection: Any = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._listen, name="sleep-watch", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(OSError):
                connection.close()  # wakes the thread's receive with an error: it ends

    def _listen(self) -> None:
        try:
            from jeepney import MatchRule, message_bus
            from jeepney.io.blocking import Proxy

            connection = self._open_bus()
            signal = {"path": LOGIND_PATH, "interface": LOGIND_MANAGER, "member": "PrepareForSleep"}
            # The bus delivers only logind's own signals (it resolves the well-known name);
            # the messages then carry logind's unique name, so the local filter omits it.
            Proxy(message_bus, connection).AddMatch(
                MatchRule(type="signal", sender=LOGIND, **signal)
            )
            rule = MatchRule(type="signal", **signal)
        except Exception as error:
            log.info("not watching for sleep: %s", error)
            return
        self._connection = connection
        self.listening.emit()
        try:
            with connection.filter(rule) as queue:
                while self._connection is connection:
                    message = connection.recv_until_filtered(queue)
                    going_to_sleep = bool(message.body[0]) if message.body else False
                    log.info("the machine %s", "goes to sleep" if going_to_sleep else "woke up")
                    (self.sleeping if going_to_sleep else self.woke).emit()
        except Exception:  # closed by stop(), or the bus went away: nothing more to hear
            log.debug("sleep watch ended", exc_info=True)
