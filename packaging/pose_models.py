"""Fetch the BlazePose models the coach ships, from the `mediapipe` wheel on PyPI, and check
them against the digests in pose-models/legdrive_timer_pose_models/README.md.

    python packaging/pose_models.py            # check the files in the repository
    python packaging/pose_models.py --fetch    # download the wheel (pip) and extract them

The models are committed; this says where they came from and lets anyone verify it.
"""

from __future__ import annotations

import argparse
import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

MODELS = Path(__file__).resolve().parent / "pose-models" / "legdrive_timer_pose_models"
WHEEL = "mediapipe==0.10.21"
FILES = {
    "pose_detection.tflite": (
        "mediapipe/modules/pose_detection/pose_detection.tflite",
        "9ba9dd3d42efaaba86b4ff0122b06f29c4122e756b329d89dca1e297fd8f866c",
    ),
    "pose_landmark_full.tflite": (
        "mediapipe/modules/pose_landmark/pose_landmark_full.tflite",
        "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f",
    ),
}


def fetch() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        pip = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
        target = ["--python-version", "3.11", "--platform", "manylinux_2_28_x86_64"]
        subprocess.run([*pip, *target, "-d", tmp, WHEEL], check=True)
        (wheel,) = Path(tmp).glob("mediapipe-*.whl")
        with zipfile.ZipFile(wheel) as archive:
            for name, (member, _) in FILES.items():
                (MODELS / name).write_bytes(archive.read(member))
            licence = next(n for n in archive.namelist() if n.endswith(".dist-info/LICENSE"))
            (MODELS / "LICENSE").write_bytes(archive.read(licence))


def check() -> bool:
    ok = True
    for name, (_, digest) in FILES.items():
        path = MODELS / name
        actual = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else "missing"
        print(f"{name}: {'ok' if actual == digest else f'MISMATCH ({actual})'}")
        ok = ok and actual == digest
    return ok


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fetch", action="store_true", help="download and extract first")
    if parser.parse_args().fetch:
        fetch()
    sys.exit(0 if check() else 1)
