"""Pre-render the spoken cues of Legdrive Timer with espeak-ng into assets/voice/.

    python assets/generate_voice.py                  # writes assets/voice/*.wav (voice en-us)
    python assets/generate_voice.py --voice en-gb    # another espeak-ng voice
    python assets/generate_voice.py --out DIR        # writes DIR/*.wav

Build-time tools: espeak-ng (speech) and sox (high-quality resampling), both from Debian:
`apt-get install espeak-ng sox`. The app itself never runs them; it plays the WAV files.

Each line is spoken clearly and a little slowly, resampled to 48 kHz 16-bit mono, trimmed so
speech starts within a few milliseconds of the first sample, normalised to the same loudness
as the cue sounds (see generate_sounds.py), peak-limited under the same ceiling, faded at both
ends and followed by the same silent tail. The output is deterministic as long as espeak-ng
and sox are: no dither, no randomness here.
"""

from __future__ import annotations

import argparse
import array
import math
import shutil
import subprocess
import sys
import tempfile
from collections import deque
from collections.abc import Mapping, Sequence
from pathlib import Path

# Run as a script: this folder is on sys.path, so the shared levels come from the sounds script.
from generate_sounds import (
    FULL_SCALE,
    PEAK_CEILING_DBFS,
    SAMPLE_RATE,
    TAIL_SILENCE_S,
    TARGET_ACTIVE_RMS_DBFS,
    active_rms,
    apply_edges,
    db_to_gain,
    write_wav,
)

# The spoken lines: file name (without .wav) -> text. Translate the texts and pass the
# matching --voice to produce another language; the app looks the files up by these keys.
VOICE_LINES: Mapping[str, str] = {
    "get_ready": "Get ready",
    "drive": "Drive!",
    "rest": "Rest",
    "switch_left": "Switch to the left leg",
    "switch_right": "Switch to the right leg",
    "last_round": "Last round",
    "done": "Done. Great work.",
    "halfway": "Halfway",
    "higher": "Higher",
    "control_down": "Control the way down",
}

# --- espeak-ng settings -----------------------------------------------------------------------

# American English is the most widely understood of espeak-ng's English voices.
DEFAULT_VOICE = "en-us"
# Words per minute; espeak-ng's default is 175. Slightly slow: clearer over gym noise.
SPEED_WPM = 150
# espeak-ng amplitude, default 100: slightly louder, which makes the voice a little more
# forceful; 120 still stays clear of espeak-ng's own clipping. The level is normalised anyway.
AMPLITUDE = 120
# Pause between words in units of 10 ms: a small gap separates "left" and "leg".
WORD_GAP = 1

# --- Conditioning -------------------------------------------------------------------------------

# Laptop speakers reproduce little below ~200 Hz: cutting the voice's low fundamental there
# puts the loudness budget where it is heard and removes espeak-ng's small DC offset.
HIGHPASS_HZ = 200
# Speech starts at the first sample within 40 dB of the line's peak...
SPEECH_START_DB = -40.0
# ...and this much lead-in is kept before it, covered by the fade-in: speech within ~3 ms.
LEAD_IN_S = 0.002
# The line ends after the last sample within 50 dB of the peak, plus a little release.
SPEECH_END_DB = -50.0
RELEASE_S = 0.020
# Fades at both ends of the speech, before the silent tail: no clicks.
FADE_IN_S = 0.002
FADE_OUT_S = 0.015
# Peak limiter: gain changes are spread over +-5 ms, slow enough to be inaudible on speech.
LIMITER_WINDOW_S = 0.005
# Limit a little under the ceiling so that rounding to 16 bits cannot cross it.
LIMITER_MARGIN_DB = 0.2
# Normalise-then-limit converges within a few rounds; 0.1 dB is well inside the tests' 1.5 dB.
LOUDNESS_TOLERANCE_DB = 0.1
MAX_ROUNDS = 20


def require(tool: str, package: str) -> str:
    path = shutil.which(tool)
    if path is None:
        sys.exit(f"{tool} is not on PATH: install it with `apt-get install {package}`.")
    return path


def speak(espeak: str, sox: str, text: str, voice: str) -> list[float]:
    """Render one line with espeak-ng and return it as 48 kHz float samples."""
    with tempfile.TemporaryDirectory(prefix="legdrive-voice-") as tmp:
        raw_wav = Path(tmp) / "line.wav"
        subprocess.run(
            [
                espeak,
                "-v",
                voice,
                "-s",
                str(SPEED_WPM),
                "-a",
                str(AMPLITUDE),
                "-g",
                str(WORD_GAP),
                "-w",
                str(raw_wav),
                "--",
                text,
            ],
            check=True,
        )
        # -D: no dither, so the output is deterministic; floats keep the headroom for our own
        # normalisation and quantisation.
        converted = subprocess.run(
            [
                sox,
                "-D",
                str(raw_wav),
                "-t",
                "raw",
                "-e",
                "floating-point",
                "-b",
                "32",
                "-L",
                "-c",
                "1",
                "-r",
                str(SAMPLE_RATE),
                "-",
                "highpass",
                str(HIGHPASS_HZ),
                "rate",
                "-v",
            ],
            check=True,
            capture_output=True,
        ).stdout
    samples = array.array("f")
    samples.frombytes(converted)
    if sys.byteorder != "little":
        samples.byteswap()
    return list(samples)


def trim(samples: list[float]) -> list[float]:
    peak = max(abs(x) for x in samples)
    start_level = peak * db_to_gain(SPEECH_START_DB)
    end_level = peak * db_to_gain(SPEECH_END_DB)
    first = next(i for i, x in enumerate(samples) if abs(x) >= start_level)
    last = max(i for i, x in enumerate(samples) if abs(x) >= end_level)
    start = max(0, first - round(LEAD_IN_S * SAMPLE_RATE))
    end = min(len(samples), last + 1 + round(RELEASE_S * SAMPLE_RATE))
    return samples[start:end]


def limit(samples: list[float], ceiling: float) -> list[float]:
    """Look-ahead peak limiter: no sample ends above `ceiling`, gain moves smoothly."""
    window = round(LIMITER_WINDOW_S * SAMPLE_RATE)
    n = len(samples)
    needed = [min(1.0, ceiling / abs(x)) if x else 1.0 for x in samples]
    # Sliding minimum over [i - window, i + window]: the gain each neighbourhood needs.
    held = [1.0] * n
    candidates: deque[int] = deque()
    for j in range(n + window):
        if j < n:
            while candidates and needed[candidates[-1]] >= needed[j]:
                candidates.pop()
            candidates.append(j)
        i = j - window
        if i < 0:
            continue
        while candidates[0] < i - window:
            candidates.popleft()
        held[i] = needed[candidates[0]]
    # Moving average over the same half-width: smooth, and never above the held minimum's
    # value at a peak, because every value averaged around a peak is at most its needed gain.
    prefix = [0.0]
    for g in held:
        prefix.append(prefix[-1] + g)
    out = []
    for i, x in enumerate(samples):
        lo, hi = max(0, i - window), min(n, i + window + 1)
        out.append(x * (prefix[hi] - prefix[lo]) / (hi - lo))
    return out


def normalise(samples: list[float]) -> list[float]:
    """Bring the active RMS to the target while keeping every peak under the ceiling."""
    target = db_to_gain(TARGET_ACTIVE_RMS_DBFS)
    ceiling = db_to_gain(PEAK_CEILING_DBFS - LIMITER_MARGIN_DB)
    out = samples
    for _ in range(MAX_ROUNDS):
        gain = target / active_rms(out)
        out = limit([x * gain for x in out], ceiling)
        if abs(20 * math.log10(active_rms(out) / target)) <= LOUDNESS_TOLERANCE_DB:
            return out
    raise ValueError("could not reach the loudness target under the peak ceiling")


def to_pcm(samples: list[float]) -> array.array[int]:
    pcm = array.array(
        "h", (max(-FULL_SCALE, min(FULL_SCALE, round(x * FULL_SCALE))) for x in samples)
    )
    pcm.extend([0] * round(TAIL_SILENCE_S * SAMPLE_RATE))
    return pcm


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render the voice lines with espeak-ng.")
    parser.add_argument(
        "--voice", default=DEFAULT_VOICE, help=f"espeak-ng voice (default: {DEFAULT_VOICE})"
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent / "voice",
        help="output directory (default: assets/voice next to this script)",
    )
    args = parser.parse_args(argv)
    espeak = require("espeak-ng", "espeak-ng")
    sox = require("sox", "sox")
    args.out.mkdir(parents=True, exist_ok=True)
    for key, text in VOICE_LINES.items():
        speech = trim(speak(espeak, sox, text, args.voice))
        samples = normalise(apply_edges(speech, FADE_IN_S, FADE_OUT_S))
        path = args.out / f"{key}.wav"
        write_wav(path, to_pcm(samples))
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
