"""Generate the cue sounds of Legdrive Timer into assets/sounds/.

Standard library only, deterministic: the same bytes on every run and every machine.

    python assets/generate_sounds.py            # writes assets/sounds/*.wav
    python assets/generate_sounds.py --out DIR  # writes DIR/*.wav

The cues are heard over gym noise through laptop speakers, which reproduce little below
about 400 Hz, so every pitch sits between 500 and 3000 Hz, and each cue differs from the
others in pitch, direction, rhythm and timbre rather than in level alone.

Every file is 48 kHz, 16-bit, mono PCM. The sound starts at the first sample with a short
fade-in (no click, audible within a few milliseconds), ends with a fade-out, and is followed by
TAIL_SILENCE_S of digital silence: Qt's QSoundEffect drops the last 10-15 ms of a WAV and
replays that stale tail at the next play() unless the file ends in silence.

Loudness is the "active RMS": the RMS of the 10 ms blocks whose own RMS lies within
ACTIVE_GATE_DB of the loudest block (so gaps and decaying tails do not count). All cues are
normalised to TARGET_ACTIVE_RMS_DBFS, the rep tempo cues to a documented offset below it.
"""

from __future__ import annotations

import argparse
import array
import math
import random
import sys
import wave
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

# --- File format -----------------------------------------------------------------------------

# 48 kHz is the native rate of PulseAudio/PipeWire and most laptop codecs: no resampling on play.
SAMPLE_RATE = 48000
# 16-bit signed PCM: what every backend (QSoundEffect, simpleaudio) plays without conversion.
SAMPLE_WIDTH_BYTES = 2
CHANNELS = 1
FULL_SCALE = 32767

# --- Levels ------------------------------------------------------------------------------------

# Loud enough to carry over gym noise on laptop speakers, while leaving the 15 dB of crest
# factor that chimes and bells need under the peak ceiling. The voice lines use the same target.
TARGET_ACTIVE_RMS_DBFS = -16.0
# Headroom for the DAC and any resampling in the sound server, which can overshoot by ~0.5 dB.
PEAK_CEILING_DBFS = -1.0
# Blocks of 10 ms: short enough to separate a 60 ms pip from the gap after it.
ACTIVE_BLOCK_S = 0.010
# Blocks more than 30 dB below the loudest block are gaps or tails, not the cue itself.
ACTIVE_GATE_DB = 30.0
# The rep tempo cues sound every second for a whole set: they must stay under the phase cues.
# The "drive" click is only 3 dB down because a 40 ms click already sounds quieter than a tone
# of the same RMS; the "lower" tone is 6 dB down so the explosive up-beat dominates the pair.
REP_DRIVE_OFFSET_DB = -3.0
REP_LOWER_OFFSET_DB = -6.0

# --- Edges -------------------------------------------------------------------------------------

# Every file starts with a fade-in this long: no click at the first sample, and the cue is
# audible within the first few milliseconds (it must sound within 30 ms of its phase boundary).
FILE_FADE_IN_S = 0.002
# A fade-out this long at the end of the sound: no click when it stops.
FILE_FADE_OUT_S = 0.008
# At least 60 ms of digital silence after every cue (QSoundEffect drops the last 10-15 ms and
# replays the stale tail otherwise); 80 ms leaves a margin.
TAIL_SILENCE_S = 0.080

# --- Pitches (equal temperament, A4 = 440 Hz) -------------------------------------------------

C5 = 523.25
E5 = 659.26
G5 = 783.99
A5 = 880.00
B5 = 987.77
C6 = 1046.50
D6 = 1174.66
E6 = 1318.51
G6 = 1567.98
A6 = 1760.00

# Timbres as (frequency multiple, relative amplitude) partials.
# Pure sine: soft, for rest.
PURE = ((1.0, 1.0),)
# A touch of octave: a neutral beep that still cuts through on small speakers.
PLAIN = ((1.0, 1.0), (2.0, 0.25))
# Strong upper harmonics: bright and urgent.
BRIGHT = ((1.0, 1.0), (2.0, 0.35), (3.0, 0.2))
# Inharmonic partials with the 2.76 ratio of a struck bar: bell-like, unlike any beep.
BELL = ((1.0, 1.0), (2.0, 0.3), (2.76, 0.2), (5.4, 0.06))
# Brass-like harmonic series: the fanfare.
BRASS = ((1.0, 1.0), (2.0, 0.5), (3.0, 0.3), (4.0, 0.15))


@dataclass(frozen=True)
class Note:
    """One tone inside a cue."""

    start_s: float
    freq: float
    length_s: float
    partials: Sequence[tuple[float, float]] = PLAIN
    attack_s: float = 0.003
    release_s: float = 0.015
    # None: flat sustain; otherwise amplitude decays as exp(-t / decay_s) (struck sounds).
    decay_s: float | None = None
    # Frequency at the end of the note, for glides; None keeps the pitch steady.
    end_freq: float | None = None
    gain: float = 1.0


def render_note(note: Note) -> list[float]:
    n = round(note.length_s * SAMPLE_RATE)
    attack = max(1, round(note.attack_s * SAMPLE_RATE))
    release = max(1, round(note.release_s * SAMPLE_RATE))
    end_freq = note.freq if note.end_freq is None else note.end_freq
    out = [0.0] * n
    phase = 0.0
    for i in range(n):
        t = i / SAMPLE_RATE
        freq = note.freq + (end_freq - note.freq) * (i / n)
        env = 1.0
        if i < attack:
            env *= 0.5 - 0.5 * math.cos(math.pi * i / attack)
        if i >= n - release:
            env *= 0.5 - 0.5 * math.cos(math.pi * (n - i) / release)
        if note.decay_s is not None:
            env *= math.exp(-t / note.decay_s)
        value = sum(amp * math.sin(mult * phase) for mult, amp in note.partials)
        out[i] = note.gain * env * value
        phase += 2.0 * math.pi * freq / SAMPLE_RATE
    return out


def mix(notes: Sequence[Note], extra: Sequence[tuple[float, list[float]]] = ()) -> list[float]:
    """Sum notes (and pre-rendered (start_s, samples) layers) into one buffer."""
    layers = [(note.start_s, render_note(note)) for note in notes] + list(extra)
    total = max(round(start * SAMPLE_RATE) + len(samples) for start, samples in layers)
    out = [0.0] * total
    for start, samples in layers:
        offset = round(start * SAMPLE_RATE)
        for i, value in enumerate(samples):
            out[offset + i] += value
    return out


# --- The cues ----------------------------------------------------------------------------------


def prep_tick() -> list[float]:
    # A5, 60 ms, quickly decaying: a neutral "tock" for each second of the prep countdown; the
    # reference pitch that the higher last-three-seconds pip is heard against.
    return mix([Note(0.0, A5, 0.060, PLAIN, attack_s=0.002, decay_s=0.030)])


def countdown() -> list[float]:
    # A6, one octave above the prep tick, 120 ms, flat and bright: an urgent beep. The engine
    # plays it once per second at 3, 2 and 1 seconds before a phase ends.
    return mix([Note(0.0, A6, 0.120, BRIGHT, attack_s=0.002, release_s=0.015)])


def work_start() -> list[float]:
    # Rising C6-E6-G6 major triad, bright, 90 + 90 + 170 ms = 350 ms: "go!". Rising pitch
    # signals effort; the last note is held so the cue ends on a clear high tone.
    return mix(
        [
            Note(0.000, C6, 0.095, BRIGHT, attack_s=0.002, release_s=0.010),
            Note(0.090, E6, 0.095, BRIGHT, attack_s=0.004, release_s=0.010),
            Note(0.180, G6, 0.170, BRIGHT, attack_s=0.004, release_s=0.040),
        ]
    )


def rest_start() -> list[float]:
    # Falling B5 -> E5 (a fifth down), pure sine, slow attack and long release, 400 ms: the
    # opposite of work_start in direction, timbre and tempo, so "ease off" is heard at once.
    return mix(
        [
            Note(0.000, B5, 0.200, PURE, attack_s=0.003, release_s=0.040),
            Note(0.170, E5, 0.230, PURE, attack_s=0.030, release_s=0.120),
        ]
    )


def halfway() -> list[float]:
    # Two identical quick D6 pips, 60 ms each with a 60 ms gap: the only double-pip cue.
    return mix(
        [
            Note(0.000, D6, 0.060, PLAIN, attack_s=0.002, release_s=0.010),
            Note(0.120, D6, 0.060, PLAIN, attack_s=0.002, release_s=0.010),
        ]
    )


def switch_sides() -> list[float]:
    # "Ding-dong-ding": struck bell tones alternating D6 and G5 (a fifth apart), 170 ms apart,
    # the last one ringing out, 650 ms in all. Three strikes and a bell timbre are unlike any
    # other cue, so "change legs" is recognised before the voice line finishes.
    strike = 0.170
    return mix(
        [
            Note(0 * strike, D6, 0.220, BELL, attack_s=0.002, release_s=0.040, decay_s=0.150),
            Note(1 * strike, G5, 0.220, BELL, attack_s=0.002, release_s=0.040, decay_s=0.150),
            Note(2 * strike, D6, 0.310, BELL, attack_s=0.002, release_s=0.120, decay_s=0.150),
        ]
    )


def set_done() -> list[float]:
    # C6 then E6 (a major third) struck 50 ms apart and ringing together, 450 ms: a short,
    # pleasant "that set is done" chime, softer than the three-strike switch bell.
    return mix(
        [
            Note(0.000, C6, 0.450, BELL, attack_s=0.002, release_s=0.120, decay_s=0.180),
            Note(0.050, E6, 0.400, BELL, attack_s=0.002, release_s=0.120, decay_s=0.180),
        ]
    )


def session_complete() -> list[float]:
    # Ascending C5-E5-G5-C6 arpeggio (110 ms per note) into a held C6-E6-G6 chord, brass-like,
    # 900 ms: the longest and fullest cue, reserved for the end of the whole session.
    step = 0.110
    arpeggio = [
        Note(i * step, freq, step + 0.010, BRASS, attack_s=0.003, release_s=0.012)
        for i, freq in enumerate((C5, E5, G5))
    ]
    chord_start = 3 * step
    chord_length = 0.900 - chord_start
    chord = [
        Note(chord_start, freq, chord_length, BRASS, attack_s=0.004, release_s=0.200, gain=gain)
        for freq, gain in ((C6, 0.6), (E6, 0.45), (G6, 0.4))
    ]
    return mix(arpeggio + chord)


# The knock's noise is drawn from a fixed seed: the same bytes on every run.
REP_DRIVE_NOISE_SEED = 20261125


def rep_drive() -> list[float]:
    # A 40 ms knock: a 3 ms burst of bright (differentiated) noise for the sharp edge, over
    # damped 1600 Hz and 2500 Hz resonances that give it a woody body. Short and sharp so the
    # explosive knee drive can be timed exactly on it.
    length_s = 0.040
    n = round(length_s * SAMPLE_RATE)
    rng = random.Random(REP_DRIVE_NOISE_SEED)
    white = [rng.uniform(-1.0, 1.0) for _ in range(n + 1)]
    noise_decay_s = 0.003
    noise = [
        0.6 * (white[i + 1] - white[i]) * math.exp(-i / SAMPLE_RATE / noise_decay_s)
        for i in range(n)
    ]
    body = [
        Note(0.0, 1600.0, length_s, PURE, attack_s=0.0005, release_s=0.008, decay_s=0.010),
        Note(
            0.0, 2500.0, length_s, PURE, attack_s=0.0005, release_s=0.008, decay_s=0.006, gain=0.5
        ),
    ]
    return mix(body, extra=[(0.0, noise)])


def rep_lower() -> list[float]:
    # A soft 250 ms tone gliding down E5 -> C5 with a 15 ms attack: the slow, controlled
    # lowering of the leg. Lower, longer and gentler than the drive click, so the pair is heard
    # as "up - down".
    return mix([Note(0.0, E5, 0.250, PLAIN, attack_s=0.015, release_s=0.080, end_freq=C5)])


@dataclass(frozen=True)
class Cue:
    name: str
    render: Callable[[], list[float]]
    level_offset_db: float = 0.0


CUES: tuple[Cue, ...] = (
    Cue("prep_tick", prep_tick),
    Cue("countdown", countdown),
    Cue("work_start", work_start),
    Cue("rest_start", rest_start),
    Cue("halfway", halfway),
    Cue("switch_sides", switch_sides),
    Cue("set_done", set_done),
    Cue("session_complete", session_complete),
    Cue("rep_drive", rep_drive, REP_DRIVE_OFFSET_DB),
    Cue("rep_lower", rep_lower, REP_LOWER_OFFSET_DB),
)


# --- Levels and edges --------------------------------------------------------------------------


def db_to_gain(db: float) -> float:
    return 10.0 ** (db / 20.0)


def active_rms(samples: Sequence[float]) -> float:
    """RMS over the 10 ms blocks within ACTIVE_GATE_DB of the loudest block (0 if silent)."""
    block = round(ACTIVE_BLOCK_S * SAMPLE_RATE)
    blocks = [samples[i : i + block] for i in range(0, len(samples), block)]
    energies = [sum(x * x for x in b) for b in blocks]
    mean_squares = [e / len(b) for e, b in zip(energies, blocks, strict=True)]
    loudest = max(mean_squares, default=0.0)
    if loudest <= 0.0:
        return 0.0
    gate = loudest * db_to_gain(-ACTIVE_GATE_DB) ** 2
    kept = [
        (e, len(b)) for e, b, ms in zip(energies, blocks, mean_squares, strict=True) if ms >= gate
    ]
    return math.sqrt(sum(e for e, _ in kept) / sum(n for _, n in kept))


def apply_edges(
    samples: list[float], fade_in_s: float = FILE_FADE_IN_S, fade_out_s: float = FILE_FADE_OUT_S
) -> list[float]:
    """Fade in from zero at the first sample and out to zero at the last (raised cosine)."""
    out = list(samples)
    fade_in = round(fade_in_s * SAMPLE_RATE)
    fade_out = round(fade_out_s * SAMPLE_RATE)
    for i in range(min(fade_in, len(out))):
        out[i] *= 0.5 - 0.5 * math.cos(math.pi * i / fade_in)
    for k in range(min(fade_out, len(out))):
        out[len(out) - 1 - k] *= 0.5 - 0.5 * math.cos(math.pi * k / fade_out)
    return out


def finish(samples: list[float], level_offset_db: float) -> array.array[int]:
    """Fade the edges, normalise the loudness, quantise and append the silent tail."""
    shaped = apply_edges(samples)
    target = db_to_gain(TARGET_ACTIVE_RMS_DBFS + level_offset_db)
    gain = target / active_rms(shaped)
    pcm = array.array(
        "h", (max(-FULL_SCALE, min(FULL_SCALE, round(x * gain * FULL_SCALE))) for x in shaped)
    )
    peak = max(abs(v) for v in pcm) / FULL_SCALE
    if peak > db_to_gain(PEAK_CEILING_DBFS):
        raise ValueError(
            f"peak {20 * math.log10(peak):.2f} dBFS is over the {PEAK_CEILING_DBFS} dBFS ceiling: "
            "lower the crest factor of this cue"
        )
    pcm.extend([0] * round(TAIL_SILENCE_S * SAMPLE_RATE))
    return pcm


def write_wav(path: Path, pcm: array.array[int]) -> None:
    data = pcm.tobytes() if sys.byteorder == "little" else _swapped(pcm)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(CHANNELS)
        out.setsampwidth(SAMPLE_WIDTH_BYTES)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(data)


def _swapped(pcm: array.array[int]) -> bytes:
    copy = array.array("h", pcm)
    copy.byteswap()
    return copy.tobytes()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate the cue sounds (48 kHz 16-bit mono).")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent / "sounds",
        help="output directory (default: assets/sounds next to this script)",
    )
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for cue in CUES:
        path = args.out / f"{cue.name}.wav"
        write_wav(path, finish(cue.render(), cue.level_offset_db))
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
