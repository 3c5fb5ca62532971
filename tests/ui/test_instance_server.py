"""The running window's end of the single-instance socket, driven by real clients."""

from __future__ import annotations

import os
import socket
import stat
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from legdrive_timer.ui.single_instance import InstanceServer, hand_over, qt_temp_folder

pytestmark = [pytest.mark.skipif(os.name != "posix", reason="Unix sockets")]


@pytest.fixture
def short_tmp(monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Qt's temporary folder, short enough for a socket path."""
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="ldt-", dir="/tmp"))
    monkeypatch.setenv("TMPDIR", str(folder))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def serve(qtbot: QtBot, replies: list[dict[str, Any]]) -> InstanceServer:
    def handle(request: dict[str, Any]) -> dict[str, Any]:
        replies.append(request)
        return {"status": 0, "message": f"got {request.get('action')}"}

    server = InstanceServer("legdrive-timer-test", handle)
    assert server.listen()
    return server


def in_thread(work: Any) -> dict[str, Any]:
    result: dict[str, Any] = {}
    threading.Thread(target=lambda: result.update(value=work()), daemon=True).start()
    return result


def test_a_second_launch_gets_its_reply(qtbot: QtBot, short_tmp: Path) -> None:
    seen: list[dict[str, Any]] = []
    server = serve(qtbot, seen)
    try:
        assert server.path == short_tmp / "legdrive-timer-test"
        mode = server.path.stat().st_mode
        assert stat.S_ISSOCK(mode) and stat.S_IMODE(mode) == 0o600
        result = in_thread(lambda: hand_over("legdrive-timer-test", {"action": "show"}, 5.0))
        qtbot.waitUntil(lambda: "value" in result, timeout=10_000)
        assert result["value"] == {"status": 0, "message": "got show"}
        assert seen == [{"action": "show"}]
        again = in_thread(lambda: hand_over("legdrive-timer-test", {"action": "run"}, 5.0))
        qtbot.waitUntil(lambda: "value" in again, timeout=10_000)
        assert again["value"] == {"status": 0, "message": "got run"}
    finally:
        server.close()
    assert not server.path.exists()


def test_a_leftover_socket_is_replaced(qtbot: QtBot, short_tmp: Path) -> None:
    leftover = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    leftover.bind(str(short_tmp / "legdrive-timer-test"))
    leftover.close()  # as a killed instance leaves it
    server = serve(qtbot, [])
    try:
        result = in_thread(lambda: hand_over("legdrive-timer-test", {"action": "show"}, 5.0))
        qtbot.waitUntil(lambda: "value" in result, timeout=10_000)
        assert result["value"]["status"] == 0
    finally:
        server.close()


@pytest.mark.parametrize("sent", [b"not json\n", b"[1, 2]\n", b'{"action": "sh', b""])
def test_bad_or_unfinished_requests_are_dropped(qtbot: QtBot, short_tmp: Path, sent: bytes) -> None:
    seen: list[dict[str, Any]] = []
    server = serve(qtbot, seen)
    try:
        client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        client.connect(str(server.path))
        client.sendall(sent)
        client.shutdown(socket.SHUT_WR)
        client.settimeout(0.05)
        answer: list[bytes] = []

        def closed() -> bool:
            try:
                answer.append(client.recv(100))
            except TimeoutError:
                return False
            return True

        qtbot.waitUntil(closed, timeout=10_000)
        assert answer[-1] == b""  # closed without a reply
        assert seen == []
        client.close()
        # and the server still answers the next launch
        result = in_thread(lambda: hand_over("legdrive-timer-test", {"action": "show"}, 5.0))
        qtbot.waitUntil(lambda: "value" in result, timeout=10_000)
        assert result["value"]["status"] == 0
    finally:
        server.close()


@pytest.mark.parametrize(
    "tmpdir", [None, "", "/tmp", "/tmp/", "/var//tmp/./x/../y", "relative/place", "/tmp/ä ö"]
)
def test_the_socket_folder_is_the_one_qlocalsocket_looks_in(
    monkeypatch: pytest.MonkeyPatch, tmpdir: str | None
) -> None:
    from PySide6.QtCore import QDir

    if tmpdir is None:
        monkeypatch.delenv("TMPDIR", raising=False)
    else:
        monkeypatch.setenv("TMPDIR", tmpdir)
    assert qt_temp_folder() == Path(QDir.tempPath())
