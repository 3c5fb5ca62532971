"""Settings on disk: versioned JSON, atomic, and a bad file never costs the user anything."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from legdrive_timer.core.overrides import Overrides
from legdrive_timer.storage.settings import (
    FORMAT,
    Settings,
    load_settings,
    save_settings,
    settings_to_json,
)


def test_missing_file_gives_defaults_silently(tmp_path: Path) -> None:
    settings, problem = load_settings(tmp_path / "settings.json")
    assert settings == Settings()
    assert problem is None


def test_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "config" / "settings.json"
    settings = Settings(
        last_workout_id="hiit",
        volume=0.35,
        muted=True,
        voice=False,
        audio_backend="simpleaudio",
        audio_device="Speakers",
        window_geometry="AdnQywADAAA=",
    ).with_overrides("hiit", Overrides(work_s=20, rounds=6))
    save_settings(path, settings)
    loaded, problem = load_settings(path)
    assert problem is None
    assert loaded == settings
    assert loaded.overrides_for("hiit") == Overrides(work_s=20.0, rounds=6)
    assert loaded.overrides_for("primer") == Overrides()
    data = json.loads(path.read_text())
    assert data["format"] == FORMAT and data["version"] == 1
    assert not list(path.parent.glob("*.tmp"))


def test_empty_overrides_remove_the_entry() -> None:
    settings = Settings().with_overrides("hiit", Overrides(rest_s=10))
    assert "hiit" in settings.overrides
    assert "hiit" not in settings.with_overrides("hiit", Overrides()).overrides


def test_the_coach_is_off_until_turned_on_and_per_workout_wins(tmp_path: Path) -> None:
    assert Settings().coach is False
    assert Settings().coach_for("primer") is False
    settings = Settings(coach=True, camera="/dev/video2").with_coach_for("hiit", False)
    assert settings.coach_for("primer") is True
    assert settings.coach_for("hiit") is False
    settings = settings.with_coach_for("hiit", None).with_coach_for("full", True)
    assert settings.coach_for("hiit") is True
    path = tmp_path / "settings.json"
    save_settings(path, settings)
    loaded, problem = load_settings(path)
    assert problem is None and loaded == settings
    assert dict(loaded.coach_workouts) == {"full": True}
    assert loaded.camera == "/dev/video2"


def test_a_settings_file_from_before_the_coach_loads_with_the_coach_off(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"format": FORMAT, "version": 1, "volume": 0.5, "leads": {}}))
    loaded, problem = load_settings(path)
    assert problem is None
    assert loaded.volume == 0.5
    assert (loaded.coach, dict(loaded.coach_workouts), loaded.camera) == (False, {}, None)


def test_settings_cannot_be_changed_behind_a_reader() -> None:
    settings = Settings().with_overrides("hiit", Overrides(rest_s=10))
    with pytest.raises(TypeError):
        settings.overrides["hiit"]["rest_s"] = 5  # type: ignore[index]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("{not json", "not valid JSON (line 1"),
        ("[1, 2]", "does not hold a settings object"),
        ('{"format": "other", "version": 1}', '"format" must be'),
        (json.dumps({"format": FORMAT, "version": 99}), "version 99"),
        (json.dumps({"format": FORMAT, "version": 1, "volume": "loud"}), "volume must be"),
        (json.dumps({"format": FORMAT, "version": 1, "volume": 3}), "volume must be between"),
        (json.dumps({"format": FORMAT, "version": 1, "muted": 1}), "muted must be true"),
        (json.dumps({"format": FORMAT, "version": 1, "audio_backend": "x"}), "audio_backend"),
        (
            json.dumps({"format": FORMAT, "version": 1, "overrides": {"hiit": {"color": 1}}}),
            "not a known length",
        ),
        (
            json.dumps({"format": FORMAT, "version": 1, "overrides": {"hiit": {"rounds": 2.5}}}),
            "whole number",
        ),
        (json.dumps({"format": FORMAT, "version": 1, "coach": "yes"}), "coach must be true"),
        (
            json.dumps({"format": FORMAT, "version": 1, "coach_workouts": {"hiit": 1}}),
            "coach_workouts must map",
        ),
        (json.dumps({"format": FORMAT, "version": 1, "camera": 3}), "camera must be text"),
    ],
)
def test_invalid_file_is_kept_and_reported(tmp_path: Path, content: str, reason: str) -> None:
    path = tmp_path / "settings.json"
    path.write_text(content)
    settings, problem = load_settings(path)
    assert settings == Settings()
    assert problem is not None
    assert reason in problem
    assert problem.endswith(".") and "\n" not in problem
    kept = list(tmp_path.glob("settings.json.invalid-*"))
    assert len(kept) == 1 and kept[0].read_text() == content  # nothing lost
    assert str(kept[0]) in problem


@pytest.mark.parametrize(
    "content",
    [
        b"\xef\xbb\xbf" + json.dumps({"format": FORMAT, "version": 1}).encode(),
        json.dumps({"format": FORMAT, "version": 2}).encode(),
        json.dumps({"format": FORMAT, "version": 1, "volume": 7}).encode(),
        b'{"format": "legdrive-timer/settings", "version": 1, "volume": 0.5, "volume": 0.2}',
        b"{" * 100_000,
    ],
    ids=["bom", "newer", "out-of-range", "duplicate-key", "deep"],
)
def test_an_invalid_file_survives_a_save(tmp_path: Path, content: bytes) -> None:
    """The app saves at exit: the user's file must still be there, whole, afterwards."""
    path = tmp_path / "settings.json"
    path.write_bytes(content)
    _, problem = load_settings(path)
    assert problem is not None and "kept as" in problem
    save_settings(path, Settings(volume=0.3))
    kept = list(tmp_path.glob("settings.json.invalid-*"))
    assert [k.read_bytes() for k in kept] == [content]
    assert load_settings(path) == (Settings(volume=0.3), None)


def test_a_file_broken_while_the_app_runs_is_moved_aside_before_saving(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    save_settings(path, Settings(volume=0.3))
    path.write_text("{broken by hand")
    save_settings(path, Settings(volume=0.4))
    kept = list(tmp_path.glob("settings.json.invalid-*"))
    assert [k.read_text() for k in kept] == ["{broken by hand"]
    assert load_settings(path)[0].volume == 0.4


def test_unreadable_file_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.mkdir()
    settings, problem = load_settings(path)
    assert settings == Settings()
    assert problem is not None and "is a folder" in problem


def test_json_is_plain_data() -> None:
    data = settings_to_json(Settings().with_overrides("primer", Overrides(reps=5)))
    assert json.loads(json.dumps(data))["overrides"] == {"primer": {"reps": 5}}


def test_a_retired_sound_choice_loads_as_its_replacement(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"format": FORMAT, "version": 1, "audio_backend": "qt"}))
    loaded, problem = load_settings(path)
    assert problem is None
    assert loaded.audio_backend == "miniaudio"
