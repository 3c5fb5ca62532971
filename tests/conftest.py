"""Shared test set-up: Qt runs offscreen, every test has its own data dir."""

from __future__ import annotations

import os

# Before any QApplication exists: no display is needed for widget tests.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Nothing a test does may reach the real user profile.
os.environ.pop("LEGDRIVE_TIMER_HOME", None)

import pytest

from legdrive_timer.storage.paths import DataPaths


@pytest.fixture
def data_paths(tmp_path: object) -> DataPaths:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    return DataPaths.resolve(tmp_path / "data")
