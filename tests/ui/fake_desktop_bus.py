"""A small fake of the desktop's D-Bus services, run as a process on a private bus.

    python fake_desktop_bus.py CALLS_FILE [screensaver] [portal] [logind]

Owns the named services and appends every method call to CALLS_FILE as a JSON line
`[interface, member, signature, body]`. Arguments are checked as strictly as the real
services check them (GDBus, KDE): a call with the wrong signature gets an InvalidArgs error.
`logind` also owns org.freedesktop.login1; its test method `Sleep` emits PrepareForSleep(true)
then PrepareForSleep(false), as logind does around a suspend.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from jeepney import DBusAddress, HeaderFields, MessageType, new_error, new_method_return, new_signal
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import Proxy, open_dbus_connection

PORTAL_HANDLE = "/org/freedesktop/portal/desktop/request/1_1/legdrive"
SCREENSAVER_COOKIE = 7

EXPECTED = {
    ("org.freedesktop.ScreenSaver", "Inhibit"): "ss",
    ("org.freedesktop.ScreenSaver", "UnInhibit"): "u",
    ("org.freedesktop.portal.Inhibit", "Inhibit"): "sua{sv}",
    ("org.freedesktop.portal.Request", "Close"): "",
    ("org.freedesktop.login1.Manager", "Sleep"): "",
}


def main() -> None:
    calls_file, roles = sys.argv[1], set(sys.argv[2:])
    connection = open_dbus_connection(bus="SESSION")
    bus = Proxy(message_bus, connection)
    names = {
        "screensaver": "org.freedesktop.ScreenSaver",
        "portal": "org.freedesktop.portal.Desktop",
        "logind": "org.freedesktop.login1",
    }
    for role in sorted(roles):
        bus.RequestName(names[role])
    with Path(calls_file).open("a", encoding="utf-8") as calls:
        print("ready", flush=True)
        while True:
            message = connection.receive()
            if message.header.message_type is not MessageType.method_call:
                continue
            fields = message.header.fields
            interface = fields.get(HeaderFields.interface)
            member = fields.get(HeaderFields.member)
            signature = fields.get(HeaderFields.signature, "")
            key = (interface, member)
            if key not in EXPECTED:
                continue  # the bus's own calls (Introspect, Peer...): not ours to record
            calls.write(json.dumps([interface, member, signature, message.body]) + "\n")
            calls.flush()
            if EXPECTED[key] != signature:
                connection.send(
                    new_error(message, "org.freedesktop.DBus.Error.InvalidArgs", "s", (signature,))
                )
            elif member == "Inhibit" and interface == "org.freedesktop.ScreenSaver":
                connection.send(new_method_return(message, "u", (SCREENSAVER_COOKIE,)))
            elif member == "Inhibit":
                connection.send(new_method_return(message, "o", (PORTAL_HANDLE,)))
            elif member == "Sleep":
                connection.send(new_method_return(message))
                manager = DBusAddress(
                    "/org/freedesktop/login1", interface="org.freedesktop.login1.Manager"
                )
                for going in (True, False):
                    connection.send(new_signal(manager, "PrepareForSleep", "b", (going,)))
            else:
                connection.send(new_method_return(message))


if __name__ == "__main__":
    main()
