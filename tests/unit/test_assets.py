"""The committed cue sounds, voice lines and icons meet the format the audio code relies on.

Stdlib and pytest only; no display and no audio device. The levels are measured here
independently of the generator scripts, with the definitions documented in assets/README.md.
"""

from __future__ import annotations

import array
import ast
import math
import os
import struct
import subprocess
import sys
import wave
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ASSETS = Path(__file__).parents[2] / "assets"
SOUNDS = ASSETS / "sounds"
VOICE = ASSETS / "voice"
ICONS = ASSETS / "icons"

SAMPLE_RATE = 48000
FULL_SCALE = 32767
TARGET_DBFS = -16.0
LOUDNESS_TOLERANCE_DB = 1.5
PEAK_CEILING_DBFS = -1.0
MIN_TAIL_SILENCE_S = 0.060
MAX_ONSET_S = 0.010
ONSET_THRESHOLD_DBFS = -40.0
# A first sample at most this far from zero cannot click.
MAX_FIRST_SAMPLE = 33  # -60 dBFS

# Cue -> (target active RMS in dBFS, audible length range in seconds).
CUES = {
    "prep_tick": (TARGET_DBFS, (0.030, 0.150)),
    "countdown": (TARGET_DBFS, (0.060, 0.200)),
    "work_start": (TARGET_DBFS, (0.300, 0.400)),
    "rest_start": (TARGET_DBFS, (0.350, 0.450)),
    "halfway": (TARGET_DBFS, (0.120, 0.300)),
    "switch_sides": (TARGET_DBFS, (0.400, 0.800)),
    "set_done": (TARGET_DBFS, (0.250, 0.600)),
    "session_complete": (TARGET_DBFS, (0.800, 1.000)),
    # The rep tempo cues are intentionally quieter: they repeat every second.
    "rep_drive": (TARGET_DBFS - 3.0, (0.030, 0.050)),
    "rep_lower": (TARGET_DBFS - 6.0, (0.200, 0.300)),
}
VOICE_LINES = (
    "get_ready",
    "drive",
    "rest",
    "switch_left",
    "switch_right",
    "last_round",
    "done",
    "halfway",
    "higher",
    "control_down",
)

ALL_WAVS = [SOUNDS / f"{name}.wav" for name in CUES] + [VOICE / f"{key}.wav" for key in VOICE_LINES]
TARGETS = {SOUNDS / f"{name}.wav": target for name, (target, _) in CUES.items()} | {
    VOICE / f"{key}.wav": TARGET_DBFS for key in VOICE_LINES
}


def wav_id(path: Path) -> str:
    return f"{path.parent.name}/{path.name}"


def read_samples(path: Path) -> array.array[int]:
    with wave.open(str(path), "rb") as wav:
        samples = array.array("h", wav.readframes(wav.getnframes()))
    if sys.byteorder != "little":
        samples.byteswap()
    return samples


def dbfs(value: float) -> float:
    return 20.0 * math.log10(value / FULL_SCALE) if value > 0 else -math.inf


def active_rms(samples: array.array[int]) -> float:
    """RMS over the 10 ms blocks whose own RMS is within 30 dB of the loudest block."""
    block = SAMPLE_RATE // 100
    stats = []
    for start in range(0, len(samples), block):
        chunk = samples[start : start + block]
        energy = float(sum(x * x for x in chunk))
        stats.append((energy, len(chunk)))
    loudest = max(energy / n for energy, n in stats)
    gate = loudest / 1000.0  # -30 dB in power
    kept = [(energy, n) for energy, n in stats if energy / n >= gate]
    return math.sqrt(sum(e for e, _ in kept) / sum(n for _, n in kept))


def onset_index(samples: array.array[int]) -> int:
    threshold = FULL_SCALE * 10 ** (ONSET_THRESHOLD_DBFS / 20)
    return next(i for i, x in enumerate(samples) if abs(x) >= threshold)


def trailing_silence(samples: array.array[int]) -> int:
    count = 0
    for x in reversed(samples):
        if x != 0:
            break
        count += 1
    return count


def audible_length_s(samples: array.array[int]) -> float:
    return (len(samples) - trailing_silence(samples)) / SAMPLE_RATE


def test_the_sound_folders_hold_exactly_the_expected_files() -> None:
    assert sorted(p.stem for p in SOUNDS.glob("*.wav")) == sorted(CUES)
    assert sorted(p.stem for p in VOICE.glob("*.wav")) == sorted(VOICE_LINES)


def test_the_voice_script_table_matches_the_committed_lines() -> None:
    tree = ast.parse((ASSETS / "generate_voice.py").read_text(encoding="utf-8"))
    table = next(
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.AnnAssign)
        and isinstance(node.target, ast.Name)
        and node.target.id == "VOICE_LINES"
    )
    assert isinstance(table, ast.Dict)
    keys = [ast.literal_eval(key) for key in table.keys if key is not None]
    assert sorted(keys) == sorted(VOICE_LINES)


@pytest.mark.parametrize("path", ALL_WAVS, ids=wav_id)
def test_wav_is_48khz_16bit_mono_pcm(path: Path) -> None:
    with wave.open(str(path), "rb") as wav:
        assert wav.getcomptype() == "NONE"
        assert wav.getframerate() == SAMPLE_RATE
        assert wav.getsampwidth() == 2
        assert wav.getnchannels() == 1
        assert wav.getnframes() > 0


@pytest.mark.parametrize("path", ALL_WAVS, ids=wav_id)
def test_wav_ends_in_at_least_60_ms_of_digital_silence(path: Path) -> None:
    samples = read_samples(path)
    assert trailing_silence(samples) >= round(MIN_TAIL_SILENCE_S * SAMPLE_RATE)


@pytest.mark.parametrize("path", ALL_WAVS, ids=wav_id)
def test_sound_starts_within_10_ms_without_a_click(path: Path) -> None:
    samples = read_samples(path)
    assert abs(samples[0]) <= MAX_FIRST_SAMPLE
    assert onset_index(samples) <= round(MAX_ONSET_S * SAMPLE_RATE)


@pytest.mark.parametrize("path", ALL_WAVS, ids=wav_id)
def test_sound_fades_out_to_zero(path: Path) -> None:
    samples = read_samples(path)
    last_sound = len(samples) - trailing_silence(samples)
    # The 2 ms before the silence are the end of a fade-out: far below the peak.
    end = samples[last_sound - SAMPLE_RATE // 500 : last_sound]
    assert max(abs(x) for x in end) <= max(abs(x) for x in samples) / 4


@pytest.mark.parametrize("path", ALL_WAVS, ids=wav_id)
def test_peak_is_at_most_minus_1_dbfs(path: Path) -> None:
    samples = read_samples(path)
    assert dbfs(max(abs(x) for x in samples)) <= PEAK_CEILING_DBFS


@pytest.mark.parametrize("path", ALL_WAVS, ids=wav_id)
def test_loudness_is_on_target(path: Path) -> None:
    level = dbfs(active_rms(read_samples(path)))
    assert level == pytest.approx(TARGETS[path], abs=LOUDNESS_TOLERANCE_DB)


@pytest.mark.parametrize("name", list(CUES))
def test_cue_length_matches_its_role(name: str) -> None:
    low, high = CUES[name][1]
    assert low <= audible_length_s(read_samples(SOUNDS / f"{name}.wav")) <= high


def test_rep_cues_are_quieter_than_the_phase_cues() -> None:
    main = dbfs(active_rms(read_samples(SOUNDS / "work_start.wav")))
    for name in ("rep_drive", "rep_lower"):
        assert dbfs(active_rms(read_samples(SOUNDS / f"{name}.wav"))) < main - 2.0


def test_all_cues_sound_different() -> None:
    contents = {(SOUNDS / f"{name}.wav").read_bytes() for name in CUES}
    assert len(contents) == len(CUES)


def test_generate_sounds_is_deterministic(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(ASSETS / "generate_sounds.py"), "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    for name in CUES:
        generated = (tmp_path / f"{name}.wav").read_bytes()
        assert generated == (SOUNDS / f"{name}.wav").read_bytes(), f"{name}.wav differs"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(f"{n}.wav" for n in CUES)


def test_generate_voice_without_espeak_says_how_to_install_it(tmp_path: Path) -> None:
    empty_bin = tmp_path / "bin"
    empty_bin.mkdir()
    result = subprocess.run(
        [sys.executable, str(ASSETS / "generate_voice.py"), "--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "PATH": str(empty_bin)},
    )
    assert result.returncode != 0
    assert "apt-get install espeak-ng" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_icon_svg_is_a_square_svg() -> None:
    root = ET.parse(ICONS / "legdrive-timer.svg").getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("viewBox") == "0 0 256 256"


@pytest.mark.parametrize("size", [48, 128, 256])
def test_icon_png_has_its_size(size: int) -> None:
    data = (ICONS / f"legdrive-timer-{size}.png").read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (size, size)
