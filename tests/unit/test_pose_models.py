"""The pose models in packaging/pose-models are the files their README names, with their
licence, and the core package never carries them."""

from __future__ import annotations

import hashlib
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[2]
MODELS = ROOT / "packaging" / "pose-models" / "legdrive_timer_pose_models"


def test_each_model_matches_the_digest_in_its_readme() -> None:
    rows = re.findall(
        r"^\| (\S+\.tflite) \| \S+ \| (\d+) \| ([0-9a-f]{64}) \|$",
        (MODELS / "README.md").read_text(encoding="utf-8"),
        flags=re.MULTILINE,
    )
    assert {name for name, _, _ in rows} == {p.name for p in MODELS.glob("*.tflite")}
    for name, size, digest in rows:
        data = (MODELS / name).read_bytes()
        assert len(data) == int(size)
        assert hashlib.sha256(data).hexdigest() == digest


def test_the_models_ship_with_their_licence() -> None:
    licence = (MODELS / "LICENSE").read_text(encoding="utf-8")
    assert "Apache License" in licence
    assert "Version 2.0" in licence
    project = tomllib.loads((MODELS.parent / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["license"] == "Apache-2.0"


def test_only_the_coach_extra_brings_the_models() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert not any("pose-models" in d for d in project["dependencies"])
    assert any(
        d.startswith("legdrive-timer-pose-models==")
        for d in project["optional-dependencies"]["coach"]
    )
    assert not list((ROOT / "legdrive_timer").rglob("*.tflite"))
