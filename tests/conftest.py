"""Shared test set-up: Qt runs offscreen, every test has its own data dir; the fixtures
every test folder uses. Helpers to import live in `tests/helpers/`."""

from __future__ import annotations

import gc
import os

# Before any QApplication exists: no display is needed for widget tests.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Nothing a test does may reach the real user profile.
os.environ.pop("LEGDRIVE_TIMER_HOME", None)

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, settings

from legdrive_timer.startup import collect_due
from legdrive_timer.storage.paths import DataPaths

# The machines that run the suite are shared and often busy: a slow example is not a failure.
# Property tests are judged by what they find, never by how long generating examples takes.
settings.register_profile(
    "shared-machine", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("shared-machine")

if TYPE_CHECKING:
    from pytestqt.qtbot import QtBot

    from legdrive_timer.storage.history import HistoryStore
    from tests.helpers.window import WindowHarness


@pytest.fixture(autouse=True)
def collection_on_the_test_thread() -> Iterator[None]:
    """Cyclic garbage collected on the thread that runs the tests, between tests, as the
    window collects on its own thread (see legdrive_timer.startup): a pass on a test's
    worker thread (a history writer, a sound watcher) would destroy the Qt objects of the
    garbage there, from the wrong thread, and could deadlock the run."""
    gc.disable()
    yield
    gc.disable()
    collect_due()


@pytest.fixture
def data_paths(tmp_path: object) -> DataPaths:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    return DataPaths.resolve(tmp_path / "data")


@pytest.fixture
def store(tmp_path: object) -> Iterator[HistoryStore]:
    """An empty history database of the test's own, closed after it."""
    from pathlib import Path

    from legdrive_timer.storage.history import HistoryStore

    assert isinstance(tmp_path, Path)
    opened = HistoryStore.open(tmp_path / "history.sqlite3")
    yield opened
    opened.close()


@pytest.fixture
def harness(qtbot: QtBot, data_paths: DataPaths) -> Iterator[WindowHarness]:
    """The whole app on the fake clock, its window shown at a small laptop size."""
    from tests.helpers.window import WindowHarness  # Qt: only for the tests that use it

    h = WindowHarness(data_paths)
    qtbot.addWidget(h.window)
    h.window.resize(800, 480)
    h.window.show()
    qtbot.waitExposed(h.window)
    yield h
    h.window.close()
