"""Reading the cue files: the samples the sound engines play, mapped from the files."""

from __future__ import annotations

import mmap
import wave
from array import array
from contextlib import ExitStack
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from legdrive_timer.audio.backends import _read_pcm
from legdrive_timer.audio.cues import Cue, CueAsset, open_assets


def write_wav(path: Path, samples: list[int], *, channels: int = 1, width: int = 2) -> CueAsset:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(width)
        wav.setframerate(48_000)
        if width == 2:
            wav.writeframes(array("h", samples).tobytes())
        else:
            wav.writeframes(bytes(len(samples) * width))
    return CueAsset(Cue.COUNTDOWN, path, 0)


def test_every_cue_reads_the_same_samples_as_the_wave_module_bit_for_bit() -> None:
    with ExitStack() as stack:
        for cue, asset in open_assets(stack).items():
            pcm = _read_pcm(asset)
            with wave.open(str(asset.path), "rb") as wav:
                expected = wav.readframes(wav.getnframes())
                assert (pcm.channels, pcm.rate) == (wav.getnchannels(), wav.getframerate())
            assert pcm.samples.format == "h", cue
            assert isinstance(pcm.samples.obj, mmap.mmap), cue  # mapped, not copied
            assert pcm.samples.tobytes() == expected, cue


def old_trim(samples: array[int], keep_silence: int) -> bytes:
    """How the mixer cut the cues' trailing silence before the files were mapped."""
    view = memoryview(samples)
    window = 2 * min(len(view), keep_silence + 48_000)
    tail = view.cast("B")[-window:] if window else b""
    zeros = (len(tail) - len(bytes(tail).rstrip(b"\0"))) // 2
    return view[: len(view) - max(0, zeros - keep_silence)].tobytes()


def test_the_shipped_cues_are_cut_where_they_were_cut_before() -> None:
    with ExitStack() as stack:
        for cue, asset in open_assets(stack).items():
            pcm = _read_pcm(asset)
            copy = array("h", pcm.samples.tobytes())
            assert pcm.trimmed(960).tobytes() == old_trim(copy, 960), cue
            assert len(pcm.trimmed(960)) < len(pcm.samples), cue  # the files end in zeros


@given(
    sound=st.lists(st.integers(-32768, 32767), max_size=40),
    zeros=st.integers(0, 20_000),
    keep=st.integers(0, 30),
)
def test_trailing_silence_is_cut_to_what_is_kept(
    tmp_path_factory: pytest.TempPathFactory, sound: list[int], zeros: int, keep: int
) -> None:
    path = tmp_path_factory.mktemp("wav") / "cue.wav"
    samples = sound + [0] * zeros
    pcm = _read_pcm(write_wav(path, samples))
    assert list(pcm.samples) == samples
    last = max((i + 1 for i, s in enumerate(sound) if s), default=0)
    assert list(pcm.trimmed(keep)) == samples[: min(len(samples), last + keep)]


def test_a_zero_low_byte_is_sound(tmp_path: Path) -> None:
    pcm = _read_pcm(write_wav(tmp_path / "cue.wav", [5, 0, 1, 256, 0, 0, 0]))
    assert list(pcm.trimmed(1)) == [5, 0, 1, 256, 0]
    assert list(pcm.trimmed(0)) == [5, 0, 1, 256]


def test_an_empty_or_cut_short_file(tmp_path: Path) -> None:
    empty = _read_pcm(write_wav(tmp_path / "empty.wav", []))
    assert len(empty.samples) == 0 and len(empty.trimmed(10)) == 0
    path = tmp_path / "short.wav"
    write_wav(path, [7] * 100)
    path.write_bytes(path.read_bytes()[:-51])  # the data chunk claims 100 samples
    short = _read_pcm(CueAsset(Cue.COUNTDOWN, path, 0))
    assert list(short.samples) == [7] * 74


def test_an_8_bit_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(wave.Error):
        _read_pcm(write_wav(tmp_path / "cue.wav", [1, 2, 3], width=1))
