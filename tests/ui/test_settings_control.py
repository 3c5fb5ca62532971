"""Settings are changed in memory at once and written once the changes stop."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from legdrive_timer.storage.paths import DataPaths
from legdrive_timer.storage.settings import load_settings
from legdrive_timer.ui.control.settings import SettingsControl
from legdrive_timer.ui.main_window import Banner


def test_a_run_of_changes_is_written_once(qtbot: QtBot, data_paths: DataPaths) -> None:
    banner = Banner()
    qtbot.addWidget(banner)
    control = SettingsControl(data_paths, banner)
    for step in range(1, 41):  # a volume slider dragged across
        control.update(volume=step / 40)
    assert control.current.volume == 1.0
    assert control.pending and control.writes == 0
    assert not data_paths.settings_file.exists()
    qtbot.waitUntil(lambda: not control.pending, timeout=3000)
    assert control.writes == 1
    saved, problem = load_settings(data_paths.settings_file)
    assert problem is None and saved.volume == 1.0


def test_flush_writes_now_and_only_when_something_changed(
    qtbot: QtBot, data_paths: DataPaths
) -> None:
    banner = Banner()
    qtbot.addWidget(banner)
    control = SettingsControl(data_paths, banner)
    control.flush()
    assert control.writes == 0
    control.update(muted=True)
    control.flush()
    assert control.writes == 1 and not control.pending
    assert load_settings(data_paths.settings_file)[0].muted


def test_a_failed_write_is_reported_in_the_banner(qtbot: QtBot, data_paths: DataPaths) -> None:
    banner = Banner()
    qtbot.addWidget(banner)
    control_dir = data_paths.settings_file.parent
    control_dir.parent.mkdir(parents=True, exist_ok=True)
    control_dir.write_text("")  # a file where the settings folder should be
    control = SettingsControl(data_paths, banner)
    control.update(muted=True)
    control.flush()
    assert any("could not be saved" in m for m in banner.messages())
