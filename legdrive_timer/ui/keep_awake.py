"""Keep the screen on and the machine awake while a session runs.

One `KeepAwake` per app holds at most one inhibition at a time, taken from the first way the
platform offers:

- Linux: the freedesktop ScreenSaver service on the session bus, and the
  `org.freedesktop.portal.Inhibit` portal (first when sandboxed: Flatpak, Snap; otherwise
  where no ScreenSaver service answers). D-Bus through jeepney, which sends the exact
  argument types the services check (a `u` cookie, `a{sv}` options).
- Windows: `SetThreadExecutionState` (kernel32, through ctypes).
- macOS: an IOKit power assertion, `PreventUserIdleDisplaySleep` (through ctypes).

A process that dies releases everything it holds: the bus services drop the inhibitions of
a client whose connection closes, Windows ends the thread's state with the thread, and macOS
releases a dead process's assertions. When nothing works the user is told once and the
session goes on: the screen may just dim.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

log = logging.getLogger(__name__)

CALL_TIMEOUT_S = 2.0


class Unavailable(Exception):
    """This way of keeping awake does not work here; the message says why, briefly."""


class Inhibitor(Protocol):
    name: str

    def inhibit(self, app_name: str, reason: str) -> None:
        """Hold the inhibition, or raise Unavailable."""

    def release(self) -> None:
        """Let go of what `inhibit` took; never raises."""


# -- Linux: D-Bus ------------------------------------------------------------------------

BusOpener = Callable[[], Any]
"""Opens a blocking jeepney connection to the session bus."""


def _open_session_bus() -> Any:
    from jeepney.io.blocking import open_dbus_connection

    return open_dbus_connection(bus="SESSION")


class _DBusInhibitor:
    """Inhibits by one D-Bus call that gives back a token (`token_type`, called
    `token_name`), and ends it by handing the token back."""

    name = ""
    token_type: type = object
    token_name = ""

    def __init__(self, open_bus: BusOpener = _open_session_bus) -> None:
        self._open_bus = open_bus
        self._connection: Any = None
        self.token: Any = None

    def _take(self, app_name: str, reason: str) -> Any:
        raise NotImplementedError

    def _give_back(self, token: Any) -> None:
        raise NotImplementedError

    def inhibit(self, app_name: str, reason: str) -> None:
        def take() -> None:
            token = self._take(app_name, reason)
            if not isinstance(token, self.token_type):
                raise Unavailable(f"{self.name} gave no {self.token_name}")
            self.token = token

        self._guarded(take)

    def release(self) -> None:
        if self.token is not None and self._connection is not None:
            try:
                self._give_back(self.token)
            except Exception:  # leaving the bus below ends it all the same
                log.debug("giving the %s back failed", self.token_name, exc_info=True)
        self.token = None
        self._disconnect()

    def _call(
        self,
        bus_name: str,
        path: str,
        interface: str,
        method: str,
        typed: tuple[str, tuple[Any, ...]] | None = None,
    ) -> Any:
        """Call a method with `typed` = (D-Bus signature, arguments); its first return value."""
        from jeepney import DBusAddress, MessageType, new_method_call

        signature, args = typed if typed is not None else (None, ())
        address = DBusAddress(path, bus_name=bus_name, interface=interface)
        message = new_method_call(address, method, signature, args)
        reply = self._connection.send_and_get_reply(message, timeout=CALL_TIMEOUT_S)
        if reply.header.message_type is MessageType.error:
            text = reply.body[0] if reply.body else reply.header.fields
            raise Unavailable(f"{self.name}: {text}")
        return reply.body[0] if reply.body else None

    def _connect(self) -> None:
        try:
            self._connection = self._open_bus()
        except Exception as error:  # no bus, no address, refused: all mean "not here"
            raise Unavailable(f"no session bus ({error})") from None

    def _disconnect(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(OSError):
                self._connection.close()
            self._connection = None

    def _guarded(self, take: Callable[[], None]) -> None:
        self._connect()
        try:
            take()
        except Unavailable:
            self._disconnect()
            raise
        except Exception as error:  # a service that is there but misbehaves
            self._disconnect()
            raise Unavailable(f"{self.name}: {error}") from None


class ScreenSaverInhibitor(_DBusInhibitor):
    name = "the freedesktop ScreenSaver service"
    SERVICE = "org.freedesktop.ScreenSaver"
    PATH = "/org/freedesktop/ScreenSaver"
    token_type, token_name = int, "cookie"

    def _take(self, app_name: str, reason: str) -> Any:
        inhibit = ("ss", (app_name, reason))
        return self._call(self.SERVICE, self.PATH, self.SERVICE, "Inhibit", inhibit)

    def _give_back(self, token: Any) -> None:
        self._call(self.SERVICE, self.PATH, self.SERVICE, "UnInhibit", ("u", (token,)))


class PortalInhibitor(_DBusInhibitor):
    name = "the desktop portal"
    SERVICE = "org.freedesktop.portal.Desktop"
    PATH = "/org/freedesktop/portal/desktop"
    INTERFACE = "org.freedesktop.portal.Inhibit"
    SUSPEND, IDLE = 4, 8
    token_type, token_name = str, "request handle"

    def _take(self, app_name: str, reason: str) -> Any:
        options = ("sua{sv}", ("", self.SUSPEND | self.IDLE, {"reason": ("s", reason)}))
        return self._call(self.SERVICE, self.PATH, self.INTERFACE, "Inhibit", options)

    def _give_back(self, token: Any) -> None:
        self._call(self.SERVICE, token, "org.freedesktop.portal.Request", "Close")


def is_sandboxed(environ: Any = os.environ) -> bool:
    """Inside Flatpak or Snap, where the portal is the way out of the sandbox."""
    return "FLATPAK_ID" in environ or "SNAP" in environ or Path("/.flatpak-info").exists()


# -- Windows -----------------------------------------------------------------------------

ES_CONTINUOUS = 0x80000000
ES_SYSTEM_REQUIRED = 0x00000001
ES_DISPLAY_REQUIRED = 0x00000002


def _kernel32() -> Any:
    import ctypes

    loader = getattr(ctypes, "WinDLL", None)
    if loader is None:
        raise Unavailable("not Windows")
    kernel32 = loader("kernel32", use_last_error=True)
    kernel32.SetThreadExecutionState.restype = ctypes.c_uint32
    kernel32.SetThreadExecutionState.argtypes = [ctypes.c_uint32]
    return kernel32


_Library = TypeVar("_Library")


def _loaded(load: Callable[[], _Library], name: str) -> _Library:
    """The native library that `load` opens; Unavailable naming it if it cannot."""
    try:
        return load()
    except OSError as error:
        raise Unavailable(f"{name} not loaded ({error})") from None


class WindowsInhibitor:
    """SetThreadExecutionState on the GUI thread: the display and the system stay on until
    the state is reset (or the thread ends)."""

    name = "Windows power requests"

    def __init__(self, load: Callable[[], Any] = _kernel32) -> None:
        self._load = load
        self._kernel32: Any = None
        self.held = False

    def inhibit(self, app_name: str, reason: str) -> None:
        if self._kernel32 is None:
            self._kernel32 = _loaded(self._load, "kernel32")
        flags = ES_CONTINUOUS | ES_SYSTEM_REQUIRED | ES_DISPLAY_REQUIRED
        if self._kernel32.SetThreadExecutionState(flags) == 0:
            raise Unavailable("SetThreadExecutionState refused")
        self.held = True

    def release(self) -> None:
        if self.held:
            self._kernel32.SetThreadExecutionState(ES_CONTINUOUS)
            self.held = False


# -- macOS -------------------------------------------------------------------------------

IOKIT = "/System/Library/Frameworks/IOKit.framework/IOKit"
CORE_FOUNDATION = "/System/Library/Frameworks/CoreFoundation.framework/CoreFoundation"
CF_STRING_ENCODING_UTF8 = 0x08000100
ASSERTION_LEVEL_ON = 255
PREVENT_DISPLAY_SLEEP = b"PreventUserIdleDisplaySleep"
"""Keeps the display on, and with it the machine."""


def _mac_libraries() -> tuple[Any, Any]:
    import ctypes

    iokit = ctypes.cdll.LoadLibrary(IOKIT)
    cf = ctypes.cdll.LoadLibrary(CORE_FOUNDATION)
    cf.CFStringCreateWithCString.restype = ctypes.c_void_p
    cf.CFStringCreateWithCString.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_uint32]
    cf.CFRelease.restype = None
    cf.CFRelease.argtypes = [ctypes.c_void_p]
    create = iokit.IOPMAssertionCreateWithName
    create.restype = ctypes.c_int32
    create.argtypes = [
        ctypes.c_void_p,
        ctypes.c_uint32,
        ctypes.c_void_p,
        ctypes.POINTER(ctypes.c_uint32),
    ]
    iokit.IOPMAssertionRelease.restype = ctypes.c_int32
    iokit.IOPMAssertionRelease.argtypes = [ctypes.c_uint32]
    return iokit, cf


class MacInhibitor:
    """An IOKit power assertion, released by id."""

    name = "macOS power assertions"

    def __init__(self, load: Callable[[], tuple[Any, Any]] = _mac_libraries) -> None:
        self._load = load
        self._libraries: tuple[Any, Any] | None = None
        self.assertion: int | None = None

    def inhibit(self, app_name: str, reason: str) -> None:
        import ctypes

        if self._libraries is None:
            self._libraries = _loaded(self._load, "IOKit")
        iokit, cf = self._libraries
        kind = cf.CFStringCreateWithCString(None, PREVENT_DISPLAY_SLEEP, CF_STRING_ENCODING_UTF8)
        name = cf.CFStringCreateWithCString(
            None, f"{app_name}: {reason}".encode(), CF_STRING_ENCODING_UTF8
        )
        assertion = ctypes.c_uint32(0)
        try:
            result = iokit.IOPMAssertionCreateWithName(
                kind, ASSERTION_LEVEL_ON, name, ctypes.byref(assertion)
            )
        finally:
            cf.CFRelease(name)
            cf.CFRelease(kind)
        if result != 0:
            raise Unavailable(f"IOPMAssertionCreateWithName returned {result:#x}")
        self.assertion = assertion.value

    def release(self) -> None:
        if self.assertion is not None and self._libraries is not None:
            self._libraries[0].IOPMAssertionRelease(self.assertion)
        self.assertion = None


# -- choosing and holding ----------------------------------------------------------------


def platform_inhibitors(platform: str = sys.platform) -> list[Inhibitor]:
    """The ways to try, best first."""
    if platform == "win32":
        return [WindowsInhibitor()]
    if platform == "darwin":
        return [MacInhibitor()]
    if is_sandboxed():
        return [PortalInhibitor(), ScreenSaverInhibitor()]
    return [ScreenSaverInhibitor(), PortalInhibitor()]


UNAVAILABLE = "The screen may dim during sessions: this desktop offers no way to keep it on."


class KeepAwake:
    """Holds at most one inhibition; tells `on_unavailable` once when none can be had."""

    def __init__(
        self,
        app_name: str,
        inhibitors: Sequence[Inhibitor] | None = None,
        on_unavailable: Callable[[str], None] | None = None,
    ) -> None:
        self._app_name = app_name
        self._inhibitors = inhibitors
        self.on_unavailable = on_unavailable
        self.holder: Inhibitor | None = None
        self._told = False

    @property
    def active(self) -> bool:
        return self.holder is not None

    def inhibit(self, reason: str) -> bool:
        """Keep the screen on; True when some way of doing so agreed."""
        if self.holder is not None:
            return True
        if self._inhibitors is None:
            self._inhibitors = platform_inhibitors()
        problems = []
        for inhibitor in self._inhibitors:
            try:
                inhibitor.inhibit(self._app_name, reason)
            except Unavailable as error:
                problems.append(str(error))
                continue
            self.holder = inhibitor
            log.debug("keeping awake through %s", inhibitor.name)
            return True
        if not self._told:
            self._told = True
            log.warning("cannot keep the screen on: %s", "; ".join(problems) or "no way known")
            if self.on_unavailable is not None:
                self.on_unavailable(UNAVAILABLE)
        return False

    def release(self) -> None:
        holder, self.holder = self.holder, None
        if holder is not None:
            try:
                holder.release()
            except Exception:  # the OS lets go when the process ends in any case
                log.debug("releasing %s failed", holder.name, exc_info=True)
            log.debug("screen may sleep again")
