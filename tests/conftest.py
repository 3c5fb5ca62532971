"""Shared test set-up: Qt runs offscreen, every test has its own data dir."""

from __future__ import annotations

import os

# Before any QApplication exists: no display is needed for widget tests.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# Nothing a test does may reach the real user profile.
os.environ.pop("LEGDRIVE_TIMER_HOME", None)

import pytest
from hypothesis import HealthCheck, settings

from legdrive_timer.storage.paths import DataPaths

# The machines that run the suite are shared and often busy: a slow example is not a failure.
# Property tests are judged by what they find, never by how long generating examples takes.
settings.register_profile(
    "shared-machine", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("shared-machine")


@pytest.fixture
def data_paths(tmp_path: object) -> DataPaths:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    return DataPaths.resolve(tmp_path / "data")
